// Retention of the embedded columnar store: whole day tables (day-tables.ts) whose day ended more
// than `retention` ago are dropped, never rows deleted. Each run that drops something is a row in
// `retention_runs`, with the columns the row store and ClickHouse use (run_at, table_name, cutoff,
// partitions_dropped, retention). The writer runs it (writer.ts retain), on the connection and
// thread that write, so it never races an append.
export { expiredDayTables, type RetentionRun } from '../../core/storage/days.ts';

export const RETENTION_RUNS_TABLE = 'retention_runs';

/** Created by migration 3 (day-tables.ts). */
export const RETENTION_RUNS_DDL =
  `CREATE TABLE ${RETENTION_RUNS_TABLE} (run_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT current_timestamp, table_name VARCHAR NOT NULL, ` +
  'cutoff TIMESTAMP WITH TIME ZONE NOT NULL, partitions_dropped VARCHAR[] NOT NULL, retention VARCHAR NOT NULL)';

export const RECORD_RUN_SQL = `INSERT INTO ${RETENTION_RUNS_TABLE} (table_name, cutoff, partitions_dropped, retention) VALUES ($1, $2::TIMESTAMPTZ, $3, $4)`;

