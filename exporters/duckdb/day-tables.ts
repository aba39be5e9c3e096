// The tables behind each model name. DuckDB has no partitions, so each model table (`otel_traces`,
// `otel_logs`, `otel_metrics_*`) is a VIEW over physical tables of the model's columns:
// - an empty `<table>_template`, always (the view has the model's columns and types even when
//   nothing else exists);
// - with `retention` set, one table per UTC day of row time, `<table>_pYYYYMMDD` (the day rule of
//   core/storage/days.ts, the same as the row store's partitions): retention drops whole day tables
//   instead of deleting rows (a DELETE in DuckDB only marks rows; the space comes back only when a
//   row group is rewritten);
// - without retention, one table `<table>_all` that takes every row: a query plans every branch of
//   the view (~0.5 ms CPU per table), so a view that grew by a day table a day would make every
//   query slower forever. The name never matches the day-table pattern, so retention never drops it.
// Opened with retention, a database's `_all` rows are moved into day tables (moveToDayTables);
// opened without, its day tables stay behind the view and new rows go to `_all`.
import { DAY_NS, dayOf, dayTableName, timeColumn } from '../../core/storage/days.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import type { Migration, SqlSession } from '../../core/storage/migrations.ts';
import { SCHEMA_VERSION, TABLES, columnsAt, type TableDef } from '../../core/storage/model.ts';
import { columnNames, createTableSql, quoteIdent } from './ddl.ts';
import { RETENTION_RUNS_DDL } from './retention.ts';

export function templateName(table: TableDef): string {
  return `${table.name}_template`;
}

/** The one table that takes every row of `table` when no retention is set. */
export function allTableName(table: TableDef): string {
  return `${table.name}_all`;
}

/** The current model's columns (day tables, `_all` tables and templates are always created at the latest schema). */
function modelColumns(table: TableDef) {
  return columnsAt(table, SCHEMA_VERSION);
}

/** CREATE TABLE for a day table or an `_all` table of `table`. */
export function createStorageTableSql(table: TableDef, name: string): string {
  return createTableSql(name, modelColumns(table));
}

