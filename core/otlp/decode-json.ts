// OTLP/JSON -> the batches of core/signals/types.ts.
//
// Accepts what the spec asks for and what real senders produce: lowerCamelCase keys and the proto
// field names (snake_case); trace/span ids as hex (either case); int64/fixed64 as decimal strings
// or numbers; enums as integers or their names; AnyValue bytes as base64; unknown keys ignored.
// Bad input throws OtlpDecodeError naming the JSON path, e.g.
// `resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex characters, got "xyz"`.
import type {
  AggregationTemporality,
  AnyValue,
  Attributes,
  Exemplar,
  ExponentialHistogramBuckets,
  InstrumentationScope,
  LogRecord,
  LogsBatch,
  Metric,
  MetricData,
  MetricsBatch,
  NumberDataPoint,
  Resource,
  Span,
  SpanEvent,
  SpanLink,
  StatusCode,
  TracesBatch,
} from '../signals/types.ts';
import { OtlpDecodeError } from './errors.ts';
import { isHex } from './hex.ts';
import { MAX_NESTING } from './decode-proto.ts';

type Obj = Record<string, unknown>;

// The path of the value being decoded, as segments; joined only when an error is thrown.
const path: Array<string | number> = [];

function where(key?: string | number): string {
  const segs = key === undefined ? path : [...path, key];
  let s = '';
  for (const seg of segs) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s || '(root)';
}

function fail(key: string | number | undefined, what: string): never {
  throw new OtlpDecodeError(`invalid OTLP JSON: ${where(key)}: ${what}`);
}

function show(v: unknown): string {
  const s = typeof v === 'bigint' ? `${v}` : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// camelCase key -> snake_case alias, computed once per key.
const SNAKE = new Map<string, string>();

/** The value under the camelCase key or its snake_case proto name. */
function get(o: Obj, key: string): unknown {
  const v = o[key];
  if (v !== undefined) return v;
  let s = SNAKE.get(key);
  if (s === undefined) SNAKE.set(key, (s = snake(key)));
  return s === key ? undefined : o[s];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, key: string | number): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) fail(key, `expected an object, got ${show(v)}`);
  return v;
}

/** A repeated field: absent/null -> [], otherwise each element decoded with `each` under key[i]. */
function list<T>(o: Obj, key: string, each: (v: unknown) => T): T[] {
  const v = get(o, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(key, `expected an array, got ${show(v)}`);
  const out: T[] = new Array(v.length);
  path.push(key);
  for (let i = 0; i < v.length; i++) {
    path.push(i);
    out[i] = each(v[i]);
    path.pop();
  }
  path.pop();
  return out;
}

/** A sub-message field under `key`, decoded with `each` (undefined when absent). */
function child<T>(o: Obj, key: string, each: (v: Obj) => T): T | undefined {
  const v = obj(get(o, key), key);
  if (!v) return undefined;
  path.push(key);
  const r = each(v);
  path.pop();
  return r;
}

function string(o: Obj, key: string): string {
  const v = get(o, key);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(key, `expected a string, got ${show(v)}`);
  return v;
}

function bool(o: Obj, key: string): boolean {
  const v = get(o, key);
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') fail(key, `expected true or false, got ${show(v)}`);
  return v;
}

const INT_RE = /^-?\d+$/;

/** An integer given as a number or a decimal string; number when safe, else bigint. */
function integer(v: unknown, key: string | number, min: bigint, max: bigint): number | bigint {
  let b: bigint;
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) b = BigInt(v);
    else if (Number.isInteger(v)) b = BigInt(v); // lost precision in JSON.parse already; keep what we got
    else fail(key, `expected an integer, got ${show(v)}`);
  } else if (typeof v === 'string' && INT_RE.test(v.trim())) {
    b = BigInt(v.trim());
  } else fail(key, `expected an integer (a number or a decimal string), got ${show(v)}`);
  if (b < min || b > max) fail(key, `integer ${b} out of range`);
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;
const U32_MAX = 2n ** 32n - 1n;

function uint32(o: Obj, key: string): number {
  const v = get(o, key);
  if (v === undefined || v === null) return 0;
  return integer(v, key, 0n, U32_MAX) as number;
}

