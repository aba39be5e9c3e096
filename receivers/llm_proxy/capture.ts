// Capture: every call becomes one span (GenAI semantic conventions, kind CLIENT) and one log record
// (event gen_ai.proxy.exchange) with the request and response bodies. They are queued in memory and
// handed to the pipelines in batches (every flush_interval or max_batch items), off the response
// path; a pipeline that refuses a batch is logged and counted, never felt by the agent.
import { randomBytes } from 'node:crypto';
import type { Consumers, Logger } from '../../core/component.ts';
import type { Attributes, LogRecord, Span } from '../../core/signals/types.ts';
import type { Counter } from '../../core/telemetry/metrics.ts';
import type { Usage } from './dialects/usage.ts';
import type { RecordedVerdict } from './guardrails.ts';

export interface Exchange {
  startNs: bigint;
  endNs: bigint;
  traceId: string;
  parentSpanId: string;
  operation: 'chat' | 'embeddings';
  endpoint: string;
  agentId: string;
  customer: string;
  /** What the agent asked for (route alias or provider/model). */
  requestedModel: string;
  route: string;
  strategy: string;
  /** Configured provider name and its kind ('' when no provider answered). */
  provider: string;
  providerKind: string;
  /** The model sent to the provider, and the one it reported. */
  targetModel: string;
  responseModel: string;
  stream: boolean;
  status: number;
  error?: string;
  errorType?: string;
  attempts: number;
  cacheHit: boolean;
  usage: Usage | null;
  costUsd: number | null;
  verdicts: RecordedVerdict[];
  requestBody: string;
  responseBody: string;
  /** The answer as sent, already decoded (the JSON parse needed it): cut into responseBody when
   * the call is captured. */
  responseText?: string;
  /** A streamed answer's text: put in responseBody (as {stream, model, text, finish_reasons}) when captured. */
  streamedText?: string;
  finishReasons?: string[];
}

const SCOPE = { name: 'agentcol/receivers/llm_proxy', version: '0.1.0', attributes: {}, droppedAttributesCount: 0 };

// Ids come from a pool of random bytes refilled 4 KiB at a time: one randomBytes call per ~170
// calls instead of two per call.
let pool = randomBytes(4096);
let poolAt = 0;
function hex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const s = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return s;
}

export function spanOf(x: Exchange): Span {
  const a: Attributes = {
    'gen_ai.operation.name': x.operation,
    'gen_ai.request.model': x.targetModel || x.requestedModel,
    'gen_ai.agent.id': x.agentId,
    'agentcol.customer': x.customer,
    'agentcol.requested_model': x.requestedModel,
    'agentcol.route': x.route,
    'agentcol.route.strategy': x.strategy,
    'agentcol.attempts': x.attempts,
    'agentcol.cache_hit': x.cacheHit,
    'agentcol.stream': x.stream,
    'http.response.status_code': x.status,
    'http.route': x.endpoint,
  };
  if (x.providerKind) a['gen_ai.provider.name'] = x.providerKind;
  if (x.provider) a['agentcol.provider'] = x.provider;
  if (x.responseModel) a['gen_ai.response.model'] = x.responseModel;
  if (x.finishReasons?.length) a['gen_ai.response.finish_reasons'] = x.finishReasons;
  if (x.usage) {
    a['gen_ai.usage.input_tokens'] = x.usage.inputTokens;
    a['gen_ai.usage.output_tokens'] = x.usage.outputTokens;
    a['gen_ai.usage.cache_read.input_tokens'] = x.usage.cacheReadTokens;
    a['gen_ai.usage.cache_creation.input_tokens'] = x.usage.cacheWriteTokens;
    a['agentcol.usage_estimated'] = x.usage.estimated;
  }
  if (x.costUsd !== null) a['agentcol.cost_usd'] = x.costUsd;
  if (x.errorType) a['error.type'] = x.errorType;
  if (x.verdicts.length) {
    a['agentcol.guard.verdicts'] = x.verdicts.map((v) => `${v.phase}:${v.guard}:${v.action}${v.rule ? `:${v.rule}` : ''}`);
    const worst = x.verdicts.some((v) => v.action === 'block') ? 'block' : x.verdicts.some((v) => v.action === 'rewrite') ? 'rewrite' : x.verdicts.some((v) => v.action === 'flag') ? 'flag' : 'allow';
    a['agentcol.guard.action'] = worst;
    for (const v of x.verdicts) for (const [k, val] of Object.entries(v.attributes ?? {})) if (k !== '__proto__') a[`agentcol.guard.${v.guard}.${k}`] = val;
  }
  const model = x.targetModel || x.requestedModel;
  return {
    traceId: x.traceId,
    spanId: hex(8),
    traceState: '',
    parentSpanId: x.parentSpanId,
    flags: 1,
    name: `${x.operation} ${model}`,
    kind: 3,
    startTimeUnixNano: x.startNs,
    endTimeUnixNano: x.endNs,
    attributes: a,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: x.status >= 400 || x.error ? { code: 2, message: x.error ?? `HTTP ${x.status}` } : { code: 0, message: '' },
  };
}