/** The model table as a view: the template, then every table behind it (sorted), columns by name. */
export function viewSql(table: TableDef, tables: Iterable<string>): string {
  const cols = columnNames(modelColumns(table)).join(', ');
  const sources = [templateName(table), ...[...tables].sort()];
  return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS ${sources.map((s) => `SELECT ${cols} FROM ${quoteIdent(s)}`).join(' UNION ALL ')}`;
}

/** The tables behind each model table's view (day tables and `_all`; not the template), as the
 * catalog holds them (loaded at open, kept in step with every CREATE and DROP the writer commits). */
export class StorageTables {
  private readonly byTable = new Map<string, Set<string>>();
  private readonly all = new Set<string>();

  has(name: string): boolean {
    return this.all.has(name);
  }

  /** The tables behind `table`'s view, sorted (`_all` first, then day tables oldest first). */
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

  /** Reads the day tables and `_all` tables from the catalog. */
  static async load(session: SqlSession): Promise<StorageTables> {
    const set = new StorageTables();
    const names = (await session.query(CATALOG_TABLES_SQL)).map((r) => String(r.table_name));
    for (const t of TABLES) {
      const pattern = dayTablePattern(t);
      for (const n of names) if (pattern.test(n) || n === allTableName(t)) set.add(t.name, n);
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


/** What moveToDayTables does to one source table. */
export interface MoveToDays {
  /** In order, in one transaction (with the queries that built them). */
  statements: string[];
  /** Rows moved. */
  rows: number;
  /** The tables behind the view afterwards. */
  tables: string[];
  /** The day tables it creates. */
  created: string[];
  /** The day tables the rows went into. */
  days: string[];
}

/**
 * The statements that move every row of `source` (a table with `table`'s columns, `<table>_all`)
 * into the table of its UTC day, then drop `source`: a day table is created unless it is among
 * `current` (the tables behind the view now, `source` included), each day's rows are copied with
 * `INSERT … BY NAME` filtered on the bare time column (DuckDB skips row groups outside the day by
 * their min/max), a count check fails the transaction if any row was not copied, `source` is
 * dropped and the view recreated. The caller runs the queries made here and the statements in one
 * transaction, so the counts read here hold when the check runs; if anything fails or the process
 * dies, nothing changed and a later start runs it again.
 */
export async function moveToDayTables(session: SqlSession, table: TableDef, source: string, current: readonly string[]): Promise<MoveToDays> {
  const time = quoteIdent(timeColumn(table));
  const src = quoteIdent(source);
  const ns = `coalesce(epoch_ns(${time}), 0)`;
  // floor(ns / day) as dayOf computes it (`//` alone truncates towards 0 for times before 1970).
  const daySql = `(${ns} - ((${ns} % ${DAY_NS}) + ${DAY_NS}) % ${DAY_NS}) // ${DAY_NS}`;
  const days = (await session.query(`SELECT DISTINCT ${daySql} AS day FROM ${src} ORDER BY day`)).map((r) => BigInt(r.day as bigint));
  const rows = Number((await session.query(`SELECT count(*) AS n FROM ${src}`))[0].n);
  const statements: string[] = [];
  const targets: string[] = [];
  const created: string[] = [];
  let before = 0; // rows the day tables that already exist hold
  for (const day of days) {
    const name = dayTableName(table.name, day);
    targets.push(name);
    if (current.includes(name)) {
      before += Number((await session.query(`SELECT count(*) AS n FROM ${quoteIdent(name)}`))[0].n);
    } else {
      created.push(name);
      statements.push(createStorageTableSql(table, name));
    }
    statements.push(
      `INSERT INTO ${quoteIdent(name)} BY NAME SELECT * FROM ${src} ` +
        `WHERE (${time} >= make_timestamp_ns(${day * DAY_NS}) AND ${time} < make_timestamp_ns(${(day + 1n) * DAY_NS}))${day === 0n ? ` OR ${time} IS NULL` : ''}`,
    );
  }
  // Every row went somewhere, or the transaction fails (and rolls back) rather than dropping one.
  const after = targets.map((n) => `(SELECT count(*) FROM ${quoteIdent(n)})`).join(' + ') || '0';
  statements.push(
    `SELECT CASE WHEN (SELECT count(*) FROM ${src}) + ${before} <> ${after} ` +
      `THEN error('${source}: not every row was moved into its day table') END`,
  );
  const tables = [...new Set([...current.filter((n) => n !== source), ...created])].sort();
  statements.push(`DROP TABLE ${src}`, viewSql(table, tables));
  return { statements, rows, tables, created, days: targets };
}

export const DAY_TABLES_VERSION = 3;
// The name is the one files migrated before `_all` tables existed record; runMigrations refuses a
// file whose recorded name differs, and both layouts are read and written by this code.
const DAY_TABLES_NAME = 'day tables: otel tables become views over one table per UTC day; retention_runs';

/**
 * Migration 3: the plain tables of schema 2 become views. Each plain table is renamed to
 * `<table>_all` (no row is read or copied) and the view is created over its template and it, all in
 * one transaction. The writer then applies the layout `retention` asks for at start: with retention,
 * moveToDayTables splits `_all` into day tables (one transaction per table, re-run if interrupted).
 * On a new database the plain tables come from migration 1 in the same run, empty.
 */
export const dayTablesMigration: Migration = {
  version: DAY_TABLES_VERSION,
  name: DAY_TABLES_NAME,
  statements: [
    ...TABLES.flatMap((t) => [
      createStorageTableSql(t, templateName(t)),
      `ALTER TABLE ${quoteIdent(t.name)} RENAME TO ${quoteIdent(allTableName(t))}`,
      viewSql(t, [allTableName(t)]),
    ]),
    RETENTION_RUNS_DDL,
  ],
};
