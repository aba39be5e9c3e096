// OTLP protobuf spans straight into COPY binary rows of otel_traces, without decoding them into
// objects first: the row store's hot path.
//
// Why: the general path (decode-proto -> flatten -> copy-encoder) builds a JS string for every id,
// name and attribute value and an object per span, and renders attribute maps with JSON.stringify:
// ~20 µs of CPU per GenAI span on the PGlite thread, as much as PostgreSQL's own work. Here the
// protobuf's UTF-8 bytes are copied (or JSON-escaped) into the payload as they are.
//
// Exactness: the rows written here are byte for byte the rows the general path writes for the same
// part (test/exporters/postgres-span-copy.test.ts compares them over generated and adversarial
// input). Whatever this path does not render itself, it refuses rather than approximates: a part
// holding invalid UTF-8, a duplicate or integer-like attribute key (JavaScript objects reorder or
// merge those), a non-string value where an agent column wants text, a malformed message, ...
// makes transcodeSpans return false, and the caller takes the general path for that part, which
// also gives malformed protobuf its error message. Array, map and bytes attribute values are
// decoded and rendered by the general path's own functions.
import { decodeAnyValueProto } from '../../core/otlp/decode-proto.ts';
import { toJsonValue } from '../../core/signals/attributes.ts';
import { DAY_NS } from '../../core/storage/days.ts';
import { TRACES_TABLE } from '../../core/storage/model.ts';
import { GENAI, SPAN_KIND_NAMES, STATUS_CODE_NAMES } from '../../core/storage/renderings.ts';
import { storableJson } from '../../core/storage/text.ts';
import type { CopyWriter } from './copy-writer.ts';
import { pgColumns } from './schema.ts';

/** The columns this writes, in order; checked against the schema at load (a model change that
 * forgets this file fails every test that writes a span). */
export const SPAN_COPY_COLUMNS = [
  'timestamp_unix_nano', 'trace_id', 'span_id', 'parent_span_id', 'trace_state', 'span_name', 'span_kind', 'service_name',
  'resource_attributes', 'scope_name', 'scope_version', 'span_attributes', 'duration', 'status_code', 'status_message',
  'events', 'links', 'agent_id', 'gen_ai_operation', 'gen_ai_provider', 'request_model', 'response_model', 'input_tokens',
  'output_tokens', 'tool_name',
];
{
  const schema = pgColumns(TRACES_TABLE.columns).filter((c) => c.source !== undefined).map((c) => c.name);
  if (schema.join() !== SPAN_COPY_COLUMNS.join()) throw new Error(`span-copy.ts writes [${SPAN_COPY_COLUMNS}] but otel_traces is [${schema}]: update span-copy.ts`);
}

/** Thrown (one shared object, never seen outside) when the part needs the general path. */
const BAIL = { bail: true };

// ---- reader state (synchronous, never re-entered) ----
let b: Buffer = Buffer.alloc(0);
let dv = new DataView(b.buffer);
let p = 0;
let w: CopyWriter;

function varint(): number {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const c = b[p++];
    if (c === undefined) throw BAIL;
    if (shift < 28) v |= (c & 0x7f) << shift;
    else v |= (c & 0x0f) << 28;
    if (c < 0x80) return v >>> 0;
  }
  // Bytes 6-10 of a 64-bit varint: the low 32 bits are done.
  for (let i = 0; i < 5; i++) if (b[p++] < 0x80) return v >>> 0;
  throw BAIL;
}

// A 64-bit varint's halves.
let lo = 0;
let hi = 0;
function varint64(): void {
  let l = 0;
  let h = 0;
  let shift = 0;
  for (;;) {
    const c = b[p++];
    if (c === undefined || shift > 63) throw BAIL;
    const bits = c & 0x7f;
    if (shift < 28) l |= bits << shift;
    else if (shift === 28) {
      l |= (bits & 0x0f) << 28;
      h |= bits >> 4;
    } else h |= bits << (shift - 32);
    if (c < 0x80) break;
    shift += 7;
  }
  lo = l >>> 0;
  hi = h >>> 0;
}

/** The end of the length-delimited field at p (after its tag). */
function lenEnd(end: number): number {
  const n = varint();
  const e = p + n;
  if (e > end) throw BAIL;
  return e;
}

