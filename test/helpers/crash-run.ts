// The crash scenario shared by test/e2e/crash-kill.test.ts and bench/crash-soak.ts: the agentcol
// command with persistent (file) sending queues in front of a ClickHouse server and a PostgreSQL
// server, a real OpenTelemetry SDK client streaming spans and recording acknowledgements, and
// SIGKILL at random points (seeded: the seed is in every result), each followed by a restart on the
// same working directory, which replays what the stores had not confirmed. At the end every span the
// client saw acknowledged must be in both stores exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { allocatePorts, startAgentcol, type Ports, type RunningAgentcol } from './agentcol-process.ts';
import type { ClickHouseTestServer } from './clickhouse-server.ts';
import { otlpIngest, serviceWithSelfMetrics } from './run-config.ts';
import { metricValue, scrape } from './self-metrics.ts';
import { startSpanLoad } from './span-load.ts';
import { prng } from './random.ts';

export interface CrashRunOptions {
  ch: ClickHouseTestServer;
  /** A database of the run's own (the tables are created in it). */
  pgUrl: string;
  /** ClickHouse database, created by agentcol. */
  database: string;
  kills: number;
  /** How long each agentcol runs (after it is healthy) before the kill: uniform in [min, max] ms. */
  upMs?: [number, number];
  /** fsync mode of both queues. */
  fsync?: 'always' | 'batch' | 'never';
  seed?: number;
  spansPerTick?: number;
  log?: (line: string) => void;
}

export interface CrashRunResult {
  seed: number;
  kills: number;
  /** Spans the client created, saw acknowledged, saw fail. */
  created: number;
  acked: number;
  failed: number;
  /** Acknowledged spans not in the store (must be empty). */
  missingPostgres: string[];
  missingClickHouse: string[];
  /** Rows minus distinct spans (must be 0; ClickHouse counted with FINAL). */
  doubledPostgres: number;
  doubledClickHouse: number;
  /** ClickHouse rows before FINAL folds replays: what the replays wrote again. */
  clickhouseRawRows: number;
  clickhouseRows: number;
  postgresRows: number;
  /** Batches replayed at the starts (from each run's self-metrics, read just before its kill). */
  replayedBatches: number;
  wallMs: number;
}

function config(p: Ports, o: CrashRunOptions): string {
  const queue = `sending_queue: { storage: file, directory: queue, fsync: ${o.fsync ?? 'batch'} }`;
  const retry = 'retry_on_failure: { initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 0 }';
  return `
${otlpIngest(p)}
processors:
  batch: { timeout: 100ms }
exporters:
  clickhouse:
    endpoint: ${o.ch.url}
    database: ${o.database}
    password: \${env:CLICKHOUSE_PASSWORD}
    timeout: 10s
    ${queue}
    ${retry}
  postgres:
    endpoint: \${env:PG_URL}
    ${queue}
    ${retry}
${serviceWithSelfMetrics(p)}
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [clickhouse, postgres] }
`;
}

async function queuesEmpty(metricsPort: number): Promise<boolean> {
  const text = await scrape(metricsPort).catch(() => '');
  return text !== '' && metricValue(text, 'otelcol_exporter_queue_size', { exporter: 'postgres' }) === 0 && metricValue(text, 'otelcol_exporter_queue_size', { exporter: 'clickhouse' }) === 0;
}

export async function crashRun(o: CrashRunOptions): Promise<CrashRunResult> {
  const t0 = Date.now();
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = prng(seed);
  const [minUp, maxUp] = o.upMs ?? [300, 1500];
  const log = o.log ?? (() => {});
  const ports = await allocatePorts();
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-crash-'));
  const env = { CLICKHOUSE_PASSWORD: o.ch.password, PG_URL: o.pgUrl };
  const text = config(ports, o);
  let run: RunningAgentcol | undefined;
  let replayedBatches = 0;
  const load = startSpanLoad(`http://127.0.0.1:${ports.http}`, { spansPerTick: o.spansPerTick ?? 20, tickMs: 50 });
  try {
    run = await startAgentcol(text, ports.health, { dir, env });
    for (let k = 1; k <= o.kills; k++) {
      const up = minUp + random() * (maxUp - minUp);
      await sleep(up);
      replayedBatches += metricValue(await scrape(ports.metrics).catch(() => ''), 'otelcol_exporter_queue_replayed_batches');
      run.child.kill('SIGKILL');
      await run.stop();
      log(`kill ${k}/${o.kills} after ${Math.round(up)} ms up; ${load.acked.size} spans acknowledged so far`);
      run = await startAgentcol(text, ports.health, { dir, env });
    }
    await sleep(1_000);
    await load.stop();
    // Everything acknowledged reaches both stores: wait for both queues to empty.
    const deadline = Date.now() + 90_000;
    while (!(await queuesEmpty(ports.metrics)) && Date.now() < deadline) await sleep(250);
    replayedBatches += metricValue(await scrape(ports.metrics).catch(() => ''), 'otelcol_exporter_queue_replayed_batches');
    const code = await run.stop('SIGTERM');
    if (code !== 0) throw new Error(`agentcol exited with ${code} at the final SIGTERM:\n${run.output().slice(-3000)}`);

    const c = new pg.Client({ connectionString: o.pgUrl });
    await c.connect();
    let pgIds: string[];
    try {
      pgIds = (await c.query<{ span_id: string }>('SELECT span_id FROM otel_traces')).rows.map((r) => r.span_id);
    } finally {
      await c.end();
    }
    const chIds = (await o.ch.query<{ SpanId: string }>(`SELECT SpanId FROM ${o.database}.otel_traces FINAL`)).map((r) => r.SpanId);
    const [{ n: raw }] = await o.ch.query<{ n: string }>(`SELECT count() AS n FROM ${o.database}.otel_traces`);
    const pgSet = new Set(pgIds);
    const chSet = new Set(chIds);
    const acked = [...load.acked.keys()];
    return {
      seed,
      kills: o.kills,
      created: load.created(),
      acked: acked.length,
      failed: load.failed(),
      missingPostgres: acked.filter((id) => !pgSet.has(id)),
      missingClickHouse: acked.filter((id) => !chSet.has(id)),
      doubledPostgres: pgIds.length - pgSet.size,
      doubledClickHouse: chIds.length - chSet.size,
      clickhouseRawRows: Number(raw),
      clickhouseRows: chIds.length,
      postgresRows: pgIds.length,
      replayedBatches,
      wallMs: Date.now() - t0,
    };
  } finally {
    await load.stop().catch(() => {});
    if (run && run.child.exitCode === null && run.child.signalCode === null) await run.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
