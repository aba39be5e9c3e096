// The storage contract's table model: one definition of every table and column, from which each
// store derives its DDL and its column names.
//
// Columnar stores use the names as written here, which are those of the OpenTelemetry Collector's
// ClickHouse exporter (exporter/clickhouseexporter/internal/sqltemplates) so existing Grafana and SQL
// tooling works; the row store uses rowName() of the same names (snake_case). Every table also
// carries the agent-centric columns (AGENT_COLUMNS), extracted at write time.
//
// Schema changes are additive migrations: a column added later gets `since: <version>` and
// SCHEMA_VERSION goes up; core/storage/migrations.ts turns that into ALTER TABLE ... ADD COLUMN for
// existing databases (e.g. a RecordId for idempotency).

/** The schema version this build writes; bump it together with `since` on new columns. */
export const SCHEMA_VERSION = 1;

export type ScalarType =
  | 'string'
  /** Unix nanoseconds (bigint) shown as a timestamp: DateTime64(9) / TIMESTAMP_NS. */
  | 'timestamp_ns'
  /** Unix seconds (bigint) shown as a timestamp: DateTime / TIMESTAMP_S. */
  | 'timestamp_s'
  | 'uint8'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float64'
  | 'bool'
  /** An attribute map, Map(String, String) in the columnar stores (values rendered by
   * stringifyValue), typed JSON in the row store. Flattened rows hold the Attributes object. */
  | 'attributes';

export type ColumnType = ScalarType | { list: 'uint64' | 'float64' };

export interface ColumnDef {
  /** Columnar name, e.g. 'ParentSpanId'. */
  name: string;
  type: ColumnType;
  /** Absent values are NULL (otherwise '' / 0, the collector's convention). */
  nullable?: boolean;
  /** The schema version that added the column (default 1). */
  since?: number;
}

/** A ClickHouse Nested(...) group: columnar stores hold one array column per field
 * (`Events.Timestamp`, `Events.Name`, ...); the row store holds one JSON array of objects. */
export interface NestedDef {
  name: string;
  nested: ColumnDef[];
  since?: number;
}

export type TableColumn = ColumnDef | NestedDef;

export interface TableDef {
  name: string;
  signal: 'traces' | 'logs' | 'metrics';
  columns: TableColumn[];
}

export function isNested(c: TableColumn): c is NestedDef {
  return (c as NestedDef).nested !== undefined;
}

/** Extracted from span / log / data-point attributes, falling back to resource attributes. */
export const AGENT_COLUMNS: ColumnDef[] = [
  { name: 'AgentId', type: 'string' },
  { name: 'GenAiOperation', type: 'string' },
  { name: 'GenAiProvider', type: 'string' },
  { name: 'RequestModel', type: 'string' },
  { name: 'ResponseModel', type: 'string' },
  { name: 'InputTokens', type: 'int64', nullable: true },
  { name: 'OutputTokens', type: 'int64', nullable: true },
  { name: 'ToolName', type: 'string' },
];

const s = (name: string, nullable = false): ColumnDef => ({ name, type: 'string', ...(nullable ? { nullable } : {}) });

export const TRACES_TABLE: TableDef = {
  name: 'otel_traces',
  signal: 'traces',
  columns: [
    { name: 'Timestamp', type: 'timestamp_ns' },
    s('TraceId'),
    s('SpanId'),
    s('ParentSpanId'),
    s('TraceState'),
    s('SpanName'),
    s('SpanKind'),
    s('ServiceName'),
    { name: 'ResourceAttributes', type: 'attributes' },
    s('ScopeName'),
    s('ScopeVersion'),
    { name: 'SpanAttributes', type: 'attributes' },
    { name: 'Duration', type: 'uint64' },
    s('StatusCode'),
    s('StatusMessage'),
    {
      name: 'Events',
      nested: [
        { name: 'Timestamp', type: 'timestamp_ns' },
        s('Name'),
        { name: 'Attributes', type: 'attributes' },
      ],
    },
    {
      name: 'Links',
      nested: [s('TraceId'), s('SpanId'), s('TraceState'), { name: 'Attributes', type: 'attributes' }],
    },
    ...AGENT_COLUMNS,
  ],
};

export const LOGS_TABLE: TableDef = {
  name: 'otel_logs',
  signal: 'logs',
  columns: [
    { name: 'Timestamp', type: 'timestamp_ns' },
    { name: 'TimestampTime', type: 'timestamp_s' },
    s('TraceId'),
    s('SpanId'),
    { name: 'TraceFlags', type: 'uint8' },
    s('SeverityText'),
    { name: 'SeverityNumber', type: 'uint8' },
    s('ServiceName'),
    s('Body'),
    s('ResourceSchemaUrl'),
    { name: 'ResourceAttributes', type: 'attributes' },
    s('ScopeSchemaUrl'),
    s('ScopeName'),
    s('ScopeVersion'),
    { name: 'ScopeAttributes', type: 'attributes' },
    { name: 'LogAttributes', type: 'attributes' },
    s('EventName'),
    ...AGENT_COLUMNS,
  ],
};

/** The columns every metrics table starts with (the collector's order). */
const METRIC_HEAD: ColumnDef[] = [
  { name: 'ResourceAttributes', type: 'attributes' },
  s('ResourceSchemaUrl'),
  s('ScopeName'),
  s('ScopeVersion'),
  { name: 'ScopeAttributes', type: 'attributes' },
  { name: 'ScopeDroppedAttrCount', type: 'uint32' },
  s('ScopeSchemaUrl'),
  s('ServiceName'),
  s('MetricName'),
  s('MetricDescription'),
  s('MetricUnit'),
  { name: 'Attributes', type: 'attributes' },
  { name: 'StartTimeUnix', type: 'timestamp_ns' },
  { name: 'TimeUnix', type: 'timestamp_ns' },
];

