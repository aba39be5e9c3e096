// @grpc/grpc-js service definitions for the three OTLP collector services. Messages pass through
// as raw Buffers: the receiver decodes them with our decoder (and answers INVALID_ARGUMENT itself),
// the exporter encodes them with our encoder.
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import type { Signal } from '../signals/types.ts';

const identity = (b: Buffer): Uint8Array => b;
const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export const SERVICE_NAME: Record<Signal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
};

export type ExportMethod = MethodDefinition<Uint8Array, Uint8Array>;

function exportMethod(signal: Signal): ExportMethod {
  return {
    path: `/${SERVICE_NAME[signal]}/Export`,
    requestStream: false,
    responseStream: false,
    requestSerialize: toBuffer,
    requestDeserialize: identity,
    responseSerialize: toBuffer,
    responseDeserialize: identity,
    originalName: 'export',
  };
}

export type OtlpServiceDefinition = ServiceDefinition & { Export: ExportMethod };

/** The service definition of one signal's collector service (one method: Export). */
export const OTLP_SERVICES: Record<Signal, OtlpServiceDefinition> = {
  traces: { Export: exportMethod('traces') },
  logs: { Export: exportMethod('logs') },
  metrics: { Export: exportMethod('metrics') },
};
