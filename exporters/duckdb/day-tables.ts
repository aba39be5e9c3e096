// Day tables: DuckDB has no partitions, so each model table (`otel_traces`, `otel_logs`,
// `otel_metrics_*`) is stored as one physical table per UTC day of its row time,
// `<table>_pYYYYMMDD` (the day rule of core/storage/days.ts, the same as the row store's
// partitions), and the model's name is a VIEW over all of them. Retention then drops whole day
// tables instead of deleting rows (a DELETE in DuckDB only marks rows; the space comes back only
// when a row group is rewritten). The view always includes an empty `<table>_template`, so it has
// the model's columns and types while no day table exists yet.
import { DAY_NS, dayOf, dayTableName, timeColumn } from '../../core/storage/days.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import type { Migration, SqlSession } from '../../core/storage/migrations.ts';
import { SCHEMA_VERSION, TABLES, columnsAt, type TableDef } from '../../core/storage/model.ts';
import { columnNames, createTableSql, quoteIdent } from './ddl.ts';
import { RETENTION_RUNS_DDL } from './retention.ts';

export function templateName(table: TableDef): string {
  return `${table.name}_template`;
}

/** The current model's columns (day tables and templates are always created at the latest schema). */
function modelColumns(table: TableDef) {
  return columnsAt(table, SCHEMA_VERSION);
}

export function createDayTableSql(table: TableDef, name: string): string {
  return createTableSql(name, modelColumns(table));
}

