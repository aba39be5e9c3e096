// Retention of the row store: whole day partitions (partitions.ts) whose day ended more than
// `retention` ago are dropped, never rows deleted. Each run that drops something is recorded in
// `retention_runs` (when, which table, which partitions, the cutoff), the evidence an auditor asks
// for when records are gone by policy.
import { dayTableDayMs, expiredDayTables, type RetentionRun } from '../../core/storage/days.ts';
import { TABLES } from '../../core/storage/model.ts';
import { quoteIdent, type PgClient } from './client.ts';

/** Created with the otel tables (see schema.ts postgresMigrations). */
export const RETENTION_RUNS_DDL =
  'CREATE TABLE retention_runs (run_at timestamptz NOT NULL DEFAULT now(), table_name text NOT NULL, ' +
  'cutoff timestamptz NOT NULL, partitions_dropped text[] NOT NULL, retention text NOT NULL)';

export type { RetentionRun };

/** The UTC day (ms at midnight) a partition holds, from its name; undefined for other tables. */
export const partitionDayMs = dayTableDayMs;

/** Drops the partitions of every table whose whole day is older than now - retentionMs. */
export async function applyRetention(client: PgClient, retentionMs: number, retentionText: string, nowMs = Date.now()): Promise<RetentionRun[]> {
  const cutoffMs = nowMs - retentionMs;
  const runs: RetentionRun[] = [];
  for (const t of TABLES) {
    const parts = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = $1 AND p.relnamespace = c.relnamespace AND pg_table_is_visible(p.oid)`,
      [t.name],
    );
    const expired = expiredDayTables(
      parts.map((p) => p.name),
      cutoffMs,
    );
    if (!expired.length) continue;
    await client.transaction(async (tx) => {
      for (const name of expired) await tx.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      await tx.query('INSERT INTO retention_runs (table_name, cutoff, partitions_dropped, retention) VALUES ($1, $2, $3, $4)', [
        t.name,
        new Date(cutoffMs).toISOString(),
        expired,
        retentionText,
      ]);
    });
    runs.push({ table: t.name, dropped: expired });
  }
  return runs;
}
