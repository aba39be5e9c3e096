// The pipeline role: scores the texts of every span (attributes, span events) and log record
// (body, attributes) of a batch; at or above the threshold the span / record gets
// `injection_scan.score`, `injection_scan.detectors` and `injection_scan.input`, and a
// `prompt_injection` alert goes to the alerts pipeline (core/alerts.ts). A pipeline cannot un-send
// what an agent already sent, so `mode: block` flags the same way and raises the alert at severity
// error (critical from 0.9).
//
// Canary leaks: the guard role (guard.ts) records `agentcol.guard.<id>.canary_leak: true` on the
// proxy span when a response held the canary of its system prompt; a guard has no pipeline to
// alert into, so this role turns such a span into a critical `canary_leak` alert (once: the span
// gets `injection_scan.canary_leak`).
//
// By default the scan runs on the worker pool (pool-task.ts: the batch goes there as OTLP protobuf;
// annotated protobuf comes back only when something was flagged); with `workers: false`, here.
import { AlertEmitter, isAlertRecord, type Alert, type AlertSeverity } from '../../core/alerts.ts';
import type { Consumer, Host, Logger, MetricsRegistry, Processor, Signal } from '../../core/component.ts';
import { heldBatch, protoParts } from '../../core/otlp/proto-batch.ts';
import { setAttribute } from '../../core/signals/attributes.ts';
import { countItems } from '../../core/signals/count.ts';
import type { AnyValue, Attributes, BatchBySignal, LogRecord, LogsBatch, Span, TracesBatch } from '../../core/signals/types.ts';
import { sharedPool } from '../../core/workers/pool.ts';
import type { CompiledInjectionScan } from './config.ts';
import { scanText, type InputRole, type ScanResult } from './scan.ts';

export const ATTR_SCORE = 'injection_scan.score';
export const ATTR_DETECTORS = 'injection_scan.detectors';
export const ATTR_INPUT = 'injection_scan.input';
export const ATTR_CANARY_LEAK = 'injection_scan.canary_leak';
export const ALERT_CLASS = 'prompt_injection';
export const LEAK_ALERT_CLASS = 'canary_leak';
/** What the guard role records on a proxy span when a response held the canary (llm_proxy writes
 * a guard's attributes as agentcol.guard.<guard id>.<name>). */
const GUARD_LEAK = /^agentcol\.guard\.[^.]{1,200}\.canary_leak$/;

const TASK = new URL('./pool-task.ts', import.meta.url).href;

/** One flagged span or log record: what the alert is made of (structured-cloneable). */
export interface Finding {
  /** prompt_injection: a scored text; canary_leak: a proxy span whose response held the canary. */
  kind: 'prompt_injection' | 'canary_leak';
  signal: 'traces' | 'logs';
  traceId: string;
  spanId: string;
  timeUnixNano: bigint;
  /** Span name, or the log record's event name. */
  name: string;
  agentId: string;
  service: string;
  score: number;
  detectors: string[];
  /** Where the text was: attribute key (and message index), `log.body`... and its role. */
  input: string;
  excerpt: string;
}

export interface Text {
  text: string;
  role: InputRole;
  where: string;
}

const ROLE_OF: Record<string, InputRole | null> = {
  user: 'user',
  human: 'user',
  tool: 'tool',
  function: 'tool',
  ipython: 'tool',
  tool_result: 'tool',
  document: 'document',
  retrieval: 'document',
  context: 'document',
  system: null,
  developer: null,
  assistant: null,
  model: null,
  ai: null,
};

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Texts of one message's content (string, or a list of parts) with the part's role. */
function contentTexts(content: unknown, role: InputRole, where: string, out: Text[]): void {
  if (typeof content === 'string') {
    out.push({ text: content, role, where });
    return;
  }
  if (!Array.isArray(content)) return;
  content.forEach((p, i) => {
    if (typeof p === 'string') return void out.push({ text: p, role, where: `${where}[${i}]` });
    if (!p || typeof p !== 'object') return;
    const part = p as Record<string, unknown>;
    const type = String(part.type ?? 'text');
    if (type === 'tool_call_response' || type === 'tool_result' || type === 'function_response') {
      const t = typeof part.response === 'string' ? part.response : typeof part.content === 'string' ? part.content : str(part.response ?? part.content);
      if (t) out.push({ text: t, role: 'tool', where: `${where}[${i}]` });
      else if (Array.isArray(part.content)) contentTexts(part.content, 'tool', `${where}[${i}]`, out);
    } else if (type === 'document' || type === 'retrieval' || type === 'search_result') {
      const t = str(part.content ?? part.text ?? part.source);
      if (t) out.push({ text: t, role: 'document', where: `${where}[${i}]` });
    } else if (type === 'text' || type === 'input_text') {
      const t = typeof part.content === 'string' ? part.content : typeof part.text === 'string' ? part.text : undefined;
      if (t) out.push({ text: t, role, where: `${where}[${i}]` });
    }
  });
}