/** The model table as a view: the template, then every day table (oldest first), columns by name. */
export function viewSql(table: TableDef, dayTables: Iterable<string>): string {
  const cols = columnNames(modelColumns(table)).join(', ');
  const sources = [templateName(table), ...[...dayTables].sort()];
  return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS ${sources.map((s) => `SELECT ${cols} FROM ${quoteIdent(s)}`).join(' UNION ALL ')}`;
}

/** The day tables of every model table, as the catalog holds them (loaded at open, kept in step with
 * every CREATE and DROP the writer commits). */
export class DayTableSet {
  private readonly byTable = new Map<string, Set<string>>();
  private readonly all = new Set<string>();

  has(name: string): boolean {
    return this.all.has(name);
  }

  /** The day tables of `table`, sorted (oldest first). */
  of(table: string): string[] {
    return [...(this.byTable.get(table) ?? [])].sort();
  }

  add(table: string, name: string): void {
    let set = this.byTable.get(table);
    if (!set) this.byTable.set(table, (set = new Set()));
    set.add(name);
    this.all.add(name);
  }

  delete(table: string, name: string): void {
    this.byTable.get(table)?.delete(name);
    this.all.delete(name);
  }

  /** Reads the day tables from the catalog. */
  static async load(session: SqlSession): Promise<DayTableSet> {
    const set = new DayTableSet();
    const names = (await session.query(CATALOG_TABLES_SQL)).map((r) => String(r.table_name));
    for (const t of TABLES) {
      const pattern = dayTablePattern(t);
      for (const n of names) if (pattern.test(n)) set.add(t.name, n);
    }
    return set;
  }
}

const CATALOG_TABLES_SQL = `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary`;

function dayTablePattern(t: TableDef): RegExp {
  return new RegExp(`^${t.name.replace(/[^a-z0-9]/gi, (c) => `\\${c}`)}_p\\d{8}$`);
}

/** The rows of one day of one table. */
export interface DayRows {
  day: bigint;
  rows: FlatTable;
}

/**
 * Splits a table's rows by day. A batch almost always falls on one day: then the table is returned
 * as it is, after one pass of bigint comparisons against that day's bounds (no copy). Only a batch
 * across midnight (or a backfill) is copied into one FlatTable per day.
 */
export function splitByDay(t: FlatTable): DayRows[] {
  if (t.rowCount === 0) return [];
  const times = t.columns[timeColumn(t.table)] as Array<bigint | number | null>;
  const first = dayOf(times[0]);
  const lo = first * DAY_NS;
  const hi = lo + DAY_NS;
  let i = 1;
  for (; i < t.rowCount; i++) {
    const v = times[i] ?? 0;
    if (v < lo || v >= hi) break;
  }
  if (i === t.rowCount) return [{ day: first, rows: t }];
  const groups = new Map<bigint, number[]>();
  let lastDay = first;
  let last: number[] = Array.from({ length: i }, (_, k) => k);
  groups.set(first, last);
  for (; i < t.rowCount; i++) {
    const day = dayOf(times[i]);
    if (day !== lastDay) {
      lastDay = day;
      last = groups.get(day) ?? [];
      groups.set(day, last);
    }
    last.push(i);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, rows]) => ({ day, rows: pick(t, rows) }));
}

function pick(t: FlatTable, rows: number[]): FlatTable {
  const columns: Record<string, unknown[]> = {};
  for (const key of Object.keys(t.columns)) {
    const src = t.columns[key];
    const out = new Array<unknown>(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = src[rows[k]];
    columns[key] = out;
  }
  return { table: t.table, rowCount: rows.length, columns };
}

export const DAY_TABLES_VERSION = 3;
const DAY_TABLES_NAME = 'day tables: otel tables become views over one table per UTC day; retention_runs';

/**
 * Migration 3: the plain tables of a database written by schema 2 become day tables. Its statements
 * depend on the days the rows fall on, so they are built from the database when the migration is
 * still pending (`pending`: false gives the name only). One transaction (runMigrations): every row
 * is copied into its day table, the plain table dropped and the view created, or, if anything fails
 * or the process dies, nothing changed and the next start runs it again. On a new database the
 * plain tables are created by migration 1 in the same run and are empty.
 */
export async function dayTablesMigration(session: SqlSession, pending: boolean): Promise<Migration> {
  const statements: string[] = [];
  if (pending) {
    const existing = new Set((await session.query(CATALOG_TABLES_SQL)).map((r) => String(r.table_name)));
    for (const t of TABLES) {
      const days: bigint[] = [];
      const time = quoteIdent(timeColumn(t));
      const ns = `coalesce(epoch_ns(${time}), 0)`;
      if (existing.has(t.name)) {
        const rows = await session.query(`SELECT DISTINCT ${ns} // ${DAY_NS} AS day FROM ${quoteIdent(t.name)} ORDER BY day`);
        for (const r of rows) days.push(BigInt(r.day as bigint));
      }
      statements.push(createDayTableSql(t, templateName(t)));
      const names: string[] = [];
      for (const day of days) {
        const name = dayTableName(t.name, day);
        names.push(name);
        statements.push(
          createDayTableSql(t, name),
          // On the bare column, so DuckDB skips row groups outside the day by their min/max.
          `INSERT INTO ${quoteIdent(name)} BY NAME SELECT * FROM ${quoteIdent(t.name)} ` +
            `WHERE (${time} >= make_timestamp_ns(${day * DAY_NS}) AND ${time} < make_timestamp_ns(${(day + 1n) * DAY_NS}))${day === 0n ? ` OR ${time} IS NULL` : ''}`,
        );
      }
      if (existing.has(t.name)) {
        // Every row went somewhere, or the migration fails (and rolls back) rather than dropping one.
        const moved = names.map((n) => `(SELECT count(*) FROM ${quoteIdent(n)})`).join(' + ') || '0';
        statements.push(
          `SELECT CASE WHEN (SELECT count(*) FROM ${quoteIdent(t.name)}) <> ${moved} ` +
            `THEN error('${t.name}: not every row was moved into its day table') END`,
        );
      }
      statements.push(`DROP TABLE IF EXISTS ${quoteIdent(t.name)}`, viewSql(t, names));
    }
    statements.push(RETENTION_RUNS_DDL);
  }
  return { version: DAY_TABLES_VERSION, name: DAY_TABLES_NAME, statements };
}
