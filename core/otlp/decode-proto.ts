// Hand-written protobuf decoder: Export{Trace,Logs,Metrics}ServiceRequest bytes -> the batches of
// core/signals/types.ts, decoded straight into their final shapes (no intermediate message objects).
//
// This is the receiver's hot path, so it trades some elegance for speed:
// - the reader state lives in module variables (decoding is synchronous and never re-entered);
// - each message decoder switches on the whole tag (field << 3 | wire type), so a known field that
//   arrives with an unexpected wire type falls through to skip(), as in the Go protobuf runtime;
// - every length is checked against its enclosing message before use, so hostile lengths throw
//   instead of allocating, and every message must end exactly at its boundary.
// Malformed input throws OtlpDecodeError (a PermanentError) saying what and where.
import type {
  AnyValue,
  Attributes,
  Exemplar,
  ExponentialHistogramBuckets,
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  InstrumentationScope,
  LogRecord,
  LogsBatch,
  Metric,
  MetricData,
  MetricsBatch,
  NumberDataPoint,
  Resource,
  ResourceLogs,
  ResourceMetrics,
  ResourceSpans,
  ScopeLogs,
  ScopeMetrics,
  ScopeSpans,
  Span,
  SpanEvent,
  SpanLink,
  SummaryDataPoint,
  TracesBatch,
} from '../signals/types.ts';
import { OtlpDecodeError } from './errors.ts';
import { FIELD_NAMES } from './field-names.ts';

/** Nesting limit for AnyValue arrays/maps and skipped groups: deeper input is rejected rather than
 * risking a stack overflow. */
export const MAX_NESTING = 100;

// ---- reader state ----
type Buf = Buffer & { utf8Slice(start: number, end: number): string; latin1Slice(start: number, end: number): string; hexSlice(start: number, end: number): string };
let buf: Buf = Buffer.alloc(0) as Buf;
let dv: DataView = new DataView(new ArrayBuffer(0));
let pos = 0;
let len = 0;
let depth = 0;

function begin(bytes: Uint8Array): void {
  buf = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Buf;
  dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  pos = 0;
  len = buf.length;
  depth = 0;
}

function end(): void {
  // Drop the reference so a decoded request's buffer can be collected.
  buf = EMPTY;
  dv = EMPTY_DV;
}
const EMPTY = Buffer.alloc(0) as Buf;
const EMPTY_DV: DataView = new DataView(new ArrayBuffer(0));

function fail(what: string, at: number = pos): never {
  throw new OtlpDecodeError(`invalid OTLP protobuf: ${what} at byte ${at} of ${len}`);
}

function fieldLabel(msg: string, field: number): string {
  const name = FIELD_NAMES[msg]?.[field];
  return `field ${field}${name ? ` (${name})` : ''} of ${msg}`;
}

// ---- primitives ----

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

// 64-bit varints land in these two (unsigned 32-bit halves).
let lo = 0;
let hi = 0;

function varint64(): void {
  const start = pos;
  let l = 0;
  let h = 0;
  let b = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= len) fail('truncated varint', start);
    b = buf[pos++];
    l |= (b & 0x7f) << shift;
    if (b < 0x80) {
      lo = l >>> 0;
      hi = 0;
      return;
    }
  }
  if (pos >= len) fail('truncated varint', start);
  b = buf[pos++];
  l |= (b & 0x7f) << 28;
  h = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= len) fail('truncated varint', start);
      b = buf[pos++];
      h |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      if (shift + 7 >= 32) {
        // 10th byte (bit 63) read above; anything longer is malformed.
        fail('malformed varint (more than 10 bytes)', start);
      }
    }
  }
  lo = l >>> 0;
  hi = h >>> 0;
}

