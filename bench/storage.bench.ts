// Storage throughput: row building (flatten) for 512-span GenAI batches, the postgres COPY encoding,
// and end-to-end writes of 8192-span batches (what a batch processor hands over) into DuckDB and
// PGlite, each in a temp directory. For DuckDB it also compares write paths in one run (rounds
// interleaved): main-thread time per batch (event-loop active time while the export runs: what the
// receiver and the other exporters lose), wall time and process CPU (all threads) per batch.
// Run alone: node --import tsx bench/storage.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Exporter, ExportOptions } from '../core/component.ts';
import { flattenTraces } from '../core/storage/flatten.ts';
import { silentLogger } from '../core/telemetry/logger.ts';
import { MetricsRegistry } from '../core/telemetry/metrics.ts';
import duckdbFactory from '../exporters/duckdb/factory.ts';
import { encodeCopy } from '../exporters/postgres/copy-encoder.ts';
import { CopyWriter } from '../exporters/postgres/copy-writer.ts';
import postgresFactory from '../exporters/postgres/factory.ts';
import { makeGenAiTraces } from '../test/core/storage-fixtures.ts';
import type { TracesBatch } from '../core/signals/types.ts';
import type { Batch } from '../core/component.ts';
import { PgliteClient } from '../exporters/postgres/pglite-client.ts';
import { comparePaths, duckdbWriter, migrateRowStore, ratio, rowStoreWriter, withoutStaging, type PathCost } from './idempotency-cost.ts';
import { makeGenAiTracesBatch } from './genai-payload.ts';
import { encodeTracesProto } from '../core/otlp/encode-proto.ts';
import { heldBatch } from '../core/otlp/proto-batch.ts';
import { sharedBytes } from '../core/signals/encoded.ts';

/** One DuckDB write path, per 8192-span batch (medians over the rounds). */
export interface DuckDBPathResult {
  mainMsPerBatch: number;
  mainUsPerSpan: number;
  wallMsPerBatch: number;
  cpuMsPerBatch: number;
  spansPerSecond: number;
}

export interface StorageBenchResult {
  flattenSpansPerSecond: number;
  pgEncodeSpansPerSecond: number;
  duckdbSpansPerSecond: number;
  pgliteSpansPerSecond: number;
  /** Process CPU (all threads) per stored span while writing, µs: the figure to compare across runs. */
  duckdbCpuUsPerSpan: number;
  pgliteCpuUsPerSpan: number;
  /** Longest main-thread stall seen while writing to PGlite (worker mode), ms. */
  pgliteMaxEventLoopLagMs: number;
  /** DuckDB write paths compared in one run, on batches shaped like bench/e2e.ts's (16 requests
   * of 512 spans merged by the batch processor). */
  duckdbPaths: Record<string, DuckDBPathResult>;
  /** Idempotent writes against the same store without them, interleaved (bench/idempotency-cost.ts). */
  idempotency: {
    pglite: Record<string, PathCost>;
    /** CPU per span, now / schema version 1. */
    pgliteCpuRatio: number;
    duckdb: Record<string, PathCost>;
    /** CPU per span, with batch ids (ledger) / without. */
    duckdbCpuRatio: number;
  };
}

const PG_V1 = 'schema 1: COPY into the table';
const PG_NOW = 'schema 2: COPY under unique keys';
const DUCK_PLAIN = 'no batch id';
const DUCK_LEDGER = 'batch id: ledger lookup + row, one transaction';

/** The cost of idempotent writes in the embedded stores, in one run (see bench/idempotency-cost.ts). */
export async function idempotencyBench(dir: string, batches: Batch[], rounds: number): Promise<StorageBenchResult['idempotency']> {
  const ctx = { logger: silentLogger, metrics: new MetricsRegistry() };
  const v1 = await PgliteClient.open(join(dir, 'idem-v1'));
  const now = await PgliteClient.open(join(dir, 'idem-now'));
  let pglite: Record<string, PathCost>;
  try {
    await migrateRowStore(v1, true);
    await migrateRowStore(now, false);
    pglite = await comparePaths({ [PG_V1]: rowStoreWriter(withoutStaging(v1)), [PG_NOW]: rowStoreWriter(now) }, batches, 8192, rounds, 2);
  } finally {
    await v1.close();
    await now.close();
  }
  const plain = duckdbFactory.create({ ...ctx, id: 'duckdb', config: { path: join(dir, 'idem-plain.duckdb') } });
  const ledger = duckdbFactory.create({ ...ctx, id: 'duckdb', config: { path: join(dir, 'idem-ledger.duckdb') } });
  let duckdb: Record<string, PathCost>;
  try {
    await plain.start({} as never);
    await ledger.start({} as never);
    duckdb = await comparePaths({ [DUCK_PLAIN]: duckdbWriter(plain, false), [DUCK_LEDGER]: duckdbWriter(ledger, true) }, batches, 8192, rounds, 2);
  } finally {
    await plain.shutdown();
    await ledger.shutdown();
  }
  return { pglite, pgliteCpuRatio: ratio(pglite, PG_NOW, PG_V1), duckdb, duckdbCpuRatio: ratio(duckdb, DUCK_LEDGER, DUCK_PLAIN) };
}

/** The DuckDB exporter configurations compared by duckdbPathBench, and what they are fed: `held`,
 * the batch as the e2e pipeline hands it over (16 request bodies the batch processor merged, still
 * protobuf: the worker gets the bytes, the in-process path decodes them part by part), or
 * `decoded`, a batch of span objects (what a processor that read the batch leaves: the worker path
 * then encodes it again on the main thread to post it, and decodes it in the worker). Comparing the
 * worker's CPU on `decoded` with the in-process path's was comparing encode + decode against nothing. */
