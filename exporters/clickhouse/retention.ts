// Retention on servers without TTL ... ttl_only_drop_parts (before 20.8, e.g. Debian's 18.16):
// every table is partitioned by day (ddl.ts), so day partitions whose whole day ended more than
// `retention` ago are dropped (ALTER TABLE … DROP PARTITION), never rows deleted. Each run that
// drops something is a row in `retention_runs`, as in the row store. Newer servers drop expired
// parts themselves through the table TTL, which ddl.ts sets when the tables are created.
import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from '../../core/storage/model.ts';
import { dayExpired, type RetentionRun } from '../../core/storage/days.ts';
import { onCluster, qualified, quoteString, type DdlOptions } from './ddl.ts';

export const RETENTION_RUNS_TABLE = 'retention_runs';

/** Created with migration 3 (dedup.ts clickhouseMigrations) on every server. */
export function retentionRunsSql(o: DdlOptions): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(o, RETENTION_RUNS_TABLE)}${onCluster(o)} ` +
    '(run_at DateTime DEFAULT now(), table_name String, cutoff DateTime, partitions_dropped Array(String), retention String) ' +
    `ENGINE = MergeTree() ORDER BY run_at`
  );
}

export type { RetentionRun };

/** Drops every day partition of the otel tables whose whole day is older than now - retentionMs. */
export async function applyRetention(client: ClickHouseClient, o: DdlOptions, retentionMs: number, retentionText: string, nowMs = Date.now()): Promise<RetentionRun[]> {
  const cutoffMs = nowMs - retentionMs;
  const rs = await client.query({
    query:
      `SELECT table, partition FROM system.parts WHERE database = ${quoteString(o.database)} AND active ` +
      `AND table IN (${TABLES.map((t) => quoteString(t.name)).join(', ')}) GROUP BY table, partition ORDER BY table, partition`,
    format: 'JSONEachRow',
  });
  const parts = await rs.json<{ table: string; partition: string }>();
  const expired = new Map<string, string[]>();
  for (const p of parts) {
    // The partition of toDate(...) reads as 'YYYY-MM-DD' (quoted in some server versions).
    const day = Date.parse(`${p.partition.replace(/'/g, '')}T00:00:00Z`);
    if (Number.isNaN(day) || !dayExpired(day, cutoffMs)) continue;
    const list = expired.get(p.table) ?? [];
    list.push(p.partition.replace(/'/g, ''));
    expired.set(p.table, list);
  }
  const runs: RetentionRun[] = [];
  for (const [table, days] of expired) {
    for (const day of days) await client.command({ query: `ALTER TABLE ${qualified(o, table)}${onCluster(o)} DROP PARTITION ${quoteString(day)}` });
    await client.command({
      query:
        `INSERT INTO ${qualified(o, RETENTION_RUNS_TABLE)} (table_name, cutoff, partitions_dropped, retention) VALUES ` +
        `(${quoteString(table)}, toDateTime(${Math.floor(cutoffMs / 1000)}), [${days.map(quoteString).join(', ')}], ${quoteString(retentionText)})`,
    });
    runs.push({ table, dropped: days });
  }
  return runs;
}