/** lo/hi as a signed int64: a number when safe, else a bigint. */
function int64Value(): number | bigint {
  const h = hi | 0;
  if (h >= -0x200000 && h < 0x200000) return h * 4294967296 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

function int64(): number | bigint {
  varint64();
  return int64Value();
}

function uint64Number(): number {
  varint64();
  return hi * 4294967296 + lo;
}

function need(n: number, msg: string, field: number, end: number): void {
  if (pos + n > end) fail(`truncated ${n === 8 ? 'fixed64' : 'fixed32'} ${fieldLabel(msg, field)}`);
}

function fixed64Big(msg: string, field: number, end: number): bigint {
  need(8, msg, field, end);
  const v = dv.getBigUint64(pos, true);
  pos += 8;
  return v;
}

function fixed64Number(msg: string, field: number, end: number): number {
  need(8, msg, field, end);
  const v = dv.getUint32(pos, true) + dv.getUint32(pos + 4, true) * 4294967296;
  pos += 8;
  return v;
}

/** sfixed64 as a number (metric values are numbers in the data model). */
function sfixed64Number(msg: string, field: number, end: number): number {
  need(8, msg, field, end);
  const v = dv.getUint32(pos, true) + dv.getInt32(pos + 4, true) * 4294967296;
  pos += 8;
  return v;
}

function fixed32(msg: string, field: number, end: number): number {
  need(4, msg, field, end);
  const v = dv.getUint32(pos, true);
  pos += 4;
  return v;
}

function double(msg: string, field: number, end: number): number {
  need(8, msg, field, end);
  const v = dv.getFloat64(pos, true);
  pos += 8;
  return v;
}

/** Reads a length prefix and returns where the value ends, checked against the enclosing end. */
function lenEnd(msg: string, field: number, end: number): number {
  const at = pos;
  const n = varint();
  if (pos - at > 5) fail(`oversized length for ${fieldLabel(msg, field)}`, at);
  const e = pos + n;
  if (e > end) {
    fail(`truncated length-delimited ${fieldLabel(msg, field)}: length ${n} but ${end - pos} bytes left${end < len ? ' in the enclosing message' : ''}`, at);
  }
  return e;
}

/** UTF-8 text; invalid sequences become U+FFFD. Short ASCII (attribute keys, names) is built
 * in JS, which beats crossing into C++ for a few bytes. */
function str(s: number, e: number): string {
  const n = e - s;
  if (n === 0) return '';
  if (n <= 16) {
    let out = '';
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c >= 0x80) return buf.utf8Slice(s, e);
      out += String.fromCharCode(c);
    }
    return out;
  }
  return buf.utf8Slice(s, e);
}

// Attribute keys (and short values such as operation or model names) repeat across a batch and
// across requests. A small direct-mapped cache hands back the same string for the same bytes:
// cheaper than making a new string, and a key V8 has already internalized makes the attribute
// store (`attrs[key] = v`) fast. Bounded: a fixed number of slots, entries of at most 64 bytes.
const CACHE_SLOTS = 4096;
const CACHE_MAX = 64;
const cacheStr: string[] = new Array(CACHE_SLOTS).fill('');
const cacheLen = new Int32Array(CACHE_SLOTS).fill(-1);
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX);

function cachedStr(s: number, e: number): string {
  const n = e - s;
  if (n > CACHE_MAX || n === 0) return str(s, e);
  // Hash the length, the first 4 and the last 12 bytes (keys share prefixes like "gen_ai."); the
  // full comparison below keeps it correct whatever collides.
  let h = n;
  const head = n < 4 ? e : s + 4;
  for (let i = s; i < head; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  for (let i = n > 16 ? e - 12 : head; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  const base = slot * CACHE_MAX;
  if (cacheLen[slot] === n) {
    let i = 0;
    while (i < n && cacheBytes[base + i] === buf[s + i]) i++;
    if (i === n) return cacheStr[slot];
  }
  const v = str(s, e);
  cacheBytes.set(buf.subarray(s, e), base);
  cacheLen[slot] = n;
  cacheStr[slot] = v;
  return v;
}

function readKey(msg: string, field: number, end: number): string {
  const e = lenEnd(msg, field, end);
  const s = cachedStr(pos, e);
  pos = e;
  return s;
}

function readString(msg: string, field: number, end: number): string {
  const e = lenEnd(msg, field, end);
  const s = str(pos, e);
  pos = e;
  return s;
}

function readBytesCopy(msg: string, field: number, end: number): Uint8Array {
  const e = lenEnd(msg, field, end);
  // A copy, so a batch held in a queue does not pin the whole request buffer.
  const out = new Uint8Array(e - pos);
  out.set(buf.subarray(pos, e));
  pos = e;
  return out;
}

/** Trace/span ids: empty -> '', otherwise exactly `size` bytes as lowercase hex. */
function readId(size: 8 | 16, msg: string, field: number, end: number): string {
  const at = pos;
  const e = lenEnd(msg, field, end);
  const n = e - pos;
  if (n === 0) return '';
  if (n !== size) fail(`${fieldLabel(msg, field)} must be ${size} bytes, got ${n}`, at);
  const p = pos;
  pos = e;
  // One flat string from Buffer's hex slice: 16 concatenated hex pairs make a ConsString tree,
  // which every reader of the id (the stores' string encoders, ===) must flatten again (measured:
  // ~560-800 ns per id made and read once, against ~220-300).
  return buf.hexSlice(p, e);
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

// ---- common ----

function anyValue(end: number): AnyValue {
  const start = pos;
  let v: AnyValue = null;
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        v = readKey('AnyValue', 1, end);
        break;
      case (2 << 3) | 0:
        varint64();
        v = lo !== 0 || hi !== 0;
        break;
      case (3 << 3) | 0:
        v = int64();
        break;
      case (4 << 3) | 1:
        v = double('AnyValue', 4, end);
        break;
      case (5 << 3) | 2: {
        const e = lenEnd('AnyValue', 5, end);
        v = arrayValue(e);
        break;
      }
      case (6 << 3) | 2: {
        const e = lenEnd('AnyValue', 6, end);
        v = kvlistValue(e);
        break;
      }
      case (7 << 3) | 2:
        v = readBytesCopy('AnyValue', 7, end);
        break;
      default:
        skip(tag, 'AnyValue', end);
    }
  }
  checkEnd('AnyValue', end, start);
  return v;
}

/** The bytes of one AnyValue message as the decoders read it (for encoders that write values
 * straight from protobuf but render arrays, maps and bytes the decoded way). */
export function decodeAnyValueProto(bytes: Uint8Array): AnyValue {
  begin(bytes);
  try {
    return anyValue(len);
  } finally {
    end();
  }
}

function arrayValue(end: number): AnyValue[] {
  if (++depth > MAX_NESTING) fail(`AnyValue arrays/maps nested deeper than ${MAX_NESTING}`);
  const start = pos;
  const out: AnyValue[] = [];
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) {
      const e = lenEnd('ArrayValue', 1, end);
      out.push(anyValue(e));
    } else skip(tag, 'ArrayValue', end);
  }
  checkEnd('ArrayValue', end, start);
  depth--;
  return out;
}