function skip(tag: number, end: number): void {
  switch (tag & 7) {
    case 0:
      varint64();
      break;
    case 1:
      p += 8;
      break;
    case 2:
      p = lenEnd(end);
      break;
    case 5:
      p += 4;
      break;
    default:
      throw BAIL; // groups: the general path
  }
  if (p > end) throw BAIL;
}

function fixed64(end: number): void {
  if (p + 8 > end) throw BAIL;
  lo = dv.getUint32(p, true);
  hi = dv.getUint32(p + 4, true);
  p += 8;
}

// ---- output ----

const HEX = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  const s = i.toString(16).padStart(2, '0');
  HEX[2 * i] = s.charCodeAt(0);
  HEX[2 * i + 1] = s.charCodeAt(1);
}

function byte(c: number): void {
  w.ensure(1)[w.pos++] = c;
}

function ascii(s: string): void {
  const out = w.ensure(s.length);
  let o = w.pos;
  for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
  w.pos = o;
}

/** Length of the valid UTF-8 sequence starting with lead byte c at i, or 0. */
function utf8Len(c: number, i: number, e: number): number {
  if (c >= 0xc2 && c <= 0xdf) return i + 1 < e && (b[i + 1] & 0xc0) === 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (i + 2 >= e) return 0;
    const c1 = b[i + 1];
    if (c === 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c === 0xed ? c1 < 0x80 || c1 > 0x9f : (c1 & 0xc0) !== 0x80) return 0;
    return (b[i + 2] & 0xc0) === 0x80 ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (i + 3 >= e) return 0;
    const c1 = b[i + 1];
    if (c === 0xf0 ? c1 < 0x90 || c1 > 0xbf : c === 0xf4 ? c1 < 0x80 || c1 > 0x8f : (c1 & 0xc0) !== 0x80) return 0;
    return (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80 ? 4 : 0;
  }
  return 0;
}

// Bytes copied as they are: in text, all of ASCII but NUL; in a JSON string, printable ASCII but
// the quote and the backslash.
const TEXT_PLAIN = new Uint8Array(256);
const JSON_PLAIN = new Uint8Array(256);
for (let c = 1; c < 0x80; c++) TEXT_PLAIN[c] = 1;
for (let c = 0x20; c < 0x80; c++) JSON_PLAIN[c] = c === 0x22 || c === 0x5c ? 0 : 1;

/** Runs this long and longer are copied natively; shorter ones byte by byte (cheaper than a call). */
const BULK = 64;

/** Copies b[s, e) to out at o; returns the new o. */
function copyRun(out: Uint8Array, o: number, s: number, e: number): number {
  if (e - s >= BULK) return o + b.copy(out, o, s, e);
  for (let i = s; i < e; i++) out[o++] = b[i];
  return o;
}

/** Bytes [s, e) as storable text (core/storage/text.ts: U+0000 -> U+FFFD), unframed. */
function textBytes(s: number, e: number): void {
  const out = w.ensure((e - s) * 3);
  let o = w.pos;
  let i = s;
  while (i < e) {
    const run = i;
    while (i < e && TEXT_PLAIN[b[i]] === 1) i++;
    o = copyRun(out, o, run, i);
    if (i === e) break;
    const c = b[i];
    if (c === 0) {
      out[o++] = 0xef;
      out[o++] = 0xbf;
      out[o++] = 0xbd;
      i++;
    } else {
      const n = utf8Len(c, i, e);
      if (n === 0) throw BAIL;
      for (let k = 0; k < n; k++) out[o++] = b[i + k];
      i += n;
    }
  }
  w.pos = o;
}

/** A text field from bytes [s, e). */
function textField(s: number, e: number): void {
  const at = w.fieldStart();
  textBytes(s, e);
  w.fieldEnd(at);
}

/** JSON.stringify's two-character escapes (\b \t \n \f \r \" \\), by byte; 0: none. */
const SHORT_ESCAPES = new Uint8Array(128);
for (const [c, e] of [[0x08, 0x62], [0x09, 0x74], [0x0a, 0x6e], [0x0c, 0x66], [0x0d, 0x72], [0x22, 0x22], [0x5c, 0x5c]]) SHORT_ESCAPES[c] = e;

