// The model's columns as ClickHouse columns, for one server's capabilities (capabilities.ts):
// their types (for ddl.ts) and how each FlatTable value is written in JSONEachRow (insert.ts).
//
// Current servers: the collector's types (DateTime64(9), Map(LowCardinality(String), String),
// LowCardinality(String), Bool). Older servers (18.16):
//   timestamp_ns `X` -> `X DateTime('UTC')` (whole seconds) + `XUnixNano UInt64` (exact nanoseconds;
//                       'TimeUnix' -> 'TimeUnixNano', 'Timestamp' -> 'TimestampUnixNano')
//   attributes `X`   -> `X.keys Array(String)`, `X.values Array(String)` (X['k'] becomes
//                       X.values[indexOf(X.keys, 'k')]; '' when absent, as with a Map)
//   bool             -> UInt8
// Nested groups are one array column per field (`Events.Name`), as ClickHouse itself stores them.
import { isNested, type ColumnDef, type ColumnType, type TableColumn } from '../../core/storage/model.ts';
import type { Capabilities } from './capabilities.ts';

export type Encoding =
  | 'string'
  | 'datetime64' // bigint ns -> 'YYYY-MM-DD hh:mm:ss.nnnnnnnnn'
  | 'datetime_ns' // bigint ns -> 'YYYY-MM-DD hh:mm:ss' (whole seconds)
  | 'datetime_s' // bigint s -> 'YYYY-MM-DD hh:mm:ss'
  | 'nanos' // bigint ns -> '1700000000123456789'
  | 'int' // number | bigint (bigint as a string: JSON numbers stop at 2^53)
  | 'float'
  | 'bool'
  | 'uint8_bool'
  | 'map' // Attributes -> { key: value }
  | 'keys' // Attributes -> [key, ...]
  | 'values' // Attributes -> [value, ...]
  | 'int_list'
  | 'float_list';

export interface ChColumn {
  /** Physical name: 'Timestamp', 'Events.Name', 'SpanAttributes.keys', 'TimestampUnixNano'. */
  name: string;
  /** The ClickHouse type of one value; for a Nested field the element type (the column is Array of it). */
  type: string;
  encoding: Encoding;
  /** FlatTable key the value comes from. */
  source: string;
  /** The Nested group this field belongs to (values are arrays, one element per group entry). */
  group?: string;
  /** The field name inside the group. */
  field?: string;
  /** A timestamp column (Delta codec). */
  time?: boolean;
}

/** Strings with few distinct values (the collector's LowCardinality columns, plus the agent columns). */
const LOW_CARDINALITY = new Set([
  'SpanName', 'SpanKind', 'ServiceName', 'StatusCode', 'SeverityText', 'Events.Name',
  'AgentId', 'GenAiOperation', 'GenAiProvider', 'RequestModel', 'ResponseModel', 'ToolName',
]);

/** The exact-nanoseconds companion of a legacy DateTime column (OTLP's own `time_unix_nano` naming). */
export function unixNanoColumn(name: string): string {
  return name.endsWith('Unix') ? `${name}Nano` : `${name}UnixNano`;
}

function scalar(def: ColumnDef, fullName: string, caps: Capabilities): { type: string; encoding: Encoding } {
  const t: ColumnType = def.type;
  if (typeof t !== 'string') return t.list === 'uint64' ? { type: 'Array(UInt64)', encoding: 'int_list' } : { type: 'Array(Float64)', encoding: 'float_list' };
  const nullable = (s: string) => (def.nullable ? `Nullable(${s})` : s);
  switch (t) {
    case 'string':
      return { type: caps.lowCardinality && LOW_CARDINALITY.has(fullName) ? 'LowCardinality(String)' : 'String', encoding: 'string' };
    case 'timestamp_ns':
      return caps.dateTime64 ? { type: "DateTime64(9, 'UTC')", encoding: 'datetime64' } : { type: "DateTime('UTC')", encoding: 'datetime_ns' };
    case 'timestamp_s':
      return { type: "DateTime('UTC')", encoding: 'datetime_s' };
    case 'uint8':
      return { type: nullable('UInt8'), encoding: 'int' };
    case 'int32':
      return { type: nullable('Int32'), encoding: 'int' };
    case 'uint32':
      return { type: nullable('UInt32'), encoding: 'int' };
    case 'int64':
      return { type: nullable('Int64'), encoding: 'int' };
    case 'uint64':
      return { type: nullable('UInt64'), encoding: 'int' };
    case 'float64':
      return { type: nullable('Float64'), encoding: 'float' };
    case 'bool':
      return caps.bool ? { type: 'Bool', encoding: 'bool' } : { type: 'UInt8', encoding: 'uint8_bool' };
    case 'attributes':
      return { type: caps.lowCardinality ? 'Map(LowCardinality(String), String)' : 'Map(String, String)', encoding: 'map' };
  }
}

/** The physical columns of one model column (legacy timestamps and attributes take two). */
function physical(def: ColumnDef, caps: Capabilities, group?: string): ChColumn[] {
  const full = group ? `${group}.${def.name}` : def.name;
  const base = { source: full, ...(group ? { group } : {}) };
  const at = (name: string) => (group ? { name: `${group}.${name}`, field: name } : { name });
  if (def.type === 'attributes' && !caps.map) {
    return [
      { ...base, ...at(`${def.name}.keys`), type: 'Array(String)', encoding: 'keys' },
      { ...base, ...at(`${def.name}.values`), type: 'Array(String)', encoding: 'values' },
    ];
  }
  const s = scalar(def, full, caps);
  const time = def.type === 'timestamp_ns' || def.type === 'timestamp_s';
  const col: ChColumn = { ...base, ...at(def.name), ...s, ...(time ? { time } : {}) };
  if (def.type === 'timestamp_ns' && !caps.dateTime64) {
    return [col, { ...base, ...at(unixNanoColumn(def.name)), type: 'UInt64', encoding: 'nanos' }];
  }
  return [col];
}

export function chColumns(columns: TableColumn[], caps: Capabilities): ChColumn[] {
  return columns.flatMap((c) => (isNested(c) ? c.nested.flatMap((f) => physical(f, caps, c.name)) : physical(c, caps)));
}

/** The SQL type of the physical column (a Nested field's column is an Array of its element type). */
export function columnType(c: ChColumn): string {
  return c.group ? `Array(${c.type})` : c.type;
}
