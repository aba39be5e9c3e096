// The pipeline role (traces): every span with an agent id is an event of that agent's baselines.
// A batch goes: events extracted (on the pool from its protobuf, or here) -> per-agent lanes
// (scorer.ts) -> coordination across agents (here, in batch order) -> findings annotate their spans
// and become alerts (core/alerts.ts) -> the batch goes on. Spans are never dropped; a failure in
// scoring is logged and the batch goes on unscored.
import { AlertEmitter, type Alert, type AlertSeverity } from '../../core/alerts.ts';
import type { Consumer, Host, Logger, MetricsRegistry, Processor } from '../../core/component.ts';
import { protoParts } from '../../core/otlp/proto-batch.ts';
import { setAttribute } from '../../core/signals/attributes.ts';
import { heldEncoding } from '../../core/signals/encoded.ts';
import type { Attributes, TracesBatch } from '../../core/signals/types.ts';
import type { StateStore } from '../../core/state.ts';
import type { Counter, Histogram } from '../../core/telemetry/metrics.ts';
import { sharedPool } from '../../core/workers/pool.ts';
import type { AgentResult, Finding } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import { Coordinator } from './coordination.ts';
import { extractEvents, type AgentEvent } from './events.ts';
import { InlineScorer, PoolScorer, TASK, type Scorer } from './scorer.ts';
import { loadState, saveState } from './snapshot.ts';

export const ATTR = {
  score: 'agentcol.anomaly.score',
  class: 'agentcol.anomaly.class',
  classes: 'agentcol.anomaly.classes',
  reason: 'agentcol.anomaly.reason',
} as const;

export function severityOf(score: number): AlertSeverity {
  return score < 0.7 ? 'warning' : score < 0.9 ? 'error' : 'critical';
}

export function alertOf(f: Finding): Alert {
  const attributes: Attributes = {
    'gen_ai.agent.id': f.agent,
    'agentcol.alert.score': f.score,
    'agentcol.alert.metric': f.metric,
    'agentcol.alert.baseline': f.baseline,
    'agentcol.alert.observed': f.observed,
    'agentcol.alert.threshold': f.threshold,
    'agentcol.alert.evidence.trace_id': f.traceId,
    'agentcol.alert.evidence.span_id': f.spanId,
  };
  if (f.items?.length) attributes['agentcol.anomaly.items'] = [...f.items];
  if (f.agents?.length) attributes['agentcol.anomaly.agents'] = [...f.agents];
  if (f.intervalStart !== undefined) attributes['agentcol.anomaly.interval_start'] = new Date(f.intervalStart).toISOString();
  return {
    class: f.class,
    severity: severityOf(f.score),
    message: f.reason,
    timeUnixNano: BigInt(Math.round(f.t * 1000)) * 1000n,
    traceId: f.traceId || undefined,
    spanId: f.spanId || undefined,
    attributes,
  };
}

/** Sets the anomaly attributes on the spans the findings point at (by span index in the batch). */
export function annotate(batch: TracesBatch, findings: readonly Finding[]): void {
  const byIndex = new Map<number, Finding[]>();
  for (const f of findings) {
    if (f.index < 0) continue;
    const list = byIndex.get(f.index);
    if (list) list.push(f);
    else byIndex.set(f.index, [f]);
  }
  if (byIndex.size === 0) return;
  let index = 0;
  for (const rs of batch.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const list = byIndex.get(index++);
        if (!list) continue;
        const top = list.reduce((a, b) => (b.score > a.score ? b : a));
        setAttribute(span.attributes, ATTR.score, top.score);
        setAttribute(span.attributes, ATTR.class, top.class);
        setAttribute(span.attributes, ATTR.classes, [...new Set(list.map((f) => f.class))]);
        setAttribute(span.attributes, ATTR.reason, top.reason);
      }
    }
  }
}

/** Resolved value that is not a promise (so `then` does not flatten it). */
interface Pending {
  results: Promise<AgentResult[]>;
}

export class AnomalyProcessor implements Processor<'traces'> {
  private readonly scorer: Scorer;
  private readonly coordinator: Coordinator;
  private alerts?: AlertEmitter;
  private store?: StateStore;
  private readonly namespace: string;
  private saveTimer?: NodeJS.Timeout;
  /** Submission to the lanes and the coordination stage each run in arrival order. */
  private submitTail: Promise<unknown> = Promise.resolve();
  private stageTail: Promise<unknown> = Promise.resolve();
  private readonly agents = new Set<string>();
  private readonly alertsByClass: Counter;
  private readonly late: Counter;
  private readonly events: Counter;
  private readonly latency: Histogram;
  private stopped = false;

