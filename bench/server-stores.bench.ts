// Rows per second into the server stores: a ClickHouse server and a PostgreSQL server, each of the
// bench's own (started as the tests start them: test/helpers/clickhouse-server.ts, a cluster in a
// temp dir like test/global-postgres.ts), written through the exporters with 8192-span GenAI batches
// (what the batch processor hands over). Besides rows/s (wall; the servers' CPU is in their own
// processes), agentcol's side: process CPU per row. And, rounds interleaved in the same run, what
// idempotent writes cost on the PostgreSQL server (schema 2's COPY under unique keys, and the replay
// of a stored batch, against schema 1's plain COPY) and in the ClickHouse exporter (RecordId:
// hashing each log row's text).
// Skipped, with the reason, when the server binaries are missing.
// Run alone: node --import tsx bench/server-stores.bench.ts
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Batch, Exporter, Signal } from '../core/component.ts';
import { flattenBatch } from '../core/storage/flatten.ts';
import { LOGS_TABLE } from '../core/storage/model.ts';
import { silentLogger } from '../core/telemetry/logger.ts';
import { MetricsRegistry } from '../core/telemetry/metrics.ts';
import { capabilitiesOf } from '../exporters/clickhouse/capabilities.ts';
import { chColumns } from '../exporters/clickhouse/columns.ts';
import clickhouseFactory from '../exporters/clickhouse/factory.ts';
import { jsonEachRow } from '../exporters/clickhouse/rows.ts';
import postgresFactory from '../exporters/postgres/factory.ts';
import { ServerPgClient } from '../exporters/postgres/server-client.ts';
import type { LogsBatch } from '../core/signals/types.ts';
import { makeGenAiTraces, makeOddLogs } from '../test/core/storage-fixtures.ts';
import { startClickHouse } from '../test/helpers/clickhouse-server.ts';
import { postgresBinDir, startPostgresCluster } from '../test/helpers/postgres-cluster.ts';
import { comparePaths, migrateRowStore, ratio, rowStoreWriter, withoutStaging, type PathCost } from './idempotency-cost.ts';

export interface StoreRate {
  rowsPerSecond: number;
  /** This process's CPU (exporter side: rows, encoding, the client) per row. */
  cpuUsPerRow: number;
}

export interface ServerStoresBenchResult {
  skipped?: string;
  clickhouse?: { server: string; traces: StoreRate };
  postgres?: { server: string; traces: StoreRate };
  idempotency?: {
    postgres: Record<string, PathCost>;
    /** CPU per span (this process), schema 2 / schema 1. */
    postgresCpuRatio: number;
    /** Wall per batch (includes the server's work), schema 2 / schema 1. */
    postgresWallRatio: number;
    /** Wall per batch of a batch written again (every row already stored) / schema 1's new batch. */
    postgresReplayWallRatio: number;
    /** JSONEachRow of log rows with RecordId / without: CPU per row. */
    clickhouseRecordIdCpuRatio: number;
  };
}

const SPANS = 8192;
const PG_V1 = 'schema 1: COPY';
const PG_V2 = 'schema 2: COPY under unique keys';
const PG_REPLAY = 'schema 2: the same batch again (staging + ON CONFLICT skips every row)';

function missingBinaries(): string | undefined {
  const ch = ['/usr/bin/clickhouse', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].some((p) => existsSync(p));
  if (!ch) return 'no ClickHouse server binary (apt-get install clickhouse-server, as .ci/run does)';
  if (!postgresBinDir()) return 'no PostgreSQL server binaries (apt-get install postgresql)';
  return undefined;
}

async function writeRate(ex: Exporter, signal: Signal, batches: Batch[], rows: number): Promise<StoreRate> {
  await ex.export(signal, batches[0]); // warm-up: tables, partitions, connections
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (const b of batches.slice(1)) await ex.export(signal, b);
  const ms = performance.now() - t;
  const c = process.cpuUsage(cpu);
  const n = rows * (batches.length - 1);
  return { rowsPerSecond: (n / ms) * 1000, cpuUsPerRow: (c.user + c.system) / n };
}

