// The detection run: the scenario replayed in event order, as fast as the pipeline takes it, through
// a real agentcol Service built from a config (the anomaly processor in the traces pipeline, its
// alerts into the logs pipeline). Two bench-only components frame it: a receiver that hands the
// batches straight to the pipeline (so receipt time is exact) and an exporter that records when
// each alert is written.
import type { Batch, Consumer, ExporterFactory, Factory, ReceiverFactory, Signal } from '../../core/component.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { Service } from '../../core/pipeline/service.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import { stringifyValue } from '../../core/signals/attributes.ts';
import type { AnyValue, LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import anomalyFactory from '../../processors/anomaly/factory.ts';
import { SENSITIVE_SCOPES, SENSITIVE_TOOLS } from './catalog.ts';
import type { Scenario } from './scenario.ts';
import type { CapturedAlert } from './score.ts';
import { eventIndexOf, tracesBatch } from './spans.ts';

export function anomalyOptions(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { escalation: { sensitive_tools: SENSITIVE_TOOLS, sensitive_scopes: SENSITIVE_SCOPES }, ...extra };
}

export interface DetectionRun {
  alerts: CapturedAlert[];
  /** performance.now() at which each event's batch was handed to the pipeline. */
  receipt: Float64Array;
  wallMs: number;
  /** CPU time of this process (all threads: the event loop and the worker pool) per event, µs. */
  cpuUsPerEvent: number;
  /** Simulated time replayed per second of wall time. */
  acceleration: number;
  /** The processor's own self-metrics, Prometheus text. */
  metricsText: string;
}

const num = (v: AnyValue | undefined) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(v ?? NaN));
const list = (v: AnyValue | undefined): string[] => (Array.isArray(v) ? v.map((x) => stringifyValue(x)) : typeof v === 'string' && v ? v.split(',').map((x) => x.trim()) : []);

function benchFactories(onReceiver: (c: Consumer<'traces'>) => void, onAlerts: (b: LogsBatch) => void): Factory[] {
  const replay: ReceiverFactory = {
    kind: 'receiver',
    type: 'bench_replay',
    description: 'Bench only: the replay hands batches straight to the pipeline.',
    stability: 'development',
    signals: ['traces', 'logs'],
    configSchema: { type: 'object', additionalProperties: false, properties: {} },
    create(_ctx, next) {
      if (next.traces) onReceiver(next.traces);
      return { start: async () => {}, shutdown: async () => {} };
    },
  };
  const sink: ExporterFactory = {
    kind: 'exporter',
    type: 'bench_sink',
    description: 'Bench only: accepts and forgets.',
    stability: 'development',
    signals: ['traces', 'logs'],
    configSchema: { type: 'object', additionalProperties: false, properties: {} },
    create: () => ({ start: async () => {}, shutdown: async () => {}, export: async () => {} }),
  };
  const capture: ExporterFactory = {
    kind: 'exporter',
    type: 'bench_alerts',
    description: 'Bench only: records each alert and when it was written.',
    stability: 'development',
    signals: ['logs'],
    configSchema: { type: 'object', additionalProperties: false, properties: {} },
    create: () => ({ start: async () => {}, shutdown: async () => {}, export: async (_s: Signal, b: Batch) => onAlerts(b as LogsBatch) }),
  };
  return [replay, sink, capture];
}

export async function runDetection(s: Scenario, opts: { batchSize?: number; anomaly?: Record<string, unknown> } = {}): Promise<DetectionRun> {
  const batchSize = opts.batchSize ?? 256;
  const alerts: CapturedAlert[] = [];
  let entry: Consumer<'traces'> | undefined;
  const registry = new FactoryRegistry();
  // Only what the config uses: the processor under test and the bench's own receiver and exporters.
  registry.register(anomalyFactory);
  for (const f of benchFactories((c) => (entry = c), (b) => {
    const writtenAt = performance.now();
    for (const rl of b.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const r of sl.logRecords) {
          const a = r.attributes;
          alerts.push({
            class: stringifyValue(a['agentcol.alert.class'] ?? ''),
            severity: r.severityText,
            agent: stringifyValue(a['gen_ai.agent.id'] ?? ''),
            agents: list(a['agentcol.anomaly.agents']),
            score: num(a['agentcol.alert.score']),
            metric: stringifyValue(a['agentcol.alert.metric'] ?? ''),
            baseline: a['agentcol.alert.baseline'],
            observed: a['agentcol.alert.observed'],
            message: stringifyValue(r.body),
            event: eventIndexOf(r.spanId),
            timeMs: Number(r.timeUnixNano / 1_000_000n),
            writtenAt,
          });
        }
  }))
    registry.register(f);

  const config = {
    receivers: { bench_replay: {} },
    processors: { anomaly: opts.anomaly ?? anomalyOptions() },
    exporters: { bench_sink: {}, bench_alerts: {} },
    service: {
      telemetry: { metrics: { level: 'none' } },
      pipelines: {
        traces: { receivers: ['bench_replay'], processors: ['anomaly'], exporters: ['bench_sink'] },
        logs: { receivers: ['bench_replay'], exporters: ['bench_alerts'] },
      },
    },
  };
  const { config: resolved } = await loadConfigText(JSON.stringify(config, null, 1), 'anomaly-bench.yaml', { registry, env: {} });
  const service = new Service({ config: resolved, registry, logger: silentLogger });
  await service.start();
  if (!entry) throw new Error('bench_replay receiver was not created');
  const receipt = new Float64Array(s.events.length);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (let from = 0; from < s.events.length; from += batchSize) {
      const to = Math.min(from + batchSize, s.events.length);
      const batch: TracesBatch = tracesBatch(s, from, to);
      receipt.fill(performance.now(), from, to);
      await entry.consume(batch);
    }
  } finally {
    await service.shutdown();
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const simulatedMs = s.events.at(-1)!.t - s.events[0].t;
  return {
    alerts,
    receipt,
    wallMs,
    cpuUsPerEvent: (cpu.user + cpu.system) / s.events.length,
    acceleration: simulatedMs / wallMs,
    metricsText: service.metrics.render(),
  };
}
