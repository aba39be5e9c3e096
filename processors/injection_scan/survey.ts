// What the derived views need, found cheaply (a benign prompt holds none of it):
//   - runs of 16+ base64-alphabet characters (base64 when mixed case, hex when all hex digits),
//   - leetspeak candidates: tokens of letters mixed with digits or @ $ | ! (2+ letters, 3-40 long),
//   - whether spaced-out letters ("i g n o r e", "i.g.n.o.r.e") or punctuation inside words
//     ("ig-no-re", "pre_vio_us") may be present.

const LETTER = 1;
const DIGIT = 2;
const B64_EXTRA = 4; // + / _ -
const LEET_SYMBOL = 8; // @ $ | !
const SEPARATOR = 16; // space . - _ * + | ~ / \
const HEX_LETTER = 32;
const UPPER = 64;

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let k = 0;
  if (/[A-Za-z]/.test(ch)) k |= LETTER;
  if (/[A-Z]/.test(ch)) k |= UPPER;
  if (/[a-fA-F]/.test(ch)) k |= HEX_LETTER;
  if (/[0-9]/.test(ch)) k |= DIGIT;
  if (/[+/_-]/.test(ch)) k |= B64_EXTRA;
  if (/[@$|!]/.test(ch)) k |= LEET_SYMBOL;
  if (/[ .\-_*+|~/\\]/.test(ch)) k |= SEPARATOR;
  CLASS[c] = k;
}

export interface Survey {
  /** [start, end, 'hex' | 'base64'] of each candidate run, at most `maxRuns`. */
  runs: Array<[number, number, 'hex' | 'base64']>;
  /** [start, end] of each leetspeak candidate token. */
  leet: Array<[number, number]>;
  /** Positions where spaced-out letters or punctuation inside a word were seen (at most 64). */
  squashable: number[];
}

// Where each finding can begin, found by V8's regex engine (a tight native loop) so that text
// without any of them costs three scans instead of a JavaScript loop over every character:
//   a digit or leet symbol beside a letter (every leet candidate holds one),
//   three one-letter words in a row, or two joints ("a.b.c": punctuation between letters).
// (led by the digit or symbol, the rarer side of the pair: far fewer positions to try than a
// letter first; a letter before it is a lookbehind)
const LEET_EDGE = /[0-9@$|!](?:(?<=[A-Za-z].)|(?=[A-Za-z]))/g;
const SQUASH_HINT = /(?<![A-Za-z])[A-Za-z][ .\-_*+|~/\\]+[A-Za-z][ .\-_*+|~/\\]+[A-Za-z](?![A-Za-z])|[A-Za-z][.\-_*+|~/\\][A-Za-z]+[.\-_*+|~/\\][A-Za-z]/g;

const isLeetChar = (c: number) => c < 128 && (CLASS[c] & (LETTER | DIGIT | LEET_SYMBOL)) !== 0;
// The squash state (below) starts over after any character that is neither a letter nor a separator.
const isSquashReset = (c: number) => c >= 128 || (CLASS[c] & (LETTER | SEPARATOR)) === 0;

export function survey(text: string, maxRuns: number): Survey {
  return { runs: runs(text, maxRuns), leet: leetCandidates(text), squashable: squashable(text) };
}

/** base64 runs (mixed case) and hex runs (hex digits only) of 16+ characters, with '=' padding. */
function runs(text: string, maxRuns: number): Survey['runs'] {
  const out: Survey['runs'] = [];
  runsIn(text, 0, text.length, maxRuns, out);
  return out;
}

const B64 = LETTER | DIGIT | B64_EXTRA;
const isB64 = (c: number) => c < 128 && (CLASS[c] & B64) !== 0;

/** The runs in [from, to). A run of 16+ holds one of the characters at from + 15, from + 31, ...:
 * only the runs through those are read (prose, JSON and code are mostly short runs; a search for
 * the next space per word cost more). */
