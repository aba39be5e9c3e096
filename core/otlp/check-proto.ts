// Validating walk over OTLP protobuf requests, for the receivers: is a request well-formed, and how
// many items (spans, log records, data points) does it hold? The stores decode the bytes again in
// their own threads (core/signals/encoded.ts), so the receiver builds nothing.
//
// It reads with the same primitives, in the same order, as core/otlp/decode-proto.ts, so it throws
// the same OtlpDecodeError at the same byte for the same input (test/core/check-proto.test.ts
// compares them on truncations and random corruption). It has its own copy of the reader (module
// state, as there) so the receive path does not share state with the stores' decoder.
import { MAX_NESTING } from './decode-proto.ts';
import { OtlpDecodeError } from './errors.ts';
import { FIELD_NAMES } from './field-names.ts';

// ---- reader state ----
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
let len = 0;
let depth = 0;

function fail(what: string, at: number = pos): never {
  throw new OtlpDecodeError(`invalid OTLP protobuf: ${what} at byte ${at} of ${len}`);
}

function fieldLabel(msg: string, field: number): string {
  const name = FIELD_NAMES[msg]?.[field];
  return `field ${field}${name ? ` (${name})` : ''} of ${msg}`;
}

// ---- primitives (as in decode-proto.ts) ----

/** A varint's low 32 bits as an unsigned number; consumes all of it (up to 10 bytes). */
function varint(): number {
  if (pos + 10 <= len) {
    let b = buf[pos++];
    if (b < 0x80) return b;
    let v = b & 0x7f;
    b = buf[pos++];
    v |= (b & 0x7f) << 7;
    if (b < 0x80) return v;
    b = buf[pos++];
    v |= (b & 0x7f) << 14;
    if (b < 0x80) return v;
    b = buf[pos++];
    v |= (b & 0x7f) << 21;
    if (b < 0x80) return v;
    b = buf[pos++];
    v = (v | ((b & 0x0f) << 28)) >>> 0;
    if (b < 0x80) return v;
    for (let i = 0; i < 5; i++) if (buf[pos++] < 0x80) return v;
    fail('malformed varint (more than 10 bytes)', pos - 10);
  }
  return varintSlow();
}

function varintSlow(): number {
  const start = pos;
  let v = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (pos >= len) fail('truncated varint', start);
    const b = buf[pos++];
    if (shift < 32) v |= (b & 0x7f) << shift;
    if (b < 0x80) return v >>> 0;
  }
  return fail('malformed varint (more than 10 bytes)', start);
}

/** Consumes a 64-bit varint (up to 10 bytes; its value is not needed here). */
function varint64(): void {
  const start = pos;
  for (let i = 0; i < 10; i++) {
    if (pos >= len) fail('truncated varint', start);
    if (buf[pos++] < 0x80) return;
  }
  fail('malformed varint (more than 10 bytes)', start);
}

function need(n: number, msg: string, field: number, end: number): void {
  if (pos + n > end) fail(`truncated ${n === 8 ? 'fixed64' : 'fixed32'} ${fieldLabel(msg, field)}`);
}

/** Reads a length prefix and returns where the value ends, checked against the enclosing end. */
function lenEnd(msg: string, field: number, end: number): number {
  // Most lengths are one byte and fit: small enough to inline; the rest as decode-proto.ts reads it.
  if (pos < end) {
    const n = buf[pos];
    if (n < 0x80 && pos + 1 + n <= end) return ++pos + n;
  }
  return lenEndSlow(msg, field, end);
}

function lenEndSlow(msg: string, field: number, end: number): number {
  const at = pos;
  const n = varint();
  if (pos - at > 5) fail(`oversized length for ${fieldLabel(msg, field)}`, at);
  const e = pos + n;
  if (e > end) {
    fail(`truncated length-delimited ${fieldLabel(msg, field)}: length ${n} but ${end - pos} bytes left${end < len ? ' in the enclosing message' : ''}`, at);
  }
  return e;
}

