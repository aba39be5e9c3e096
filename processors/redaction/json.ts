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
  const out: JsonStrings = { starts: [], ends: [], values: [], keys: [] };
  const n = src.length;
  const stack: number[] = [];
  let nextControl = -1; // first code unit < 0x20 at or after some earlier token start (Infinity: none)
  let nextBackslash = -1; // the same for '\'
  let i = 0;
  let key: string | undefined; // the key of the value about to be read
  let tokenEnd = 0;

  /** The string token starting at src[i] === '"': its value, with tokenEnd set (undefined: invalid). */
  const readString = (): string | undefined => {
    const q = i;
    let e = src.indexOf('"', q + 1);
    for (;;) {
      if (e < 0) return undefined;
      let b = e;
      while (src.charCodeAt(b - 1) === 92) b--;
      if ((e - b) % 2 === 0) break;
      e = src.indexOf('"', e + 1);
    }
    tokenEnd = e + 1;
    if (nextControl < q) {
      CONTROL.lastIndex = q;
      const m = CONTROL.exec(src);
      nextControl = m ? m.index : Infinity;
    }
    if (nextControl < tokenEnd) return undefined; // a raw control character inside a string
    if (nextBackslash < q) {
      const b = src.indexOf('\\', q);
      nextBackslash = b < 0 ? Infinity : b;
    }
    if (nextBackslash >= tokenEnd) return src.slice(q + 1, e);
    try {
      return JSON.parse(src.slice(q, tokenEnd)) as string; // escapes: JSON.parse checks them
    } catch {
      return undefined;
    }
  };

  /** The end of the number at src[i] (a '-' or digit), or -1 when it is not a JSON number. */
  const numberEnd = (): number => {
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
  };

  // A value is expected at i (after whitespace); then what may follow it, until the top value ends.
  value: for (;;) {
    while (i < n && isWs(src.charCodeAt(i))) i++;
    const c = src.charCodeAt(i);
    if (c === 34) {
      const q = i;
      const v = readString();
      if (v === undefined) return undefined;
      i = tokenEnd;
      if (key === undefined || !skipKeys.has(key)) {
        out.starts.push(q);
        out.ends.push(tokenEnd);
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
          key = undefined;
          continue value;
        }
      } else if (src.charCodeAt(i) === 125) i++; // {}
      else {
        stack.push(OBJECT);
        if (!readKey()) return undefined;
        continue value;
      }
    } else if (c === 116 ? src.startsWith('true', i) : c === 102 ? src.startsWith('false', i) : c === 110 && src.startsWith('null', i)) {
      i += c === 102 ? 5 : 4;
    } else {
      const e = c === 45 || isDigit(c) ? numberEnd() : -1;
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
        if (top === ARRAY) key = undefined;
        else if (!readKey()) return undefined;
        continue value;
      }
      if (d !== (top === ARRAY ? 93 : 125)) return undefined;
      i++;
      stack.pop();
    }
  }

  /** A member's key and its ':' (whitespace around), leaving i at the value; false when invalid. */
  function readKey(): boolean {
    while (i < n && isWs(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 34) return false;
    const k = readString();
    if (k === undefined) return false;
    i = tokenEnd;
    while (i < n && isWs(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 58) return false;
    i++;
    key = k;
    return true;
  }
}
