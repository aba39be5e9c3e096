// Writes FlatTables into DuckDB DataChunks and appends whole chunks (2048 rows) through the
// appender. Vectors are filled through the raw bindings: fixed-width columns as one typed-array copy,
// strings one call each, lists and maps as offsets plus one flat child vector. This avoids the
// per-value wrapper objects of the high-level vector API and the per-row appender calls (measured in
// bench/storage.bench.ts).
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBAppender } from '@duckdb/node-api';
import { stringifyValue } from '../../core/signals/attributes.ts';
import type { AnyValue, Attributes } from '../../core/signals/types.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { isNested, type ColumnType, type TableDef } from '../../core/storage/model.ts';
import { storableText } from '../../core/storage/text.ts';
import { duckNestedType, duckType } from './types.ts';

type Vector = duckdb.Vector;

type Kind =
  | { k: 'str' | 'i64' | 'u64' | 'f64' | 'i32' | 'u32' | 'u8' | 'bool' | 'map'; nullable: boolean }
  | { k: 'list'; child: Kind; nullable: false };

function kindOf(t: ColumnType, nullable = false): Kind {
  if (typeof t !== 'string') return { k: 'list', child: kindOf(t.list), nullable: false };
  switch (t) {
    case 'string':
      return { k: 'str', nullable };
    case 'timestamp_ns':
    case 'timestamp_s':
    case 'int64':
      return { k: 'i64', nullable };
    case 'uint64':
      return { k: 'u64', nullable };
    case 'float64':
      return { k: 'f64', nullable };
    case 'int32':
      return { k: 'i32', nullable };
    case 'uint32':
      return { k: 'u32', nullable };
    case 'uint8':
      return { k: 'u8', nullable };
    case 'bool':
      return { k: 'bool', nullable };
    case 'attributes':
      return { k: 'map', nullable };
  }
}

interface ColumnPlan {
  key: string;
  kind: Kind;
}

/** Appends FlatTables of one table through one appender. */
export class ChunkWriter {
  private readonly plan: ColumnPlan[] = [];
  private readonly chunk: DuckDBDataChunk;
  private readonly maxRows = duckdb.vector_size();
  private readonly maps = new MapRenderer();

  constructor(readonly table: TableDef, private readonly appender: DuckDBAppender) {
    const types = [];
    for (const c of table.columns) {
      if (isNested(c)) {
        for (const f of c.nested) {
          this.plan.push({ key: `${c.name}.${f.name}`, kind: { k: 'list', child: kindOf(f.type), nullable: false } });
          types.push(duckNestedType(f.type));
        }
      } else {
        this.plan.push({ key: c.name, kind: kindOf(c.type, c.nullable) });
        types.push(duckType(c.type));
      }
    }
    if (appender.columnCount !== types.length) {
      throw new Error(`table ${table.name} has ${appender.columnCount} columns, the model ${types.length}: the schema does not match this agentcol`);
    }
    this.chunk = DuckDBDataChunk.create(types);
  }

  /** Appends every row of `t` (not yet flushed). */
  append(t: FlatTable): void {
    for (let start = 0; start < t.rowCount; start += this.maxRows) {
      const count = Math.min(this.maxRows, t.rowCount - start);
      this.chunk.reset();
      const raw = this.chunk.chunk;
      for (let i = 0; i < this.plan.length; i++) {
        const p = this.plan[i];
        fill(duckdb.data_chunk_get_vector(raw, i), p.kind, t.columns[p.key], start, count, this.maps);
      }
      duckdb.data_chunk_set_size(raw, count);
      this.appender.appendDataChunk(this.chunk);
    }
    this.maps.forget();
  }

  flush(): void {
    this.appender.flushSync();
  }

  /** Drops rows appended but not flushed (after a failure). */
  clear(): void {
    this.appender.clear();
  }

  close(): void {
    this.appender.closeSync();
  }
}

function copyInto(vec: Vector, arr: ArrayBufferView): void {
  if (arr.byteLength > 0) duckdb.copy_data_to_vector(vec, 0, arr.buffer as ArrayBuffer, arr.byteOffset, arr.byteLength);
}

