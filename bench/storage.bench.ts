// Storage throughput: row building (flatten) for 512-span GenAI batches, the postgres COPY encoding,
// and end-to-end writes of 8192-span batches (what a batch processor hands over) into DuckDB and
// PGlite, each in a temp directory. Run alone: node --import tsx bench/storage.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Exporter } from '../core/component.ts';
import { flattenTraces } from '../core/storage/flatten.ts';
import { silentLogger } from '../core/telemetry/logger.ts';
import { MetricsRegistry } from '../core/telemetry/metrics.ts';
import duckdbFactory from '../exporters/duckdb/factory.ts';
import { encodeCopy } from '../exporters/postgres/copy-encoder.ts';
import postgresFactory from '../exporters/postgres/factory.ts';
import { makeGenAiTraces } from '../test/core/storage-fixtures.ts';

export interface StorageBenchResult {
  flattenSpansPerSecond: number;
  pgEncodeSpansPerSecond: number;
  duckdbSpansPerSecond: number;
  pgliteSpansPerSecond: number;
  /** Longest main-thread stall seen while writing to PGlite (worker mode), ms. */
  pgliteMaxEventLoopLagMs: number;
}

function rate(n: number, ms: number): number {
  return (n / ms) * 1000;
}

async function writeRate(ex: Exporter, batches: ReturnType<typeof makeGenAiTraces>[], spans: number): Promise<{ rate: number; lag: number }> {
  await ex.export('traces', batches[0]); // warm-up
  let lag = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 5);
    last = now;
  }, 5);
  const t = performance.now();
  for (const b of batches.slice(1)) await ex.export('traces', b);
  const ms = performance.now() - t;
  clearInterval(tick);
  return { rate: rate(spans * (batches.length - 1), ms), lag };
}

export async function runStorageBench(opts: { batches?: number } = {}): Promise<StorageBenchResult> {
  const rounds = opts.batches ?? 6;
  const small = makeGenAiTraces(512, 7);
  for (let i = 0; i < 50; i++) flattenTraces(small);
  let t = performance.now();
  for (let i = 0; i < 400; i++) flattenTraces(small);
  const flattenSpansPerSecond = rate(512 * 400, performance.now() - t);

  const big = Array.from({ length: rounds + 1 }, (_, i) => makeGenAiTraces(8192, i + 1));
  const flat = flattenTraces(big[0]);
  encodeCopy(flat);
  t = performance.now();
  for (let i = 0; i < 5; i++) new TextEncoder().encode(encodeCopy(flattenTraces(big[i % big.length])).text);
  const pgEncodeSpansPerSecond = rate(8192 * 5, performance.now() - t);

  const dir = mkdtempSync(join(tmpdir(), 'agentcol-storage-bench-'));
  const ctx = { logger: silentLogger, metrics: new MetricsRegistry() };
  try {
    const duck = duckdbFactory.create({ ...ctx, id: 'duckdb', config: { path: join(dir, 'bench.duckdb') } });
    await duck.start({} as never);
    const d = await writeRate(duck, big, 8192);
    await duck.shutdown();

    const pg = postgresFactory.create({ ...ctx, id: 'postgres', config: { path: join(dir, 'pg'), worker: true } });
    await pg.start({} as never);
    const p = await writeRate(pg, big, 8192);
    await pg.shutdown();

    return { flattenSpansPerSecond, pgEncodeSpansPerSecond, duckdbSpansPerSecond: d.rate, pgliteSpansPerSecond: p.rate, pgliteMaxEventLoopLagMs: p.lag };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runStorageBench();
  console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? Math.round(v) : v), 2));
}