function kvlistValue(end: number): { [key: string]: AnyValue } {
  if (++depth > MAX_NESTING) fail(`AnyValue arrays/maps nested deeper than ${MAX_NESTING}`);
  const start = pos;
  const out: { [key: string]: AnyValue } = {};
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) {
      const e = lenEnd('KeyValueList', 1, end);
      keyValue(out, e);
    } else skip(tag, 'KeyValueList', end);
  }
  checkEnd('KeyValueList', end, start);
  depth--;
  return out;
}

/** One KeyValue, set into attrs (setAttribute semantics for '__proto__'). */
function keyValue(attrs: Attributes, end: number): void {
  const start = pos;
  let key = '';
  let value: AnyValue = null;
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) key = readKey('KeyValue', 1, end);
    else if (tag === ((2 << 3) | 2)) {
      const e = lenEnd('KeyValue', 2, end);
      value = anyValue(e);
    } else skip(tag, 'KeyValue', end);
  }
  checkEnd('KeyValue', end, start);
  if (key === '__proto__') Object.defineProperty(attrs, key, { value, enumerable: true, configurable: true, writable: true });
  else attrs[key] = value;
}

/** A repeated KeyValue field element: reads the length and adds the pair to attrs. */
function attribute(attrs: Attributes, msg: string, field: number, end: number): void {
  const e = lenEnd(msg, field, end);
  keyValue(attrs, e);
}

function resource(end: number): Resource {
  const start = pos;
  const r: Resource = { attributes: {}, droppedAttributesCount: 0 };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        attribute(r.attributes, 'Resource', 1, end);
        break;
      case (2 << 3) | 0:
        r.droppedAttributesCount = varint();
        break;
      default:
        skip(tag, 'Resource', end);
    }
  }
  checkEnd('Resource', end, start);
  return r;
}

function newScope(): InstrumentationScope {
  return { name: '', version: '', attributes: {}, droppedAttributesCount: 0 };
}

function scope(end: number): InstrumentationScope {
  const start = pos;
  const s = newScope();
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        s.name = readString('InstrumentationScope', 1, end);
        break;
      case (2 << 3) | 2:
        s.version = readString('InstrumentationScope', 2, end);
        break;
      case (3 << 3) | 2:
        attribute(s.attributes, 'InstrumentationScope', 3, end);
        break;
      case (4 << 3) | 0:
        s.droppedAttributesCount = varint();
        break;
      default:
        skip(tag, 'InstrumentationScope', end);
    }
  }
  checkEnd('InstrumentationScope', end, start);
  return s;
}

/** Reads a length-delimited sub-message with `read`; the helper every repeated field uses. */
function sub<T>(read: (end: number) => T, msg: string, field: number, end: number): T {
  const e = lenEnd(msg, field, end);
  return read(e);
}

// ---- traces ----

/** ExportTraceServiceRequest (or TracesData: same wire shape) -> TracesBatch. */
export function decodeTracesProto(bytes: Uint8Array): TracesBatch {
  begin(bytes);
  try {
    const out: TracesBatch = { resourceSpans: [] };
    while (pos < len) {
      const tag = varint();
      if (tag === ((1 << 3) | 2)) out.resourceSpans.push(sub(resourceSpans, 'ExportTraceServiceRequest', 1, len));
      else skip(tag, 'ExportTraceServiceRequest', len);
    }
    return out;
  } finally {
    end();
  }
}