/** Texts of a chat-message list (JSON, OpenTelemetry GenAI or provider shape), role-aware: the
 * system prompt and assistant messages are not scored. Not JSON: the whole value is a user text. */
export function messageTexts(value: string, key: string, out: Text[]): void {
  const first = value.trimStart()[0];
  let parsed: unknown;
  if (first === '[' || first === '{') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' && Array.isArray((parsed as { messages?: unknown }).messages) ? (parsed as { messages: unknown[] }).messages : undefined;
  if (!list) {
    out.push({ text: value, role: 'user', where: key });
    return;
  }
  list.forEach((m, i) => {
    if (typeof m === 'string') return void out.push({ text: m, role: 'user', where: `${key}[${i}]` });
    if (!m || typeof m !== 'object') return;
    const msg = m as Record<string, unknown>;
    const r = ROLE_OF[String(msg.role ?? 'user').toLowerCase()];
    if (r === null) return;
    const role = r ?? 'user';
    const where = `${key}[${i}]`;
    if (msg.parts !== undefined) contentTexts(msg.parts, role, where, out);
    if (msg.content !== undefined) contentTexts(msg.content, role, where, out);
  });
}

function attributeTexts(attrs: Attributes, cfg: CompiledInjectionScan, prefix: string, out: Text[]): void {
  for (const key in cfg.attributes) {
    const v = attrs[key];
    if (v === undefined) continue;
    const kind = cfg.attributes[key];
    const s = typeof v === 'string' ? v : str(v);
    if (!s) continue;
    if (kind === 'messages') messageTexts(s, prefix + key, out);
    else out.push({ text: s, role: kind, where: prefix + key });
  }
}

const EVENT_ROLE: Record<string, InputRole | null> = {
  'gen_ai.user.message': 'user',
  'gen_ai.tool.message': 'tool',
  'gen_ai.system.message': null,
  'gen_ai.assistant.message': null,
  'gen_ai.choice': null,
};

function spanTexts(span: Span, cfg: CompiledInjectionScan): Text[] {
  const out: Text[] = [];
  attributeTexts(span.attributes, cfg, '', out);
  span.events.forEach((ev, i) => {
    const prefix = `event[${i}].`;
    attributeTexts(ev.attributes, cfg, prefix, out);
    const role = EVENT_ROLE[ev.name];
    if (role) {
      for (const k of ['content', 'gen_ai.event.content']) {
        const s = str(ev.attributes[k]);
        if (s && !(k in cfg.attributes)) out.push({ text: s, role, where: prefix + k });
      }
    }
  });
  return out.filter((t) => cfg.inputs.has(t.role));
}

function bodyTexts(body: AnyValue, role: InputRole, out: Text[]): void {
  if (typeof body === 'string') out.push({ text: body, role, where: 'log.body' });
  else if (body && typeof body === 'object' && !(body instanceof Uint8Array)) {
    const b = body as Record<string, AnyValue>;
    if (!Array.isArray(body) && typeof b.content === 'string') out.push({ text: b.content, role, where: 'log.body.content' });
    else if (!Array.isArray(body) && Array.isArray(b.messages)) messageTexts(JSON.stringify(b.messages, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), 'log.body.messages', out);
    else {
      const s = str(JSON.parse(JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? undefined : v))));
      if (s) out.push({ text: s, role, where: 'log.body' });
    }
  }
}

function recordTexts(rec: LogRecord, cfg: CompiledInjectionScan): Text[] {
  const out: Text[] = [];
  if (cfg.logBodies) {
    const role = EVENT_ROLE[rec.eventName];
    if (role !== null) bodyTexts(rec.body, role ?? 'user', out);
  }
  attributeTexts(rec.attributes, cfg, '', out);
  return out.filter((t) => cfg.inputs.has(t.role));
}