/** Skips one field of any wire type (including deprecated groups). */
function skip(tag: number, msg: string, end: number): void {
  const field = tag >>> 3;
  const at = pos;
  switch (tag & 7) {
    case 0:
      varint64();
      break;
    case 1:
      pos += 8;
      break;
    case 2:
      pos = lenEnd(msg, field, end);
      return;
    case 5:
      pos += 4;
      break;
    case 3: {
      if (++depth > MAX_NESTING) fail(`groups nested deeper than ${MAX_NESTING}`);
      for (;;) {
        if (pos >= end) fail(`unterminated group ${fieldLabel(msg, field)}`, at);
        const t = varint();
        if ((t & 7) === 4) {
          if (t >>> 3 !== field) fail(`mismatched end of group ${fieldLabel(msg, field)}`);
          break;
        }
        skip(t, msg, end);
      }
      depth--;
      break;
    }
    default:
      fail(`bad wire type ${tag & 7} for ${fieldLabel(msg, field)}`, at);
  }
  if (pos > end) fail(`truncated ${fieldLabel(msg, field)}`, at);
}

function checkEnd(msg: string, end: number, start: number): void {
  if (pos !== end) fail(`${msg} overruns its length (${end - start} bytes)`, start);
}

// ---- the walk ----

const enum Kind {
  /** A sub-message: length, then its fields, ending exactly at its boundary. */
  Message,
  /** string or bytes: a checked length. */
  Bytes,
  Id8,
  Id16,
  /** varint read as 32 bits (varint()) */
  Varint,
  /** varint read as 64 bits (varint64()) */
  Varint64,
  Fixed64,
  Fixed32,
  /** repeated fixed64/double, packed (wire type 2) */
  PackedFixed64,
  /** repeated uint64, packed (ExponentialHistogramDataPoint.Buckets) */
  PackedVarint64,
}

interface WalkField {
  kind: Kind;
  field: number;
  message?: Walker;
}

interface Walker {
  name: string;
  /** By whole tag (field << 3 | wire type), as the decoders switch. */
  fields: Array<WalkField | undefined>;
  /** Each one is an item (span, log record, data point). */
  item?: boolean;
  /** AnyValue arrays and maps: count toward MAX_NESTING. */
  nests?: boolean;
  /** Metric: its data points are those of its last data field (a oneof: the last one wins). */
  metric?: boolean;
  /** Metric data fields (Gauge, Sum, ...). */
  data?: boolean;
}

function walker(name: string, flags: Partial<Walker> = {}): Walker {
  // Every property set on every walker: one object shape, so the walk's property reads stay fast.
  return { name, fields: [], item: !!flags.item, nests: !!flags.nests, metric: !!flags.metric, data: !!flags.data };
}

function on(w: Walker, field: number, wire: number, kind: Kind, message?: Walker): void {
  w.fields[(field << 3) | wire] = { kind, field, message };
}