const EXEMPLARS: NestedDef = {
  name: 'Exemplars',
  nested: [
    { name: 'FilteredAttributes', type: 'attributes' },
    { name: 'TimeUnix', type: 'timestamp_ns' },
    { name: 'Value', type: 'float64' },
    s('SpanId'),
    s('TraceId'),
  ],
};

export const METRICS_GAUGE_TABLE: TableDef = {
  name: 'otel_metrics_gauge',
  signal: 'metrics',
  columns: [...METRIC_HEAD, { name: 'Value', type: 'float64' }, { name: 'Flags', type: 'uint32' }, EXEMPLARS, ...AGENT_COLUMNS],
};

export const METRICS_SUM_TABLE: TableDef = {
  name: 'otel_metrics_sum',
  signal: 'metrics',
  columns: [
    ...METRIC_HEAD,
    { name: 'Value', type: 'float64' },
    { name: 'Flags', type: 'uint32' },
    EXEMPLARS,
    { name: 'AggregationTemporality', type: 'int32' },
    { name: 'IsMonotonic', type: 'bool' },
    ...AGENT_COLUMNS,
  ],
};

export const METRICS_HISTOGRAM_TABLE: TableDef = {
  name: 'otel_metrics_histogram',
  signal: 'metrics',
  columns: [
    ...METRIC_HEAD,
    { name: 'Count', type: 'uint64' },
    { name: 'Sum', type: 'float64', nullable: true },
    { name: 'BucketCounts', type: { list: 'uint64' } },
    { name: 'ExplicitBounds', type: { list: 'float64' } },
    EXEMPLARS,
    { name: 'Flags', type: 'uint32' },
    { name: 'Min', type: 'float64', nullable: true },
    { name: 'Max', type: 'float64', nullable: true },
    { name: 'AggregationTemporality', type: 'int32' },
    ...AGENT_COLUMNS,
  ],
};

export const METRICS_EXPONENTIAL_HISTOGRAM_TABLE: TableDef = {
  name: 'otel_metrics_exponential_histogram',
  signal: 'metrics',
  columns: [
    ...METRIC_HEAD,
    { name: 'Count', type: 'uint64' },
    { name: 'Sum', type: 'float64', nullable: true },
    { name: 'Scale', type: 'int32' },
    { name: 'ZeroCount', type: 'uint64' },
    { name: 'PositiveOffset', type: 'int32' },
    { name: 'PositiveBucketCounts', type: { list: 'uint64' } },
    { name: 'NegativeOffset', type: 'int32' },
    { name: 'NegativeBucketCounts', type: { list: 'uint64' } },
    EXEMPLARS,
    { name: 'Flags', type: 'uint32' },
    { name: 'Min', type: 'float64', nullable: true },
    { name: 'Max', type: 'float64', nullable: true },
    { name: 'AggregationTemporality', type: 'int32' },
    ...AGENT_COLUMNS,
  ],
};

export const METRICS_SUMMARY_TABLE: TableDef = {
  name: 'otel_metrics_summary',
  signal: 'metrics',
  columns: [
    ...METRIC_HEAD,
    { name: 'Count', type: 'uint64' },
    { name: 'Sum', type: 'float64' },
    { name: 'ValueAtQuantiles', nested: [{ name: 'Quantile', type: 'float64' }, { name: 'Value', type: 'float64' }] },
    { name: 'Flags', type: 'uint32' },
    ...AGENT_COLUMNS,
  ],
};

export const METRICS_TABLES = {
  gauge: METRICS_GAUGE_TABLE,
  sum: METRICS_SUM_TABLE,
  histogram: METRICS_HISTOGRAM_TABLE,
  exponential_histogram: METRICS_EXPONENTIAL_HISTOGRAM_TABLE,
  summary: METRICS_SUMMARY_TABLE,
} as const;

export const TABLES: readonly TableDef[] = [TRACES_TABLE, LOGS_TABLE, ...Object.values(METRICS_TABLES)];

/** The row store's name for a columnar name: 'ParentSpanId' -> 'parent_span_id',
 * 'GenAiOperation' -> 'gen_ai_operation', 'Events' -> 'events'. */
export function rowName(columnarName: string): string {
  return columnarName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The row store keeps exact nanoseconds next to each timestamp (timestamptz has microseconds):
 * 'timestamp' -> 'timestamp_unix_nano', 'time_unix' -> 'time_unix_nano' (OTLP's own name). */
export function unixNanoName(rowColumnName: string): string {
  return rowColumnName.endsWith('_unix') ? `${rowColumnName}_nano` : `${rowColumnName}_unix_nano`;
}

/** Columns of a table as of a schema version (for CREATE TABLE at that version). */
export function columnsAt(table: TableDef, version: number): TableColumn[] {
  return table.columns.filter((c) => (c.since ?? 1) <= version);
}

/** Columns a given version added to an existing table (for ALTER TABLE ... ADD COLUMN). */
export function columnsAddedIn(table: TableDef, version: number): TableColumn[] {
  return version === 1 ? [] : table.columns.filter((c) => (c.since ?? 1) === version);
}
