// The model's tables in ClickHouse, following the OpenTelemetry Collector's ClickHouse exporter
// (exporter/clickhouseexporter/internal/sqltemplates): MergeTree partitioned by day, the same ORDER BY,
// and on current servers its codecs, skip indexes and TTL. Types per server: columns.ts.
// Statements are idempotent (IF NOT EXISTS, and session.ts for servers without it on ALTER):
// ClickHouse has no transactions, so a migration cut short, or run by two instances at once, is run again.
import type { SchemaDialect } from '../../core/storage/migrations.ts';
import { MIGRATIONS_TABLE } from '../../core/storage/migrations.ts';
import type { TableColumn, TableDef } from '../../core/storage/model.ts';
import type { Capabilities } from './capabilities.ts';
import { chColumns, columnType, type ChColumn } from './columns.ts';

export interface DdlOptions {
  database: string;
  caps: Capabilities;
  /** ON CLUSTER for every statement, Replicated* engines. */
  cluster?: string;
  /** Rows older than this leave with whole parts (TTL + ttl_only_drop_parts), current servers only. */
  retentionSeconds?: number;
}

export function quoteIdent(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}

export function quoteString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function onCluster(o: DdlOptions): string {
  return o.cluster ? ` ON CLUSTER ${quoteIdent(o.cluster)}` : '';
}

function qualified(o: DdlOptions, table: string): string {
  return `${quoteIdent(o.database)}.${quoteIdent(table)}`;
}

function engine(o: DdlOptions, table: string, kind = 'MergeTree', zkName = table): string {
  // Explicit ZooKeeper path and replica macros: the {database}/{table} macros and the argument-less
  // form need newer servers.
  return o.cluster ? `Replicated${kind}(${quoteString(`/clickhouse/tables/{shard}/${o.database}/${zkName}`)}, '{replica}')` : `${kind}()`;
}

function codec(c: ChColumn, caps: Capabilities): string {
  if (!caps.codecs) return '';
  return c.time && !c.group ? ' CODEC(Delta, ZSTD(1))' : ' CODEC(ZSTD(1))';
}

/** Column definitions; on servers with Map, Nested groups keep the collector's Nested(...) form. */
function columnDefs(columns: TableColumn[], caps: Capabilities): string[] {
  const cols = chColumns(columns, caps);
  const out: string[] = [];
  const groups = new Map<string, ChColumn[]>();
  for (const c of cols) {
    if (c.group && caps.map) {
      let g = groups.get(c.group);
      if (!g) {
        groups.set(c.group, (g = []));
        out.push(`\u0000${c.group}`);
      }
      g.push(c);
    } else {
      out.push(`${quoteIdent(c.name)} ${columnType(c)}${codec(c, caps)}`);
    }
  }
  return out.map((d) => {
    if (!d.startsWith('\u0000')) return d;
    const name = d.slice(1);
    const fields = groups.get(name)!.map((f) => `${quoteIdent(f.field!)} ${f.type}`);
    return `${quoteIdent(name)} Nested(\n    ${fields.join(',\n    ')}\n  )${caps.codecs ? ' CODEC(ZSTD(1))' : ''}`;
  });
}

function timeColumn(table: TableDef): string {
  return table.signal === 'metrics' ? 'TimeUnix' : table.signal === 'logs' ? 'TimestampTime' : 'Timestamp';
}

function orderBy(table: TableDef, caps: Capabilities): string {
  if (table.signal === 'traces') return caps.dateTime64 ? '(ServiceName, SpanName, toDateTime(Timestamp))' : '(ServiceName, SpanName, Timestamp)';
  if (table.signal === 'logs') return '(ServiceName, TimestampTime, Timestamp)';
  return caps.dateTime64 && caps.map
    ? '(ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))'
    : '(ServiceName, MetricName, TimeUnix)';
}