/** int64/uint64 values (bigint or number; null left 0). A safe-integer number is written as its two
 * little-endian 32-bit halves, so no BigInt is made for it; a bigint is stored modulo 2^64 by the
 * typed array, as before. uint64 clamps numbers below 0 to 0. */
function fillInt64(vec: Vector, values: unknown[], start: number, count: number, unsigned: boolean): void {
  const a = unsigned ? new BigUint64Array(count) : new BigInt64Array(count);
  const w = new Int32Array(a.buffer);
  for (let i = 0; i < count; i++) {
    const v = values[start + i] as number | bigint | null | undefined;
    if (v === null || v === undefined) continue;
    if (typeof v === 'bigint') {
      a[i] = v;
      continue;
    }
    let x = Math.trunc(v);
    if (unsigned && x < 0) x = 0;
    if (Number.isSafeInteger(x)) {
      w[i * 2] = x | 0; // the low 32 bits (ToInt32 is modulo 2^32, negatives included)
      w[i * 2 + 1] = Math.floor(x / 4294967296) | 0;
    } else a[i] = BigInt(x); // throws for NaN / Infinity, as BigInt(v) did
  }
  copyInto(vec, a);
}

/** Writes values[start, start+count) into positions [0, count) of vec. */
function fill(vec: Vector, kind: Kind, values: unknown[], start: number, count: number, maps: MapRenderer): void {
  let nulls: Uint8Array | undefined;
  if (kind.nullable) {
    nulls = new Uint8Array(Math.ceil(count / 64) * 8).fill(0xff);
    for (let i = 0; i < count; i++) {
      const v = values[start + i];
      if (v === null || v === undefined) nulls[i >> 3] &= ~(1 << (i & 7));
    }
    duckdb.vector_ensure_validity_writable(vec);
    duckdb.copy_data_to_vector_validity(vec, 0, nulls.buffer as ArrayBuffer, 0, nulls.byteLength);
  }
  switch (kind.k) {
    case 'str':
      return fillStrings(vec, values, start, count);
    case 'i64':
    case 'u64':
      return fillInt64(vec, values, start, count, kind.k === 'u64');
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = values[start + i] as number | null;
        if (v !== null && v !== undefined) a[i] = v;
      }
      return copyInto(vec, a);
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = (values[start + i] as number) | 0;
      return copyInto(vec, a);
    }
    case 'u32': {
      const a = new Uint32Array(count);
      for (let i = 0; i < count; i++) a[i] = (values[start + i] as number) >>> 0;
      return copyInto(vec, a);
    }
    case 'u8': {
      const a = new Uint8Array(count);
      for (let i = 0; i < count; i++) a[i] = values[start + i] as number;
      return copyInto(vec, a);
    }
    case 'bool': {
      const a = new Uint8Array(count);
      for (let i = 0; i < count; i++) a[i] = values[start + i] ? 1 : 0;
      return copyInto(vec, a);
    }
    case 'map':
      return fillMaps(vec, values, start, count, maps);
    case 'list': {
      const entries = new Uint32Array(count * 4); // duckdb_list_entry { uint64 offset, length }, little-endian
      let total = 0;
      for (let i = 0; i < count; i++) {
        const len = (values[start + i] as unknown[]).length;
        entries[i * 4] = total;
        entries[i * 4 + 2] = len;
        total += len;
      }
      const flat = new Array<unknown>(total);
      let j = 0;
      for (let i = 0; i < count; i++) for (const item of values[start + i] as unknown[]) flat[j++] = item;
      duckdb.list_vector_reserve(vec, total);
      duckdb.list_vector_set_size(vec, total);
      fill(duckdb.list_vector_get_child(vec), kind.child, flat, 0, total, maps);
      return copyInto(vec, entries);
    }
  }
}

/** MAP(VARCHAR, VARCHAR) = LIST(STRUCT(key, value)). Keys and values are rendered straight into
 * the renderer's reused arrays (no array per row, none per chunk). */