/** The strongest result over the texts, with where it was. */
export function scoreTexts(texts: Text[], cfg: CompiledInjectionScan): { result: ScanResult; text: Text } | undefined {
  let best: { result: ScanResult; text: Text } | undefined;
  for (const t of texts) {
    const r = scanText(t.text, t.role, cfg.scan);
    if (!best || r.score > best.result.score) best = { result: r, text: t };
  }
  return best;
}

function mark(attrs: Attributes, r: ScanResult, t: Text): void {
  setAttribute(attrs, ATTR_SCORE, r.score);
  setAttribute(attrs, ATTR_DETECTORS, [...r.detectors]);
  setAttribute(attrs, ATTR_INPUT, `${t.where} (${t.role})`);
}

const AGENT_KEYS = ['gen_ai.agent.id', 'gen_ai.agent.name'];

function agentOf(...attrs: Attributes[]): string {
  for (const a of attrs) for (const k of AGENT_KEYS) if (typeof a[k] === 'string' && a[k]) return a[k] as string;
  return '';
}

function serviceOf(resource: Attributes): string {
  return typeof resource['service.name'] === 'string' ? resource['service.name'] : '';
}

/** The guard attribute that records a canary leak on a proxy span not yet alerted on, or ''. */
function canaryLeak(span: Span): string {
  if (span.attributes[ATTR_CANARY_LEAK] !== undefined) return '';
  for (const k in span.attributes) if (span.attributes[k] === true && GUARD_LEAK.test(k)) return k;
  return '';
}

/** Scores a traces batch in place; returns what was flagged. */
export function scanTraces(batch: TracesBatch, cfg: CompiledInjectionScan): Finding[] {
  const found: Finding[] = [];
  for (const rs of batch.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const leak = canaryLeak(span);
        if (leak) {
          setAttribute(span.attributes, ATTR_CANARY_LEAK, true);
          found.push({ kind: 'canary_leak', signal: 'traces', traceId: span.traceId, spanId: span.spanId, timeUnixNano: span.startTimeUnixNano, name: span.name, agentId: agentOf(span.attributes, rs.resource.attributes), service: serviceOf(rs.resource.attributes), score: 1, detectors: [], input: leak, excerpt: '' });
        }
        if (span.attributes[ATTR_SCORE] !== undefined) continue; // scanned by an earlier pass
        const best = scoreTexts(spanTexts(span, cfg), cfg);
        if (!best || best.result.score < cfg.threshold) continue;
        mark(span.attributes, best.result, best.text);
        found.push({
          kind: 'prompt_injection',
          signal: 'traces',
          traceId: span.traceId,
          spanId: span.spanId,
          timeUnixNano: span.startTimeUnixNano,
          name: span.name,
          agentId: agentOf(span.attributes, rs.resource.attributes),
          service: serviceOf(rs.resource.attributes),
          score: best.result.score,
          detectors: best.result.detectors,
          input: `${best.text.where} (${best.text.role})`,
          excerpt: best.result.excerpt,
        });
      }
    }
  }
  return found;
}

/** Scores a logs batch in place (alert records are skipped); returns what was flagged. */
export function scanLogs(batch: LogsBatch, cfg: CompiledInjectionScan): Finding[] {
  const found: Finding[] = [];
  for (const rl of batch.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const rec of sl.logRecords) {
        if (isAlertRecord(rec) || rec.attributes[ATTR_SCORE] !== undefined) continue;
        const best = scoreTexts(recordTexts(rec, cfg), cfg);
        if (!best || best.result.score < cfg.threshold) continue;
        mark(rec.attributes, best.result, best.text);
        found.push({
          kind: 'prompt_injection',
          signal: 'logs',
          traceId: rec.traceId,
          spanId: rec.spanId,
          timeUnixNano: rec.timeUnixNano || rec.observedTimeUnixNano,
          name: rec.eventName,
          agentId: agentOf(rec.attributes, rl.resource.attributes),
          service: serviceOf(rl.resource.attributes),
          score: best.result.score,
          detectors: best.result.detectors,
          input: `${best.text.where} (${best.text.role})`,
          excerpt: best.result.excerpt,
        });
      }
    }
  }
  return found;
}

export function severityOf(score: number, mode: 'flag' | 'block'): AlertSeverity {
  if (mode === 'block') return score >= 0.9 ? 'critical' : 'error';
  return score >= 0.9 ? 'error' : 'warning';
}