const W = {
  keyValue: walker('KeyValue'),
  anyValue: walker('AnyValue'),
  arrayValue: walker('ArrayValue', { nests: true }),
  kvlist: walker('KeyValueList', { nests: true }),
  resource: walker('Resource'),
  scope: walker('InstrumentationScope'),
  traces: walker('ExportTraceServiceRequest'),
  resourceSpans: walker('ResourceSpans'),
  scopeSpans: walker('ScopeSpans'),
  span: walker('Span', { item: true }),
  event: walker('Span.Event'),
  link: walker('Span.Link'),
  status: walker('Status'),
  logs: walker('ExportLogsServiceRequest'),
  resourceLogs: walker('ResourceLogs'),
  scopeLogs: walker('ScopeLogs'),
  logRecord: walker('LogRecord', { item: true }),
  metrics: walker('ExportMetricsServiceRequest'),
  resourceMetrics: walker('ResourceMetrics'),
  scopeMetrics: walker('ScopeMetrics'),
  metric: walker('Metric', { metric: true }),
  gauge: walker('Gauge'),
  sum: walker('Sum'),
  histogram: walker('Histogram'),
  expHistogram: walker('ExponentialHistogram'),
  summary: walker('Summary'),
  numberPoint: walker('NumberDataPoint', { item: true }),
  histogramPoint: walker('HistogramDataPoint', { item: true }),
  buckets: walker('ExponentialHistogramDataPoint.Buckets'),
  expPoint: walker('ExponentialHistogramDataPoint', { item: true }),
  summaryPoint: walker('SummaryDataPoint', { item: true }),
  quantile: walker('SummaryDataPoint.ValueAtQuantile'),
  exemplar: walker('Exemplar'),
};
const Message = Kind.Message, Bytes = Kind.Bytes, Id8 = Kind.Id8, Id16 = Kind.Id16, Varint = Kind.Varint, Varint64 = Kind.Varint64;
const Fixed64 = Kind.Fixed64, Fixed32 = Kind.Fixed32, PackedFixed64 = Kind.PackedFixed64, PackedVarint64 = Kind.PackedVarint64;

// Field tables: mirror the decoders' switches above (same fields, wire types and readers).
on(W.keyValue, 1, 2, Bytes);
on(W.keyValue, 2, 2, Message, W.anyValue);
on(W.anyValue, 1, 2, Bytes);
on(W.anyValue, 2, 0, Varint64);
on(W.anyValue, 3, 0, Varint64);
on(W.anyValue, 4, 1, Fixed64);
on(W.anyValue, 5, 2, Message, W.arrayValue);
on(W.anyValue, 6, 2, Message, W.kvlist);
on(W.anyValue, 7, 2, Bytes);
on(W.arrayValue, 1, 2, Message, W.anyValue);
on(W.kvlist, 1, 2, Message, W.keyValue);
on(W.resource, 1, 2, Message, W.keyValue);
on(W.resource, 2, 0, Varint);
on(W.scope, 1, 2, Bytes);
on(W.scope, 2, 2, Bytes);
on(W.scope, 3, 2, Message, W.keyValue);
on(W.scope, 4, 0, Varint);

on(W.traces, 1, 2, Message, W.resourceSpans);
on(W.resourceSpans, 1, 2, Message, W.resource);
on(W.resourceSpans, 2, 2, Message, W.scopeSpans);
on(W.resourceSpans, 3, 2, Bytes);
on(W.scopeSpans, 1, 2, Message, W.scope);
on(W.scopeSpans, 2, 2, Message, W.span);
on(W.scopeSpans, 3, 2, Bytes);
on(W.span, 1, 2, Id16);
on(W.span, 2, 2, Id8);
on(W.span, 3, 2, Bytes);
on(W.span, 4, 2, Id8);
on(W.span, 5, 2, Bytes);
on(W.span, 6, 0, Varint);
on(W.span, 7, 1, Fixed64);
on(W.span, 8, 1, Fixed64);
on(W.span, 9, 2, Message, W.keyValue);
on(W.span, 10, 0, Varint);
on(W.span, 11, 2, Message, W.event);
on(W.span, 12, 0, Varint);
on(W.span, 13, 2, Message, W.link);
on(W.span, 14, 0, Varint);
on(W.span, 15, 2, Message, W.status);
on(W.span, 16, 5, Fixed32);
on(W.event, 1, 1, Fixed64);
on(W.event, 2, 2, Bytes);
on(W.event, 3, 2, Message, W.keyValue);
on(W.event, 4, 0, Varint);
on(W.link, 1, 2, Id16);
on(W.link, 2, 2, Id8);
on(W.link, 3, 2, Bytes);
on(W.link, 4, 2, Message, W.keyValue);
on(W.link, 5, 0, Varint);
on(W.link, 6, 5, Fixed32);
on(W.status, 2, 2, Bytes);
on(W.status, 3, 0, Varint);