/** fixed64 / uint64 timestamp -> bigint nanoseconds. */
function nanos(o: Obj, key: string): bigint {
  const v = get(o, key);
  if (v === undefined || v === null) return 0n;
  return BigInt(integer(v, key, 0n, U64_MAX));
}

/** uint64 counts -> number (the data model's type). */
function count(v: unknown, key: string | number): number {
  if (v === undefined || v === null) return 0;
  return Number(integer(v, key, 0n, U64_MAX));
}

function int32(v: unknown, key: string): number {
  if (v === undefined || v === null) return 0;
  return Number(integer(v, key, -(2n ** 31n), 2n ** 31n - 1n));
}

/** double: number, or the proto3 JSON strings ("NaN", "Infinity", "-Infinity", "1.5"). */
function double(v: unknown, key: string | number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  return fail(key, `expected a number, got ${show(v)}`);
}

function optDouble(o: Obj, key: string): number | null {
  const v = get(o, key);
  return v === undefined || v === null ? null : double(v, key);
}

function enumValue(o: Obj, key: string, names: Record<string, number>, max: number): number {
  const v = get(o, key);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(names, v)) return names[v];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
  if (typeof v === 'string' && /^\d+$/.test(v) && Number(v) <= max) return Number(v);
  const known = Object.keys(names).join(', ');
  return fail(key, `expected an enum number 0..${max} or one of ${known}, got ${show(v)}`);
}

function id(o: Obj, key: string, bytes: 8 | 16): string {
  const v = get(o, key);
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || v.length !== bytes * 2 || !isHex(v)) {
    fail(key, `expected ${bytes * 2} hex characters, got ${show(v)}`);
  }
  return v.toLowerCase();
}

const B64_RE = /^[A-Za-z0-9+/\-_]*={0,2}$/;

function base64(v: unknown, key: string): Uint8Array {
  if (typeof v !== 'string' || !B64_RE.test(v)) fail(key, `expected base64 bytes, got ${show(v)}`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

// ---- AnyValue and attributes ----

let depth = 0;

function anyValue(v: unknown): AnyValue {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) fail(undefined, `expected an AnyValue object like {"stringValue": "..."}, got ${show(v)}`);
  let x: unknown;
  if ((x = get(v, 'stringValue')) !== undefined) {
    if (typeof x !== 'string') fail('stringValue', `expected a string, got ${show(x)}`);
    return x;
  }
  if ((x = get(v, 'intValue')) !== undefined) return integer(x, 'intValue', I64_MIN, I64_MAX);
  if ((x = get(v, 'doubleValue')) !== undefined) return double(x, 'doubleValue');
  if ((x = get(v, 'boolValue')) !== undefined) {
    if (typeof x !== 'boolean') fail('boolValue', `expected true or false, got ${show(x)}`);
    return x;
  }
  if ((x = get(v, 'bytesValue')) !== undefined) return base64(x, 'bytesValue');
  if ((x = get(v, 'arrayValue')) !== undefined) {
    if (++depth > MAX_NESTING) fail('arrayValue', `nested deeper than ${MAX_NESTING}`);
    const a = obj(x, 'arrayValue') ?? {};
    path.push('arrayValue');
    const out = list(a, 'values', anyValue);
    path.pop();
    depth--;
    return out;
  }
  if ((x = get(v, 'kvlistValue')) !== undefined) {
    if (++depth > MAX_NESTING) fail('kvlistValue', `nested deeper than ${MAX_NESTING}`);
    const kv = obj(x, 'kvlistValue') ?? {};
    path.push('kvlistValue');
    const out = attributes(kv, 'values');
    path.pop();
    depth--;
    return out;
  }
  return null;
}

function attributes(o: Obj, key: string): Attributes {
  const out: Attributes = {};
  const v = get(o, key);
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) fail(key, `expected an array of {"key": ..., "value": {...}}, got ${show(v)}`);
  path.push(key);
  for (let i = 0; i < v.length; i++) {
    path.push(i);
    const kv = v[i];
    if (!isObj(kv)) fail(undefined, `expected {"key": ..., "value": {...}}, got ${show(kv)}`);
    const k = string(kv, 'key');
    path.push('value');
    const val = anyValue(kv.value);
    path.pop();
    if (k === '__proto__') Object.defineProperty(out, k, { value: val, enumerable: true, configurable: true, writable: true });
    else out[k] = val;
    path.pop();
  }
  path.pop();
  return out;
}

