// Where the number-shaped patterns can match, from the text's digit runs, found in one walk.
//
// Cards, IBANs, SSNs, NINOs, NIRs, Aadhaar and PAN numbers, North American and trunk-prefix phone
// numbers and IPv4 addresses each start at a fixed place relative to a run of ASCII digits (its first
// digit, the letters or the '(' before it, ...) and hold a recognisable chain of runs after it. Run
// over the whole text, each of those regexes costs a pass over every character (a third of the
// detectors' time on log lines, whose every field is a number); instead the runs are found once and
// each pattern is tried, sticky, only at the starts its chain allows (util.ts eachMatchInWindows).
// Every condition below is necessary for a match of its pattern to start there, so the matches are
// exactly those of the whole-text scan; redaction.windows.test.ts compares each on seeded texts.
import { onForgetText } from './util.ts';

/** Start windows (util.ts eachMatchInWindows: flat [lo, hi] pairs, ascending) of each pattern. */
export interface NumberWindows {
  card: number[];
  iban: number[];
  ssn: number[];
  nino: number[];
  nir: number[];
  aadhaar: number[];
  pan: number[];
  nanp: number[];
  trunk: number[];
  ipv4: number[];
}

let runsAt: Int32Array = new Int32Array(1024);
let memoText: string | undefined;
let memo: NumberWindows | undefined;
onForgetText(() => {
  memoText = undefined;
  memo = undefined;
});

// The text's code units, copied into a reused array by one native call (utf16le is how V8 holds
// them): the walks below read an array, several times faster than charCodeAt, and exactly (a
// latin1 copy would cut U+0130 to '0').
let units = new Uint16Array(1 << 16);
let wide = Buffer.from(units.buffer);
/** Buffer writes utf16le; Uint16Array reads in the machine's order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** text's code units in units[0, text.length), then a 0 (no digit, letter or separator: what
 * "no character" is to every check below). */
function codeUnits(text: string): Uint16Array {
  const n = text.length;
  if (n + 1 > units.length) {
    units = new Uint16Array(Math.max(n + 1, 2 * units.length));
    wide = Buffer.from(units.buffer);
  }
  if (n < 32 || !LITTLE_ENDIAN) for (let i = 0; i < n; i++) units[i] = text.charCodeAt(i); // (no call into C++ for a short text)
  else wide.write(text, 0, 2 * n, 'utf16le');
  units[n] = 0;
  return units;
}

const DIGIT = /[0-9]/g;

/**
 * The maximal runs of ASCII digits of text (its code units in u, u[n] = 0): [runsAt[2k],
 * runsAt[2k + 1]); their count. While runs are sparse (prose, code) the regex engine finds the next
 * digit, skipping the text natively (~2x a loop in JavaScript); once they are dense (logs, a run every
 * few characters) a loop over u, which costs no call per run, takes over.
 */
function findRuns(text: string, u: Uint16Array, n: number): number {
  let at = runsAt;
  let count = 0;
  let i = 0;
  while (count < 64 || count * 32 < i) {
    DIGIT.lastIndex = i;
    if (!DIGIT.test(text)) {
      runsAt = at;
      return count;
    }
    const s = DIGIT.lastIndex - 1;
    let e = s + 1;
    for (let d = u[e]; d <= 57 && d >= 48; d = u[++e]); // (u[n] is 0)
    if (2 * count + 2 > at.length) at = grow(at);
    at[2 * count] = s;
    at[2 * count + 1] = e;
    count++;
    i = e;
  }
  for (; i < n; i++) {
    const c = u[i];
    if (c > 57 || c < 48) continue;
    let e = i + 1;
    for (let d = u[e]; d <= 57 && d >= 48; d = u[++e]);
    if (2 * count + 2 > at.length) at = grow(at);
    at[2 * count] = i;
    at[2 * count + 1] = e;
    count++;
    i = e;
  }
  runsAt = at;
  return count;
}

function grow(at: Int32Array): Int32Array {
  const g = new Int32Array(2 * at.length);
  g.set(at);
  return g;
}

/** The digit runs of text as flat [start, end) pairs (for the tests). */
export function digitRuns(text: string): number[] {
  const count = findRuns(text, codeUnits(text), text.length);
  return Array.from(runsAt.subarray(0, 2 * count));
}

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** Not \w, '-' or '.': what may precede a card, SSN or Aadhaar number. */
const freeBefore = (c: number) => !isWord(c) && c !== 45 && c !== 46;

/** The start windows of every number pattern in text, computed once for the detectors that run one
 * after another on one text. */
