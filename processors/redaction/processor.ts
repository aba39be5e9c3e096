// The pipeline role: redacts every span / log record of a batch, adds the summary attributes, and
// hands the batch on. By default on the worker pool (pool-task.ts: the batch goes there as OTLP
// protobuf and comes back redacted, as a held batch); with `workers: false` in place, here.
import type { Consumer, Logger, MetricsRegistry, Processor, Signal } from '../../core/component.ts';
import { heldBatch, protoParts } from '../../core/otlp/proto-batch.ts';
import { setAttribute } from '../../core/signals/attributes.ts';
import { countItems } from '../../core/signals/count.ts';
import { sharedPool } from '../../core/workers/pool.ts';
import type { Attributes, BatchBySignal, LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import type { CompiledRedaction } from './config.ts';
import { addCounts, DROP, redactAttributes, redactString, redactValue, type Counts } from './scan.ts';

export const SUMMARY_PREFIX = 'redaction.count.';

const TASK = new URL('./pool-task.ts', import.meta.url).href;

/** Adds the counts to `redaction.count.<TYPE>` (summing with what an earlier pass recorded). */
export function addSummary(attrs: Attributes, counts: Counts): void {
  for (const k in counts) {
    const key = SUMMARY_PREFIX + k;
    const prev = attrs[key];
    setAttribute(attrs, key, (typeof prev === 'number' ? prev : 0) + counts[k as keyof Counts]!);
  }
}

function redactName(name: string, cfg: CompiledRedaction, counts: Counts): string {
  const r = redactString(name, cfg);
  if (!r.changed) return name;
  addCounts(counts, r.counts);
  return r.text;
}

function hasAny(c: Counts): boolean {
  for (const _ in c) return true;
  return false;
}

/** Redacts a traces batch in place; returns the counts of the whole batch. */
export function redactTraces(batch: TracesBatch, cfg: CompiledRedaction): Counts {
  const total: Counts = {};
  for (const rs of batch.resourceSpans) {
    if (cfg.includeResource) {
      const rc: Counts = {};
      redactAttributes(rs.resource.attributes, cfg, rc);
      if (cfg.summary) addSummary(rs.resource.attributes, rc);
      addCounts(total, rc);
    }
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        const c: Counts = {};
        span.name = redactName(span.name, cfg, c);
        redactAttributes(span.attributes, cfg, c);
        if (span.status.message) span.status.message = redactName(span.status.message, cfg, c);
        for (const ev of span.events) {
          ev.name = redactName(ev.name, cfg, c);
          redactAttributes(ev.attributes, cfg, c);
        }
        for (const link of span.links) redactAttributes(link.attributes, cfg, c);
        if (hasAny(c)) {
          if (cfg.summary) addSummary(span.attributes, c);
          addCounts(total, c);
        }
      }
    }
  }
  return total;
}

/** Redacts a logs batch in place; returns the counts of the whole batch. */
export function redactLogs(batch: LogsBatch, cfg: CompiledRedaction): Counts {
  const total: Counts = {};
  for (const rl of batch.resourceLogs) {
    if (cfg.includeResource) {
      const rc: Counts = {};
      redactAttributes(rl.resource.attributes, cfg, rc);
      if (cfg.summary) addSummary(rl.resource.attributes, rc);
      addCounts(total, rc);
    }
    for (const sl of rl.scopeLogs) {
      for (const rec of sl.logRecords) {
        const c: Counts = {};
        let body;
        try {
          body = redactValue(rec.body, cfg, c);
        } catch {
          body = '<REDACTION_FAILED>';
        }
        if (body !== rec.body) rec.body = body === DROP ? '' : body;
        redactAttributes(rec.attributes, cfg, c);
        if (hasAny(c)) {
          if (cfg.summary) addSummary(rec.attributes, c);
          addCounts(total, c);
        }
      }
    }
  }
  return total;
}

export class RedactionProcessor<S extends Signal> implements Processor<S> {
  private readonly entities;

  constructor(
    private readonly id: string,
    private readonly signal: S,
    private readonly cfg: CompiledRedaction,
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.entities = metrics.counter('agentcol_processor_redaction_entities_total', 'Number of values redacted by the redaction processor, per entity type.');
  }

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  async consume(batch: BatchBySignal[S]): Promise<void> {
    let counts: Counts = {};
    let out = batch;
    const pooled = this.cfg.workers && (this.signal === 'traces' || this.signal === 'logs') ? this.encoded(batch) : undefined;
    if (pooled) {
      const signal = this.signal as 'traces' | 'logs';
      const r = await sharedPool().run<{ part: Uint8Array; counts: Counts }>(TASK, 'redactProto', { signal, parts: pooled, config: this.cfg.source });
      counts = r.counts;
      out = heldBatch(signal, [r.part], countItems(signal, batch)) as BatchBySignal[S];
    } else if (this.signal === 'traces') counts = redactTraces(batch as TracesBatch, this.cfg);
    else if (this.signal === 'logs') counts = redactLogs(batch as LogsBatch, this.cfg);
    for (const k in counts) this.entities.add(counts[k as keyof Counts]!, { processor: this.id, entity: k });
    return this.next.consume(out);
  }

  /** The batch as protobuf for the pool; undefined (scan inline) if it cannot be encoded. */
  private encoded(batch: BatchBySignal[S]): readonly Uint8Array[] | undefined {
    try {
      return protoParts(this.signal, batch);
    } catch (err) {
      this.logger.warn('redaction: batch cannot be encoded for the worker pool; scanning it inline', { error: (err as Error).message });
      return undefined;
    }
  }
}