function resourceSpans(end: number): ResourceSpans {
  const start = pos;
  const out: ResourceSpans = { resource: { attributes: {}, droppedAttributesCount: 0 }, scopeSpans: [], schemaUrl: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        out.resource = sub(resource, 'ResourceSpans', 1, end);
        break;
      case (2 << 3) | 2:
        out.scopeSpans.push(sub(scopeSpans, 'ResourceSpans', 2, end));
        break;
      case (3 << 3) | 2:
        out.schemaUrl = readString('ResourceSpans', 3, end);
        break;
      default:
        skip(tag, 'ResourceSpans', end);
    }
  }
  checkEnd('ResourceSpans', end, start);
  return out;
}

function scopeSpans(end: number): ScopeSpans {
  const start = pos;
  const out: ScopeSpans = { scope: newScope(), spans: [], schemaUrl: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        out.scope = sub(scope, 'ScopeSpans', 1, end);
        break;
      case (2 << 3) | 2:
        out.spans.push(sub(span, 'ScopeSpans', 2, end));
        break;
      case (3 << 3) | 2:
        out.schemaUrl = readString('ScopeSpans', 3, end);
        break;
      default:
        skip(tag, 'ScopeSpans', end);
    }
  }
  checkEnd('ScopeSpans', end, start);
  return out;
}

function span(end: number): Span {
  const start = pos;
  const s: Span = {
    traceId: '',
    spanId: '',
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        s.traceId = readId(16, 'Span', 1, end);
        break;
      case (2 << 3) | 2:
        s.spanId = readId(8, 'Span', 2, end);
        break;
      case (3 << 3) | 2:
        s.traceState = readString('Span', 3, end);
        break;
      case (4 << 3) | 2:
        s.parentSpanId = readId(8, 'Span', 4, end);
        break;
      case (5 << 3) | 2:
        s.name = readString('Span', 5, end);
        break;
      case (6 << 3) | 0:
        s.kind = varint() as Span['kind'];
        break;
      case (7 << 3) | 1:
        s.startTimeUnixNano = fixed64Big('Span', 7, end);
        break;
      case (8 << 3) | 1:
        s.endTimeUnixNano = fixed64Big('Span', 8, end);
        break;
      case (9 << 3) | 2:
        attribute(s.attributes, 'Span', 9, end);
        break;
      case (10 << 3) | 0:
        s.droppedAttributesCount = varint();
        break;
      case (11 << 3) | 2:
        s.events.push(sub(spanEvent, 'Span', 11, end));
        break;
      case (12 << 3) | 0:
        s.droppedEventsCount = varint();
        break;
      case (13 << 3) | 2:
        s.links.push(sub(spanLink, 'Span', 13, end));
        break;
      case (14 << 3) | 0:
        s.droppedLinksCount = varint();
        break;
      case (15 << 3) | 2:
        s.status = sub(status, 'Span', 15, end);
        break;
      case (16 << 3) | 5:
        s.flags = fixed32('Span', 16, end);
        break;
      default:
        skip(tag, 'Span', end);
    }
  }
  checkEnd('Span', end, start);
  return s;
}

function spanEvent(end: number): SpanEvent {
  const start = pos;
  const ev: SpanEvent = { timeUnixNano: 0n, name: '', attributes: {}, droppedAttributesCount: 0 };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 1:
        ev.timeUnixNano = fixed64Big('Span.Event', 1, end);
        break;
      case (2 << 3) | 2:
        ev.name = readString('Span.Event', 2, end);
        break;
      case (3 << 3) | 2:
        attribute(ev.attributes, 'Span.Event', 3, end);
        break;
      case (4 << 3) | 0:
        ev.droppedAttributesCount = varint();
        break;
      default:
        skip(tag, 'Span.Event', end);
    }
  }
  checkEnd('Span.Event', end, start);
  return ev;
}

function spanLink(end: number): SpanLink {
  const start = pos;
  const l: SpanLink = { traceId: '', spanId: '', traceState: '', attributes: {}, droppedAttributesCount: 0, flags: 0 };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        l.traceId = readId(16, 'Span.Link', 1, end);
        break;
      case (2 << 3) | 2:
        l.spanId = readId(8, 'Span.Link', 2, end);
        break;
      case (3 << 3) | 2:
        l.traceState = readString('Span.Link', 3, end);
        break;
      case (4 << 3) | 2:
        attribute(l.attributes, 'Span.Link', 4, end);
        break;
      case (5 << 3) | 0:
        l.droppedAttributesCount = varint();
        break;
      case (6 << 3) | 5:
        l.flags = fixed32('Span.Link', 6, end);
        break;
      default:
        skip(tag, 'Span.Link', end);
    }
  }
  checkEnd('Span.Link', end, start);
  return l;
}

function status(end: number): Span['status'] {
  const start = pos;
  const st: Span['status'] = { code: 0, message: '' };
  while (pos < end) {
    const tag = varint();
    if (tag === ((2 << 3) | 2)) st.message = readString('Status', 2, end);
    else if (tag === ((3 << 3) | 0)) st.code = varint() as Span['status']['code'];
    else skip(tag, 'Status', end);
  }
  checkEnd('Status', end, start);
  return st;
}