/** Bytes [s, e) as a JSON string, exactly as storableJson(JSON.stringify(utf8 text)) renders it. */
function jsonString(s: number, e: number): void {
  const out = w.ensure((e - s) * 6 + 2);
  let o = w.pos;
  out[o++] = 0x22;
  let i = s;
  while (i < e) {
    const run = i;
    while (i < e && JSON_PLAIN[b[i]] === 1) i++;
    o = copyRun(out, o, run, i);
    if (i === e) break;
    const c = b[i];
    if (c < 0x80) {
      out[o++] = 0x5c;
      const short = SHORT_ESCAPES[c];
      if (short !== 0) out[o++] = short;
      else if (c === 0) {
        // storableJson: \u0000 -> \ufffd
        out[o++] = 0x75, out[o++] = 0x66, out[o++] = 0x66, out[o++] = 0x66, out[o++] = 0x64;
      } else {
        out[o++] = 0x75, out[o++] = 0x30, out[o++] = 0x30;
        out[o++] = HEX[2 * c], out[o++] = HEX[2 * c + 1];
      }
      i++;
    } else {
      const n = utf8Len(c, i, e);
      if (n === 0) throw BAIL;
      for (let k = 0; k < n; k++) out[o++] = b[i + k];
      i += n;
    }
  }
  out[o++] = 0x22;
  w.pos = o;
}

/** An id of `size` bytes as lowercase hex ('' when empty; another length: the general path). */
function hexField(s: number, e: number, size: number): void {
  const n = e - s;
  if (n !== 0 && n !== size) throw BAIL;
  const out = w.ensure(4 + 2 * n);
  let o = w.pos;
  out[o++] = 0, out[o++] = 0, out[o++] = 0, out[o++] = 2 * n;
  for (let i = s; i < e; i++) {
    out[o++] = HEX[2 * b[i]];
    out[o++] = HEX[2 * b[i] + 1];
  }
  w.pos = o;
}

function hexJson(s: number, e: number, size: number): void {
  const n = e - s;
  if (n !== 0 && n !== size) throw BAIL;
  const out = w.ensure(2 + 2 * n);
  let o = w.pos;
  out[o++] = 0x22;
  for (let i = s; i < e; i++) {
    out[o++] = HEX[2 * b[i]];
    out[o++] = HEX[2 * b[i] + 1];
  }
  out[o++] = 0x22;
  w.pos = o;
}

function int64Field(h: number, l: number): void {
  const out = w.ensure(12);
  let o = w.pos;
  out[o++] = 0, out[o++] = 0, out[o++] = 0, out[o++] = 8;
  out[o++] = h >>> 24, out[o++] = (h >>> 16) & 0xff, out[o++] = (h >>> 8) & 0xff, out[o++] = h & 0xff;
  out[o++] = l >>> 24, out[o++] = (l >>> 16) & 0xff, out[o++] = (l >>> 8) & 0xff, out[o++] = l & 0xff;
  w.pos = o;
}

/** An unsigned 64-bit value's decimal digits. */
function uint64Decimal(h: number, l: number): string {
  return h < 0x200000 ? String(h * 4294967296 + l) : ((BigInt(h) << 32n) | BigInt(l)).toString();
}

// Timestamps: clampNanos (core/storage/renderings.ts) keeps them at most 2^63 - 2.
let tsHi = 0;
let tsLo = 0;
function clampTimestamp(h: number, l: number): void {
  if (h > 0x7fffffff || (h === 0x7fffffff && l === 0xffffffff)) (tsHi = 0x7fffffff), (tsLo = 0xfffffffe);
  else (tsHi = h), (tsLo = l);
}

/** Day (since the epoch) of a timestamp of at most 2^63, exactly. */
function dayOf(h: number, l: number): bigint {
  const approx = h * 4294967296 + l; // off by at most 2^11 ns
  const day = Math.floor(approx / 86_400e9);
  const into = approx - day * 86_400e9;
  if (into > 1e6 && into < 86_400e9 - 1e6) return BigInt(day);
  return ((BigInt(h) << 32n) | BigInt(l)) / DAY_NS;
}

// ---- attribute maps ----