on(W.logs, 1, 2, Message, W.resourceLogs);
on(W.resourceLogs, 1, 2, Message, W.resource);
on(W.resourceLogs, 2, 2, Message, W.scopeLogs);
on(W.resourceLogs, 3, 2, Bytes);
on(W.scopeLogs, 1, 2, Message, W.scope);
on(W.scopeLogs, 2, 2, Message, W.logRecord);
on(W.scopeLogs, 3, 2, Bytes);
on(W.logRecord, 1, 1, Fixed64);
on(W.logRecord, 2, 0, Varint);
on(W.logRecord, 3, 2, Bytes);
on(W.logRecord, 5, 2, Message, W.anyValue);
on(W.logRecord, 6, 2, Message, W.keyValue);
on(W.logRecord, 7, 0, Varint);
on(W.logRecord, 8, 5, Fixed32);
on(W.logRecord, 9, 2, Id16);
on(W.logRecord, 10, 2, Id8);
on(W.logRecord, 11, 1, Fixed64);
on(W.logRecord, 12, 2, Bytes);

on(W.metrics, 1, 2, Message, W.resourceMetrics);
on(W.resourceMetrics, 1, 2, Message, W.resource);
on(W.resourceMetrics, 2, 2, Message, W.scopeMetrics);
on(W.resourceMetrics, 3, 2, Bytes);
on(W.scopeMetrics, 1, 2, Message, W.scope);
on(W.scopeMetrics, 2, 2, Message, W.metric);
on(W.scopeMetrics, 3, 2, Bytes);
on(W.metric, 1, 2, Bytes);
on(W.metric, 2, 2, Bytes);
on(W.metric, 3, 2, Bytes);
for (const [field, data] of [[5, W.gauge], [7, W.sum], [9, W.histogram], [10, W.expHistogram], [11, W.summary]] as const) {
  on(data, 1, 2, Message, data === W.gauge || data === W.sum ? W.numberPoint : data === W.histogram ? W.histogramPoint : data === W.expHistogram ? W.expPoint : W.summaryPoint);
  data.data = true;
  on(W.metric, field, 2, Message, data);
}
on(W.metric, 12, 2, Message, W.keyValue);
on(W.sum, 2, 0, Varint);
on(W.sum, 3, 0, Varint);
on(W.histogram, 2, 0, Varint);
on(W.expHistogram, 2, 0, Varint);
for (const p of [W.numberPoint, W.histogramPoint, W.expPoint, W.summaryPoint]) {
  on(p, 2, 1, Fixed64);
  on(p, 3, 1, Fixed64);
}
on(W.numberPoint, 4, 1, Fixed64);
on(W.numberPoint, 5, 2, Message, W.exemplar);
on(W.numberPoint, 6, 1, Fixed64);
on(W.numberPoint, 7, 2, Message, W.keyValue);
on(W.numberPoint, 8, 0, Varint);
on(W.histogramPoint, 4, 1, Fixed64);
on(W.histogramPoint, 5, 1, Fixed64);
on(W.histogramPoint, 6, 1, Fixed64);
on(W.histogramPoint, 6, 2, PackedFixed64);
on(W.histogramPoint, 7, 1, Fixed64);
on(W.histogramPoint, 7, 2, PackedFixed64);
on(W.histogramPoint, 8, 2, Message, W.exemplar);
on(W.histogramPoint, 9, 2, Message, W.keyValue);
on(W.histogramPoint, 10, 0, Varint);
on(W.histogramPoint, 11, 1, Fixed64);
on(W.histogramPoint, 12, 1, Fixed64);
on(W.buckets, 1, 0, Varint);
on(W.buckets, 2, 0, Varint64);
on(W.buckets, 2, 2, PackedVarint64);
on(W.expPoint, 1, 2, Message, W.keyValue);
on(W.expPoint, 4, 1, Fixed64);
on(W.expPoint, 5, 1, Fixed64);
on(W.expPoint, 6, 0, Varint);
on(W.expPoint, 7, 1, Fixed64);
on(W.expPoint, 8, 2, Message, W.buckets);
on(W.expPoint, 9, 2, Message, W.buckets);
on(W.expPoint, 10, 0, Varint);
on(W.expPoint, 11, 2, Message, W.exemplar);
on(W.expPoint, 12, 1, Fixed64);
on(W.expPoint, 13, 1, Fixed64);
on(W.expPoint, 14, 1, Fixed64);
on(W.summaryPoint, 4, 1, Fixed64);
on(W.summaryPoint, 5, 1, Fixed64);
on(W.summaryPoint, 6, 2, Message, W.quantile);
on(W.summaryPoint, 7, 2, Message, W.keyValue);
on(W.summaryPoint, 8, 0, Varint);
on(W.quantile, 1, 1, Fixed64);
on(W.quantile, 2, 1, Fixed64);
on(W.exemplar, 2, 1, Fixed64);
on(W.exemplar, 3, 1, Fixed64);
on(W.exemplar, 4, 2, Id8);
on(W.exemplar, 5, 2, Id16);
on(W.exemplar, 6, 1, Fixed64);
on(W.exemplar, 7, 2, Message, W.keyValue);

