// Merging and splitting batches by item count, without touching the input: a batch may be shared
// with other pipelines, so splitting copies the containers it cuts through and slices arrays.
import type { Batch, LogsBatch, Metric, MetricsBatch, ResourceLogs, ResourceSpans, Signal, TracesBatch } from '../../core/signals/types.ts';

/** Appends the resource-level entries of `from` to `into` (same signal). */
export function appendBatch(signal: Signal, into: Batch, from: Batch): void {
  if (signal === 'traces') pushAll((into as TracesBatch).resourceSpans, (from as TracesBatch).resourceSpans);
  else if (signal === 'logs') pushAll((into as LogsBatch).resourceLogs, (from as LogsBatch).resourceLogs);
  else pushAll((into as MetricsBatch).resourceMetrics, (from as MetricsBatch).resourceMetrics);
}

function pushAll<T>(into: T[], from: T[]): void {
  for (let i = 0; i < from.length; i++) into.push(from[i]);
}

/** Splits off the first `n` items: [head with n items, tail with the rest]. n must be < the count. */
export function splitBatch(signal: Signal, batch: Batch, n: number): [Batch, Batch] {
  if (signal === 'traces') {
    const [h, t] = splitNested((batch as TracesBatch).resourceSpans as unknown as Nested[], 'scopeSpans', 'spans', n);
    return [{ resourceSpans: h as unknown as ResourceSpans[] }, { resourceSpans: t as unknown as ResourceSpans[] }];
  }
  if (signal === 'logs') {
    const [h, t] = splitNested((batch as LogsBatch).resourceLogs as unknown as Nested[], 'scopeLogs', 'logRecords', n);
    return [{ resourceLogs: h as unknown as ResourceLogs[] }, { resourceLogs: t as unknown as ResourceLogs[] }];
  }
  const [h, t] = splitMetrics((batch as MetricsBatch).resourceMetrics, n);
  return [{ resourceMetrics: h }, { resourceMetrics: t }];
}

/** A resource entry seen generically: resource -> scopes[scopeKey] -> items[itemKey]. */
type Nested = Record<string, unknown>;
type Scope = Record<string, unknown[]>;

/** resource -> scope -> items, cut after n items. */
function splitNested(resources: Nested[], scopeKey: string, itemKey: string, n: number): [Nested[], Nested[]] {
  const head: Nested[] = [];
  let left = n;
  for (let r = 0; r < resources.length; r++) {
    const res = resources[r];
    const scopes = res[scopeKey] as Scope[];
    let count = 0;
    for (const s of scopes) count += s[itemKey].length;
    if (count <= left) {
      head.push(res);
      left -= count;
      if (left === 0) return [head, resources.slice(r + 1)];
      continue;
    }
    // The cut falls inside this resource.
    const headScopes: Scope[] = [];
    const tailScopes: Scope[] = [];
    for (const s of scopes) {
      const items = s[itemKey];
      if (left >= items.length && left > 0) {
        headScopes.push(s);
        left -= items.length;
      } else if (left > 0) {
        headScopes.push({ ...s, [itemKey]: items.slice(0, left) });
        tailScopes.push({ ...s, [itemKey]: items.slice(left) });
        left = 0;
      } else {
        tailScopes.push(s);
      }
    }
    head.push({ ...res, [scopeKey]: headScopes });
    return [head, [{ ...res, [scopeKey]: tailScopes }, ...resources.slice(r + 1)]];
  }
  return [head, []];
}

/** resource -> scope -> metric -> data points, cut after n data points. */
function splitMetrics(resources: MetricsBatch['resourceMetrics'], n: number): [MetricsBatch['resourceMetrics'], MetricsBatch['resourceMetrics']] {
  const points = (m: Metric) => (m.data ? m.data.dataPoints.length : 0);
  const head: MetricsBatch['resourceMetrics'] = [];
  let left = n;
  for (let r = 0; r < resources.length; r++) {
    const res = resources[r];
    let count = 0;
    for (const s of res.scopeMetrics) for (const m of s.metrics) count += points(m);
    if (count <= left) {
      head.push(res);
      left -= count;
      if (left === 0) return [head, resources.slice(r + 1)];
      continue;
    }
    const headScopes: typeof res.scopeMetrics = [];
    const tailScopes: typeof res.scopeMetrics = [];
    for (const s of res.scopeMetrics) {
      if (left === 0) {
        tailScopes.push(s);
        continue;
      }
      const hm: Metric[] = [];
      const tm: Metric[] = [];
      for (const m of s.metrics) {
        const p = points(m);
        if (left === 0) tm.push(m);
        else if (p <= left) {
          hm.push(m);
          left -= p;
        } else {
          const d = m.data!;
          hm.push({ ...m, data: { ...d, dataPoints: d.dataPoints.slice(0, left) } as typeof d });
          tm.push({ ...m, data: { ...d, dataPoints: d.dataPoints.slice(left) } as typeof d });
          left = 0;
        }
      }
      if (hm.length) headScopes.push({ ...s, metrics: hm });
      if (tm.length) tailScopes.push({ ...s, metrics: tm });
    }
    head.push({ ...res, scopeMetrics: headScopes });
    return [head, [{ ...res, scopeMetrics: tailScopes }, ...resources.slice(r + 1)]];
  }
  return [head, []];
}