/** Keys whose values feed the agent columns (core/storage/renderings.ts agentValues), and service.name. */
const enum Key {
  AgentId,
  Operation,
  Provider,
  System,
  RequestModel,
  ResponseModel,
  InputTokens,
  PromptTokens,
  OutputTokens,
  CompletionTokens,
  ToolName,
  ServiceName,
  Count,
}
const KEYS: Uint8Array[] = [];
KEYS[Key.AgentId] = Buffer.from(GENAI.agentId);
KEYS[Key.Operation] = Buffer.from(GENAI.operation);
KEYS[Key.Provider] = Buffer.from(GENAI.provider);
KEYS[Key.System] = Buffer.from(GENAI.system);
KEYS[Key.RequestModel] = Buffer.from(GENAI.requestModel);
KEYS[Key.ResponseModel] = Buffer.from(GENAI.responseModel);
KEYS[Key.InputTokens] = Buffer.from(GENAI.inputTokens);
KEYS[Key.PromptTokens] = Buffer.from(GENAI.promptTokens);
KEYS[Key.OutputTokens] = Buffer.from(GENAI.outputTokens);
KEYS[Key.CompletionTokens] = Buffer.from(GENAI.completionTokens);
KEYS[Key.ToolName] = Buffer.from(GENAI.toolName);
KEYS[Key.ServiceName] = Buffer.from('service.name');

function whichKey(s: number, e: number): number {
  const n = e - s;
  // Every tracked key starts with "gen_ai." or "service."
  if (n < 12 || (b[s] !== 0x67 && b[s] !== 0x73)) return -1;
  for (let k = 0; k < Key.Count; k++) {
    const key = KEYS[k];
    if (key.length !== n) continue;
    let i = 0;
    while (i < n && key[i] === b[s + i]) i++;
    if (i === n) return k;
  }
  return -1;
}

// Value kinds, as AnyValue's oneof field numbers (0: no value, JSON null).
const STRING = 1, BOOL = 2, INT = 3, DOUBLE = 4, ARRAY = 5, KVLIST = 6, BYTES = 7;

/** What a map held under each tracked key: kind (0 absent or null), and where the value is. */
class Captured {
  kind = new Int8Array(Key.Count);
  s = new Int32Array(Key.Count);
  e = new Int32Array(Key.Count);
  /** INT values' halves. */
  hi = new Uint32Array(Key.Count);
  lo = new Uint32Array(Key.Count);
  reset(): void {
    this.kind.fill(0);
  }
}
const spanCaptured = new Captured();
const resourceCaptured = new Captured();

// Keys of the map being written, to refuse duplicates (an object keeps one of them).
const keyStarts: number[] = [];
const keyEnds: number[] = [];

function sameBytes(s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let i = 0; i < e1 - s1; i++) if (b[s1 + i] !== b[s2 + i]) return false;
  return true;
}

/** JavaScript orders integer-like keys ("0", "42") first in an object: the general path's order. */
function integerLike(s: number, e: number): boolean {
  if (e - s > 10) return false;
  for (let i = s; i < e; i++) if (b[i] < 0x30 || b[i] > 0x39) return false;
  return !(e - s > 1 && b[s] === 0x30);
}

/** Where the KeyValue's key and value are; value kind in vKind (0: none). */
let kS = 0, kE = 0, vS = 0, vE = 0, vKind = 0, vHi = 0, vLo = 0;

