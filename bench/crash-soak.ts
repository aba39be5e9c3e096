// Crash soak: the crash test's scenario (test/helpers/crash-run.ts) with many more kills. agentcol
// with file queues in front of a ClickHouse server and a PostgreSQL server (both the bench's own) is
// SIGKILLed at seeded random points under a steady OpenTelemetry SDK stream and restarted each time;
// at the end every acknowledged span must be in both stores exactly once.
//   npm run bench -- crash-soak          CRASH_KILLS (default 50), CRASH_SEED, CRASH_FSYNC (batch),
//                                        CRASH_UP_MS (e.g. 300-1500: time up before each kill)
// Exits non-zero when a span is missing or doubled. Skipped when the server binaries are missing.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startClickHouse } from '../test/helpers/clickhouse-server.ts';
import { crashRun, type CrashRunResult } from '../test/helpers/crash-run.ts';
import { postgresBinDir, startPostgresCluster } from '../test/helpers/postgres-cluster.ts';

export interface CrashSoakResult extends Omit<CrashRunResult, 'missingPostgres' | 'missingClickHouse'> {
  missingPostgres: number;
  missingClickHouse: number;
  ok: boolean;
}

export async function runCrashSoak(): Promise<CrashSoakResult | { skipped: string }> {
  const ch = ['/usr/bin/clickhouse', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].some((p) => existsSync(p));
  if (!ch || !postgresBinDir()) {
    const skipped = `needs the ClickHouse and PostgreSQL server binaries (${ch ? 'postgresql' : 'clickhouse-server'} is missing; see .ci/run)`;
    console.log(`crash-soak skipped: ${skipped}`);
    return { skipped };
  }
  const kills = Number(process.env.CRASH_KILLS ?? 50);
  const up = (process.env.CRASH_UP_MS ?? '300-1500').split('-').map(Number) as [number, number];
  const fsync = (process.env.CRASH_FSYNC ?? 'batch') as 'always' | 'batch' | 'never';
  const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : undefined;
  const [server, pgc] = await Promise.all([startClickHouse(), startPostgresCluster()]);
  try {
    const t0 = Date.now();
    const r = await crashRun({ ch: server, pgUrl: pgc.url, database: 'soak', kills, upMs: up, fsync, seed, log: (l) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${l}`) });
    const ok = !r.missingPostgres.length && !r.missingClickHouse.length && !r.doubledPostgres && !r.doubledClickHouse;
    if (!ok) console.log(`missing from PostgreSQL: ${r.missingPostgres.slice(0, 20).join(',')}; from ClickHouse: ${r.missingClickHouse.slice(0, 20).join(',')}`);
    return { ...r, missingPostgres: r.missingPostgres.length, missingClickHouse: r.missingClickHouse.length, ok };
  } finally {
    await server.stop();
    pgc.stop();
  }
}

export function formatCrashSoak(r: CrashSoakResult | { skipped: string }): string {
  if ('skipped' in r) return `crash soak: skipped (${r.skipped})`;
  return (
    `crash soak (seed ${r.seed}): ${r.kills} SIGKILLs in ${(r.wallMs / 1000).toFixed(0)} s; ${r.acked} of ${r.created} spans acknowledged (${r.failed} in failed requests); ` +
    `${r.replayedBatches} batches replayed; missing postgres=${r.missingPostgres} clickhouse=${r.missingClickHouse}; doubled postgres=${r.doubledPostgres} clickhouse=${r.doubledClickHouse} ` +
    `(ClickHouse rows before FINAL ${r.clickhouseRawRows}, after ${r.clickhouseRows}): ${r.ok ? 'OK' : 'FAILED'}`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runCrashSoak();
  console.log(formatCrashSoak(r));
  if ('ok' in r && !r.ok) process.exitCode = 1;
}
