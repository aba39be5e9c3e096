// Item counts per batch: spans, log records, metric data points (what the collector's
// accepted/refused/sent counters count).
import { heldEncoding } from './encoded.ts';
import type { Batch, LogsBatch, MetricsBatch, Signal, TracesBatch } from './types.ts';

export function countSpans(b: TracesBatch): number {
  let n = 0;
  for (const rs of b.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

export function countLogRecords(b: LogsBatch): number {
  let n = 0;
  for (const rl of b.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}

export function countDataPoints(b: MetricsBatch): number {
  let n = 0;
  for (const rm of b.resourceMetrics)
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += m.data ? m.data.dataPoints.length : 0;
  return n;
}

export function countItems(signal: Signal, b: Batch): number {
  const held = heldEncoding(b);
  if (held) return held.items;
  if (signal === 'traces') return countSpans(b as TracesBatch);
  if (signal === 'logs') return countLogRecords(b as LogsBatch);
  return countDataPoints(b as MetricsBatch);
}

/** The collector's name for one item of a signal, used in metric names: spans, log_records, metric_points. */
export const ITEM_NOUN: Record<Signal, string> = { traces: 'spans', logs: 'log_records', metrics: 'metric_points' };

export function emptyBatch(signal: Signal): Batch {
  if (signal === 'traces') return { resourceSpans: [] };
  if (signal === 'logs') return { resourceLogs: [] };
  return { resourceMetrics: [] };
}
