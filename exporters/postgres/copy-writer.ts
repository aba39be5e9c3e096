// A growable byte buffer that COPY text is written into directly: each value goes from its JS
// string (or number) straight to UTF-8 bytes, with no per-row strings, no rope of the whole payload
// and no second full-size encode and copy. Writers are pooled and reused, so a steady stream of
// batches allocates no new payload buffers.
//
// What the bytes are is copy-encoder.ts's business; this only knows COPY's text-format escaping and
// binary format's framing (big-endian integers, length-prefixed fields).
type Buf = Buffer & { utf8Write(s: string, offset: number, length?: number): number };

const NEEDS_ESCAPE = /[\\\n\r\t\u0000]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u0000': '\uFFFD' };

/** A value as a COPY text field: backslash escapes; U+0000 becomes U+FFFD (core/storage/text.ts). */
export function copyText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\n\r\t\u0000]/g, (c) => ESCAPES[c]) : s;
}

/** Short strings are written from JS: cheaper than a call into C++ for a few bytes. */
const SHORT = 24;

export class CopyWriter {
  private buf: Buf;
  /** Bytes written. */
  pos = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity) as Buf;
  }

  /** Room for `n` more bytes. Growing leaves earlier bytes where they were, so a view taken with
   * bytes() before stays valid. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n)) as Buf;
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written from `start` to now (a view, valid until the writer is reused). */
  bytes(start = 0): Uint8Array {
    return this.buf.subarray(start, this.pos);
  }

  /** Restarts at byte 0. */
  reset(): void {
    this.pos = 0;
  }

  /** Bytes the writer holds (so the pool can drop one that grew too big, or was transferred). */
  get capacity(): number {
    return this.buf.buffer.byteLength === 0 ? 0 : this.buf.length;
  }

  /** Room for `n` more bytes, and the buffer to write them into from `pos` (span-copy.ts writes
   * there directly, then advances `pos`). */
  ensure(n: number): Uint8Array {
    this.room(n);
    return this.buf;
  }

  /** Moves the bytes written since `start` out into a new array, and rewinds to `start`. */
  take(start: number): Uint8Array {
    const out = Uint8Array.prototype.slice.call(this.buf, start, this.pos);
    this.pos = start;
    return out;
  }

  /** Text as UTF-8, no escaping (the caller made it what the format needs). */
  utf8(s: string): void {
    this.raw(s);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** ASCII text known to need no escaping (numbers, \N, fixed words). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Text needing no COPY escaping (the caller checked), as UTF-8. */
  private raw(s: string): void {
    const n = s.length;
    if (n <= SHORT) {
      this.room(n * 3);
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.pos += b.utf8Write(s, this.pos);
          return;
        }
        b[p++] = c;
      }
      this.pos = p;
      return;
    }
    this.room(n * 3); // a UTF-16 unit is at most 3 bytes of UTF-8
    this.pos += this.buf.utf8Write(s, this.pos);
  }

  /** A string as a COPY text field. */
  text(s: string): void {
    this.raw(NEEDS_ESCAPE.test(s) ? s.replace(/[\\\n\r\t\u0000]/g, (c) => ESCAPES[c]) : s);
  }

  /** JSON text as a COPY field. JSON.stringify escapes every control character, so of COPY's
   * specials only the backslash can occur: doubled, not a regex. */
  json(json: string): void {
    this.raw(json.indexOf('\\') < 0 ? json : json.replaceAll('\\', '\\\\'));
  }

  // Binary format (COPY ... WITH (FORMAT binary)): every field is a 32-bit length, then its bytes.

  int16(v: number): void {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.room(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  /** Starts a binary field whose bytes follow; returns what fieldEnd needs to write its length. */
  fieldStart(): number {
    this.room(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  fieldEnd(at: number): void {
    this.buf.writeInt32BE(this.pos - at - 4, at);
  }

  /** A binary field of these bytes. */
  bytesField(bytes: Uint8Array): void {
    this.room(4 + bytes.length);
    this.pos = this.buf.writeInt32BE(bytes.length, this.pos);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A NULL field. */
  nullField(): void {
    this.int32(-1);
  }

  /** A field of UTF-8 text (text, json: their binary input is the text itself), no escaping; the
   * caller made it storable (no U+0000). */
  textField(s: string): void {
    const n = s.length;
    this.room(4 + n * 3); // a UTF-16 unit is at most 3 bytes of UTF-8
    const b = this.buf;
    const at = this.pos;
    let p = at + 4;
    if (n <= SHORT) {
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          p = at + 4 + b.utf8Write(s, at + 4);
          break;
        }
        b[p++] = c;
      }
    } else p += b.utf8Write(s, p);
    b.writeInt32BE(p - at - 4, at);
    this.pos = p;
  }

  /** A bigint field: a safe integer or a bigint within int64 (else RangeError). */
  int64Field(v: number | bigint): void {
    this.room(12);
    const b = this.buf;
    let p = b.writeInt32BE(8, this.pos);
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      const hi = Math.floor(v / 0x1_0000_0000);
      p = b.writeInt32BE(hi, p);
      p = b.writeUInt32BE(v - hi * 0x1_0000_0000, p);
    } else {
      const big = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : NaN;
      if (typeof big !== 'bigint' || big < INT64_MIN || big > INT64_MAX) throw new RangeError(`${String(v)} is out of range for PostgreSQL's bigint (64-bit signed integer)`);
      p = b.writeBigInt64BE(big, p);
    }
    this.pos = p;
  }

  /** An integer field (4 bytes). */
  int32Field(v: number): void {
    this.room(8);
    this.pos = this.buf.writeInt32BE(v, this.buf.writeInt32BE(4, this.pos));
  }

  /** A smallint field (2 bytes). */
  int16Field(v: number): void {
    this.room(6);
    this.pos = this.buf.writeInt16BE(v, this.buf.writeInt32BE(2, this.pos));
  }

  /** A double precision field. */
  float64Field(v: number): void {
    this.room(12);
    this.pos = this.buf.writeDoubleBE(v, this.buf.writeInt32BE(8, this.pos));
  }

  /** A boolean field. */
  boolField(v: boolean): void {
    this.room(5);
    const p = this.buf.writeInt32BE(1, this.pos);
    this.buf[p] = v ? 1 : 0;
    this.pos = p + 1;
  }
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

const pool: CopyWriter[] = [];
/** Writers bigger than this are not kept for reuse (one huge batch should not pin its memory). */
const KEEP_BYTES = 32 << 20;

/** A writer from the pool (or a new one), empty. Give it back with releaseWriter when what it
 * wrote has been consumed. */
export function takeWriter(): CopyWriter {
  const w = pool.pop() ?? new CopyWriter();
  w.reset();
  return w;
}

export function releaseWriter(w: CopyWriter): void {
  const c = w.capacity;
  if (c > 0 && c <= KEEP_BYTES && pool.length < 4) pool.push(w);
}
