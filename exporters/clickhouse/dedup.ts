// Events counted once (schema migration 2). ClickHouse has no unique keys; a replayed batch (the
// persistent sending queue after a crash, a retry after a lost acknowledgement, an insert that timed
// out on our side but completed on the server) is written again, and ReplacingMergeTree folds rows
// whose ORDER BY key is equal into one when it merges parts. So every table is ordered by the
// collector's key plus the event's identity (ddl.ts identityColumns): traces by TraceId and SpanId,
// logs and metric points by RecordId, a hash of the row's JSONEachRow text (its resource, scope and
// record: core/storage/record-id.ts). Until parts merge a replayed row may be there twice: queries
// that must count each event once read `FROM table FINAL` (or uniqExact / argMax / LIMIT 1 BY, see
// README). This works on every server from 18.16; insert deduplication tokens would need 22.2+ and
// would not cover an SDK client resending a request.
//
// Tables created by version 1 are MergeTree, and ClickHouse cannot change a table's engine or key in
// place, so version 2 renames each to `<table>_mergetree`, creates the new table, copies the rows
// over (old log records and points get a RecordId from cityHash64 of their columns) and drops the old
// one. ClickHouse has no transactions: every step is safe to run again (session.ts takes "already
// renamed" and "already copied and dropped" as done), and a copy run twice folds into one.
import { columnsAt, SCHEMA_VERSION, TABLES, type TableDef } from '../../core/storage/model.ts';
import { modelMigrations, type Migration } from '../../core/storage/migrations.ts';
import { chColumns } from './columns.ts';
import { retentionRunsSql } from './retention.ts';
import { clickhouseDialect, createTableSql, hasRecordId, onCluster, qualified, quoteIdent, RECORD_ID, type DdlOptions } from './ddl.ts';

export const DEDUP_VERSION = 2;

export function retiredTable(table: string): string {
  return `${table}_mergetree`;
}

function copyRowsSql(table: TableDef, o: DdlOptions): string {
  const cols = chColumns(columnsAt(table, 1), o.caps);
  const names = cols.map((c) => quoteIdent(c.name));
  const hashed = cols.map((c) => (c.type.startsWith('Nullable') && !c.group ? `ifNull(toString(${quoteIdent(c.name)}), '')` : quoteIdent(c.name)));
  const target = hasRecordId(table) ? [...names, quoteIdent(RECORD_ID)] : names;
  const source = hasRecordId(table) ? [...names, `lower(hex(cityHash64(${hashed.join(', ')})))`] : names;
  return `INSERT INTO ${qualified(o, table.name)} (${target.join(', ')}) SELECT ${source.join(', ')} FROM ${qualified(o, retiredTable(table.name))}`;
}

export function dedupStatements(table: TableDef, o: DdlOptions): string[] {
  return [
    `RENAME TABLE ${qualified(o, table.name)} TO ${qualified(o, retiredTable(table.name))}${onCluster(o)}`,
    createTableSql(table, columnsAt(table, SCHEMA_VERSION), o, true),
    copyRowsSql(table, o),
    `DROP TABLE IF EXISTS ${qualified(o, retiredTable(table.name))}${onCluster(o)}`,
  ];
}

/** The model's migrations, then the columnar store's own: 2 (deduplication), 3 (retention_runs). */
export function clickhouseMigrations(o: DdlOptions): Migration[] {
  const model = modelMigrations(clickhouseDialect(o));
  if (model.length >= DEDUP_VERSION) throw new Error('the model has a schema version 2: renumber the clickhouse store\'s own migrations after it');
  return [
    ...model,
    { version: DEDUP_VERSION, name: 'ReplacingMergeTree by event identity, RecordId', statements: TABLES.flatMap((t) => dedupStatements(t, o)) },
    { version: DEDUP_VERSION + 1, name: 'retention_runs', statements: [retentionRunsSql(o)] },
  ];
}