/** CPU per row of rendering log rows as JSONEachRow, with RecordId / without, interleaved. */
function recordIdCost(rounds = 30): number {
  const caps = capabilitiesOf('18.16.1');
  const many: LogsBatch = { resourceLogs: Array.from({ length: 200 }, () => makeOddLogs().resourceLogs).flat() };
  const [t] = flattenBatch('logs', many);
  const cols = chColumns(LOGS_TABLE.columns, caps);
  const cost = { plain: [] as number[], id: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const withId of [false, true]) {
      const c0 = process.cpuUsage();
      jsonEachRow(t, cols, withId);
      const c = process.cpuUsage(c0);
      (withId ? cost.id : cost.plain).push(c.user + c.system);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return med(cost.id) / med(cost.plain);
}

export async function runServerStoresBench(opts: { batches?: number } = {}): Promise<ServerStoresBenchResult> {
  const skipped = missingBinaries();
  if (skipped) {
    console.log(`server-stores bench skipped: ${skipped}`);
    return { skipped };
  }
  const n = opts.batches ?? 6;
  const batches: Batch[] = Array.from({ length: n + 1 }, (_, i) => makeGenAiTraces(SPANS, 100 + i));
  const ctx = { logger: silentLogger, metrics: new MetricsRegistry() };
  const [ch, pgc] = await Promise.all([startClickHouse(), startPostgresCluster()]);
  try {
    const [{ version: chVersion }] = await ch.query<{ version: string }>('SELECT version() AS version');
    const che = clickhouseFactory.create({ ...ctx, id: 'clickhouse', config: clickhouseFactory.normalize!({ endpoint: ch.url, password: ch.password, database: 'bench' }) });
    await che.start({} as never);
    const chRate = await writeRate(che, 'traces', batches, SPANS);
    await che.shutdown();

    const admin = await ServerPgClient.open({ connectionString: pgc.url, maxConnections: 1, connectTimeoutMs: 5000 });
    for (const db of ['bench', 'bench_v1', 'bench_v2']) await admin.exec(`CREATE DATABASE ${db}`);
    const [{ version: pgVersion }] = await admin.query<{ version: string }>("SELECT current_setting('server_version') AS version");
    await admin.close();
    const url = (db: string) => pgc.url.replace(/\/postgres$/, `/${db}`);
    const pge = postgresFactory.create({ ...ctx, id: 'postgres', config: postgresFactory.normalize!({ endpoint: url('bench') }) });
    await pge.start({} as never);
    const pgRate = await writeRate(pge, 'traces', batches, SPANS);
    await pge.shutdown();

    const v1 = await ServerPgClient.open({ connectionString: url('bench_v1'), maxConnections: 1, connectTimeoutMs: 5000 });
    const v2 = await ServerPgClient.open({ connectionString: url('bench_v2'), maxConnections: 1, connectTimeoutMs: 5000 });
    let postgres: Record<string, PathCost>;
    try {
      await migrateRowStore(v1, true);
      await migrateRowStore(v2, false);
      postgres = await comparePaths({ [PG_V1]: rowStoreWriter(withoutStaging(v1)), [PG_V2]: rowStoreWriter(v2), [PG_REPLAY]: rowStoreWriter(v2) }, batches, SPANS, Math.floor(n / 2), 2);
    } finally {
      await v1.close();
      await v2.close();
    }
    const wall = (k: string) => postgres[k].wallMsPerBatch;
    return {
      clickhouse: { server: chVersion, traces: chRate },
      postgres: { server: pgVersion, traces: pgRate },
      idempotency: {
        postgres,
        postgresCpuRatio: ratio(postgres, PG_V2, PG_V1),
        postgresWallRatio: wall(PG_V2) / wall(PG_V1),
        postgresReplayWallRatio: wall(PG_REPLAY) / wall(PG_V1),
        clickhouseRecordIdCpuRatio: recordIdCost(),
      },
    };
  } finally {
    await ch.stop();
    pgc.stop();
  }
}

export function formatServerStoresBench(r: ServerStoresBenchResult): string {
  if (r.skipped) return `server stores: skipped (${r.skipped})`;
  const f = (s: StoreRate) => `${Math.round(s.rowsPerSecond)} rows/s (agentcol CPU ${s.cpuUsPerRow.toFixed(1)} µs/row)`;
  return (
    `server stores, 8192-span batches: ClickHouse ${r.clickhouse!.server} ${f(r.clickhouse!.traces)}; PostgreSQL ${r.postgres!.server} ${f(r.postgres!.traces)}\n` +
    `idempotent writes: PostgreSQL server schema 2 / schema 1 = ${r.idempotency!.postgresCpuRatio.toFixed(3)} (agentcol CPU per span), ` +
    `${r.idempotency!.postgresWallRatio.toFixed(3)} (wall per batch), replay of a stored batch / schema 1 = ${r.idempotency!.postgresReplayWallRatio.toFixed(3)} (wall); ClickHouse log rows with RecordId / without = ${r.idempotency!.clickhouseRecordIdCpuRatio.toFixed(3)} (CPU per row)`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runServerStoresBench();
  console.log(formatServerStoresBench(r));
  console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2));
}