function readKeyValue(end: number): void {
  kS = kE = vS = vE = 0;
  let valS = -1, valE = -1;
  while (p < end) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) {
      if (kE !== 0) throw BAIL;
      const e = lenEnd(end);
      (kS = p), (kE = e);
      p = e;
    } else if (tag === ((2 << 3) | 2)) {
      if (valS >= 0) throw BAIL;
      const e = lenEnd(end);
      (valS = p), (valE = e);
      p = e;
    } else skip(tag, end);
  }
  if (p !== end) throw BAIL;
  vKind = 0;
  if (valS < 0) return;
  // AnyValue: one value field (the decoder keeps the last of several, but validates each).
  p = valS;
  while (p < valE) {
    const tag = varint();
    const field = tag >>> 3;
    if (vKind !== 0 && field >= 1 && field <= 7 && ((tag & 7) === 2 || (tag & 7) === 0 || (tag & 7) === 1)) throw BAIL;
    switch (tag) {
      case (1 << 3) | 2:
      case (5 << 3) | 2:
      case (6 << 3) | 2:
      case (7 << 3) | 2: {
        const e = lenEnd(valE);
        (vKind = field), (vS = p), (vE = e);
        p = e;
        break;
      }
      case (2 << 3) | 0:
      case (3 << 3) | 0:
        varint64();
        (vKind = field), (vHi = hi), (vLo = lo);
        break;
      case (4 << 3) | 1:
        if (p + 8 > valE) throw BAIL;
        (vKind = DOUBLE), (vS = p), (vE = p + 8);
        p += 8;
        break;
      default:
        skip(tag, valE);
    }
  }
  if (p !== valE) throw BAIL;
  if (vKind === ARRAY || vKind === KVLIST || vKind === BYTES) (vS = valS), (vE = valE); // the whole AnyValue
}

function jsonValue(): void {
  switch (vKind) {
    case 0:
      return ascii('null');
    case STRING:
      return jsonString(vS, vE);
    case BOOL:
      return ascii(vHi !== 0 || vLo !== 0 ? 'true' : 'false');
    case INT: {
      const h = vHi | 0;
      if (h >= -0x200000 && h < 0x200000) return ascii(String(h * 4294967296 + vLo));
      // Beyond 2^53 the general path holds a bigint, which JSON renders as a string.
      return ascii(`"${BigInt.asIntN(64, (BigInt(vHi) << 32n) | BigInt(vLo))}"`);
    }
    case DOUBLE: {
      const v = dv.getFloat64(vS, true);
      return ascii(Number.isFinite(v) ? String(v) : 'null');
    }
    default: {
      // Arrays, maps and bytes: the general path's own decoding and rendering.
      const v = decodeAnyValueProto(b.subarray(vS, vE));
      return w.utf8(storableJson(JSON.stringify(toJsonValue(v))));
    }
  }
}

/** The KeyValues of field `field` of the message [s, e) as a JSON object; tracked keys captured
 * into `into` (when given). */
function jsonMap(s: number, e: number, field: number, into: Captured | undefined): void {
  const tagWanted = (field << 3) | 2;
  let first = true;
  keyStarts.length = 0;
  keyEnds.length = 0;
  byte(0x7b);
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag !== tagWanted) {
      skip(tag, e);
      continue;
    }
    const kvEnd = lenEnd(e);
    readKeyValue(kvEnd);
    p = kvEnd;
    if (integerLike(kS, kE)) throw BAIL;
    for (let i = 0; i < keyStarts.length; i++) if (sameBytes(keyStarts[i], keyEnds[i], kS, kE)) throw BAIL;
    keyStarts.push(kS);
    keyEnds.push(kE);
    if (!first) byte(0x2c);
    first = false;
    jsonString(kS, kE);
    byte(0x3a);
    const saveP = p;
    jsonValue();
    p = saveP;
    if (into) {
      const k = whichKey(kS, kE);
      if (k >= 0) {
        into.kind[k] = vKind;
        into.s[k] = vS;
        into.e[k] = vE;
        into.hi[k] = vHi;
        into.lo[k] = vLo;
      }
    }
  }
  byte(0x7d);
}

// ---- agent columns (agentValues: the span's own value, else the resource's) ----

/** A text agent column from key k (or k2), falling back to the resource's. Only string values
 * are rendered here. */
function agentText(k: number, k2 = -1): void {
  if (!agentTextFrom(spanCaptured, k, k2) && !agentTextFrom(resourceCaptured, k, k2)) textField(0, 0);
}

function agentTextFrom(c: Captured, k: number, k2: number): boolean {
  const key = c.kind[k] === 0 && k2 >= 0 ? k2 : k;
  const kind = c.kind[key];
  if (kind === 0) return false;
  if (kind !== STRING) throw BAIL;
  textField(c.s[key], c.e[key]);
  return true;
}

/** A token count from key k (or k2): integers only here; null when neither has one. */
function agentCount(k: number, k2: number): void {
  if (!agentCountFrom(spanCaptured, k, k2) && !agentCountFrom(resourceCaptured, k, k2)) w.nullField();
}

