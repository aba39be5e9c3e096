// One pass over a text that finds what the derived views need, so a benign prompt pays for one
// loop instead of one regular expression per trick:
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

export function survey(text: string, maxRuns: number): Survey {
  const runs: Survey['runs'] = [];
  const leet: Survey['leet'] = [];
  const squashable: number[] = [];
  // base64 run
  let bStart = -1;
  let bUpper = false;
  let bLower = false;
  let bHex = true;
  // leet token
  let lStart = -1;
  let lLetters = 0;
  let lSymbols = 0;
  // squash: one-letter tokens in a row separated by separators; inner separators of a word
  let run = 0;
  let singles = 0;
  let joints = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x0a;
    if (c >= 0x61 && c <= 0x7a) {
      // a lower-case letter (most of any text): the same steps as below, without the lookups
      if (bStart < 0) {
        bStart = i;
        bUpper = false;
        bHex = true;
      }
      bLower = true;
      if (c > 0x66) bHex = false;
      if (lStart < 0) lStart = i;
      lLetters++;
      run++;
      continue;
    }
    const k = c < 128 ? CLASS[c] : 0;

    if (k & (LETTER | DIGIT | B64_EXTRA)) {
      if (bStart < 0) {
        bStart = i;
        bUpper = bLower = false;
        bHex = true;
      }
      if (k & LETTER) {
        if (k & UPPER) bUpper = true;
        else bLower = true;
        if (!(k & HEX_LETTER)) bHex = false;
      } else if (k & B64_EXTRA) bHex = false;
    } else if (bStart >= 0) {
      if (i - bStart >= 16 && runs.length < maxRuns) {
        if (bHex) runs.push([bStart, i, 'hex']);
        else if (bUpper && bLower) runs.push([bStart, i + (c === 0x3d ? (text.charCodeAt(i + 1) === 0x3d ? 2 : 1) : 0), 'base64']);
      }
      bStart = -1;
    }

    if (k & (LETTER | DIGIT | LEET_SYMBOL)) {
      if (lStart < 0) lStart = i;
      if (k & LETTER) lLetters++;
      else lSymbols++;
    } else if (lStart >= 0) {
      // "!" and "|" at the ends of a token are punctuation ("you!", "|table"), not letters
      let a = lStart;
      let b = i;
      while (b > a && (text.charCodeAt(b - 1) === 0x21 || text.charCodeAt(b - 1) === 0x7c)) {
        b--;
        lSymbols--;
      }
      while (a < b && (text.charCodeAt(a) === 0x21 || text.charCodeAt(a) === 0x7c)) {
        a++;
        lSymbols--;
      }
      const len = b - a;
      if (lSymbols > 0 && lLetters >= 2 && len >= 3 && len <= 40 && lSymbols <= lLetters + 2) leet.push([a, b]);
      lStart = -1;
      lLetters = lSymbols = 0;
    }

    if (squashable.length < 64) {
      if (k & LETTER) run++;
      else if (!(k & SEPARATOR)) {
        if (run === 1 && singles >= 2) squashable.push(i);
        singles = joints = run = 0;
      }
      else {
        if (run > 0) {
          singles = run === 1 ? singles + 1 : 0;
          const next = text.charCodeAt(i + 1);
          const nk = next < 128 ? CLASS[next] : 0;
          if (c !== 0x20 && nk & LETTER) joints++;
          else joints = 0;
          if (singles >= 3 || joints >= 2) {
            squashable.push(i);
            singles = joints = 0;
          }
        }
        run = 0;
      }
    }
  }
  if (singles + (run === 1 ? 1 : 0) >= 3) squashable.push(n);
  return { runs, leet, squashable };
}