// ---- logs ----

/** ExportLogsServiceRequest (or LogsData) -> LogsBatch. */
export function decodeLogsProto(bytes: Uint8Array): LogsBatch {
  begin(bytes);
  try {
    const out: LogsBatch = { resourceLogs: [] };
    while (pos < len) {
      const tag = varint();
      if (tag === ((1 << 3) | 2)) out.resourceLogs.push(sub(resourceLogs, 'ExportLogsServiceRequest', 1, len));
      else skip(tag, 'ExportLogsServiceRequest', len);
    }
    return out;
  } finally {
    end();
  }
}

function resourceLogs(end: number): ResourceLogs {
  const start = pos;
  const out: ResourceLogs = { resource: { attributes: {}, droppedAttributesCount: 0 }, scopeLogs: [], schemaUrl: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        out.resource = sub(resource, 'ResourceLogs', 1, end);
        break;
      case (2 << 3) | 2:
        out.scopeLogs.push(sub(scopeLogs, 'ResourceLogs', 2, end));
        break;
      case (3 << 3) | 2:
        out.schemaUrl = readString('ResourceLogs', 3, end);
        break;
      default:
        skip(tag, 'ResourceLogs', end);
    }
  }
  checkEnd('ResourceLogs', end, start);
  return out;
}

function scopeLogs(end: number): ScopeLogs {
  const start = pos;
  const out: ScopeLogs = { scope: newScope(), logRecords: [], schemaUrl: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        out.scope = sub(scope, 'ScopeLogs', 1, end);
        break;
      case (2 << 3) | 2:
        out.logRecords.push(sub(logRecord, 'ScopeLogs', 2, end));
        break;
      case (3 << 3) | 2:
        out.schemaUrl = readString('ScopeLogs', 3, end);
        break;
      default:
        skip(tag, 'ScopeLogs', end);
    }
  }
  checkEnd('ScopeLogs', end, start);
  return out;
}

function logRecord(end: number): LogRecord {
  const start = pos;
  const r: LogRecord = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: null,
    attributes: {},
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
  };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 1:
        r.timeUnixNano = fixed64Big('LogRecord', 1, end);
        break;
      case (2 << 3) | 0:
        r.severityNumber = varint() | 0;
        break;
      case (3 << 3) | 2:
        r.severityText = readString('LogRecord', 3, end);
        break;
      case (5 << 3) | 2:
        r.body = sub(anyValue, 'LogRecord', 5, end);
        break;
      case (6 << 3) | 2:
        attribute(r.attributes, 'LogRecord', 6, end);
        break;
      case (7 << 3) | 0:
        r.droppedAttributesCount = varint();
        break;
      case (8 << 3) | 5:
        r.flags = fixed32('LogRecord', 8, end);
        break;
      case (9 << 3) | 2:
        r.traceId = readId(16, 'LogRecord', 9, end);
        break;
      case (10 << 3) | 2:
        r.spanId = readId(8, 'LogRecord', 10, end);
        break;
      case (11 << 3) | 1:
        r.observedTimeUnixNano = fixed64Big('LogRecord', 11, end);
        break;
      case (12 << 3) | 2:
        r.eventName = readString('LogRecord', 12, end);
        break;
      default:
        skip(tag, 'LogRecord', end);
    }
  }
  checkEnd('LogRecord', end, start);
  return r;
}

// ---- metrics ----

/** ExportMetricsServiceRequest (or MetricsData) -> MetricsBatch. */
export function decodeMetricsProto(bytes: Uint8Array): MetricsBatch {
  begin(bytes);
  try {
    const out: MetricsBatch = { resourceMetrics: [] };
    while (pos < len) {
      const tag = varint();
      if (tag === ((1 << 3) | 2)) out.resourceMetrics.push(sub(resourceMetrics, 'ExportMetricsServiceRequest', 1, len));
      else skip(tag, 'ExportMetricsServiceRequest', len);
    }
    return out;
  } finally {
    end();
  }
}

function resourceMetrics(end: number): ResourceMetrics {
  const start = pos;
  const out: ResourceMetrics = { resource: { attributes: {}, droppedAttributesCount: 0 }, scopeMetrics: [], schemaUrl: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        out.resource = sub(resource, 'ResourceMetrics', 1, end);
        break;
      case (2 << 3) | 2:
        out.scopeMetrics.push(sub(scopeMetrics, 'ResourceMetrics', 2, end));
        break;
      case (3 << 3) | 2:
        out.schemaUrl = readString('ResourceMetrics', 3, end);
        break;
      default:
        skip(tag, 'ResourceMetrics', end);
    }
  }
  checkEnd('ResourceMetrics', end, start);
  return out;
}

