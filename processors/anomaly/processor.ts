// The pipeline role (traces): every span with an agent id is an event of that agent's baselines.
// A batch goes: per-agent lanes (scorer.ts: on the pool, from the batch's protobuf, or here) ->
// coordination across agents (here, in batch order) -> findings annotate their spans
// and become alerts (core/alerts.ts) -> the batch goes on. Spans are never dropped; a failure in
// scoring is logged and the batch goes on unscored.
import { AlertEmitter, type Alert, type AlertSeverity } from '../../core/alerts.ts';
import type { Consumer, Host, Logger, MetricsRegistry, Processor } from '../../core/component.ts';
import { setAttribute } from '../../core/signals/attributes.ts';
import type { Attributes, TracesBatch } from '../../core/signals/types.ts';
import type { StateStore } from '../../core/state.ts';
import type { Counter, Histogram } from '../../core/telemetry/metrics.ts';
import { sharedPool } from '../../core/workers/pool.ts';
import type { Finding } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import { Coordinator } from './coordination.ts';
import type { LaneResult } from './lane.ts';
import { InlineScorer, PoolScorer, type Scorer } from './scorer.ts';
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

export class AnomalyProcessor implements Processor<'traces'> {
  private readonly scorer: Scorer;
  private readonly coordinator: Coordinator;
  private alerts?: AlertEmitter;
  private store?: StateStore;
  private readonly namespace: string;
  private saveTimer?: NodeJS.Timeout;
  /** The coordination stage runs in arrival order (lanes keep it by themselves: scorer.ts). */
  private stageTail: Promise<unknown> = Promise.resolve();
  private agentsTracked = 0;
  private readonly alertsByClass: Counter;
  private readonly late: Counter;
  private readonly events: Counter;
  private readonly latency: Histogram;
  private stopped = false;
  /** After a failed save, the next one writes every agent. */
  private saveAll = false;

  constructor(
    private readonly id: string,
    private readonly cfg: CompiledAnomaly,
    private readonly next: Consumer<'traces'>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.scorer = cfg.workers ? new PoolScorer(sharedPool(), cfg, cfg.shards) : new InlineScorer(cfg);
    this.coordinator = new Coordinator(cfg);
    this.namespace = cfg.state?.namespace ?? `anomaly/${id}`;
    this.alertsByClass = metrics.counter('agentcol_processor_anomaly_alerts_total', 'Anomaly alerts raised, by processor, class and severity.');
    this.late = metrics.counter('agentcol_processor_anomaly_late_events_total', 'Events later than allowed_lateness behind their agent\'s newest event (not counted in their closed interval).');
    this.events = metrics.counter('agentcol_processor_anomaly_events_total', 'Events (spans with an agent id) scored.');
    this.latency = metrics.histogram('agentcol_processor_anomaly_detection_latency_seconds', 'From a batch reaching the anomaly processor to its alerts handed to the alerts pipeline.', [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]);
    metrics.gaugeFn('agentcol_processor_anomaly_agents_tracked', 'Agents with a baseline.', () => [{ labels: { processor: id }, value: this.agentsTracked }]);
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
    let loaded;
    try {
      loaded = await loadState(store, this.namespace, this.cfg);
    } catch (err) {
      throw new Error(`anomaly: cannot load saved baselines from exporter "${st.exporter}" (namespace ${this.namespace}): ${(err as Error)?.message ?? err}`, { cause: err });
    }
    if (loaded.coordination) this.coordinator.restore(loaded.coordination);
    await this.scorer.restore(loaded.agents);
    this.agentsTracked = loaded.agents.length;
    if (loaded.agents.length) this.logger.info('anomaly: baselines restored', { processor: this.id, agents: loaded.agents.length });
    for (const w of loaded.warnings) this.logger.warn(`anomaly: ${w}`, { processor: this.id });
    this.saveTimer = setInterval(() => void this.save().catch((err) => this.logger.error('anomaly: saving baselines failed; retried at the next interval', { error: (err as Error).message })), st.intervalMs);
    this.saveTimer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.saveTimer);
    await this.stageTail;
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
    // Both taken at the same point of the stream: lanes in their task order, coordination in its
    // chain. Only agents that changed since the last save are written (the others are stored).
    const all = this.saveAll;
    const lanes = this.scorer.snapshot(!all);
    const coordination = this.stageTail.then(() => this.coordinator.toJSON());
    this.stageTail = coordination.catch(() => {});
    try {
      await saveState(store, this.namespace, this.cfg, await lanes, await coordination);
      if (all) this.saveAll = false;
    } catch (err) {
      // The lanes counted those agents as saved: write every agent next time.
      this.saveAll = true;
      throw err;
    }
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

  /** Findings of one batch: the lanes score it (submitted now), coordination follows in arrival order. */
  score(batch: TracesBatch): Promise<Finding[]> {
    let submitted: Promise<LaneResult[]>;
    try {
      submitted = this.scorer.score(batch);
    } catch (err) {
      submitted = Promise.reject(err);
    }
    const staged = this.stageTail.then(
      () => submitted,
      () => submitted,
    ).then((results) => {
      let late = 0;
      let events = 0;
      let agents = 0;
      for (const r of results) {
        late += r.late;
        events += r.events;
        agents += r.agents;
      }
      this.agentsTracked = agents;
      if (events) this.events.add(events, { processor: this.id });
      if (late) this.late.add(late, { processor: this.id });
      return this.coordinator.process(results);
    });
    this.stageTail = staged.catch(() => {});
    return staged;
  }
}