  constructor(
    private readonly id: string,
    private readonly cfg: CompiledAnomaly,
    private readonly next: Consumer<'traces'>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.scorer = cfg.workers ? new PoolScorer(sharedPool(), cfg) : new InlineScorer(cfg);
    this.coordinator = new Coordinator(cfg);
    this.namespace = cfg.state?.namespace ?? `anomaly/${id}`;
    this.alertsByClass = metrics.counter('agentcol_processor_anomaly_alerts_total', 'Anomaly alerts raised, by processor, class and severity.');
    this.late = metrics.counter('agentcol_processor_anomaly_late_events_total', 'Events later than allowed_lateness behind their agent\'s newest event (not counted in their closed interval).');
    this.events = metrics.counter('agentcol_processor_anomaly_events_total', 'Events (spans with an agent id) scored.');
    this.latency = metrics.histogram('agentcol_processor_anomaly_detection_latency_seconds', 'From a batch reaching the anomaly processor to its alerts handed to the alerts pipeline.', [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]);
    metrics.gaugeFn('agentcol_processor_anomaly_agents_tracked', 'Agents with a baseline.', () => [{ labels: { processor: id }, value: this.agents.size }]);
  }

  async start(host: Host): Promise<void> {
    this.alerts = new AlertEmitter(host, this.id, this.cfg.alertsPipeline, this.logger);
    const st = this.cfg.state;
    if (!st) return;
    const store = host.getStateStore?.(st.exporter);
    if (!store) {
      throw new Error(`anomaly: state.exporter "${st.exporter}" has no state store: name an exporter that keeps state (postgres) and is listed in a pipeline, or remove state`);
    }
    this.store = store;
    const loaded = await loadState(store, this.namespace, this.cfg);
    if (loaded.coordination) this.coordinator.restore(loaded.coordination);
    await this.scorer.restore(loaded.agents);
    for (const a of loaded.agents) this.agents.add(a.agent);
    if (loaded.agents.length) this.logger.info('anomaly: baselines restored', { processor: this.id, agents: loaded.agents.length });
    for (const w of loaded.warnings) this.logger.warn(`anomaly: ${w}`, { processor: this.id });
    this.saveTimer = setInterval(() => void this.save().catch((err) => this.logger.error('anomaly: saving baselines failed; retried at the next interval', { error: (err as Error).message })), st.intervalMs);
    this.saveTimer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.saveTimer);
    await Promise.allSettled([this.submitTail, this.stageTail]);
    if (this.store) {
      try {
        await this.save();
      } catch (err) {
        this.logger.error('anomaly: saving baselines at shutdown failed', { error: (err as Error).message });
      }
    }
    await this.scorer.close();
  }

  /** Saves every baseline as of the batches submitted so far. */
  async save(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const lanes = this.submitTail.then(() => this.scorer.snapshot());
    this.submitTail = lanes.catch(() => {});
    const coordination = this.stageTail.then(() => this.coordinator.toJSON());
    this.stageTail = coordination.catch(() => {});
    await saveState(store, this.namespace, this.cfg, await lanes, await coordination);
  }

  async consume(batch: TracesBatch): Promise<void> {
    const received = performance.now();
    let findings: Finding[] = [];
    try {
      findings = await this.score(batch);
    } catch (err) {
      this.logger.error('anomaly: scoring failed; the batch goes on unscored', { processor: this.id, error: (err as Error)?.message ?? String(err) });
    }
    if (findings.length) {
      annotate(batch, findings);
      await this.alerts?.emit(findings.map(alertOf));
      const seconds = (performance.now() - received) / 1000;
      for (const f of findings) {
        const severity = severityOf(f.score);
        this.alertsByClass.add(1, { processor: this.id, class: f.class, severity });
        this.latency.observe(seconds, { processor: this.id, class: f.class });
      }
    }
    return this.next.consume(batch);
  }

  /** Findings of one batch; extraction runs in parallel, scoring and coordination in arrival order. */
  score(batch: TracesBatch): Promise<Finding[]> {
    const extracted = this.extract(batch);
    const submitted = this.submitTail.then(
      () => extracted,
      () => extracted,
    ).then((events): Pending => {
      this.events.add(events.length, { processor: this.id });
      for (const e of events) this.agents.add(e.agent);
      return { results: events.length ? this.scorer.score(events) : Promise.resolve([]) };
    });
    this.submitTail = submitted.catch(() => {});
    const staged = this.stageTail.then(
      () => submitted,
      () => submitted,
    ).then(async (p) => {
      const results = await p.results;
      let late = 0;
      for (const r of results) late += r.late;
      if (late) this.late.add(late, { processor: this.id });
      return this.coordinator.process(results);
    });
    this.stageTail = staged.catch(() => {});
    return staged;
  }

  private extract(batch: TracesBatch): Promise<AgentEvent[]> {
    if (!this.cfg.workers) return Promise.resolve(extractEvents(batch));
    let parts: readonly Uint8Array[];
    try {
      parts = heldEncoding(batch)?.parts ?? protoParts('traces', batch);
    } catch {
      return Promise.resolve(extractEvents(batch));
    }
    return sharedPool().run<AgentEvent[]>(TASK, 'extract', { parts, nowMs: Date.now() });
  }
}
