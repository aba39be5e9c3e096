// One pass over a JSON text that both validates it (accepting exactly what JSON.parse accepts) and
// lists its string values with the key each is the direct value of: what the JSON-aware scan needs,
// without JSON.parse building every object, array and string of the document only to be dropped.
// String tokens are crossed with indexOf (native) to their closing quote; only the text between
// tokens (punctuation, numbers, literals, whitespace) is read code unit by code unit.

export interface JsonStrings {
  /** [start, end) of each string value token (the quotes included), in document order. */
  starts: number[];
  ends: number[];
  /** What each token stands for. */
  values: string[];
  /** The key each value is the direct value of (undefined in an array or at the top). */
  keys: (string | undefined)[];
}

const OBJECT = 0;
const ARRAY = 1;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;
const CONTROL = /[\x00-\x1f]/g;

/**
 * The string values of `src` when it is valid JSON (undefined when JSON.parse would throw). Values
 * under a key in `skipKeys` are left out. `src` may be any JSON text; the caller checks it starts
 * like an object or array.
 */
export function jsonStrings(src: string, skipKeys: ReadonlySet<string>): JsonStrings | undefined {
  return new JsonScan(src).run(skipKeys);
}

/** The scan's state; methods rather than closures (tsx names every closure it makes, per call). */
class JsonScan {
  /** The end of the last string token read. */
  tokenEnd = 0;
  /** The key of the value about to be read. */
  key: string | undefined = undefined;
  private nextControl = -1; // first code unit < 0x20 at or after some earlier token start (Infinity: none)
  private nextBackslash = -1; // the same for '\'

  constructor(private readonly src: string) {}

  run(skipKeys: ReadonlySet<string>): JsonStrings | undefined {
    const src = this.src;
    const out: JsonStrings = { starts: [], ends: [], values: [], keys: [] };
    const n = src.length;
    const stack: number[] = [];
    let i = 0;
    // A value is expected at i (after whitespace); then what may follow it, until the top value ends.
    value: for (;;) {
      while (i < n && isWs(src.charCodeAt(i))) i++;
      const c = src.charCodeAt(i);
      if (c === 34) {
        const q = i;
        const v = this.readString(i);
        if (v === undefined) return undefined;
        i = this.tokenEnd;
        const key = this.key;
        if (key === undefined || !skipKeys.has(key)) {
          out.starts.push(q);
          out.ends.push(i);
          out.values.push(v);
          out.keys.push(key);
        }
      } else if (c === 123 || c === 91) {
        i++;
        while (i < n && isWs(src.charCodeAt(i))) i++;
        if (c === 91) {
          if (src.charCodeAt(i) === 93) i++; // []
          else {
            stack.push(ARRAY);
            this.key = undefined;
            continue value;
          }
        } else if (src.charCodeAt(i) === 125) i++; // {}
        else {
          stack.push(OBJECT);
          i = this.readKey(i);
          if (i < 0) return undefined;
          continue value;
        }
      } else if (c === 116 ? src.startsWith('true', i) : c === 102 ? src.startsWith('false', i) : c === 110 && src.startsWith('null', i)) {
        i += c === 102 ? 5 : 4;
      } else {
        const e = c === 45 || isDigit(c) ? numberEnd(src, i) : -1;
        if (e < 0) return undefined;
        i = e;
      }
      // after a value: the next member or element, or the end of containers
      for (;;) {
        while (i < n && isWs(src.charCodeAt(i))) i++;
        if (stack.length === 0) return i === n ? out : undefined;
        const d = src.charCodeAt(i);
        const top = stack[stack.length - 1];
        if (d === 44) {
          i++;
          if (top === ARRAY) this.key = undefined;
          else {
            i = this.readKey(i);
            if (i < 0) return undefined;
          }
          continue value;
        }
        if (d !== (top === ARRAY ? 93 : 125)) return undefined;
        i++;
        stack.pop();
      }
    }
  }

  /** The string token starting at src[q] === '"': its value, with tokenEnd set (undefined: invalid). */
  private readString(q: number): string | undefined {
    const src = this.src;
    let e = src.indexOf('"', q + 1);
    for (;;) {
      if (e < 0) return undefined;
      let b = e;
      while (src.charCodeAt(b - 1) === 92) b--;
      if ((e - b) % 2 === 0) break;
      e = src.indexOf('"', e + 1);
    }
    const end = e + 1;
    this.tokenEnd = end;
    if (this.nextControl < q) {
      CONTROL.lastIndex = q;
      const m = CONTROL.exec(src);
      this.nextControl = m ? m.index : Infinity;
    }
    if (this.nextControl < end) return undefined; // a raw control character inside a string
    if (this.nextBackslash < q) {
      const b = src.indexOf('\\', q);
      this.nextBackslash = b < 0 ? Infinity : b;
    }
    if (this.nextBackslash >= end) return src.slice(q + 1, e);
    try {
      return JSON.parse(src.slice(q, end)) as string; // escapes: JSON.parse checks them
    } catch {
      return undefined;
    }
  }

  /** A member's key and its ':' (whitespace around) from i: the position of the value, or -1 when invalid. */
  private readKey(i: number): number {
    const src = this.src;
    const n = src.length;
    while (i < n && isWs(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 34) return -1;
    const k = this.readString(i);
    if (k === undefined) return -1;
    i = this.tokenEnd;
    while (i < n && isWs(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 58) return -1;
    this.key = k;
    return i + 1;
  }
}

/** The end of the JSON number at src[i] (a '-' or digit), or -1 when there is none. */
function numberEnd(src: string, i: number): number {
  let j = i;
  if (src.charCodeAt(j) === 45) j++;
  const c = src.charCodeAt(j);
  if (c === 48) j++;
  else if (c >= 49 && c <= 57) while (isDigit(src.charCodeAt(j))) j++;
  else return -1;
  if (src.charCodeAt(j) === 46) {
    j++;
    if (!isDigit(src.charCodeAt(j))) return -1;
    while (isDigit(src.charCodeAt(j))) j++;
  }
  const x = src.charCodeAt(j);
  if (x === 101 || x === 69) {
    j++;
    const s = src.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    if (!isDigit(src.charCodeAt(j))) return -1;
    while (isDigit(src.charCodeAt(j))) j++;
  }
  return j;
}
