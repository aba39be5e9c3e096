// The in-memory data model: OTLP-shaped batches (ExportTraceServiceRequest, ExportLogsServiceRequest,
// ExportMetricsServiceRequest) as plain objects, the shape every receiver produces and every
// processor and exporter consumes.
//
// Conventions, chosen for speed on the hot path and for lossless storage:
// - Trace and span ids are lowercase hex strings ('' when absent).
// - Timestamps are unix nanoseconds as bigint (0n when absent); they do not fit a double.
// - Attributes are plain objects (key -> AnyValue). Decoders never assign the key '__proto__'
//   with `obj[k] = v`; they use setAttribute() from ./attributes.ts.
// - Integers are numbers when they are safe integers, bigint otherwise. A double that happens to be
//   integral (5.0) becomes the number 5, so re-encoding sends it as an int: the one fidelity loss.

export type Signal = 'traces' | 'logs' | 'metrics';
export const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];

export type AnyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | AnyValue[]
  | { [key: string]: AnyValue };

export type Attributes = { [key: string]: AnyValue };

export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

// ---- traces ----

/** OTLP SpanKind numbers: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type SpanKind = 0 | 1 | 2 | 3 | 4 | 5;
/** OTLP StatusCode numbers: 0 unset, 1 ok, 2 error. */
export type StatusCode = 0 | 1 | 2;

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

export interface Span {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: { code: StatusCode; message: string };
}

export interface ScopeSpans {
  scope: InstrumentationScope;
  spans: Span[];
  schemaUrl: string;
}

export interface ResourceSpans {
  resource: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

export interface TracesBatch {
  resourceSpans: ResourceSpans[];
}

// ---- logs ----

export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

export interface ScopeLogs {
  scope: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl: string;
}

export interface ResourceLogs {
  resource: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

export interface LogsBatch {
  resourceLogs: ResourceLogs[];
}

// ---- metrics ----

export interface Exemplar {
  filteredAttributes: Attributes;
  timeUnixNano: bigint;
  /** asDouble or asInt, whichever was set. */
  value: number;
  spanId: string;
  traceId: string;
}

export interface NumberDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** asDouble or asInt, whichever was set. */
  value: number;
  exemplars: Exemplar[];
  flags: number;
}

export interface HistogramDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number | null;
  bucketCounts: number[];
  explicitBounds: number[];
  exemplars: Exemplar[];
  flags: number;
  min: number | null;
  max: number | null;
}

export interface ExponentialHistogramBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface ExponentialHistogramDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number | null;
  scale: number;
  zeroCount: number;
  positive: ExponentialHistogramBuckets;
  negative: ExponentialHistogramBuckets;
  flags: number;
  exemplars: Exemplar[];
  min: number | null;
  max: number | null;
  zeroThreshold: number;
}

export interface SummaryDataPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  count: number;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
  flags: number;
}

/** OTLP AggregationTemporality numbers: 0 unspecified, 1 delta, 2 cumulative. */
export type AggregationTemporality = 0 | 1 | 2;

export type MetricData =
  | { type: 'gauge'; dataPoints: NumberDataPoint[] }
  | { type: 'sum'; dataPoints: NumberDataPoint[]; aggregationTemporality: AggregationTemporality; isMonotonic: boolean }
  | { type: 'histogram'; dataPoints: HistogramDataPoint[]; aggregationTemporality: AggregationTemporality }
  | {
      type: 'exponential_histogram';
      dataPoints: ExponentialHistogramDataPoint[];
      aggregationTemporality: AggregationTemporality;
    }
  | { type: 'summary'; dataPoints: SummaryDataPoint[] };

export interface Metric {
  name: string;
  description: string;
  unit: string;
  metadata: Attributes;
  /** null when the metric carried no data field (legal in OTLP, stores nothing). */
  data: MetricData | null;
}

export interface ScopeMetrics {
  scope: InstrumentationScope;
  metrics: Metric[];
  schemaUrl: string;
}

export interface ResourceMetrics {
  resource: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl: string;
}

export interface MetricsBatch {
  resourceMetrics: ResourceMetrics[];
}

// ---- by signal ----

export interface BatchBySignal {
  traces: TracesBatch;
  logs: LogsBatch;
  metrics: MetricsBatch;
}

export type Batch = BatchBySignal[Signal];
