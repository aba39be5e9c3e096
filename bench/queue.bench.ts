// The persistent sending queue's cost, end to end: the e2e benchmark (bench/e2e.ts: the agentcol
// command with config/default.yaml — memory_limiter, batch, the embedded stores DuckDB and PGlite —
// fed 512-span OTLP/HTTP protobuf requests) run with the in-memory queue and with
// `sending_queue: {storage: file}` at each fsync setting on both exporters, in one run, everything
// else the same. Reports spans/s confirmed by both stores, each as a fraction of the in-memory
// rate, and the agentcol process's CPU µs per span. Target: fsync: batch keeps >= 75% of in-memory.
// The client sends as fast as the receiver accepts and the rate counts spans once both stores
// confirmed them, so on a small machine it is bounded by the stores' write rate; keep BENCH_SECONDS
// short enough that the backlog drains within e2e.ts's 120 s.
//
// End-to-end rates on a shared machine are noisy, so the queue is also measured alone, in this
// process: the same 8192-span held batches (16 OTLP requests of 512 GenAI spans, as the batch
// processor hands them over) committed to a SendingQueue in front of an exporter that does
// nothing, in memory and at each fsync setting: the CPU µs per span the file queue adds is its
// whole cost, to be set against the end-to-end CPU µs per span.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../test/helpers/agentcol-process.ts';
import type { Exporter } from '../core/component.ts';
import { encodeTracesRequest } from '../core/otlp/encode-proto.ts';
import { heldBatch } from '../core/otlp/proto-batch.ts';
import { resolveExporterHelper } from '../core/queue/config.ts';
import { SendingQueue } from '../core/queue/sending-queue.ts';
import { silentLogger } from '../core/telemetry/logger.ts';
import { MetricsRegistry } from '../core/telemetry/metrics.ts';
import { makeGenAiTracesBatch } from './genai-payload.ts';
import { runE2eBench, type E2eResult } from './e2e.ts';

export type QueueVariant = 'memory' | 'file/never' | 'file/batch' | 'file/always';
const VARIANTS: QueueVariant[] = ['memory', 'file/never', 'file/batch', 'file/always'];

export interface QueueBenchRow {
  variant: QueueVariant;
  spansPerSecond: number;
  /** spansPerSecond / the in-memory rate of the same round. */
  ofMemory: number;
  cpuUsPerSpan: number;
  peakRssMiB: number;
  refused429: number;
}

/** config/default.yaml with the exporters' sending queue set for the variant; the queue
 * directory is relative to the agentcol process's working directory (a fresh temp dir per run). */
export function queueBenchConfig(variant: QueueVariant): string {
  const base = readFileSync(path.join(REPO, 'config/default.yaml'), 'utf8');
  if (variant === 'memory') return base;
  const fsync = variant.slice('file/'.length);
  const queue = `\n    sending_queue:\n      storage: file\n      directory: ./queue\n      fsync: ${fsync}`;
  const out = base.replace('  duckdb: {}\n  postgres: {}', `  duckdb:${queue}\n  postgres:${queue}`);
  if (out === base) throw new Error('config/default.yaml changed: cannot find its exporters section to add sending_queue');
  return out;
}

export async function runQueueBench(opts: { seconds?: number; rounds?: number } = {}): Promise<QueueBenchRow[]> {
  const seconds = opts.seconds ?? 8;
  const rounds = opts.rounds ?? 1;
  const dir = mkdtempSync(path.join(tmpdir(), 'agentcol-queue-bench-'));
  const saved = process.env.BENCH_CONFIG;
  const results = new Map<QueueVariant, E2eResult[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const variant of VARIANTS) {
        const file = path.join(dir, `${variant.replace('/', '-')}.yaml`);
        writeFileSync(file, queueBenchConfig(variant));
        process.env.BENCH_CONFIG = file;
        let r: E2eResult;
        try {
          r = await runE2eBench({ seconds });
        } catch (err) {
          // One failed run (a store too slow to catch up on a busy machine) should not lose the rest.
          console.log(`  ${variant.padEnd(11)} round ${round + 1}: failed: ${(err as Error).message.split('\n')[0]}`);
          continue;
        }
        results.set(variant, [...(results.get(variant) ?? []), r]);
        // runE2eBench returns once both exporters confirmed every acknowledged span. (The stored row
        // counts can be lower: its 64 payloads repeat, and stores that deduplicate keep one copy.)
        console.log(`  ${variant.padEnd(11)} round ${round + 1}: ${Math.round(r.spansPerSecond)} spans/s, ${r.cpuUsPerSpan.toFixed(1)} µs CPU/span (stored duckdb=${r.storedDuckDb} postgres=${r.storedPostgres} of ${r.spansAcked})`);
      }
    }
  } finally {
    if (saved === undefined) delete process.env.BENCH_CONFIG;
    else process.env.BENCH_CONFIG = saved;
    rmSync(dir, { recursive: true, force: true });
  }
  // Per variant the median round (rounds are interleaved, so drift hits every variant alike).
  const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]);
  const memory = median((results.get('memory') ?? []).map((r) => r.spansPerSecond));
  return VARIANTS.map((variant) => {
    const rs = results.get(variant) ?? [];
    const spansPerSecond = median(rs.map((r) => r.spansPerSecond));
    return {
      variant,
      spansPerSecond,
      ofMemory: spansPerSecond / memory,
      cpuUsPerSpan: median(rs.map((r) => r.cpuUsPerSpan)),
      peakRssMiB: median(rs.map((r) => r.peakRssMiB)),
      refused429: rs.reduce((n, r) => n + r.refused429, 0),
    };
  });
}

