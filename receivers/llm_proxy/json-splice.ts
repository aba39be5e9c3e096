// Replaces one top-level string member of a JSON object in its bytes, leaving every other byte as
// the client sent it: the proxy only swaps the route alias for the provider model, so it need not
// re-serialise the whole (possibly large) request. A byte scan over the object's top level skips
// nested values and strings (with their escapes) without decoding them.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the string whose opening quote is at `i`; -1 if unterminated. Jumps from
 * quote to quote (a native search), so long texts cost little. */
function skipString(b: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, j);
    if (q < 0) return -1;
    // The quote closes the string unless an odd run of backslashes escapes it.
    let k = q - 1;
    while (k > i && b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function hasBackslash(b: Buffer, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (b[j] === BACKSLASH) return true;
  return false;
}

/** Index just past the value starting at `i` (any JSON value); -1 if malformed. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      const d = b[j];
      if (d === QUOTE) {
        j = skipString(b, j) - 1;
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // number, true, false, null
  let j = i;
  while (j < b.length && b[j] !== COMMA && b[j] !== 0x7d && !isSpace(b[j])) j++;
  return j > i ? j : -1;
}

const KEY_CACHE = new Map<string, Uint8Array>();
function keyBytes(key: string): Uint8Array {
  let k = KEY_CACHE.get(key);
  if (!k) KEY_CACHE.set(key, (k = Buffer.from(JSON.stringify(key))));
  return k;
}

/**
 * `raw` (a JSON object the caller already parsed) with the top-level member `key` set to the
 * string `value`, or undefined when a byte splice is not safe: the member is missing, not a
 * string, appears twice, or any top-level key uses escapes (so a duplicate could hide). The caller
 * then re-serialises.
 */
export function spliceTopLevelString(raw: Buffer, key: string, value: string): Buffer | undefined {
  const kb = keyBytes(key);
  let i = 0;
  const n = raw.length;
  while (i < n && isSpace(raw[i])) i++;
  if (raw[i] !== 0x7b) return undefined;
  i++;
  let start = -1;
  let end = -1;
  for (;;) {
    while (i < n && isSpace(raw[i])) i++;
    if (raw[i] === 0x7d) break;
    if (raw[i] !== QUOTE) return undefined;
    const keyStart = i;
    i = skipString(raw, i);
    if (i < 0 || hasBackslash(raw, keyStart, i)) return undefined;
    const keyEnd = i;
    while (i < n && isSpace(raw[i])) i++;
    if (raw[i] !== COLON) return undefined;
    i++;
    while (i < n && isSpace(raw[i])) i++;
    const valueStart = i;
    i = skipValue(raw, i);
    if (i < 0) return undefined;
    if (keyEnd - keyStart === kb.length && equalAt(raw, keyStart, kb)) {
      if (start >= 0 || raw[valueStart] !== QUOTE) return undefined;
      start = valueStart;
      end = i;
    }
    while (i < n && isSpace(raw[i])) i++;
    if (raw[i] === COMMA) i++;
    else if (raw[i] === 0x7d) break;
    else return undefined;
  }
  if (start < 0) return undefined;
  const v = valueBytes(value);
  const out = Buffer.allocUnsafe(raw.length - (end - start) + v.length);
  raw.copy(out, 0, 0, start);
  v.copy(out, start);
  raw.copy(out, start + v.length, end);
  return out;
}

// The values spliced in are the configured provider models: a handful, encoded once.
const VALUE_CACHE = new Map<string, Buffer>();
function valueBytes(value: string): Buffer {
  let v = VALUE_CACHE.get(value);
  if (!v) {
    v = Buffer.from(JSON.stringify(value));
    if (VALUE_CACHE.size < 1024) VALUE_CACHE.set(value, v);
  }
  return v;
}

function equalAt(b: Uint8Array, at: number, k: Uint8Array): boolean {
  for (let j = 0; j < k.length; j++) if (b[at + j] !== k[j]) return false;
  return true;
}