function agentCountFrom(c: Captured, k: number, k2: number): boolean {
  const key = c.kind[k] === 0 ? k2 : k;
  const kind = c.kind[key];
  if (kind === INT) {
    int64Field(c.hi[key], c.lo[key]);
    return true;
  }
  // A count in a string, a double: asCount's parsing is the general path's. Other kinds count as
  // none and fall back to the resource (as asCount's null does).
  if (kind === STRING || kind === DOUBLE) throw BAIL;
  return false;
}

// ---- messages ----

/** Resource-level rendering, reused for each of its spans. */
const resourceJson: { bytes: Uint8Array } = { bytes: new Uint8Array(0) };
let serviceS = 0, serviceE = 0;

/**
 * Appends one COPY binary row per span of the ExportTraceServiceRequest `part` to `writer` and the
 * UTC day of each row to `days`. Returns the number of rows, or -1 (nothing appended) when the part
 * needs the general path.
 */
export function transcodeSpans(part: Uint8Array, writer: CopyWriter, days: Set<bigint>): number {
  b = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  dv = new DataView(part.buffer, part.byteOffset, part.byteLength);
  p = 0;
  w = writer;
  const start = writer.pos;
  const newDays: bigint[] = [];
  lastDay = -1n;
  try {
    let rows = 0;
    const end = part.length;
    while (p < end) {
      const tag = varint();
      if (tag === ((1 << 3) | 2)) {
        const e = lenEnd(end);
        rows += resourceSpans(p, e, newDays);
        p = e;
      } else skip(tag, end);
    }
    for (const d of newDays) days.add(d);
    return rows;
  } catch (err) {
    if (err !== BAIL) throw err;
    writer.pos = start;
    return -1;
  } finally {
    b = EMPTY;
    dv = EMPTY_DV;
  }
}
const EMPTY = Buffer.alloc(0);
const EMPTY_DV = new DataView(new ArrayBuffer(0));

function resourceSpans(s: number, e: number, days: bigint[]): number {
  // The resource (the last one, as the decoder keeps) first: every span row repeats it.
  let resS = -1, resE = -1;
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) {
      const re = lenEnd(e);
      (resS = p), (resE = re);
      p = re;
    } else skip(tag, e);
  }
  if (p !== e) throw BAIL;
  resourceCaptured.reset();
  const mark = w.pos;
  if (resS >= 0) jsonMap(resS, resE, 1, resourceCaptured);
  else ascii('{}');
  resourceJson.bytes = w.take(mark);
  const svc = resourceCaptured.kind[Key.ServiceName];
  if (svc !== 0 && svc !== STRING) throw BAIL;
  if (svc === STRING) (serviceS = resourceCaptured.s[Key.ServiceName]), (serviceE = resourceCaptured.e[Key.ServiceName]);
  else serviceS = serviceE = 0;
  let rows = 0;
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag === ((2 << 3) | 2)) {
      const se = lenEnd(e);
      rows += scopeSpans(p, se, days);
      p = se;
    } else skip(tag, e);
  }
  return rows;
}

let scopeNameS = 0, scopeNameE = 0, scopeVersionS = 0, scopeVersionE = 0;

function scopeSpans(s: number, e: number, days: bigint[]): number {
  scopeNameS = scopeNameE = scopeVersionS = scopeVersionE = 0;
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag === ((1 << 3) | 2)) {
      const se = lenEnd(e);
      // The last scope wins, whole (the decoder replaces it).
      scopeNameS = scopeNameE = scopeVersionS = scopeVersionE = 0;
      while (p < se) {
        const t = varint();
        if (t === ((1 << 3) | 2)) {
          const x = lenEnd(se);
          (scopeNameS = p), (scopeNameE = x);
          p = x;
        } else if (t === ((2 << 3) | 2)) {
          const x = lenEnd(se);
          (scopeVersionS = p), (scopeVersionE = x);
          p = x;
        } else skip(t, se);
      }
      if (p !== se) throw BAIL;
    } else skip(tag, e);
  }
  if (p !== e) throw BAIL;
  let rows = 0;
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag === ((2 << 3) | 2)) {
      const se = lenEnd(e);
      span(p, se, days);
      rows++;
      p = se;
    } else skip(tag, e);
  }
  return rows;
}