export function numberWindows(text: string): NumberWindows {
  if (text === memoText && memo) return memo;
  const u = codeUnits(text);
  const count = findRuns(text, u, text.length);
  const at = runsAt;
  const w: NumberWindows = { card: [], iban: [], ssn: [], nino: [], nir: [], aadhaar: [], pan: [], nanp: [], trunk: [], ipv4: [] };
  for (let k = 0; k < count; k++) {
    const s = at[2 * k];
    const e = at[2 * k + 1];
    const len = e - s;
    const first = u[s];
    const before = s > 0 ? u[s - 1] : 0; // 0: no character
    // The next two runs, when they follow one code unit after the previous one (a separator).
    const s1 = k + 1 < count ? at[2 * k + 2] : -1;
    const len1 = s1 >= 0 ? at[2 * k + 3] - s1 : 0;
    const joined1 = s1 === e + 1;
    const joined2 = k + 2 < count && at[2 * k + 4] === at[2 * k + 3] + 1;
    const len2 = joined2 ? at[2 * k + 5] - at[2 * k + 4] : 0;

    if (freeBefore(before)) {
      // CARD /(?<![\w\-.])\d(?:[ \-]?\d){11,18}/: 12+ digits in runs joined by single ' ' or '-'.
      let digits = len;
      for (let j = k; digits < 12 && j + 1 < count; j++) {
        const end = at[2 * j + 1];
        const sep = u[end];
        if (at[2 * j + 2] !== end + 1 || (sep !== 32 && sep !== 45)) break;
        digits += at[2 * j + 3] - at[2 * j + 2];
      }
      if (digits >= 12) w.card.push(s, s);
      // SSN /(?<![\w\-.])\d{3}([\- ])\d{2}\1\d{4}/ and AADHAAR /(?<![\w\-.])[2-9]\d{3}([ \-])\d{4}\1\d{4}/:
      // runs of 3, 2, 4+ (4, 4, 4+) one code unit apart.
      if (joined1 && joined2) {
        if (len === 3 && len1 === 2 && len2 >= 4) w.ssn.push(s, s);
        if (len === 4 && len1 === 4 && len2 >= 4 && first >= 50) w.aadhaar.push(s, s);
      }
    }
    // IBAN /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}/: two letters right before a run of 2+ digits.
    if (len >= 2 && s >= 2 && isLetter(before) && isLetter(u[s - 2])) {
      const b = s >= 3 ? u[s - 3] : 0;
      if (!isLetter(b) && !(b >= 48 && b <= 57)) w.iban.push(s - 2, s - 2);
    }
    // NINO /(?<![\w])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]/: two capitals right before the run (or
    // before a space and the run); the 8 code units from the run's start hold the 6 digits.
    if (isUpper(before) || before === 32) {
      const p = before === 32 ? s - 3 : s - 2;
      if (p >= 0 && isUpper(u[p]) && isUpper(u[p + 1]) && digitsWithin(at, count, k, s + 8) >= 6) w.nino.push(p, p);
    }
    // NIR /(?<![\w])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}/:
    // 15 characters and up to 6 spaces from a 1 or 2, of which 14 digits (13 counted, to be safe).
    if ((first === 49 || first === 50) && !isWord(before) && digitsWithin(at, count, k, s + 21) >= 13) w.nir.push(s, s);
    // PAN /(?<![\w])[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]/: exactly 4 digits between capitals.
    if (len === 4 && s >= 5 && isUpper(before) && isUpper(u[e])) w.pan.push(s - 5, s - 5);
    // NANP /(?:1[ .\-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}/: area code (3
    // digits, 2-9 first), exchange (3, 2-9 first) one or two code units later (') '), line (4+) one
    // code unit later; the match starts at the area code or up to 3 code units before ('1 (').
    if (len === 3 && first >= 50 && s1 >= 0 && s1 - e <= 2 && len1 === 3 && u[s1] >= 50 && joined2 && len2 >= 4) w.nanp.push(s - 3, s);
    // TRUNK /(?:\(0[1-9]\d{0,3}\) ?|0[1-9]\d{0,3}[ .\-\/])\d{2,8}/: a prefix of 2-5 digits, 0 then
    // 1-9, then a run of 2+ one or two code units later; the match starts at it or at the '('.
    if (first === 48 && len >= 2 && len <= 5 && u[s + 1] !== 48 && s1 >= 0 && s1 - e <= 2 && len1 >= 2) w.trunk.push(s - 1, s);
    // IPv4 (network.ts): a run of 1-3 digits, a dot and a digit, no word character or dot before.
    if (len <= 3 && joined1 && u[e] === 46 && !isWord(before) && before !== 46) w.ipv4.push(s, s);
  }
  memoText = text;
  memo = w;
  return w;
}

/** How many digits the runs from run k (which starts the range) hold before `to`. */
function digitsWithin(at: Int32Array, count: number, k: number, to: number): number {
  let digits = 0;
  for (; k < count && at[2 * k] < to; k++) digits += Math.min(at[2 * k + 1], to) - at[2 * k];
  return digits;
}
