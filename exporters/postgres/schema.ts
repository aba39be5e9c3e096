// The model's tables in PostgreSQL (the row store): snake_case names derived from the model, every
// timestamp as exact unix nanoseconds (`*_unix_nano bigint`) plus a timestamptz generated from it,
// attribute maps as typed json, Nested groups as one json array of objects (json rather than jsonb:
// verbatim text for the record, and cheaper to ingest; see README).
import { isNested, rowName, unixNanoName, type ColumnDef, type ScalarType, type TableColumn, type TableDef } from '../../core/storage/model.ts';
import { modelMigrations, type Migration, type SchemaDialect } from '../../core/storage/migrations.ts';
import { TABLES } from '../../core/storage/model.ts';
import { identityMigration, traceKeyMigration } from './identity.ts';
import { RETENTION_RUNS_DDL } from './retention.ts';
import { quoteIdent } from './client.ts';
import { STATE_DDL } from './state-store.ts';

const SCALAR: Record<Exclude<ScalarType, 'timestamp_ns'>, string> = {
  string: 'text',
  timestamp_s: 'timestamptz',
  uint8: 'smallint',
  int32: 'integer',
  uint32: 'bigint',
  int64: 'bigint',
  uint64: 'bigint',
  float64: 'double precision',
  bool: 'boolean',
  attributes: 'json',
};

/** One physical column: what COPY writes (`source` = the FlatTable key) or a generated column. */
export interface PgColumn {
  name: string;
  sqlType: string;
  /** FlatTable column key this is written from; undefined for generated columns. */
  source?: string;
  /** Generated columns are computed by PostgreSQL, never written. */
  generated?: string;
  def: TableColumn;
}

export function pgColumns(columns: TableColumn[]): PgColumn[] {
  const out: PgColumn[] = [];
  for (const c of columns) {
    const name = rowName(c.name);
    if (isNested(c)) {
      out.push({ name, sqlType: 'json', source: c.name, def: c });
    } else if (c.type === 'timestamp_ns') {
      const ns = unixNanoName(name);
      // to_timestamp(float8) is immutable; whole microseconds as a double convert exactly.
      out.push({ name, sqlType: 'timestamptz', generated: `to_timestamp((${quoteIdent(ns)} / 1000)::float8 / 1000000)`, def: c });
      out.push({ name: ns, sqlType: 'bigint', source: c.name, def: c });
    } else {
      const t = typeof c.type === 'string' ? SCALAR[c.type as Exclude<ScalarType, 'timestamp_ns'>] : c.type.list === 'uint64' ? 'bigint[]' : 'double precision[]';
      out.push({ name, sqlType: t, source: c.name, def: c as ColumnDef });
    }
  }
  return out;
}

function columnSql(c: PgColumn): string {
  return c.generated
    ? `${quoteIdent(c.name)} ${c.sqlType} GENERATED ALWAYS AS (${c.generated}) STORED`
    : `${quoteIdent(c.name)} ${c.sqlType}`;
}

/** The column a table is partitioned (by day) and BRIN-indexed on: exact unix nanoseconds. */
export function timeColumn(table: TableDef): string {
  return table.signal === 'metrics' ? 'time_unix_nano' : 'timestamp_unix_nano';
}

/** Indexes of schema version 1, declared on the partitioned table so every partition has them:
 * time ranges (BRIN: tiny, cheap to maintain on append-only tables) and trace lookups. */
function indexes(table: TableDef): string[] {
  const t = quoteIdent(table.name);
  const brin = `CREATE INDEX ${quoteIdent(`${table.name}_time_brin`)} ON ${t} USING brin (${timeColumn(table)})`;
  if (table.signal === 'metrics') return [brin];
  return [brin, `CREATE INDEX ${quoteIdent(`${table.name}_trace_id`)} ON ${t} (trace_id)`];
}

export const postgresDialect: SchemaDialect = {
  // Partitioned by day on the time column (partitions.ts creates them as data arrives), so
  // retention drops whole partitions, never deletes rows.
  createTable(table, columns) {
    return [
      `CREATE TABLE ${quoteIdent(table.name)} (\n  ${pgColumns(columns).map(columnSql).join(',\n  ')}\n) PARTITION BY RANGE (${timeColumn(table)})`,
      ...indexes(table),
    ];
  },
  addColumns(table, columns) {
    return pgColumns(columns).map((c) => `ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${columnSql(c)}`);
  },
};

/** The row store's migrations: the model's, with version 1 also creating retention_runs, then its
 * own: 2 (unique keys), 3 (component state), 4 (traces: one key for lookups and identity). Version
 * 1's name says what it builds, so a database made by an earlier build of version 1 (unpartitioned,
 * jsonb) is refused at start as diverged rather than written into. */
export function postgresMigrations(): Migration[] {
  const [v1, ...later] = modelMigrations(postgresDialect);
  if (later.length) throw new Error('the model has a schema version 2: renumber the row store\'s own migrations after it');
  return [
    { ...v1, name: 'create otel tables, partitioned by day; retention_runs', statements: [...v1.statements, RETENTION_RUNS_DDL] },
    // The row store's own, after the model's (identity.ts): replays never double a row.
    { version: 2, name: 'idempotent writes: unique keys, record_id', statements: TABLES.flatMap(identityMigration) },
    // Component state that survives restarts (state-store.ts; e.g. anomaly baselines).
    { version: 3, name: 'agentcol_state: component state store', statements: STATE_DDL },
    // One btree per span fewer: otel_traces' unique key led by trace_id serves trace lookups too.
    { version: 4, name: 'otel_traces: one unique key (trace_id, span_id, timestamp_unix_nano)', statements: traceKeyMigration() },
  ];
}
