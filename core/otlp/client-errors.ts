// How OTLP exporters classify a failed export (OTLP spec, "Failures"): retryable answers become
// RetryableError (honouring Retry-After / RetryInfo), the rest PermanentError.
import { PermanentError, RetryableError } from '../component.ts';
import { GrpcCode } from './status.ts';

const RETRYABLE_GRPC = new Set<number>([
  GrpcCode.CANCELLED,
  GrpcCode.DEADLINE_EXCEEDED,
  GrpcCode.RESOURCE_EXHAUSTED,
  GrpcCode.ABORTED,
  GrpcCode.OUT_OF_RANGE,
  GrpcCode.UNAVAILABLE,
  GrpcCode.DATA_LOSS,
]);

const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);

export function grpcFailure(target: string, code: number, details: string, retryAfterMs?: number): Error {
  const message = `OTLP/gRPC export to ${target} failed: ${grpcCodeName(code)}: ${details}`;
  return RETRYABLE_GRPC.has(code) ? new RetryableError(message, { retryAfterMs }) : new PermanentError(message);
}

export function httpFailure(target: string, status: number, details: string, retryAfterMs?: number): Error {
  const message = `OTLP/HTTP export to ${target} failed: HTTP ${status}${details ? `: ${details}` : ''}`;
  return RETRYABLE_HTTP.has(status) ? new RetryableError(message, { retryAfterMs }) : new PermanentError(message);
}

export function grpcCodeName(code: number): string {
  return Object.entries(GrpcCode).find(([, v]) => v === code)?.[0] ?? `code ${code}`;
}
