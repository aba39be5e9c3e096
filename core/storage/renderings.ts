// Value renderings of the storage contract: the OpenTelemetry Collector ClickHouse exporter's
// strings (pdata SpanKind.String() / StatusCode.String()), timestamp clamping, and the GenAI
// semantic-convention keys the agent columns come from.
import type { AnyValue, Attributes } from '../signals/types.ts';
import { stringifyValue } from '../signals/attributes.ts';

/** Indexed by OTLP SpanKind number; as pdata's SpanKind.String(), which the collector writes. */
export const SPAN_KIND_NAMES: readonly string[] = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
/** Indexed by OTLP StatusCode number. */
export const STATUS_CODE_NAMES: readonly string[] = ['Unset', 'Ok', 'Error'];

export function spanKindName(kind: number): string {
  return SPAN_KIND_NAMES[kind] ?? '';
}

export function statusCodeName(code: number): string {
  return STATUS_CODE_NAMES[code] ?? '';
}

/** The largest nanosecond timestamp both stores accept (int64; the top value is 'infinity'). */
export const MAX_TIMESTAMP_NS = (1n << 63n) - 2n;

/** OTLP timestamps are uint64; the stores hold int64. Out-of-range values are clamped. */
export function clampNanos(ns: bigint): bigint {
  return ns > MAX_TIMESTAMP_NS ? MAX_TIMESTAMP_NS : ns < 0n ? 0n : ns;
}

/** end - start, 0 when the span ends before it starts (the collector would wrap around). */
export function durationNanos(start: bigint, end: bigint): bigint {
  return end > start ? end - start : 0n;
}

export const GENAI = {
  agentId: 'gen_ai.agent.id',
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  /** Deprecated in favour of gen_ai.provider.name; still sent by many instrumentations. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Deprecated names of the two above. */
  promptTokens: 'gen_ai.usage.prompt_tokens',
  completionTokens: 'gen_ai.usage.completion_tokens',
  toolName: 'gen_ai.tool.name',
} as const;

/** The agent columns of one row, in AGENT_COLUMNS order. */
export interface AgentValues {
  agentId: string;
  operation: string;
  provider: string;
  requestModel: string;
  responseModel: string;
  inputTokens: number | bigint | null;
  outputTokens: number | bigint | null;
  toolName: string;
}

function own(attrs: Attributes, key: string): AnyValue | undefined {
  const v = attrs[key];
  return v === null || (v === undefined) ? undefined : v;
}

function asText(v: AnyValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : stringifyValue(v);
}

function asCount(v: AnyValue | undefined): number | bigint | null | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : null;
  }
  return null;
}

export const NO_AGENT_VALUES: AgentValues = Object.freeze({
  agentId: '',
  operation: '',
  provider: '',
  requestModel: '',
  responseModel: '',
  inputTokens: null,
  outputTokens: null,
  toolName: '',
});

/**
 * The agent values of a row: from the record's own attributes, each falling back to `fallback`
 * (the values of the resource, computed once per resource with agentValues(resourceAttrs)).
 */
export function agentValues(attrs: Attributes, fallback: AgentValues = NO_AGENT_VALUES): AgentValues {
  return {
    agentId: asText(own(attrs, GENAI.agentId)) ?? fallback.agentId,
    operation: asText(own(attrs, GENAI.operation)) ?? fallback.operation,
    provider: asText(own(attrs, GENAI.provider) ?? own(attrs, GENAI.system)) ?? fallback.provider,
    requestModel: asText(own(attrs, GENAI.requestModel)) ?? fallback.requestModel,
    responseModel: asText(own(attrs, GENAI.responseModel)) ?? fallback.responseModel,
    inputTokens: asCount(own(attrs, GENAI.inputTokens) ?? own(attrs, GENAI.promptTokens)) ?? fallback.inputTokens,
    outputTokens: asCount(own(attrs, GENAI.outputTokens) ?? own(attrs, GENAI.completionTokens)) ?? fallback.outputTokens,
    toolName: asText(own(attrs, GENAI.toolName)) ?? fallback.toolName,
  };
}

/** service.name of a resource, '' when absent. */
export function serviceName(resourceAttrs: Attributes): string {
  return asText(own(resourceAttrs, 'service.name')) ?? '';
}