export interface QueueAloneRow {
  variant: QueueVariant;
  spansPerSecond: number;
  /** CPU time of this process (all threads, fs work in libuv's pool included) per span. */
  cpuUsPerSpan: number;
  /** cpuUsPerSpan minus the in-memory queue's. */
  addedCpuUsPerSpan: number;
  bytesPerSpan: number;
}

/** The queue alone: commit + export (a no-op) of 8192-span held batches, `inFlight` commits at a
 * time (as from concurrent receivers), for `seconds` per variant. */
export async function runQueueAloneBench(opts: { seconds?: number; inFlight?: number } = {}): Promise<QueueAloneRow[]> {
  const seconds = opts.seconds ?? 3;
  const inFlight = opts.inFlight ?? 4;
  const requests = Array.from({ length: 16 }, (_, i) => encodeTracesRequest(makeGenAiTracesBatch(512, i + 1)));
  const bytesPerBatch = requests.reduce((n, r) => n + r.length, 0);
  const dir = mkdtempSync(path.join(tmpdir(), 'agentcol-queue-alone-'));
  const noop: Exporter = { start: async () => {}, shutdown: async () => {}, export: async () => {} };
  const rows: Omit<QueueAloneRow, 'addedCpuUsPerSpan'>[] = [];
  try {
    for (const variant of VARIANTS) {
      const sending_queue = variant === 'memory' ? { queue_size: 1000 } : { queue_size: 1000, storage: 'file', directory: path.join(dir, variant.replace('/', '-')), fsync: variant.slice(5), max_size: '4GiB' };
      const q = new SendingQueue({ id: 'bench', exporter: noop, settings: resolveExporterHelper({ sending_queue, timeout: 0 }), logger: silentLogger, metrics: new MetricsRegistry() });
      await q.start();
      let batches = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const deadline = t0 + seconds * 1000;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (performance.now() < deadline) {
            await q.enqueue('traces', heldBatch('traces', [...requests], 16 * 512));
            batches++;
          }
        }),
      );
      await q.whenIdle();
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      await q.drain(10_000);
      const spans = batches * 16 * 512;
      rows.push({ variant, spansPerSecond: spans / elapsed, cpuUsPerSpan: (cpu.user + cpu.system) / spans, bytesPerSpan: bytesPerBatch / (16 * 512) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rows[0].cpuUsPerSpan;
  return rows.map((r) => ({ ...r, addedCpuUsPerSpan: r.cpuUsPerSpan - base }));
}

export function formatQueueAloneBench(rows: QueueAloneRow[]): string {
  const lines = [`sending queue alone (8192-span held batches, ${rows[0].bytesPerSpan.toFixed(0)} bytes/span, no-op exporter; CPU of this process):`];
  for (const r of rows) {
    lines.push(`  ${r.variant.padEnd(11)} ${String(Math.round(r.spansPerSecond)).padStart(9)} spans/s  ${r.cpuUsPerSpan.toFixed(2).padStart(6)} µs CPU/span  (+${Math.max(0, r.addedCpuUsPerSpan).toFixed(2)} over memory)`);
  }
  return lines.join('\n');
}

export function formatQueueBench(rows: QueueBenchRow[]): string {
  const lines = ['sending queue, end to end into DuckDB + PGlite (spans/s confirmed by both stores; CPU of the agentcol process):'];
  for (const r of rows) {
    lines.push(`  ${r.variant.padEnd(11)} ${String(Math.round(r.spansPerSecond)).padStart(7)} spans/s  ${(r.ofMemory * 100).toFixed(0).padStart(3)}% of memory  ${r.cpuUsPerSpan.toFixed(1).padStart(5)} µs CPU/span  peak RSS ${r.peakRssMiB.toFixed(0)} MiB  429s ${r.refused429}`);
  }
  const batch = rows.find((r) => r.variant === 'file/batch');
  if (batch) lines.push(`  fsync: batch keeps ${(batch.ofMemory * 100).toFixed(0)}% of the in-memory rate (target >= 75%)`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatQueueAloneBench(await runQueueAloneBench()));
  console.log(formatQueueBench(await runQueueBench({ seconds: Number(process.env.BENCH_SECONDS ?? 8) })));
}