const DUCKDB_PATHS: Record<string, { config: Record<string, unknown>; input: 'held' | 'decoded' }> = {
  // Everything on the main thread, DuckDB's own checkpoint_threshold: the write path before the worker.
  'in-process, checkpoint 16MB, held': { config: { worker: false, checkpoint_threshold: '16MB' }, input: 'held' },
  'in-process, checkpoint 256MB, held': { config: { worker: false }, input: 'held' },
  // The default, as in the e2e pipeline.
  'worker, checkpoint 256MB, held': { config: {}, input: 'held' },
  'in-process, checkpoint 256MB, decoded': { config: { worker: false }, input: 'decoded' },
  'worker, checkpoint 256MB, decoded': { config: {}, input: 'decoded' },
};

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Runs every path over the same batches, rounds interleaved so machine noise hits all alike. */
export async function duckdbPathBench(dir: string, rounds: number, perRound: number): Promise<Record<string, DuckDBPathResult>> {
  const ctx = { logger: silentLogger, metrics: new MetricsRegistry() };
  const requests = Array.from({ length: 3 }, (_, b) => Array.from({ length: 16 }, (_, i) => makeGenAiTracesBatch(512, b * 16 + i + 1)));
  const inputs = {
    decoded: requests.map((parts): Batch => ({ resourceSpans: parts.flatMap((p) => p.resourceSpans) })),
    // Nothing reads a held batch's field on these paths, so its bytes stay held across exports.
    held: requests.map((parts): Batch => heldBatch('traces', parts.map((p) => sharedBytes(encodeTracesProto(p))), 8192)),
  };
  const spans = 8192;
  const names = Object.keys(DUCKDB_PATHS);
  const exporters = new Map<string, Exporter>();
  const samples = new Map<string, { main: number[]; wall: number[]; cpu: number[] }>();
  try {
    for (const [i, name] of names.entries()) {
      const ex = duckdbFactory.create({ ...ctx, id: 'duckdb', config: { path: join(dir, `path-${i}.duckdb`), ...DUCKDB_PATHS[name].config } });
      await ex.start({} as never);
      await ex.export('traces', inputs[DUCKDB_PATHS[name].input][0]); // warm-up
      exporters.set(name, ex);
      samples.set(name, { main: [], wall: [], cpu: [] });
    }
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        const ex = exporters.get(name)!;
        const s = samples.get(name)!;
        for (let k = 0; k < perRound; k++) {
          const batches = inputs[DUCKDB_PATHS[name].input];
          const batch = batches[n++ % batches.length];
          const elu = performance.eventLoopUtilization();
          const cpu = process.cpuUsage();
          const t = performance.now();
          await ex.export('traces', batch);
          s.wall.push(performance.now() - t);
          const c = process.cpuUsage(cpu);
          s.cpu.push((c.user + c.system) / 1000);
          s.main.push(performance.eventLoopUtilization(elu).active);
        }
      }
    }
  } finally {
    for (const ex of exporters.values()) await ex.shutdown();
  }
  const out: Record<string, DuckDBPathResult> = {};
  for (const name of names) {
    const s = samples.get(name)!;
    const main = median(s.main);
    const wall = median(s.wall);
    out[name] = { mainMsPerBatch: main, mainUsPerSpan: (main * 1000) / spans, wallMsPerBatch: wall, cpuMsPerBatch: median(s.cpu), spansPerSecond: rate(spans, wall) };
  }
  return out;
}

function rate(n: number, ms: number): number {
  return (n / ms) * 1000;
}

/** Each batch with a batchId, as the persistent sending queue hands them over (stores that keep a
 * batch ledger pay for it here). */
const withBatchId = (id: string) => ({ batchId: id }) as ExportOptions;

async function writeRate(ex: Exporter, batches: ReturnType<typeof makeGenAiTraces>[], spans: number): Promise<{ rate: number; lag: number; cpuUsPerSpan: number }> {
  await ex.export('traces', batches[0], withBatchId('warm-up')); // warm-up
  let lag = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 5);
    last = now;
  }, 5);
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (const [i, b] of batches.slice(1).entries()) await ex.export('traces', b, withBatchId(`batch-${i}`));
  const c = process.cpuUsage(cpu);
  const ms = performance.now() - t;
  clearInterval(tick);
  const n = spans * (batches.length - 1);
  return { rate: rate(n, ms), lag, cpuUsPerSpan: (c.user + c.system) / n };
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
  const writer = new CopyWriter();
  encodeCopy(flat, writer);
  t = performance.now();
  for (let i = 0; i < 5; i++) {
    writer.reset();
    encodeCopy(flattenTraces(big[i % big.length]), writer);
  }
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

    const duckdbPaths = await duckdbPathBench(dir, Number(process.env.BENCH_DUCKDB_ROUNDS ?? 4), 3);
    const idempotency = await idempotencyBench(dir, big, Math.floor((big.length - 1) / 2));

    return {
      flattenSpansPerSecond,
      pgEncodeSpansPerSecond,
      duckdbSpansPerSecond: d.rate,
      pgliteSpansPerSecond: p.rate,
      duckdbCpuUsPerSpan: d.cpuUsPerSpan,
      pgliteCpuUsPerSpan: p.cpuUsPerSpan,
      pgliteMaxEventLoopLagMs: p.lag,
      duckdbPaths,
      idempotency,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runStorageBench();
  console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2));
}
