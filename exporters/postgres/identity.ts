// Idempotent writes in the row store (schema migration 2): a replayed batch (the persistent sending
// queue after a crash, or an SDK client retrying a request agentcol already stored) never doubles a
// row. Every table has a unique key that includes its partition key (PostgreSQL requires it on a
// partitioned table):
//   otel_traces            (trace_id, span_id, timestamp_unix_nano): the span's natural identity
//   otel_logs              (timestamp_unix_nano, record_id)
//   otel_metrics_*         (time_unix_nano, record_id)
// Logs and points: time first, rows arrive roughly in time order, so index inserts land near the
// right edge of the btree (measured on a server, staging path: 6% and 20% less wall time per batch
// than ids first). Spans: migration 2 built (timestamp_unix_nano, span_id, trace_id) next to
// version 1's btree on trace_id; migration 4 replaced both with one key led by trace_id, which
// serves trace lookups as well, one btree insert per span fewer (traceKeyMigration).
// Log records and metric points have no natural key, so `record_id` (uuid) is derived from the
// row's content: the first 128 bits of SHA-256 over the row's COPY text (core/storage/record-id.ts),
// which holds the resource, the scope and the record. The same record always gets the same id; two
// records that differ in any stored value get different ones (two identical in every value are one).
// Writes (copyIdempotent): COPY straight into the table under a savepoint, a plain COPY plus the
// unique index's upkeep; only when that hits the unique key (a replay) does the batch go through a
// per-session temporary staging table and INSERT ... SELECT ... ON CONFLICT DO NOTHING, which took
// 1.5-1.7x the wall time per batch on a server had every batch gone that way (README: Cost).
import { TRACES_TABLE, type TableDef } from '../../core/storage/model.ts';
import { recordId } from '../../core/storage/record-id.ts';
import { quoteIdent, type CopyFormat, type PgClient } from './client.ts';
import { timeColumn } from './schema.ts';

export const RECORD_ID = 'record_id';

/** Tables whose rows carry a content-derived record_id (all but traces, which have span ids). */
export function hasRecordId(table: TableDef): boolean {
  return table.signal !== 'traces';
}

/** The record id of a row's COPY text (its fields without the id): 32 hex digits, which
 * PostgreSQL's uuid input reads as they are. */
export function recordIdOf(copyLine: string | Uint8Array): string {
  return recordId(copyLine);
}

/** The unique key's columns as migration 2 built them (traces: see traceKeyMigration). */
export function identityColumns(table: TableDef): string[] {
  return table.signal === 'traces' ? ['timestamp_unix_nano', 'span_id', 'trace_id'] : [timeColumn(table), RECORD_ID];
}

export function identityIndexName(table: TableDef): string {
  return `${table.name}_identity`;
}

/** Migration 2's statements for one table. Existing rows: spans stored twice before the upgrade
 * (a retry after a lost acknowledgement) keep one copy, or the unique index could not be built;
 * existing log records and points keep a NULL record_id (NULLs never conflict). */
export function identityMigration(table: TableDef): string[] {
  const t = quoteIdent(table.name);
  const out: string[] = [];
  if (hasRecordId(table)) out.push(`ALTER TABLE ${t} ADD COLUMN ${RECORD_ID} uuid`);
  else {
    const same = identityColumns(table).map((c) => `a.${quoteIdent(c)} = b.${quoteIdent(c)}`).join(' AND ');
    out.push(`DELETE FROM ${t} a USING ${t} b WHERE a.tableoid = b.tableoid AND a.ctid > b.ctid AND ${same}`);
  }
  out.push(`CREATE UNIQUE INDEX ${quoteIdent(identityIndexName(table))} ON ${t} (${identityColumns(table).map(quoteIdent).join(', ')})`);
  return out;
}

/** Migration 4's key of otel_traces: trace lookups (`WHERE trace_id = ...`) and the span's identity
 * in one btree. */
export const TRACE_KEY_COLUMNS = ['trace_id', 'span_id', 'timestamp_unix_nano'];
export const TRACE_KEY_INDEX = 'otel_traces_trace_key';

/** Migration 4: otel_traces' unique key led by trace_id replaces both version 1's trace_id btree and
 * migration 2's (timestamp_unix_nano, span_id, trace_id) key. The same columns, so the same rows are
 * unique and the build cannot fail on stored data; each index was one btree insert per span (about 5
 * of PGlite's 35 µs of CPU per GenAI span, README: Cost). Built before the old ones are dropped, in
 * the migration's transaction: no moment without the key. */
export function traceKeyMigration(): string[] {
  return [
    `CREATE UNIQUE INDEX ${quoteIdent(TRACE_KEY_INDEX)} ON ${quoteIdent(TRACES_TABLE.name)} (${TRACE_KEY_COLUMNS.map(quoteIdent).join(', ')})`,
    `DROP INDEX ${quoteIdent(identityIndexName(TRACES_TABLE))}`,
    `DROP INDEX ${quoteIdent(`${TRACES_TABLE.name}_trace_id`)}`,
  ];
}

export function stagingTable(table: string): string {
  return `agentcol_stage_${table}`;
}

/** A staging table of the session's own with the table's columns (generated ones as plain
 * columns, no indexes), emptied at every commit; created once per connection. */
export function createStagingSql(table: string): string {
  return `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdent(stagingTable(table))} (LIKE ${quoteIdent(table)}) ON COMMIT DELETE ROWS`;
}

/** Moves the staged rows into the table, skipping rows it already holds. */
export function insertStagedSql(table: string, columns: string[]): string {
  const cols = columns.map(quoteIdent).join(', ');
  return `INSERT INTO ${quoteIdent(table)} (${cols}) SELECT ${cols} FROM ${quoteIdent(stagingTable(table))} ON CONFLICT DO NOTHING`;
}

/** unique_violation */
const UNIQUE_VIOLATION = '23505';

/**
 * One table's COPY payload into `table`, inside the caller's transaction `tx`, skipping rows the
 * table already holds. First a COPY straight into the table under a savepoint: new data, the common
 * case, costs what a plain COPY costs. If it hits the unique key (a replay, or a batch overlapping
 * one stored before), back to the savepoint, and the rows go through the staging table and
 * INSERT ... ON CONFLICT DO NOTHING, which keeps the new ones.
 */
export async function copyIdempotent(tx: PgClient, table: string, columns: string[], payload: Uint8Array, format: CopyFormat = 'text'): Promise<void> {
  await tx.exec('SAVEPOINT agentcol_copy');
  try {
    await tx.copyFrom(table, columns, payload, format);
    await tx.exec('RELEASE SAVEPOINT agentcol_copy');
    return;
  } catch (err) {
    if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
    await tx.exec('ROLLBACK TO SAVEPOINT agentcol_copy');
  }
  await tx.exec(createStagingSql(table));
  await tx.copyFrom(stagingTable(table), columns, payload, format);
  await tx.exec(insertStagedSql(table, columns));
}