function fillMaps(vec: Vector, values: unknown[], start: number, count: number, maps: MapRenderer): void {
  const entries = new Uint32Array(count * 4);
  maps.begin();
  for (let i = 0; i < count; i++) {
    const a = values[start + i] as Attributes | null;
    const at = maps.length;
    if (a) maps.render(a);
    entries[i * 4] = at;
    entries[i * 4 + 2] = maps.length - at;
  }
  const total = maps.length;
  duckdb.list_vector_reserve(vec, total);
  duckdb.list_vector_set_size(vec, total);
  const struct = duckdb.list_vector_get_child(vec);
  // Keys are few and the same string objects row after row (the decoder hands back one string per
  // key): each is written to the heap once per vector and repeated by reference.
  fillStrings(duckdb.struct_vector_get_child(struct, 0), maps.keys, 0, total, maps.seen);
  fillStrings(duckdb.struct_vector_get_child(struct, 1), maps.vals, 0, total);
  copyInto(vec, entries);
}

/** sizeof(duckdb string_t): { uint32 length; char inlined[12] } or { uint32 length; char prefix[4]; char *ptr }. */
const STRING_T = 16;
const INLINE_BYTES = 12;

/**
 * Writes the strings values[start, start+count) (null/undefined: left as '', the validity mask
 * says NULL) into positions [0, count) of a VARCHAR vector with at most two calls into DuckDB per
 * vector: the vector's string_t array is built in JS and copied in once. '' is all zeros; strings of
 * up to 12 UTF-8 bytes are inlined in the string_t itself; the bytes of every longer value are
 * packed one after the other into one buffer, which is handed to DuckDB once (as the value of one
 * element: vector_assign_string_element_len copies it into the vector's string heap), and each long
 * value's string_t points at its own bytes inside that copy, as DuckDB's own dictionary and
 * constant vectors point into shared memory. A run of one value (a resource's service name, the
 * scope, a trace id) shares the first string_t. With `seen` (map keys: few distinct strings) every
 * repeat of a long value does; otherwise no other de-duplication, since copying a repeated value's
 * bytes costs less than hashing every value to find repeats. Text goes through storableText as before.
 */
function fillStrings(vec: Vector, values: unknown[], start: number, count: number, seen?: Map<string, number>): void {
  if (count === 0) return;
  seen?.clear();
  const bytes = count * STRING_T;
  if (stringTs.length < bytes) stringTs = new Uint8Array(Math.max(bytes, stringTs.length * 2));
  const out = stringTs;
  out.fill(0, 0, bytes);
  const words = new Uint32Array(out.buffer, 0, count * 4);
  const heap = stringHeap;
  heap.reset();
  let longs: number[] | undefined; // [position, offset in the heap] of each long value
  let repeats: number[] | undefined; // [position, position it repeats] pairs
  let prev: string | undefined; // the last string written, and its position
  let prevAt = 0;
  for (let i = 0; i < count; i++) {
    const v = values[start + i] as string | null | undefined;
    if (v === null || v === undefined || v.length === 0) continue;
    if (v.length <= INLINE_BYTES && inlineAscii(out, i * STRING_T, v)) continue;
    if (v === prev) {
      (repeats ??= []).push(i, prevAt);
      continue;
    }
    if (seen) {
      const first = seen.get(v);
      if (first !== undefined) {
        (repeats ??= []).push(i, first);
        continue;
      }
      seen.set(v, i);
    }
    prev = v;
    prevAt = i;
    const at = heap.length;
    const n = heap.write(storableText(v));
    if (n <= INLINE_BYTES) {
      // Short but not ASCII: inlined as UTF-8, and taken back out of the heap.
      out[i * STRING_T] = n;
      out.set(heap.bytes.subarray(at, at + n), i * STRING_T + 4);
      heap.length = at;
      continue;
    }
    words[i * 4] = n;
    const hb = heap.bytes;
    const o = i * STRING_T + 4; // prefix: the first 4 bytes
    out[o] = hb[at];
    out[o + 1] = hb[at + 1];
    out[o + 2] = hb[at + 2];
    out[o + 3] = hb[at + 3];
    (longs ??= []).push(i, at);
  }
  if (longs) {
    // One copy of every long value into the vector's string heap, as the value of the first of
    // them (its string_t is rewritten below); then its address plus each value's offset.
    const host = longs[0];
    duckdb.vector_assign_string_element_len(vec, host, heap.bytes.subarray(0, heap.length));
    const d = duckdb.vector_get_data(vec, bytes);
    const hw = new DataView(d.buffer, d.byteOffset + host * STRING_T, STRING_T);
    const lo = hw.getUint32(8, true);
    const hi = hw.getUint32(12, true);
    for (let k = 0; k < longs.length; k += 2) {
      const w = longs[k] * 4;
      const addLo = lo + longs[k + 1];
      words[w + 2] = addLo >>> 0;
      words[w + 3] = hi + (addLo > 0xffffffff ? 1 : 0);
    }
  }
  if (repeats) {
    for (let r = 0; r < repeats.length; r += 2) {
      const w = repeats[r] * 4;
      const f = repeats[r + 1] * 4;
      words[w] = words[f];
      words[w + 1] = words[f + 1];
      words[w + 2] = words[f + 2];
      words[w + 3] = words[f + 3];
    }
  }
  duckdb.copy_data_to_vector(vec, 0, out.buffer as ArrayBuffer, 0, bytes);
}

