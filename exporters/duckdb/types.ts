// The model's column types in DuckDB.
import {
  BOOLEAN,
  DOUBLE,
  INTEGER,
  LIST,
  MAP,
  TIMESTAMP_NS,
  TIMESTAMP_S,
  UBIGINT,
  BIGINT,
  UINTEGER,
  UTINYINT,
  VARCHAR,
  type DuckDBType,
} from '@duckdb/node-api';
import type { ColumnType, ScalarType } from '../../core/storage/model.ts';

const SCALAR: Record<ScalarType, DuckDBType> = {
  string: VARCHAR,
  timestamp_ns: TIMESTAMP_NS,
  timestamp_s: TIMESTAMP_S,
  uint8: UTINYINT,
  int32: INTEGER,
  uint32: UINTEGER,
  int64: BIGINT,
  uint64: UBIGINT,
  float64: DOUBLE,
  bool: BOOLEAN,
  // Map(String, String) as in the collector's ClickHouse schema: SpanAttributes['key'] works.
  attributes: MAP(VARCHAR, VARCHAR),
};

export function duckType(t: ColumnType): DuckDBType {
  return typeof t === 'string' ? SCALAR[t] : LIST(SCALAR[t.list]);
}

/** The type of one field of a Nested group: a list of the field's type. */
export function duckNestedType(t: ColumnType): DuckDBType {
  return LIST(duckType(t));
}
