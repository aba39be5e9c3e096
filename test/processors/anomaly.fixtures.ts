// Crafted agent traffic for the anomaly processor's tests: a seeded generator of normal office-hours
// traffic per agent, injections of each anomaly class, and a runner that pushes the spans in
// batches through an AnomalyProcessor and collects what it annotated and alerted.
import type { Consumer, Host } from '../../core/component.ts';
import { isAlertRecord } from '../../core/alerts.ts';
import type { Attributes, LogRecord, LogsBatch, Span, TracesBatch } from '../../core/signals/types.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { compileConfig, type AnomalyConfig } from '../../processors/anomaly/config.ts';
import { AnomalyProcessor } from '../../processors/anomaly/processor.ts';
import { prng } from '../helpers/random.ts';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Monday 2026-01-05 00:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5);

export interface Ev {
  agent: string;
  t: number;
  attrs: Attributes;
}

function poisson(r: () => number, lambda: number): number {
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > L);
  return k - 1;
}

export interface Habit {
  /** Events per 5 minutes while active. */
  rate?: number;
  hours?: [number, number];
  tools?: string[];
  scope?: string;
  destination?: string;
  /** Probability that an event uses the sensitive tool export_table. */
  sensitive?: number;
}

/** One normal event of an agent's habits at time t. */
export function normalEvent(agent: string, t: number, r: () => number, h: Habit = {}): Ev {
  const tools = h.tools ?? ['search', 'read_doc', 'summarize'];
  const attrs: Attributes = {
    'gen_ai.agent.id': agent,
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.provider.name': 'openai',
    'gen_ai.usage.input_tokens': 200 + Math.floor(r() * 300),
    'gen_ai.usage.output_tokens': 50 + Math.floor(r() * 150),
    'agentcol.data.scope': h.scope ?? 'kb',
    'server.address': h.destination ?? 'api.openai.com',
  };
  const u = r();
  if (u < (h.sensitive ?? 0)) {
    attrs['gen_ai.operation.name'] = 'execute_tool';
    attrs['gen_ai.tool.name'] = 'export_table';
  } else if (u < 0.3) {
    attrs['gen_ai.operation.name'] = 'execute_tool';
    attrs['gen_ai.tool.name'] = tools[Math.floor(r() * tools.length)];
  }
  return { agent, t, attrs };
}

/** `days` days of office-hours traffic from `from` (ms): Poisson events per 5 minutes, every day. */
export function normalTraffic(agent: string, days: number, seed: number, h: Habit = {}, from = T0): Ev[] {
  const r = prng(seed);
  const [a, b] = h.hours ?? [8, 18];
  const out: Ev[] = [];
  for (let d = 0; d < days; d++) {
    for (let t = from + d * DAY + a * HOUR; t < from + d * DAY + b * HOUR; t += 5 * MIN) {
      const n = poisson(r, h.rate ?? 6);
      for (let i = 0; i < n; i++) out.push(normalEvent(agent, t + Math.floor(r() * 5 * MIN), r, h));
    }
  }
  return out;
}

export function byTime(evs: Ev[]): Ev[] {
  return evs.map((e, i) => ({ e, i })).sort((x, y) => x.e.t - y.e.t || x.i - y.i).map((x) => x.e);
}

let spanSeq = 0;
export function spanOf(e: Ev, id?: number): Span {
  const n = id ?? ++spanSeq;
  const ns = BigInt(Math.round(e.t)) * 1_000_000n;
  return {
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: String(e.attrs['gen_ai.operation.name'] ?? 'op'),
    kind: 3,
    startTimeUnixNano: ns,
    endTimeUnixNano: ns + 1_000_000n,
    attributes: { ...e.attrs },
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

export function batchOf(spans: Span[]): TracesBatch {
  return {
    resourceSpans: [
      {
        resource: { attributes: { 'service.name': 'agents' }, droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [{ scope: { name: 'test', version: '', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', spans }],
      },
    ],
  };
}

/** Spans with stable ids (their position in the stream), cut into batches of `size`. */
export function batches(evs: Ev[], size = 100): TracesBatch[] {
  const spans = evs.map((e, i) => spanOf(e, i + 1));
  const out: TracesBatch[] = [];
  for (let i = 0; i < spans.length; i += size) out.push(batchOf(spans.slice(i, i + size)));
  return out;
}

export interface Run {
  alerts: LogRecord[];
  spans: Span[];
  metrics: MetricsRegistry;
  processor: AnomalyProcessor;
}

export function hostFor(metrics: MetricsRegistry, alerts: LogRecord[]): Host {
  return {
    logger: silentLogger,
    metrics,
    getExtension: () => undefined,
    ready: () => true,
    getGuard: () => undefined,
    getPipeline: (id) =>
      id === 'logs'
        ? { signal: 'logs', consumer: { consume: async (b) => void alerts.push(...(b as LogsBatch).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)).filter(isAlertRecord)) } }
        : undefined,
  };
}

/** Pushes the batches through a fresh processor (sequentially, or all at once when `concurrent`). */
export async function run(input: TracesBatch[], config: AnomalyConfig = {}, opts: { concurrent?: boolean } = {}): Promise<Run> {
  const metrics = new MetricsRegistry();
  const alerts: LogRecord[] = [];
  const spans: Span[] = [];
  const next: Consumer<'traces'> = { consume: async (b) => void spans.push(...b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))) };
  const processor = new AnomalyProcessor('anomaly', compileConfig(config), next, silentLogger, metrics);
  await processor.start(hostFor(metrics, alerts));
  if (opts.concurrent) await Promise.all(input.map((b) => processor.consume(b)));
  else for (const b of input) await processor.consume(b);
  await processor.shutdown();
  return { alerts, spans, metrics, processor };
}

/** An alert as a comparable summary. */
export function summary(a: LogRecord): string {
  const x = a.attributes;
  return [x['agentcol.alert.class'], x['gen_ai.agent.id'], x['agentcol.alert.metric'], x['agentcol.alert.observed'], x['agentcol.alert.baseline'], a.spanId, a.severityText].join(' ');
}

export const cls = (a: LogRecord) => a.attributes['agentcol.alert.class'];