export function logOf(x: Exchange, span: Span): LogRecord {
  const attributes: Attributes = {
    'gen_ai.agent.id': x.agentId,
    'gen_ai.operation.name': x.operation,
    'gen_ai.request.model': x.targetModel || x.requestedModel,
    'agentcol.customer': x.customer,
    'agentcol.route': x.route,
    'http.response.status_code': x.status,
  };
  if (x.providerKind) attributes['gen_ai.provider.name'] = x.providerKind;
  if (x.responseModel) attributes['gen_ai.response.model'] = x.responseModel;
  return {
    timeUnixNano: x.endNs,
    observedTimeUnixNano: x.endNs,
    severityNumber: x.status >= 400 || x.error ? 17 : 9,
    severityText: x.status >= 400 || x.error ? 'ERROR' : 'INFO',
    body: { request: x.requestBody, response: x.responseBody },
    attributes,
    droppedAttributesCount: 0,
    flags: 1,
    traceId: span.traceId,
    spanId: span.spanId,
    eventName: 'gen_ai.proxy.exchange',
  };
}

/** W3C traceparent -> trace id and parent span id; a new trace otherwise. */
export function traceContext(traceparent: string | string[] | undefined): { traceId: string; parentSpanId: string } {
  if (typeof traceparent === 'string') {
    const m = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(traceparent.trim());
    if (m && !/^0+$/.test(m[1]) && !/^0+$/.test(m[2])) return { traceId: m[1], parentSpanId: m[2] };
  }
  return { traceId: hex(16), parentSpanId: '' };
}

export class CaptureBuffer {
  private spans: Span[] = [];
  private logs: LogRecord[] = [];
  private timer?: NodeJS.Timeout;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly next: Consumers,
    private readonly resource: Attributes,
    private readonly opts: { flushIntervalMs: number; maxBatch: number },
    private readonly logger: Logger,
    private readonly refused: Counter,
    private readonly labels: Record<string, string>,
  ) {}

  add(x: Exchange): void {
    if (!this.next.traces && !this.next.logs) return;
    const span = spanOf(x);
    if (this.next.traces) this.spans.push(span);
    if (this.next.logs) this.logs.push(logOf(x, span));
    if (this.spans.length >= this.opts.maxBatch || this.logs.length >= this.opts.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const resource = { attributes: this.resource, droppedAttributesCount: 0 };
    if (this.spans.length && this.next.traces) {
      const spans = this.spans;
      this.spans = [];
      this.track('traces', spans.length, this.next.traces.consume({ resourceSpans: [{ resource, scopeSpans: [{ scope: SCOPE, spans, schemaUrl: '' }], schemaUrl: '' }] }));
    }
    if (this.logs.length && this.next.logs) {
      const logRecords = this.logs;
      this.logs = [];
      this.track('logs', logRecords.length, this.next.logs.consume({ resourceLogs: [{ resource, scopeLogs: [{ scope: SCOPE, logRecords, schemaUrl: '' }], schemaUrl: '' }] }));
    }
  }

  private track(signal: string, items: number, p: Promise<void>): void {
    const tracked = p.then(
      () => {},
      (err) => {
        this.refused.add(items, { ...this.labels, signal });
        this.logger.warn('llm_proxy: the pipeline refused captured data', { signal, items, error: (err as Error)?.message ?? String(err) });
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Flushes and waits for what was handed over. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.pending]);
  }
}