function scopeMetrics(end: number): ScopeMetrics {
  const start = pos;
  const out: ScopeMetrics = { scope: newScope(), metrics: [], schemaUrl: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        out.scope = sub(scope, 'ScopeMetrics', 1, end);
        break;
      case (2 << 3) | 2:
        out.metrics.push(sub(metric, 'ScopeMetrics', 2, end));
        break;
      case (3 << 3) | 2:
        out.schemaUrl = readString('ScopeMetrics', 3, end);
        break;
      default:
        skip(tag, 'ScopeMetrics', end);
    }
  }
  checkEnd('ScopeMetrics', end, start);
  return out;
}

function metric(end: number): Metric {
  const start = pos;
  const m: Metric = { name: '', description: '', unit: '', metadata: {}, data: null };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        m.name = readString('Metric', 1, end);
        break;
      case (2 << 3) | 2:
        m.description = readString('Metric', 2, end);
        break;
      case (3 << 3) | 2:
        m.unit = readString('Metric', 3, end);
        break;
      case (5 << 3) | 2:
        m.data = sub(gauge, 'Metric', 5, end);
        break;
      case (7 << 3) | 2:
        m.data = sub(sum, 'Metric', 7, end);
        break;
      case (9 << 3) | 2:
        m.data = sub(histogram, 'Metric', 9, end);
        break;
      case (10 << 3) | 2:
        m.data = sub(exponentialHistogram, 'Metric', 10, end);
        break;
      case (11 << 3) | 2:
        m.data = sub(summary, 'Metric', 11, end);
        break;
      case (12 << 3) | 2:
        attribute(m.metadata, 'Metric', 12, end);
        break;
      default:
        skip(tag, 'Metric', end);
    }
  }
  checkEnd('Metric', end, start);
  return m;
}

function gauge(end: number): MetricData {
  const start = pos;
  const dataPoints: NumberDataPoint[] = [];
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) dataPoints.push(sub(numberDataPoint, 'Gauge', 1, end));
    else skip(tag, 'Gauge', end);
  }
  checkEnd('Gauge', end, start);
  return { type: 'gauge', dataPoints };
}

function sum(end: number): MetricData {
  const start = pos;
  const d = { type: 'sum' as const, dataPoints: [] as NumberDataPoint[], aggregationTemporality: 0 as 0 | 1 | 2, isMonotonic: false };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        d.dataPoints.push(sub(numberDataPoint, 'Sum', 1, end));
        break;
      case (2 << 3) | 0:
        d.aggregationTemporality = varint() as 0 | 1 | 2;
        break;
      case (3 << 3) | 0:
        d.isMonotonic = varint() !== 0;
        break;
      default:
        skip(tag, 'Sum', end);
    }
  }
  checkEnd('Sum', end, start);
  return d;
}

function histogram(end: number): MetricData {
  const start = pos;
  const d = { type: 'histogram' as const, dataPoints: [] as HistogramDataPoint[], aggregationTemporality: 0 as 0 | 1 | 2 };
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) d.dataPoints.push(sub(histogramDataPoint, 'Histogram', 1, end));
    else if (tag === ((2 << 3) | 0)) d.aggregationTemporality = varint() as 0 | 1 | 2;
    else skip(tag, 'Histogram', end);
  }
  checkEnd('Histogram', end, start);
  return d;
}

function exponentialHistogram(end: number): MetricData {
  const start = pos;
  const d = {
    type: 'exponential_histogram' as const,
    dataPoints: [] as ExponentialHistogramDataPoint[],
    aggregationTemporality: 0 as 0 | 1 | 2,
  };
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) d.dataPoints.push(sub(exponentialHistogramDataPoint, 'ExponentialHistogram', 1, end));
    else if (tag === ((2 << 3) | 0)) d.aggregationTemporality = varint() as 0 | 1 | 2;
    else skip(tag, 'ExponentialHistogram', end);
  }
  checkEnd('ExponentialHistogram', end, start);
  return d;
}

function summary(end: number): MetricData {
  const start = pos;
  const dataPoints: SummaryDataPoint[] = [];
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) dataPoints.push(sub(summaryDataPoint, 'Summary', 1, end));
    else skip(tag, 'Summary', end);
  }
  checkEnd('Summary', end, start);
  return { type: 'summary', dataPoints };
}