// Attributes are most of what a request holds: KeyValue and AnyValue get their own loops, the
// same reads as their tables describe, without the table lookups and the generic bookkeeping.
const KEY_VALUE = W.keyValue;

function keyValue(end: number): void {
  const start = pos;
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) pos = lenEnd('KeyValue', 1, end);
    else if (tag === ((2 << 3) | 2)) anyValue(lenEnd('KeyValue', 2, end));
    else skip(tag, 'KeyValue', end);
  }
  checkEnd('KeyValue', end, start);
}

function anyValue(end: number): void {
  const start = pos;
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        pos = lenEnd('AnyValue', 1, end);
        break;
      case (2 << 3) | 0:
      case (3 << 3) | 0:
        varint64();
        break;
      case (4 << 3) | 1:
        need(8, 'AnyValue', 4, end);
        pos += 8;
        break;
      case (5 << 3) | 2:
        walk(W.arrayValue, lenEnd('AnyValue', 5, end));
        break;
      case (6 << 3) | 2:
        walk(W.kvlist, lenEnd('AnyValue', 6, end));
        break;
      case (7 << 3) | 2:
        pos = lenEnd('AnyValue', 7, end);
        break;
      default:
        skip(tag, 'AnyValue', end);
    }
  }
  checkEnd('AnyValue', end, start);
}

const SPAN = W.span;

function id(size: 8 | 16, field: number, end: number): void {
  const at = pos;
  const e = lenEnd('Span', field, end);
  const n = e - pos;
  if (n !== 0 && n !== size) fail(`${fieldLabel('Span', field)} must be ${size} bytes, got ${n}`, at);
  pos = e;
}

/** A Span (W.span, field by field). */
function span(end: number): void {
  const start = pos;
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        id(16, 1, end);
        break;
      case (2 << 3) | 2:
        id(8, 2, end);
        break;
      case (4 << 3) | 2:
        id(8, 4, end);
        break;
      case (3 << 3) | 2:
      case (5 << 3) | 2:
        pos = lenEnd('Span', tag >>> 3, end);
        break;
      case (6 << 3) | 0:
      case (10 << 3) | 0:
      case (12 << 3) | 0:
      case (14 << 3) | 0:
        varint();
        break;
      case (7 << 3) | 1:
      case (8 << 3) | 1:
        need(8, 'Span', tag >>> 3, end);
        pos += 8;
        break;
      case (9 << 3) | 2:
        keyValue(lenEnd('Span', 9, end));
        break;
      case (11 << 3) | 2:
        walk(W.event, lenEnd('Span', 11, end));
        break;
      case (13 << 3) | 2:
        walk(W.link, lenEnd('Span', 13, end));
        break;
      case (15 << 3) | 2:
        walk(W.status, lenEnd('Span', 15, end));
        break;
      case (16 << 3) | 5:
        need(4, 'Span', 16, end);
        pos += 4;
        break;
      default:
        skip(tag, 'Span', end);
    }
  }
  checkEnd('Span', end, start);
  items++;
}