function resource(o: Obj): Resource {
  return { attributes: attributes(o, 'attributes'), droppedAttributesCount: uint32(o, 'droppedAttributesCount') };
}

function scope(o: Obj): InstrumentationScope {
  return {
    name: string(o, 'name'),
    version: string(o, 'version'),
    attributes: attributes(o, 'attributes'),
    droppedAttributesCount: uint32(o, 'droppedAttributesCount'),
  };
}

const emptyResource = (): Resource => ({ attributes: {}, droppedAttributesCount: 0 });
const emptyScope = (): InstrumentationScope => ({ name: '', version: '', attributes: {}, droppedAttributesCount: 0 });

function parse(bytes: Uint8Array | string): Obj {
  let v: unknown;
  try {
    v = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`invalid OTLP JSON: ${(err as Error).message}`);
  }
  if (!isObj(v)) throw new OtlpDecodeError(`invalid OTLP JSON: expected an object at the top level, got ${show(v)}`);
  path.length = 0;
  depth = 0;
  return v;
}

function each(fn: (o: Obj) => any) {
  return (v: unknown) => {
    if (!isObj(v)) fail(undefined, `expected an object, got ${show(v)}`);
    return fn(v);
  };
}

// ---- traces ----

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function span(o: Obj): Span {
  const st = child(o, 'status', (s) => ({ code: enumValue(s, 'code', STATUS_CODES, 2) as StatusCode, message: string(s, 'message') }));
  return {
    traceId: id(o, 'traceId', 16),
    spanId: id(o, 'spanId', 8),
    traceState: string(o, 'traceState'),
    parentSpanId: id(o, 'parentSpanId', 8),
    flags: uint32(o, 'flags'),
    name: string(o, 'name'),
    kind: enumValue(o, 'kind', SPAN_KINDS, 5) as Span['kind'],
    startTimeUnixNano: nanos(o, 'startTimeUnixNano'),
    endTimeUnixNano: nanos(o, 'endTimeUnixNano'),
    attributes: attributes(o, 'attributes'),
    droppedAttributesCount: uint32(o, 'droppedAttributesCount'),
    events: list(o, 'events', each(spanEvent)),
    droppedEventsCount: uint32(o, 'droppedEventsCount'),
    links: list(o, 'links', each(spanLink)),
    droppedLinksCount: uint32(o, 'droppedLinksCount'),
    status: st ?? { code: 0, message: '' },
  };
}

function spanEvent(o: Obj): SpanEvent {
  return {
    timeUnixNano: nanos(o, 'timeUnixNano'),
    name: string(o, 'name'),
    attributes: attributes(o, 'attributes'),
    droppedAttributesCount: uint32(o, 'droppedAttributesCount'),
  };
}

function spanLink(o: Obj): SpanLink {
  return {
    traceId: id(o, 'traceId', 16),
    spanId: id(o, 'spanId', 8),
    traceState: string(o, 'traceState'),
    attributes: attributes(o, 'attributes'),
    droppedAttributesCount: uint32(o, 'droppedAttributesCount'),
    flags: uint32(o, 'flags'),
  };
}

export function decodeTracesJson(bytes: Uint8Array | string): TracesBatch {
  const root = parse(bytes);
  return {
    resourceSpans: list(
      root,
      'resourceSpans',
      each((rs) => ({
        resource: child(rs, 'resource', resource) ?? emptyResource(),
        scopeSpans: list(
          rs,
          'scopeSpans',
          each((ss) => ({ scope: child(ss, 'scope', scope) ?? emptyScope(), spans: list(ss, 'spans', each(span)), schemaUrl: string(ss, 'schemaUrl') })),
        ),
        schemaUrl: string(rs, 'schemaUrl'),
      })),
    ),
  };
}