let lastDay = -1n;

function span(s: number, e: number, days: bigint[]): void {
  let traceS = 0, traceE = 0, spanS = 0, spanE = 0, stateS = 0, stateE = 0, parentS = 0, parentE = 0, nameS = 0, nameE = 0;
  let kind = 0, startHi = 0, startLo = 0, endHi = 0, endLo = 0, statusS = -1, statusE = -1;
  let hasEvents = false, hasLinks = false, hasAttrs = false;
  p = s;
  while (p < e) {
    const tag = varint();
    switch (tag) {
      case (1 << 3) | 2: {
        const x = lenEnd(e);
        (traceS = p), (traceE = x), (p = x);
        break;
      }
      case (2 << 3) | 2: {
        const x = lenEnd(e);
        (spanS = p), (spanE = x), (p = x);
        break;
      }
      case (3 << 3) | 2: {
        const x = lenEnd(e);
        (stateS = p), (stateE = x), (p = x);
        break;
      }
      case (4 << 3) | 2: {
        const x = lenEnd(e);
        (parentS = p), (parentE = x), (p = x);
        break;
      }
      case (5 << 3) | 2: {
        const x = lenEnd(e);
        (nameS = p), (nameE = x), (p = x);
        break;
      }
      case (6 << 3) | 0:
        kind = varint();
        break;
      case (7 << 3) | 1:
        fixed64(e);
        (startHi = hi), (startLo = lo);
        break;
      case (8 << 3) | 1:
        fixed64(e);
        (endHi = hi), (endLo = lo);
        break;
      case (9 << 3) | 2:
        hasAttrs = true;
        p = lenEnd(e);
        break;
      case (11 << 3) | 2:
        hasEvents = true;
        p = lenEnd(e);
        break;
      case (13 << 3) | 2:
        hasLinks = true;
        p = lenEnd(e);
        break;
      case (15 << 3) | 2: {
        const x = lenEnd(e);
        (statusS = p), (statusE = x), (p = x);
        break;
      }
      default:
        skip(tag, e);
    }
  }
  if (p !== e) throw BAIL;
  // Ids of the wrong length are the general path's error.
  if ((traceE - traceS !== 0 && traceE - traceS !== 16) || (spanE - spanS !== 0 && spanE - spanS !== 8) || (parentE - parentS !== 0 && parentE - parentS !== 8)) throw BAIL;

  w.int16(SPAN_COPY_COLUMNS.length);
  clampTimestamp(startHi, startLo);
  int64Field(tsHi, tsLo);
  const day = dayOf(tsHi, tsLo);
  if (day !== lastDay) days.push((lastDay = day));
  hexField(traceS, traceE, 16);
  hexField(spanS, spanE, 8);
  hexField(parentS, parentE, 8);
  textField(stateS, stateE);
  textField(nameS, nameE);
  asciiField(SPAN_KIND_NAMES[kind] ?? '');
  textField(serviceS, serviceE);
  w.bytesField(resourceJson.bytes);
  textField(scopeNameS, scopeNameE);
  textField(scopeVersionS, scopeVersionE);
  spanCaptured.reset();
  let at = w.fieldStart();
  if (hasAttrs) jsonMap(s, e, 9, spanCaptured);
  else ascii('{}');
  w.fieldEnd(at);
  duration(startHi, startLo, endHi, endLo);
  let code = 0, msgS = 0, msgE = 0;
  if (statusS >= 0) {
    p = statusS;
    while (p < statusE) {
      const tag = varint();
      if (tag === ((2 << 3) | 2)) {
        const x = lenEnd(statusE);
        (msgS = p), (msgE = x), (p = x);
      } else if (tag === ((3 << 3) | 0)) code = varint();
      else skip(tag, statusE);
    }
    if (p !== statusE) throw BAIL;
  }
  asciiField(STATUS_CODE_NAMES[code] ?? '');
  textField(msgS, msgE);
  at = w.fieldStart();
  if (hasEvents) events(s, e);
  else ascii('[]');
  w.fieldEnd(at);
  at = w.fieldStart();
  if (hasLinks) links(s, e);
  else ascii('[]');
  w.fieldEnd(at);
  agentText(Key.AgentId);
  agentText(Key.Operation);
  agentText(Key.Provider, Key.System);
  agentText(Key.RequestModel);
  agentText(Key.ResponseModel);
  agentCount(Key.InputTokens, Key.PromptTokens);
  agentCount(Key.OutputTokens, Key.CompletionTokens);
  agentText(Key.ToolName);
}