function runsIn(text: string, from: number, to: number, maxRuns: number, out: Survey['runs']): void {
  let next = from; // runs before this are read
  for (let p = from + 15; p < to && out.length < maxRuns; p += 16) {
    if (p < next || !isB64(text.charCodeAt(p))) continue;
    let a = p;
    while (a > from && isB64(text.charCodeAt(a - 1))) a--;
    let b = p + 1;
    while (b < to && isB64(text.charCodeAt(b))) b++;
    next = b;
    if (b - a < 16) continue;
    let upper = false;
    let lower = false;
    let hex = true;
    for (let i = a; i < b; i++) {
      const k = CLASS[text.charCodeAt(i)];
      if (k & LETTER) {
        if (k & UPPER) upper = true;
        else lower = true;
        if (!(k & HEX_LETTER)) hex = false;
      } else if (k & B64_EXTRA) hex = false;
    }
    const c = b < to ? text.charCodeAt(b) : 0x20;
    if (hex) out.push([a, b, 'hex']);
    else if (upper && lower) out.push([a, b + (c === 0x3d ? (text.charCodeAt(b + 1) === 0x3d ? 2 : 1) : 0), 'base64']);
  }
}

/** Tokens of letters mixed with digits or @ $ | ! (2+ letters, 3-40 long, "!" and "|" at the ends
 * not counted). */
function leetCandidates(text: string): Survey['leet'] {
  const out: Survey['leet'] = [];
  const n = text.length;
  LEET_EDGE.lastIndex = 0;
  // test(), not exec(): no match array per edge; the match is the one character before lastIndex
  while (LEET_EDGE.test(text)) {
    const at = LEET_EDGE.lastIndex - 1;
    let a = at;
    while (a > 0 && isLeetChar(text.charCodeAt(a - 1))) a--;
    let b = at + 1;
    while (b < n && isLeetChar(text.charCodeAt(b))) b++;
    LEET_EDGE.lastIndex = b;
    let letters = 0;
    let symbols = 0;
    for (let i = a; i < b; i++) {
      if (CLASS[text.charCodeAt(i)] & LETTER) letters++;
      else symbols++;
    }
    // "!" and "|" at the ends of a token are punctuation ("you!", "|table"), not letters
    while (b > a && (text.charCodeAt(b - 1) === 0x21 || text.charCodeAt(b - 1) === 0x7c)) {
      b--;
      symbols--;
    }
    while (a < b && (text.charCodeAt(a) === 0x21 || text.charCodeAt(a) === 0x7c)) {
      a++;
      symbols--;
    }
    const len = b - a;
    if (symbols > 0 && letters >= 2 && len >= 3 && len <= 40 && symbols <= letters + 2) out.push([a, b]);
  }
  return out;
}

/** Positions where spaced-out letters or punctuation inside a word may be (at most 64): the state
 * machine below, run only over the stretches (between reset characters) that hold a hint. */
function squashable(text: string): number[] {
  const out: number[] = [];
  const n = text.length;
  SQUASH_HINT.lastIndex = 0;
  // test(), not exec(): the stretch is found from the match's last character (a letter)
  while (out.length < 64 && SQUASH_HINT.test(text)) {
    let from = SQUASH_HINT.lastIndex - 1;
    while (from > 0 && !isSquashReset(text.charCodeAt(from - 1))) from--;
    const end = squashFrom(text, from, n, out);
    SQUASH_HINT.lastIndex = end + 1;
  }
  return out;
}

/** Runs the squash state from `from` (state empty) up to and including the next reset character
 * after the stretch; returns its index. One-letter tokens in a row separated by separators, and
 * inner separators of a word. */
function squashFrom(text: string, from: number, n: number, out: number[]): number {
  let run = 0;
  let singles = 0;
  let joints = 0;
  for (let i = from; i <= n; i++) {
    if (out.length >= 64) return i;
    const c = i < n ? text.charCodeAt(i) : 0x0a;
    const k = c < 128 ? CLASS[c] : 0;
    if (k & LETTER) run++;
    else if (!(k & SEPARATOR)) {
      if (run === 1 && singles >= 2) out.push(i);
      return i;
    } else {
      if (run > 0) {
        singles = run === 1 ? singles + 1 : 0;
        const next = text.charCodeAt(i + 1);
        const nk = next < 128 ? CLASS[next] : 0;
        if (c !== 0x20 && nk & LETTER) joints++;
        else joints = 0;
        if (singles >= 3 || joints >= 2) {
          out.push(i);
          singles = joints = 0;
        }
      }
      run = 0;
    }
  }
  return n;
}