/** Items seen by the walk. */
let items = 0;

/** The fields of one message up to `end` (its boundary); `top` is the request itself, which,
 * as in the decoders, has no enclosing length to check. */
function walk(w: Walker, end: number, top = false): void {
  if (w.nests && ++depth > MAX_NESTING) fail(`AnyValue arrays/maps nested deeper than ${MAX_NESTING}`);
  const start = pos;
  const name = w.name;
  const fields = w.fields;
  // Metric: the items of its last data field.
  let dataItems = 0;
  while (pos < end) {
    const tag = varint();
    const f = tag < fields.length ? fields[tag] : undefined;
    if (f === undefined) {
      skip(tag, name, end);
      continue;
    }
    switch (f.kind) {
      case Kind.Message: {
        const e = lenEnd(name, f.field, end);
        const sub = f.message!;
        if (sub === KEY_VALUE) keyValue(e);
        else if (sub === SPAN) span(e);
        else if (sub.data) {
          const before = items;
          walk(sub, e);
          dataItems = items - before;
          items = before;
        } else walk(sub, e);
        break;
      }
      case Kind.Bytes:
        pos = lenEnd(name, f.field, end);
        break;
      case Kind.Id8:
      case Kind.Id16: {
        const at = pos;
        const e = lenEnd(name, f.field, end);
        const n = e - pos;
        const size = f.kind === Kind.Id8 ? 8 : 16;
        if (n !== 0 && n !== size) fail(`${fieldLabel(name, f.field)} must be ${size} bytes, got ${n}`, at);
        pos = e;
        break;
      }
      case Kind.Varint:
        varint();
        break;
      case Kind.Varint64:
        varint64();
        break;
      case Kind.Fixed64:
        need(8, name, f.field, end);
        pos += 8;
        break;
      case Kind.Fixed32:
        need(4, name, f.field, end);
        pos += 4;
        break;
      case Kind.PackedFixed64: {
        const e = lenEnd(name, f.field, end);
        if ((e - pos) % 8 !== 0) fail(`packed ${fieldLabel(name, f.field)} is ${e - pos} bytes, not a multiple of 8`);
        pos = e;
        break;
      }
      case Kind.PackedVarint64: {
        const e = lenEnd(name, f.field, end);
        while (pos < e) varint64();
        if (pos !== e) fail(`packed ${fieldLabel(name, f.field)} overruns its length`);
        break;
      }
    }
  }
  if (!top) checkEnd(name, end, start);
  if (w.nests) depth--;
  if (w.item) items++;
  if (w.metric) items += dataItems;
}

function checkRequest(w: Walker, bytes: Uint8Array): number {
  buf = bytes;
  pos = 0;
  len = bytes.length;
  depth = 0;
  items = 0;
  try {
    walk(w, len, true);
    return items;
  } finally {
    buf = EMPTY; // so a request's buffer can be collected
  }
}
const EMPTY = new Uint8Array(0);

/**
 * Checks an Export{Trace,Logs,Metrics}ServiceRequest without decoding it and returns its item
 * count (spans, log records, metric data points, as countItems counts the decoded batch). Throws
 * exactly what decodeProto[signal] throws for the same bytes.
 */
export const checkRequestProto = {
  traces: (bytes: Uint8Array): number => checkRequest(W.traces, bytes),
  logs: (bytes: Uint8Array): number => checkRequest(W.logs, bytes),
  metrics: (bytes: Uint8Array): number => checkRequest(W.metrics, bytes),
} as const;