function asciiField(s: string): void {
  const at = w.fieldStart();
  ascii(s);
  w.fieldEnd(at);
}

/** durationNanos then toBigint: end - start when end is later, else 0; at most 2^63 - 1. */
function duration(sHi: number, sLo: number, eHi: number, eLo: number): void {
  if (eHi < sHi || (eHi === sHi && eLo <= sLo)) return int64Field(0, 0);
  let dLo = eLo - sLo;
  let dHi = eHi - sHi;
  if (dLo < 0) (dLo += 4294967296), dHi--;
  if (dHi > 0x7fffffff) return int64Field(0x7fffffff, 0xffffffff);
  int64Field(dHi, dLo);
}

/** Field 11 of the span [s, e): [{"timestamp_unix_nano":N,"name":"..","attributes":{..}}, ...] */
function events(s: number, e: number): void {
  byte(0x5b);
  let first = true;
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag !== ((11 << 3) | 2)) {
      skip(tag, e);
      continue;
    }
    const ee = lenEnd(e);
    const es = p;
    let tHi = 0, tLo = 0, nS = 0, nE = 0, attrs = false;
    while (p < ee) {
      const t = varint();
      if (t === ((1 << 3) | 1)) {
        fixed64(ee);
        (tHi = hi), (tLo = lo);
      } else if (t === ((2 << 3) | 2)) {
        const x = lenEnd(ee);
        (nS = p), (nE = x), (p = x);
      } else if (t === ((3 << 3) | 2)) {
        attrs = true;
        p = lenEnd(ee);
      } else skip(t, ee);
    }
    if (p !== ee) throw BAIL;
    if (!first) byte(0x2c);
    first = false;
    clampTimestamp(tHi, tLo);
    ascii(`{"timestamp_unix_nano":${uint64Decimal(tsHi, tsLo)},"name":`);
    jsonString(nS, nE);
    ascii(',"attributes":');
    if (attrs) jsonMap(es, ee, 3, undefined);
    else ascii('{}');
    byte(0x7d);
    p = ee;
  }
  byte(0x5d);
}

/** Field 13 of the span [s, e): [{"trace_id":"..","span_id":"..","trace_state":"..","attributes":{..}}, ...] */
function links(s: number, e: number): void {
  byte(0x5b);
  let first = true;
  p = s;
  while (p < e) {
    const tag = varint();
    if (tag !== ((13 << 3) | 2)) {
      skip(tag, e);
      continue;
    }
    const le = lenEnd(e);
    const ls = p;
    let tS = 0, tE = 0, sS = 0, sE = 0, stS = 0, stE = 0, attrs = false;
    while (p < le) {
      const t = varint();
      if (t === ((1 << 3) | 2)) {
        const x = lenEnd(le);
        (tS = p), (tE = x), (p = x);
      } else if (t === ((2 << 3) | 2)) {
        const x = lenEnd(le);
        (sS = p), (sE = x), (p = x);
      } else if (t === ((3 << 3) | 2)) {
        const x = lenEnd(le);
        (stS = p), (stE = x), (p = x);
      } else if (t === ((4 << 3) | 2)) {
        attrs = true;
        p = lenEnd(le);
      } else skip(t, le);
    }
    if (p !== le) throw BAIL;
    if (!first) byte(0x2c);
    first = false;
    ascii('{"trace_id":');
    hexJson(tS, tE, 16);
    ascii(',"span_id":');
    hexJson(sS, sE, 8);
    ascii(',"trace_state":');
    jsonString(stS, stE);
    ascii(',"attributes":');
    if (attrs) jsonMap(ls, le, 4, undefined);
    else ascii('{}');
    byte(0x7d);
    p = le;
  }
  byte(0x5d);
}
