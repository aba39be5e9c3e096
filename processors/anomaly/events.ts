// What the baselines see of a span: one compact, structured-cloneable event per span with an agent
// id. Extracted on the main thread (inline) or on the worker pool from the batch's protobuf.
import type { AnyValue, Attributes, TracesBatch } from '../../core/signals/types.ts';
import type { ScopeKind } from './config.ts';

export interface AgentEvent {
  /** Position of the span in the batch (resource, scope, span order): where annotations go. */
  index: number;
  agent: string;
  /** Event time, unix milliseconds (fractional). */
  t: number;
  traceId: string;
  spanId: string;
  tokens: number;
  toolCall: boolean;
  tool: string;
  /** Scope items as `kind:value`, deduplicated. */
  items: string[];
  /** Data scopes (also in items), for the escalation risk. */
  scopes: string[];
}

function get(attrs: Attributes, resource: Attributes, key: string): AnyValue | undefined {
  const v = Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : undefined;
  if (v !== undefined && v !== null && v !== '') return v;
  const r = Object.prototype.hasOwnProperty.call(resource, key) ? resource[key] : undefined;
  return r === null || r === '' ? undefined : r;
}

function text(v: AnyValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return '';
}

function num(v: AnyValue | undefined): number {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : 0;
  if (typeof v === 'bigint') return v > 0n ? Number(v) : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }
  return 0;
}

/** Appends a list attribute's values, or a comma-separated string's parts, trimmed, non-empty and
 * not already in `out`. */
function addList(v: AnyValue | undefined, out: string[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    for (const x of v) addList(x, out);
    return;
  }
  const s = text(v);
  if (!s) return;
  if (s.indexOf(',') < 0) {
    const t = s.trim();
    if (t && !out.includes(t)) out.push(t);
    return;
  }
  for (const part of s.split(',')) {
    const t = part.trim();
    if (t && !out.includes(t)) out.push(t);
  }
}

function addItem(items: string[], it: string): void {
  if (!items.includes(it)) items.push(it);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export const item = (kind: ScopeKind, value: string): string => `${kind}:${value}`;

/** Splits `kind:value` (values may hold ':'). */
export function splitItem(it: string): { kind: ScopeKind; value: string } {
  const i = it.indexOf(':');
  return { kind: it.slice(0, i) as ScopeKind, value: it.slice(i + 1) };
}

/** The event of one span, or undefined when it has no agent id. */
export function eventOf(attrs: Attributes, resource: Attributes, span: { traceId: string; spanId: string; startTimeUnixNano: bigint; endTimeUnixNano: bigint }, index: number, nowMs: number): AgentEvent | undefined {
  const agent = text(get(attrs, resource, 'gen_ai.agent.id'));
  if (!agent) return undefined;
  const ns = span.startTimeUnixNano > 0n ? span.startTimeUnixNano : span.endTimeUnixNano;
  const t = ns > 0n ? Number(ns / 1000n) / 1000 : nowMs;
  const tool = text(get(attrs, resource, 'gen_ai.tool.name'));
  const op = text(get(attrs, resource, 'gen_ai.operation.name'));
  // Plain arrays with includes(): an event has a handful of items, cheaper than a Set.
  const items: string[] = [];
  if (tool) items.push(item('tool', tool));
  const model = text(get(attrs, resource, 'gen_ai.request.model'));
  if (model) addItem(items, item('model', model));
  const provider = text(get(attrs, resource, 'gen_ai.provider.name')) || text(get(attrs, resource, 'gen_ai.system'));
  if (provider) addItem(items, item('provider', provider));
  const scopes: string[] = [];
  addList(get(attrs, resource, 'agentcol.data.scope'), scopes);
  addList(get(attrs, resource, 'gen_ai.data_source.id'), scopes);
  for (const sc of scopes) addItem(items, item('data_scope', sc));
  const server = text(get(attrs, resource, 'server.address'));
  if (server) addItem(items, item('destination', server.toLowerCase()));
  const url = text(get(attrs, resource, 'url.full'));
  const host = url ? hostOf(url) : '';
  if (host) addItem(items, item('destination', host.toLowerCase()));
  return {
    index,
    agent,
    t,
    traceId: span.traceId,
    spanId: span.spanId,
    tokens: num(get(attrs, resource, 'gen_ai.usage.input_tokens')) + num(get(attrs, resource, 'gen_ai.usage.output_tokens')),
    toolCall: tool !== '' || op === 'execute_tool',
    tool,
    items,
    scopes,
  };
}

/** Every event of a batch, in span order. */
export function extractEvents(batch: TracesBatch, nowMs = Date.now()): AgentEvent[] {
  const out: AgentEvent[] = [];
  let index = 0;
  for (const rs of batch.resourceSpans) {
    const resource = rs.resource?.attributes ?? {};
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const e = eventOf(span.attributes, resource, span, index++, nowMs);
        if (e) out.push(e);
      }
    }
  }
  return out;
}
