// Small statistics the baselines are made of: an exponentially weighted mean and variance, a
// bounded window with median and MAD, and the score that turns "observed vs threshold" into 0..1.
// Everything is plain data (JSON-able), so a baseline snapshots and restores as it is.

export interface Ewma {
  m: number;
  v: number;
  n: number;
}

export const newEwma = (): Ewma => ({ m: 0, v: 0, n: 0 });

/** West's incremental EWMA; the first value initialises the mean. */
export function ewmaAdd(s: Ewma, x: number, alpha: number): void {
  if (s.n === 0) {
    s.m = x;
    s.v = 0;
  } else {
    const d = x - s.m;
    s.m += alpha * d;
    s.v = (1 - alpha) * (s.v + alpha * d * d);
  }
  s.n++;
}

/** Appends to a bounded window; returns the value dropped, if any (oldest first). */
export function windowAdd(w: number[], x: number, size: number): number | undefined {
  w.push(x);
  return w.length > size ? w.shift() : undefined;
}

/** Index of the first element >= x in a sorted array. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps `sorted` equal to the window sorted: insert `x`, remove `evicted` (if any). */
export function sortedUpdate(sorted: number[], x: number, evicted: number | undefined): void {
  if (evicted !== undefined) sorted.splice(lowerBound(sorted, evicted), 1);
  sorted.splice(lowerBound(sorted, x), 0, x);
}

export function sortedOf(values: readonly number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median absolute deviation around `med`, from the sorted values in O(n) with no sort: the
 * deviations left of the median (read leftwards) and right of it (rightwards) are two ascending
 * runs; merging them up to the middle gives the median deviation. */
export function mad(sorted: readonly number[], med: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  let l = lowerBound(sorted, med) - 1;
  let r = l + 1;
  const want = n >> 1;
  let prev = 0;
  let cur = 0;
  for (let k = 0; k <= want; k++) {
    prev = cur;
    const dl = l >= 0 ? med - sorted[l] : Number.POSITIVE_INFINITY;
    const dr = r < n ? sorted[r] - med : Number.POSITIVE_INFINITY;
    if (dl <= dr) {
      cur = dl;
      l--;
    } else {
      cur = dr;
      r++;
    }
  }
  return n % 2 ? cur : (prev + cur) / 2;
}

/** 0.5 at the threshold, 0.75 at twice it, 0.95 at ten times; 0..1. */
export function scoreOf(observed: number, threshold: number): number {
  if (!(threshold > 0) || !(observed > 0)) return observed > 0 ? 1 : 0;
  const r = observed / threshold;
  return Math.max(0, Math.min(1, 1 - 0.5 / r));
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
