// The model's tables in DuckDB: columnar names as in the collector's ClickHouse schema, Nested groups
// as one list column per field ("Events.Name" VARCHAR[]), no indexes (appends stay cheap; DuckDB's
// zone maps cover time-range scans).
import { isNested, type TableColumn, type TableDef } from '../../core/storage/model.ts';
import type { SchemaDialect } from '../../core/storage/migrations.ts';
import { duckNestedType, duckType } from './types.ts';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function columnDefs(columns: TableColumn[]): string[] {
  return columns.flatMap((c) =>
    isNested(c)
      ? c.nested.map((f) => `${quoteIdent(`${c.name}.${f.name}`)} ${duckNestedType(f.type).toString()}`)
      : [`${quoteIdent(c.name)} ${duckType(c.type).toString()}`],
  );
}

/** CREATE TABLE `name` with the given model columns (a model table, its day tables, its template). */
export function createTableSql(name: string, columns: TableColumn[]): string {
  return `CREATE TABLE ${quoteIdent(name)} (\n  ${columnDefs(columns).join(',\n  ')}\n)`;
}

/** The SQL names of the model columns, quoted, in table order ("Events.Name" for Nested fields). */
export function columnNames(columns: TableColumn[]): string[] {
  return columns.flatMap((c) => (isNested(c) ? c.nested.map((f) => quoteIdent(`${c.name}.${f.name}`)) : [quoteIdent(c.name)]));
}

export const duckdbDialect: SchemaDialect = {
  createTable(table: TableDef, columns: TableColumn[]): string[] {
    return [createTableSql(table.name, columns)];
  },
  addColumns(table: TableDef, columns: TableColumn[]): string[] {
    return columnDefs(columns).map((def) => `ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${def}`);
  },
};