function numberDataPoint(end: number): NumberDataPoint {
  const start = pos;
  const p: NumberDataPoint = { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, value: 0, exemplars: [], flags: 0 };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (2 << 3) | 1:
        p.startTimeUnixNano = fixed64Big('NumberDataPoint', 2, end);
        break;
      case (3 << 3) | 1:
        p.timeUnixNano = fixed64Big('NumberDataPoint', 3, end);
        break;
      case (4 << 3) | 1:
        p.value = double('NumberDataPoint', 4, end);
        break;
      case (5 << 3) | 2:
        p.exemplars.push(sub(exemplar, 'NumberDataPoint', 5, end));
        break;
      case (6 << 3) | 1:
        p.value = sfixed64Number('NumberDataPoint', 6, end);
        break;
      case (7 << 3) | 2:
        attribute(p.attributes, 'NumberDataPoint', 7, end);
        break;
      case (8 << 3) | 0:
        p.flags = varint();
        break;
      default:
        skip(tag, 'NumberDataPoint', end);
    }
  }
  checkEnd('NumberDataPoint', end, start);
  return p;
}

/** repeated fixed64 (packed or not) -> numbers. */
function fixed64List(out: number[], tag: number, msg: string, field: number, end: number): void {
  if ((tag & 7) === 1) {
    out.push(fixed64Number(msg, field, end));
    return;
  }
  const e = lenEnd(msg, field, end);
  if ((e - pos) % 8 !== 0) fail(`packed ${fieldLabel(msg, field)} is ${e - pos} bytes, not a multiple of 8`);
  while (pos < e) out.push(fixed64Number(msg, field, e));
}

function doubleList(out: number[], tag: number, msg: string, field: number, end: number): void {
  if ((tag & 7) === 1) {
    out.push(double(msg, field, end));
    return;
  }
  const e = lenEnd(msg, field, end);
  if ((e - pos) % 8 !== 0) fail(`packed ${fieldLabel(msg, field)} is ${e - pos} bytes, not a multiple of 8`);
  while (pos < e) out.push(double(msg, field, e));
}

function histogramDataPoint(end: number): HistogramDataPoint {
  const start = pos;
  const p: HistogramDataPoint = {
    attributes: {},
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: null,
    bucketCounts: [],
    explicitBounds: [],
    exemplars: [],
    flags: 0,
    min: null,
    max: null,
  };
  const M = 'HistogramDataPoint';
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (2 << 3) | 1:
        p.startTimeUnixNano = fixed64Big(M, 2, end);
        break;
      case (3 << 3) | 1:
        p.timeUnixNano = fixed64Big(M, 3, end);
        break;
      case (4 << 3) | 1:
        p.count = fixed64Number(M, 4, end);
        break;
      case (5 << 3) | 1:
        p.sum = double(M, 5, end);
        break;
      case (6 << 3) | 1:
      case (6 << 3) | 2:
        fixed64List(p.bucketCounts, tag, M, 6, end);
        break;
      case (7 << 3) | 1:
      case (7 << 3) | 2:
        doubleList(p.explicitBounds, tag, M, 7, end);
        break;
      case (8 << 3) | 2:
        p.exemplars.push(sub(exemplar, M, 8, end));
        break;
      case (9 << 3) | 2:
        attribute(p.attributes, M, 9, end);
        break;
      case (10 << 3) | 0:
        p.flags = varint();
        break;
      case (11 << 3) | 1:
        p.min = double(M, 11, end);
        break;
      case (12 << 3) | 1:
        p.max = double(M, 12, end);
        break;
      default:
        skip(tag, M, end);
    }
  }
  checkEnd(M, end, start);
  return p;
}

function zigzag32(v: number): number {
  return (v >>> 1) ^ -(v & 1);
}

function buckets(end: number): ExponentialHistogramBuckets {
  const start = pos;
  const M = 'ExponentialHistogramDataPoint.Buckets';
  const b: ExponentialHistogramBuckets = { offset: 0, bucketCounts: [] };
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 0)) b.offset = zigzag32(varint());
    else if (tag === ((2 << 3) | 0)) b.bucketCounts.push(uint64Number());
    else if (tag === ((2 << 3) | 2)) {
      const e = lenEnd(M, 2, end);
      while (pos < e) b.bucketCounts.push(uint64Number());
      if (pos !== e) fail(`packed ${fieldLabel(M, 2)} overruns its length`);
    } else skip(tag, M, end);
  }
  checkEnd(M, end, start);
  return b;
}