// ---- logs ----

const SEVERITIES: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((name, i) => {
  SEVERITIES[`SEVERITY_NUMBER_${name}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) SEVERITIES[`SEVERITY_NUMBER_${name}${k}`] = i * 4 + k;
});

function logRecord(o: Obj): LogRecord {
  path.push('body');
  const body = anyValue(get(o, 'body'));
  path.pop();
  return {
    timeUnixNano: nanos(o, 'timeUnixNano'),
    observedTimeUnixNano: nanos(o, 'observedTimeUnixNano'),
    severityNumber: enumValue(o, 'severityNumber', SEVERITIES, 24),
    severityText: string(o, 'severityText'),
    body,
    attributes: attributes(o, 'attributes'),
    droppedAttributesCount: uint32(o, 'droppedAttributesCount'),
    flags: uint32(o, 'flags'),
    traceId: id(o, 'traceId', 16),
    spanId: id(o, 'spanId', 8),
    eventName: string(o, 'eventName'),
  };
}

export function decodeLogsJson(bytes: Uint8Array | string): LogsBatch {
  const root = parse(bytes);
  return {
    resourceLogs: list(
      root,
      'resourceLogs',
      each((rl) => ({
        resource: child(rl, 'resource', resource) ?? emptyResource(),
        scopeLogs: list(
          rl,
          'scopeLogs',
          each((sl) => ({ scope: child(sl, 'scope', scope) ?? emptyScope(), logRecords: list(sl, 'logRecords', each(logRecord)), schemaUrl: string(sl, 'schemaUrl') })),
        ),
        schemaUrl: string(rl, 'schemaUrl'),
      })),
    ),
  };
}

// ---- metrics ----

const TEMPORALITIES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

/** The number oneof (asDouble | asInt) of data points and exemplars. */
function numberValue(o: Obj): number {
  let v = get(o, 'asDouble');
  if (v !== undefined && v !== null) return double(v, 'asDouble');
  v = get(o, 'asInt');
  if (v !== undefined && v !== null) return Number(integer(v, 'asInt', I64_MIN, I64_MAX));
  return 0;
}

function exemplar(o: Obj): Exemplar {
  return {
    filteredAttributes: attributes(o, 'filteredAttributes'),
    timeUnixNano: nanos(o, 'timeUnixNano'),
    value: numberValue(o),
    spanId: id(o, 'spanId', 8),
    traceId: id(o, 'traceId', 16),
  };
}

function numberPoint(o: Obj): NumberDataPoint {
  return {
    attributes: attributes(o, 'attributes'),
    startTimeUnixNano: nanos(o, 'startTimeUnixNano'),
    timeUnixNano: nanos(o, 'timeUnixNano'),
    value: numberValue(o),
    exemplars: list(o, 'exemplars', each(exemplar)),
    flags: uint32(o, 'flags'),
  };
}

function numbers(o: Obj, key: string, conv: (v: unknown, key: string | number) => number): number[] {
  const v = get(o, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(key, `expected an array, got ${show(v)}`);
  path.push(key);
  const out = v.map((x, i) => conv(x, i));
  path.pop();
  return out;
}

function expBuckets(o: Obj): ExponentialHistogramBuckets {
  return { offset: int32(get(o, 'offset'), 'offset'), bucketCounts: numbers(o, 'bucketCounts', count) };
}

function temporality(o: Obj): AggregationTemporality {
  return enumValue(o, 'aggregationTemporality', TEMPORALITIES, 2) as AggregationTemporality;
}

function metric(o: Obj): Metric {
  let data: MetricData | null = null;
  let d: Obj | undefined;
  if ((d = obj(get(o, 'gauge'), 'gauge'))) {
    path.push('gauge');
    data = { type: 'gauge', dataPoints: list(d, 'dataPoints', each(numberPoint)) };
    path.pop();
  } else if ((d = obj(get(o, 'sum'), 'sum'))) {
    path.push('sum');
    data = { type: 'sum', dataPoints: list(d, 'dataPoints', each(numberPoint)), aggregationTemporality: temporality(d), isMonotonic: bool(d, 'isMonotonic') };
    path.pop();
  } else if ((d = obj(get(o, 'histogram'), 'histogram'))) {
    path.push('histogram');
    data = {
      type: 'histogram',
      aggregationTemporality: temporality(d),
      dataPoints: list(
        d,
        'dataPoints',
        each((p) => ({
          attributes: attributes(p, 'attributes'),
          startTimeUnixNano: nanos(p, 'startTimeUnixNano'),
          timeUnixNano: nanos(p, 'timeUnixNano'),
          count: count(get(p, 'count'), 'count'),
          sum: optDouble(p, 'sum'),
          bucketCounts: numbers(p, 'bucketCounts', count),
          explicitBounds: numbers(p, 'explicitBounds', double),
          exemplars: list(p, 'exemplars', each(exemplar)),
          flags: uint32(p, 'flags'),
          min: optDouble(p, 'min'),
          max: optDouble(p, 'max'),
        })),
      ),
    };
    path.pop();
  } else if ((d = obj(get(o, 'exponentialHistogram'), 'exponentialHistogram'))) {
    path.push('exponentialHistogram');
    data = {
      type: 'exponential_histogram',
      aggregationTemporality: temporality(d),
      dataPoints: list(
        d,
        'dataPoints',
        each((p) => ({
          attributes: attributes(p, 'attributes'),
          startTimeUnixNano: nanos(p, 'startTimeUnixNano'),
          timeUnixNano: nanos(p, 'timeUnixNano'),
          count: count(get(p, 'count'), 'count'),
          sum: optDouble(p, 'sum'),
          scale: int32(get(p, 'scale'), 'scale'),
          zeroCount: count(get(p, 'zeroCount'), 'zeroCount'),
          positive: child(p, 'positive', expBuckets) ?? { offset: 0, bucketCounts: [] },
          negative: child(p, 'negative', expBuckets) ?? { offset: 0, bucketCounts: [] },
          flags: uint32(p, 'flags'),
          exemplars: list(p, 'exemplars', each(exemplar)),
          min: optDouble(p, 'min'),
          max: optDouble(p, 'max'),
          zeroThreshold: optDouble(p, 'zeroThreshold') ?? 0,
        })),
      ),
    };
    path.pop();
  } else if ((d = obj(get(o, 'summary'), 'summary'))) {
    path.push('summary');
    data = {
      type: 'summary',
      dataPoints: list(
        d,
        'dataPoints',
        each((p) => ({
          attributes: attributes(p, 'attributes'),
          startTimeUnixNano: nanos(p, 'startTimeUnixNano'),
          timeUnixNano: nanos(p, 'timeUnixNano'),
          count: count(get(p, 'count'), 'count'),
          sum: optDouble(p, 'sum') ?? 0,
          quantileValues: list(
            p,
            'quantileValues',
            each((q) => ({ quantile: optDouble(q, 'quantile') ?? 0, value: optDouble(q, 'value') ?? 0 })),
          ),
          flags: uint32(p, 'flags'),
        })),
      ),
    };
    path.pop();
  }
  return {
    name: string(o, 'name'),
    description: string(o, 'description'),
    unit: string(o, 'unit'),
    metadata: attributes(o, 'metadata'),
    data,
  };
}

export function decodeMetricsJson(bytes: Uint8Array | string): MetricsBatch {
  const root = parse(bytes);
  return {
    resourceMetrics: list(
      root,
      'resourceMetrics',
      each((rm) => ({
        resource: child(rm, 'resource', resource) ?? emptyResource(),
        scopeMetrics: list(
          rm,
          'scopeMetrics',
          each((sm) => ({ scope: child(sm, 'scope', scope) ?? emptyScope(), metrics: list(sm, 'metrics', each(metric)), schemaUrl: string(sm, 'schemaUrl') })),
        ),
        schemaUrl: string(rm, 'schemaUrl'),
      })),
    ),
  };
}

export const decodeJson = {
  traces: decodeTracesJson,
  logs: decodeLogsJson,
  metrics: decodeMetricsJson,
} as const;
