// Load generation for HTTP benchmarks: a plain keep-alive http.Agent client (no SDK: the SDKs add
// their own per-request overhead), a closed loop (fixed concurrency, for throughput) and an open
// loop (sends scheduled on a timer at a fixed rate, for latency at a given offered load). Both are
// bounded in request count and in time.
import http from 'node:http';

export interface Sample {
  status: number;
  /** Send to the end of the response body, ms. */
  ms: number;
  /** Send to the first body byte, ms. */
  ttfbMs: number;
  bytes: number;
}

export type Send = () => Promise<Sample>;

export interface LoadResult {
  requests: number;
  /** Non-2xx answers and transport errors. */
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ttfbP50: number;
  ttfbP99: number;
  /** Open loop only: sends skipped because `maxInFlight` requests were outstanding. */
  skipped?: number;
  /** Open loop only: the rate asked for. */
  offered?: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The raw outcome of one loop; several (e.g. interleaved slices) merge into one LoadResult. */
export interface LoadRun {
  samples: Sample[];
  errors: number;
  seconds: number;
  skipped: number;
  offered?: number;
  firstError?: unknown;
}

/** Merges runs of the same target into one result (rate = samples / total seconds). */
export function summarise(...runs: LoadRun[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples);
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const skipped = runs.reduce((n, r) => n + r.skipped, 0);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const ttfb = samples.map((s) => s.ttfbMs).sort((a, b) => a - b);
  const offered = runs[0]?.offered;
  return {
    requests: samples.length + errors,
    errors,
    seconds,
    rps: samples.length / seconds,
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: ms.at(-1) ?? NaN,
    ttfbP50: percentile(ttfb, 50),
    ttfbP99: percentile(ttfb, 99),
    ...(offered != null ? { offered, skipped } : {}),
  };
}

export interface HttpTarget {
  port: number;
  host?: string;
  path: string;
  headers: Record<string, string>;
  /** A fresh body per request (vary it to defeat caches). */
  body: () => string;
  agent: http.Agent;
}

/** One POST per call; reads the whole body (an SSE stream included). A non-2xx status or a
 * transport error rejects. */
export function httpSender(t: HttpTarget): Send {
  return () =>
    new Promise<Sample>((resolve, reject) => {
      const body = Buffer.from(t.body());
      const t0 = performance.now();
      const req = http.request(
        { host: t.host ?? '127.0.0.1', port: t.port, path: t.path, method: 'POST', agent: t.agent, headers: { ...t.headers, 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          let ttfb = -1;
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            if (ttfb < 0) ttfb = performance.now() - t0;
            bytes += c.length;
          });
          res.on('end', () => {
            const ms = performance.now() - t0;
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) reject(new Error(`HTTP ${status}`));
            else resolve({ status, ms, ttfbMs: ttfb < 0 ? ms : ttfb, bytes });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

export interface ClosedLoopOptions {
  concurrency: number;
  seconds: number;
  maxRequests: number;
}

/** `concurrency` workers, each sending as soon as its previous request finished. */
export async function closedLoop(send: Send, o: ClosedLoopOptions): Promise<LoadRun> {
  const samples: Sample[] = [];
  let errors = 0;
  let started = 0;
  let firstError: unknown;
  const t0 = performance.now();
  const deadline = t0 + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (started < o.maxRequests && performance.now() < deadline) {
        started++;
        try {
          samples.push(await send());
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  if (errors && samples.length === 0) throw new Error(`every request failed: ${(firstError as Error)?.message}`);
  return { samples, errors, seconds, skipped: 0, firstError };
}

export interface OpenLoopOptions {
  /** Requests per second offered. */
  rate: number;
  seconds: number;
  maxRequests: number;
  /** Outstanding requests beyond which a scheduled send is skipped (and counted). */
  maxInFlight?: number;
}

/**
 * Open loop: a 1 ms timer sends whatever is due by the schedule (rate × elapsed), whether or not
 * earlier requests have answered. Latency is measured from each actual send, so timer lateness
 * (the same for every target) does not count against the server.
 */
export async function openLoop(send: Send, o: OpenLoopOptions): Promise<LoadRun> {
  const samples: Sample[] = [];
  const maxInFlight = o.maxInFlight ?? 1000;
  const total = Math.min(o.maxRequests, Math.round(o.rate * o.seconds));
  let errors = 0;
  let scheduled = 0;
  let skipped = 0;
  let inFlight = 0;
  let firstError: unknown;
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * o.rate));
      while (scheduled < due) {
        scheduled++;
        if (inFlight >= maxInFlight) {
          skipped++;
          continue;
        }
        inFlight++;
        const p: Promise<void> = send()
          .then(
            (s) => void samples.push(s),
            (err) => {
              errors++;
              firstError ??= err;
            },
          )
          .finally(() => {
            inFlight--;
            pending.delete(p);
          });
        pending.add(p);
      }
      if (scheduled >= total || performance.now() - t0 > o.seconds * 1000 + 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  return { samples, errors, seconds, skipped, offered: o.rate, firstError };
}