export function alertOf(f: Finding, cfg: CompiledInjectionScan): Alert {
  if (f.kind === 'canary_leak') {
    const attributes: Attributes = { 'injection_scan.canary_leak': true, 'injection_scan.input': f.input };
    if (f.agentId) attributes['gen_ai.agent.id'] = f.agentId;
    if (f.service) attributes['service.name'] = f.service;
    return {
      class: LEAK_ALERT_CLASS,
      severity: 'critical',
      message: `system prompt leak: the response of span "${f.name}"${f.agentId ? ` from agent ${f.agentId}` : ''} contained the canary token inserted into its system prompt`,
      timeUnixNano: f.timeUnixNano,
      traceId: f.traceId || undefined,
      spanId: f.spanId || undefined,
      attributes,
    };
  }
  const what = f.signal === 'traces' ? `span "${f.name}"` : `log record${f.name ? ` ${f.name}` : ''}`;
  const attributes: Attributes = {
    'injection_scan.score': f.score,
    'injection_scan.detectors': [...f.detectors],
    'injection_scan.input': f.input,
    'injection_scan.mode': cfg.mode,
    'injection_scan.threshold': cfg.threshold,
  };
  if (f.agentId) attributes['gen_ai.agent.id'] = f.agentId;
  if (f.service) attributes['service.name'] = f.service;
  if (f.excerpt) attributes['injection_scan.excerpt'] = f.excerpt;
  return {
    class: ALERT_CLASS,
    severity: severityOf(f.score, cfg.mode),
    message: `prompt injection (score ${f.score}: ${f.detectors.join(', ')}) in ${f.input} of ${what}${f.agentId ? ` from agent ${f.agentId}` : ''}`,
    timeUnixNano: f.timeUnixNano,
    traceId: f.traceId || undefined,
    spanId: f.spanId || undefined,
    attributes,
  };
}

export class InjectionScanProcessor<S extends Signal> implements Processor<S> {
  private readonly flagged;
  private readonly leaks;
  private alerts?: AlertEmitter;

  constructor(
    private readonly id: string,
    private readonly signal: S,
    private readonly cfg: CompiledInjectionScan,
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.flagged = metrics.counter('agentcol_processor_injection_scan_flagged_total', 'Spans and log records the injection_scan processor flagged, by signal.');
    this.leaks = metrics.counter('agentcol_processor_injection_scan_canary_leaks_total', 'Proxy spans whose response held the canary token of their system prompt (recorded by the injection_scan guard).');
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.alerts) this.alerts = new AlertEmitter(host, this.id, this.cfg.alertsPipeline, this.logger);
  }

  async shutdown(): Promise<void> {}

  async consume(batch: BatchBySignal[S]): Promise<void> {
    if (this.signal !== 'traces' && this.signal !== 'logs') return this.next.consume(batch);
    const signal = this.signal as 'traces' | 'logs';
    let found: Finding[];
    let out = batch;
    const parts = this.cfg.workers ? this.encoded(batch) : undefined;
    if (parts) {
      const r = await sharedPool().run<{ part?: Uint8Array; findings: Finding[] }>(TASK, 'scanProto', { signal, parts, config: this.cfg.source });
      found = r.findings;
      if (r.part) out = heldBatch(signal, [r.part], countItems(signal, batch)) as BatchBySignal[S];
    } else found = signal === 'traces' ? scanTraces(batch as TracesBatch, this.cfg) : scanLogs(batch as LogsBatch, this.cfg);
    if (found.length > 0) {
      const injections = found.filter((f) => f.kind === 'prompt_injection').length;
      if (injections) this.flagged.add(injections, { processor: this.id, signal });
      const leaks = found.length - injections;
      if (leaks) this.leaks.add(leaks, { processor: this.id });
      // The alert goes out first; a refused alert never fails the batch (core/alerts.ts).
      if (this.alerts) await this.alerts.emit(found.map((f) => alertOf(f, this.cfg)));
    }
    return this.next.consume(out);
  }

  /** The batch as protobuf for the pool; undefined (scan inline) if it cannot be encoded. */
  private encoded(batch: BatchBySignal[S]): readonly Uint8Array[] | undefined {
    try {
      return protoParts(this.signal, batch);
    } catch (err) {
      this.logger.warn('injection_scan: batch cannot be encoded for the worker pool; scanning it inline', { error: (err as Error).message });
      return undefined;
    }
  }
}