/** Scratch for a vector's string_t array (reused: vectors of list children can be large). */
let stringTs = new Uint8Array(2048 * STRING_T);

/** The long strings of one vector, as UTF-8 one after the other (reused from vector to vector). */
class StringHeap {
  bytes: Buffer & { utf8Write(s: string, offset: number): number } = Buffer.allocUnsafe(1 << 16) as never;
  length = 0;

  reset(): void {
    this.length = 0;
  }

  /** Appends `s` as UTF-8; returns its byte length. Short ASCII is copied in JS, cheaper than a
   * call into C++ for a few bytes. */
  write(s: string): number {
    const len = s.length;
    const need = this.length + len * 3; // a UTF-16 unit is at most 3 bytes of UTF-8
    if (need > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2)) as typeof this.bytes;
      this.bytes.copy(next, 0, 0, this.length);
      this.bytes = next;
    }
    const b = this.bytes;
    const at = this.length;
    if (len <= 32) {
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
      }
      if (i === len) {
        this.length = at + len;
        return len;
      }
    }
    const n = b.utf8Write(s, at);
    this.length = at + n;
    return n;
  }
}

const stringHeap = new StringHeap();

/** Writes `s` as an inlined string_t at `at` if it is ASCII without U+0000 (so its UTF-8 length
 * is its length, at most 12); false (and nothing written) otherwise. */
function inlineAscii(out: Uint8Array, at: number, s: string): boolean {
  const n = s.length;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c === 0 || c > 0x7f) {
      out.fill(0, at + 4, at + 4 + k);
      return false;
    }
    out[at + 4 + k] = c;
  }
  out[at] = n; // little-endian uint32 length, n <= 12
  return true;
}

/** Attribute maps as parallel key and value arrays in storable text, reused from vector to vector
 * (only [0, length) is meaningful). Remembers the last object rendered: a resource's attributes
 * repeat on every row of the resource, and their strings are copied, not rendered again. */
class MapRenderer {
  keys: string[] = [];
  vals: string[] = [];
  length = 0;
  readonly seen = new Map<string, number>();
  private last: Attributes | undefined;
  private lastAt = 0;
  private lastLen = 0;

  begin(): void {
    this.length = 0;
    this.last = undefined;
  }

  render(a: Attributes): void {
    const keys = this.keys, vals = this.vals;
    let n = this.length;
    if (a === this.last) {
      for (let k = this.lastAt, e = k + this.lastLen; k < e; k++, n++) {
        keys[n] = keys[k];
        vals[n] = vals[k];
      }
    } else {
      this.last = a;
      this.lastAt = n;
      for (const k in a) {
        if (!Object.hasOwn(a, k)) continue;
        const v: AnyValue = a[k];
        keys[n] = storableText(k);
        vals[n] = storableText(typeof v === 'string' ? v : stringifyValue(v));
        n++;
      }
      this.lastLen = n - this.lastAt;
    }
    this.length = n;
  }

  /** Lets go of the strings of the last batch (the arrays keep their size). */
  forget(): void {
    this.keys.fill('', 0, this.length);
    this.vals.fill('', 0, this.length);
    this.length = 0;
    this.last = undefined;
  }
}