function skipIndexes(table: TableDef, columns: ChColumn[], caps: Capabilities): string[] {
  if (!caps.bloomFilterIndex) return [];
  const out: string[] = [];
  const names = new Set(columns.map((c) => c.name));
  if (names.has('TraceId')) out.push('INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1');
  if (caps.map) {
    for (const c of columns) {
      if (c.encoding !== 'map' || c.group) continue;
      const short = c.name.replace(/Attributes$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() || 'attr';
      out.push(`INDEX idx_${short}_attr_key mapKeys(${quoteIdent(c.name)}) TYPE bloom_filter(0.01) GRANULARITY 1`);
      out.push(`INDEX idx_${short}_attr_value mapValues(${quoteIdent(c.name)}) TYPE bloom_filter(0.01) GRANULARITY 1`);
    }
  }
  if (table.signal === 'traces') out.push('INDEX idx_duration Duration TYPE minmax GRANULARITY 1');
  if (table.signal === 'logs') out.push('INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8');
  return out;
}

function ttl(table: TableDef, o: DdlOptions): string {
  if (!o.retentionSeconds || !o.caps.ttlOnlyDropParts) return '';
  const s = Math.floor(o.retentionSeconds);
  const interval = s % 86_400 === 0 ? `toIntervalDay(${s / 86_400})` : `toIntervalSecond(${s})`;
  return `\nTTL toDateTime(${timeColumn(table)}) + ${interval}`;
}

/** Schema version 1's tables (MergeTree); `dedup` gives version 2's (dedup.ts): ReplacingMergeTree
 * ordered by the collector's key plus the event's identity, logs and metrics with a RecordId. */
export function createTableSql(table: TableDef, columns: TableColumn[], o: DdlOptions, dedup = false): string {
  const cols = chColumns(columns, o.caps);
  const defs = [...columnDefs(columns, o.caps), ...(dedup && hasRecordId(table) ? [`${quoteIdent(RECORD_ID)} String${o.caps.codecs ? ' CODEC(ZSTD(1))' : ''}`] : []), ...skipIndexes(table, cols, o.caps)];
  const settings = ['index_granularity = 8192', ...(ttl(table, o) ? ['ttl_only_drop_parts = 1'] : [])];
  const order = orderBy(table, o.caps);
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(o, table.name)}${onCluster(o)} (\n  ${defs.join(',\n  ')}\n)` +
    `\nENGINE = ${dedup ? engine(o, table.name, 'ReplacingMergeTree', `${table.name}_dedup`) : engine(o, table.name)}` +
    `\nPARTITION BY toDate(${timeColumn(table)})` +
    `\nORDER BY ${dedup ? `${order.slice(0, -1)}, ${identityColumns(table).join(', ')})` : order}${ttl(table, o)}` +
    `\nSETTINGS ${settings.join(', ')}`
  );
}

/** The column holding a log record's or metric point's content hash (core/storage/record-id.ts). */
export const RECORD_ID = 'RecordId';

/** Spans are identified by their ids; log records and metric points by RecordId. */
export function hasRecordId(table: TableDef): boolean {
  return table.signal !== 'traces';
}

/** Appended to the collector's ORDER BY: rows equal in it are one event (ReplacingMergeTree). */
export function identityColumns(table: TableDef): string[] {
  return hasRecordId(table) ? [RECORD_ID] : ['TraceId', 'SpanId'];
}

export { qualified, onCluster };

export function clickhouseDialect(o: DdlOptions): SchemaDialect {
  return {
    createTable: (table, columns) => [createTableSql(table, columns, o)],
    // One ALTER per physical column: a legacy Nested group is several plain array columns.
    addColumns: (table, columns) =>
      chColumns(columns, o.caps).map(
        (c) => `ALTER TABLE ${qualified(o, table.name)}${onCluster(o)} ADD COLUMN${o.caps.addColumnIfNotExists ? ' IF NOT EXISTS' : ''} ${quoteIdent(c.name)} ${columnType(c)}${codec(c, o.caps)}`,
      ),
  };
}

/** schema_migrations in ClickHouse syntax (MergeTree: a duplicate row from two instances migrating
 * at once is harmless, the runner reads versions as a set). */
export function migrationsTableSql(o: DdlOptions): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(o, MIGRATIONS_TABLE)}${onCluster(o)} ` +
    `(version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = ${engine(o, MIGRATIONS_TABLE)} ORDER BY version`
  );
}

export function createDatabaseSql(o: DdlOptions): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdent(o.database)}${onCluster(o)}`;
}