function exponentialHistogramDataPoint(end: number): ExponentialHistogramDataPoint {
  const start = pos;
  const M = 'ExponentialHistogramDataPoint';
  const p: ExponentialHistogramDataPoint = {
    attributes: {},
    startTimeUnixNano: 0n,
    timeUnixNano: 0n,
    count: 0,
    sum: null,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
    flags: 0,
    exemplars: [],
    min: null,
    max: null,
    zeroThreshold: 0,
  };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2:
        attribute(p.attributes, M, 1, end);
        break;
      case (2 << 3) | 1:
        p.startTimeUnixNano = fixed64Big(M, 2, end);
        break;
      case (3 << 3) | 1:
        p.timeUnixNano = fixed64Big(M, 3, end);
        break;
      case (4 << 3) | 1:
        p.count = fixed64Number(M, 4, end);
        break;
      case (5 << 3) | 1:
        p.sum = double(M, 5, end);
        break;
      case (6 << 3) | 0:
        p.scale = zigzag32(varint());
        break;
      case (7 << 3) | 1:
        p.zeroCount = fixed64Number(M, 7, end);
        break;
      case (8 << 3) | 2:
        p.positive = sub(buckets, M, 8, end);
        break;
      case (9 << 3) | 2:
        p.negative = sub(buckets, M, 9, end);
        break;
      case (10 << 3) | 0:
        p.flags = varint();
        break;
      case (11 << 3) | 2:
        p.exemplars.push(sub(exemplar, M, 11, end));
        break;
      case (12 << 3) | 1:
        p.min = double(M, 12, end);
        break;
      case (13 << 3) | 1:
        p.max = double(M, 13, end);
        break;
      case (14 << 3) | 1:
        p.zeroThreshold = double(M, 14, end);
        break;
      default:
        skip(tag, M, end);
    }
  }
  checkEnd(M, end, start);
  return p;
}

function summaryDataPoint(end: number): SummaryDataPoint {
  const start = pos;
  const M = 'SummaryDataPoint';
  const p: SummaryDataPoint = { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 0n, count: 0, sum: 0, quantileValues: [], flags: 0 };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (2 << 3) | 1:
        p.startTimeUnixNano = fixed64Big(M, 2, end);
        break;
      case (3 << 3) | 1:
        p.timeUnixNano = fixed64Big(M, 3, end);
        break;
      case (4 << 3) | 1:
        p.count = fixed64Number(M, 4, end);
        break;
      case (5 << 3) | 1:
        p.sum = double(M, 5, end);
        break;
      case (6 << 3) | 2:
        p.quantileValues.push(sub(valueAtQuantile, M, 6, end));
        break;
      case (7 << 3) | 2:
        attribute(p.attributes, M, 7, end);
        break;
      case (8 << 3) | 0:
        p.flags = varint();
        break;
      default:
        skip(tag, M, end);
    }
  }
  checkEnd(M, end, start);
  return p;
}

function valueAtQuantile(end: number): { quantile: number; value: number } {
  const start = pos;
  const M = 'SummaryDataPoint.ValueAtQuantile';
  const q = { quantile: 0, value: 0 };
  while (pos < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 1)) q.quantile = double(M, 1, end);
    else if (tag === ((2 << 3) | 1)) q.value = double(M, 2, end);
    else skip(tag, M, end);
  }
  checkEnd(M, end, start);
  return q;
}

function exemplar(end: number): Exemplar {
  const start = pos;
  const M = 'Exemplar';
  const x: Exemplar = { filteredAttributes: {}, timeUnixNano: 0n, value: 0, spanId: '', traceId: '' };
  while (pos < end) {
    const tag = varint();
    switch (tag) {
      case (2 << 3) | 1:
        x.timeUnixNano = fixed64Big(M, 2, end);
        break;
      case (3 << 3) | 1:
        x.value = double(M, 3, end);
        break;
      case (4 << 3) | 2:
        x.spanId = readId(8, M, 4, end);
        break;
      case (5 << 3) | 2:
        x.traceId = readId(16, M, 5, end);
        break;
      case (6 << 3) | 1:
        x.value = sfixed64Number(M, 6, end);
        break;
      case (7 << 3) | 2:
        attribute(x.filteredAttributes, M, 7, end);
        break;
      default:
        skip(tag, M, end);
    }
  }
  checkEnd(M, end, start);
  return x;
}

// ---- by signal ----

export const decodeProto = {
  traces: decodeTracesProto,
  logs: decodeLogsProto,
  metrics: decodeMetricsProto,
} as const;

// ---- validation walk ----
//
// The receiver only needs to know that a request is well-formed and how many items it holds: the
// stores decode the bytes again in their own threads. checkProto walks the wire format with the
// same primitives, in the same order, as the decoders above, so it throws the same OtlpDecodeError
// at the same byte for the same input, but it builds nothing (no objects, no strings).

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
  return { name, fields: [], ...flags };
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
        if (sub.data) {
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
  begin(bytes);
  items = 0;
  try {
    walk(w, len, true);
    return items;
  } finally {
    end();
  }
}

/**
 * Checks an Export{Trace,Logs,Metrics}ServiceRequest without decoding it and returns its item
 * count (spans, log records, metric data points, as countItems counts the decoded batch). Throws
 * exactly what decodeProto[signal] throws for the same bytes.
 */
export const checkProto = {
  traces: (bytes: Uint8Array): number => checkRequest(W.traces, bytes),
  logs: (bytes: Uint8Array): number => checkRequest(W.logs, bytes),
  metrics: (bytes: Uint8Array): number => checkRequest(W.metrics, bytes),
} as const;
