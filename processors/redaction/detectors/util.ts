// Helpers shared by the detectors. Every regular expression in the detectors is written to run in
// linear time on a backtracking engine: quantifiers are bounded, repeated groups start with a
// mandatory character their neighbours cannot match, and lookbehinds stop matches from starting
// in the middle of a run (so a run of 100k digits is tried from one position, not from each).
import type { EntityType, Match } from '../entities.ts';

export interface DetectOptions {
  /** Generic secrets: minimum value length and Shannon entropy (bits per character). */
  secretMinLength: number;
  secretMinEntropy: number;
}

export interface Detector {
  type: EntityType;
  /** Fewest ASCII digits a text needs to hold this entity: a cheap prefilter (0: none). */
  minDigits?: number;
  /** Appends the matches of this entity type found in `text` (already normalised). */
  detect(text: string, out: Match[], opts: DetectOptions): void;
  /** Reads across line breaks (PEM blocks): never run over several texts joined (scan.ts redactTexts). */
  multiline?: boolean;
  /** A substring every match holds: texts without it are not given to detect (redactTexts looks
   * for it once in the joined texts instead of in each). */
  needs?: string;
}

/** Runs a global regex over text, calling fn for each match (zero-length matches are skipped). */
export function eachMatch(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    fn(m);
  }
}

/**
 * Context detection: for each keyword match (a global regex; with `windows`, only where a value can
 * follow: see eachMatchInWindows), tries the sticky value regex right after it; `group` is the capture group holding the value (its offset is found by indexOf within
 * the matched text, which is exact because the value group is the last thing the regex matches).
 */
export function afterKeyword(
  keyword: RegExp,
  value: RegExp,
  text: string,
  fn: (start: number, end: number, value: string) => void,
  windows?: readonly number[],
): void {
  // (no named closure here: tsx names each one it makes, a defineProperty per call)
  if (windows) eachMatchInWindows(keyword, text, windows, (k) => valueAfter(k, value, text, fn));
  else eachMatch(keyword, text, (k) => valueAfter(k, value, text, fn));
}

function valueAfter(k: RegExpExecArray, value: RegExp, text: string, fn: (start: number, end: number, value: string) => void): void {
  value.lastIndex = k.index + k[0].length;
  const v = value.exec(text);
  if (!v || v[1] === undefined) return;
  const start = v.index + v[0].lastIndexOf(v[1]);
  fn(start, start + v[1].length, v[1]);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

// ---- Windowed matching: the same matches as eachMatch, without running the regex over the whole
// text. Most texts hold no address, no key name, no IPv6; the patterns that find them are costly per
// character (Unicode classes, alternations tried at every letter). Each such pattern has an anchor
// (a street-type word, a key name, a ':') that every match contains within a bounded distance of its
// start; the pattern is tried, sticky, only at the positions those bounds leave. Exactness rests on
// that bound: every position where the pattern can match lies in a window, so the first match at or
// after the previous match's end is the same one a global search finds.

const stickies = new WeakMap<RegExp, RegExp>();

/** The sticky, non-global twin of `re` (same source and other flags), made once. */
export function stickyOf(re: RegExp): RegExp {
  let y = stickies.get(re);
  if (!y) stickies.set(re, (y = new RegExp(re.source, re.flags.replace('g', '') + 'y')));
  return y;
}

/**
 * Calls fn for each match of `re`, in order, exactly as eachMatch(re, text, fn) would, trying the
 * pattern only at positions inside `windows` (flat [lo, hi] pairs, inclusive, ascending by lo) where
 * `canStart` (a necessary condition on the first code unit and the one before it, NaN at the start)
 * holds.
 */
export function eachMatchInWindows(re: RegExp, text: string, windows: readonly number[], fn: (m: RegExpExecArray) => void, canStart?: (c: number, before: number) => boolean): void {
  const y = stickyOf(re);
  const unicode = re.unicode;
  let next = 0; // no match starts before the end of the previous one, nor where we already tried
  for (let w = 0; w < windows.length; w += 2) {
    let p = Math.max(windows[w], next, 0);
    const hi = Math.min(windows[w + 1], text.length - 1);
    while (p <= hi) {
      const c = text.charCodeAt(p);
      // A unicode search never starts inside a surrogate pair.
      if ((canStart && !canStart(c, text.charCodeAt(p - 1))) || (unicode && c >= 0xdc00 && c <= 0xdfff && p > 0 && (text.charCodeAt(p - 1) & 0xfc00) === 0xd800)) {
        p++;
        continue;
      }
      y.lastIndex = p;
      const m = y.exec(text);
      if (m && m[0].length > 0) {
        fn(m);
        p += m[0].length;
      } else p++;
    }
    if (p > next) next = p;
  }
}

/**
 * Windows [q - before, q - nearest] around each position q where `anchor` (global) matches. With
 * `overlapping` every position is tried (for short anchors, which one occurrence could hide); else
 * the search goes on after each match (for unbounded ones, such as a run of digits).
 */
export function anchorWindows(anchor: RegExp, text: string, before: number, nearest = 0, overlapping = true): number[] {
  const out: number[] = [];
  anchor.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = anchor.exec(text)) !== null) {
    out.push(m.index - before, m.index - nearest);
    if (overlapping || m[0].length === 0) anchor.lastIndex = m.index + 1;
  }
  return out;
}

let lastText = '';
let lastLower = '';

/**
 * Forgets the text the memos below (lowerOf, the hint pass) hold: called at the start of each scan,
 * so they serve the detectors of one call only (a bench repeating one text would otherwise be
 * served from memory).
 */
export function forgetText(): void {
  lastText = '';
  lastLower = '';
  scannedText = undefined;
  for (const f of forgetHooks) f();
}

const forgetHooks: Array<() => void> = [];
/** Registers a memo of another module to be forgotten with these (forgetText). */
export function onForgetText(f: () => void): void {
  forgetHooks.push(f);
}

/** text.toLowerCase(), computed once for the detectors that run one after another on one text. */
export function lowerOf(text: string): string {
  if (text !== lastText) {
    lastText = text;
    lastLower = text.toLowerCase();
  }
  return lastLower;
}

// ---- Keyword hints, found for every detector in one pass. The keyword patterns (case-insensitive
// alternations: "date of birth", "passport", "api_key", ...) cost a regex attempt at every position
// of a text; each keyword holds one of a few short hints, so the pattern is tried only near them.
// The hints of every registered group are looked for in one walk over the lower-cased text (a table
// by the first three code units, confirmed with startsWith), not one indexOf pass per hint.

/** Hints (lower case, 3 or more code units) one of which every match of a pattern holds at most
 * `before` code units after the match's start. Made once, at module load, by hintGroup. */
export interface HintGroup {
  readonly hints: readonly string[];
  readonly before: number;
  readonly id: number;
}

const groups: HintGroup[] = [];
const groupByHints = new Map<readonly string[], HintGroup>();
/** Trigram key (low 5 bits of each code unit) -> [hint, group id] pairs starting with it. */
let table: Array<Array<[string, number]> | undefined> = [];
/** 1 where table has an entry: a typed array read first (holes in `table` are slow to read). */
let present = new Uint8Array(1 << 15);
/** Per trigram key: bit (c & 31) set for the 4th code unit c of each of its hints, and every bit
 * when one of them is 3 code units long. A position whose 4th code unit has no bit set starts no
 * hint: most trigram hits (common words sharing a hint's first three letters) stop there. */
let fourth = new Uint32Array(1 << 15);

const trigram = (a: number, b: number, c: number) => ((a & 31) << 10) | ((b & 31) << 5) | (c & 31);

export function hintGroup(hints: readonly string[], before: number): HintGroup {
  for (const h of hints) if (h.length < 3 || h !== h.toLowerCase()) throw new Error(`hint ${JSON.stringify(h)}: 3 or more code units, lower case`);
  const g: HintGroup = { hints, before, id: groups.length };
  groups.push(g);
  groupByHints.set(hints, g);
  table = new Array(1 << 15);
  present = new Uint8Array(1 << 15);
  fourth = new Uint32Array(1 << 15);
  for (const x of groups)
    for (const h of x.hints) {
      const k = trigram(h.charCodeAt(0), h.charCodeAt(1), h.charCodeAt(2));
      (table[k] ??= []).push([h, x.id]);
      present[k] = 1;
      fourth[k] |= h.length === 3 ? 0xffffffff : 1 << (h.charCodeAt(3) & 31);
    }
  scannedText = undefined;
  return g;
}

let scannedText: string | undefined;
/** No windows (shared: the windows handed out are only read). */
const NONE: number[] = [];
let scanned: (number[] | undefined)[] = [];

/**
 * Whether hint h (lower case) is at text[i..] in any case a hint's pattern matches it in: the ASCII
 * and Latin-1 letters either way, anything else as is. (The patterns are case-insensitive without
 * the u flag, where that is the whole of case-insensitivity for these characters; FR_ANCHOR's u flag
 * adds 'ſ', handled where it is used.)
 */
function hintAt(text: string, h: string, i: number): boolean {
  if (i + h.length > text.length) return false;
  for (let j = 0; j < h.length; j++) {
    const c = text.charCodeAt(i + j);
    const k = h.charCodeAt(j);
    if (c === k) continue;
    if (c + 32 !== k || !((k >= 97 && k <= 122) || (k >= 0xe0 && k <= 0xfe && k !== 0xf7))) return false;
  }
  return true;
}

/** The text's code units cut to their low byte (latin1), reused between calls: the trigram key
 * keeps only the low 5 bits, and a loop over a byte array is ~2-3x faster than charCodeAt. */
let bytes = Buffer.allocUnsafe(1 << 16);

function lowBytes(text: string): Buffer {
  if (text.length > bytes.length) bytes = Buffer.allocUnsafe(Math.max(text.length, 2 * bytes.length));
  if (text.length < 64) for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i); // (no call into C++ for a short text)
  else bytes.write(text, 0, text.length, 'latin1');
  return bytes;
}

/** Windows of every group in text (one walk), computed once for the detectors that run one after another on one text. */
function scanHints(text: string): (number[] | undefined)[] {
  if (text === scannedText) return scanned;
  // The trigram key keeps the low 5 bits of each code unit: the same for a letter's two cases.
  const out: number[][] = []; // by group id, made at a group's first hit (NONE for the others)
  const n = text.length - 2;
  const buf = lowBytes(text);
  const p = present;
  const f = fourth;
  let key = ((buf[0] & 31) << 5) | (buf[1] & 31);
  for (let i = 0; i < n; i++) {
    key = ((key << 5) | (buf[i + 2] & 31)) & 0x7fff;
    if (p[key] === 0) continue;
    // (past the text's end the byte is stale or undefined: hintAt checks the bounds)
    if ((f[key] & (1 << (buf[i + 3] & 31))) === 0) continue;
    const e = table[key]!;
    for (let k = 0; k < e.length; k++) {
      const h = e[k][0];
      const g = e[k][1];
      if (hintAt(text, h, i)) (out[g] ??= []).push(i - groups[g].before, i);
    }
  }
  scanned = out;
  scannedText = text;
  return scanned;
}

/**
 * Windows [h - before, h] around every occurrence h of the hints in the lower-cased text, or
 * undefined when lower-casing changed the length (offsets would not line up: search everything).
 * For a case-insensitive pattern every match contains one of its hints, lower-cased, at most
 * `before` code units after the match's start. Hints registered with hintGroup come from the shared
 * one-pass scan; others are looked up here.
 */
export function hintWindows(text: string, hints: readonly string[], before: number): number[] | undefined {
  const g = groupByHints.get(hints);
  if (g !== undefined && g.before === before) return scanHints(text)[g.id] ?? NONE;
  const lower = lowerOf(text);
  if (lower.length !== text.length) return undefined;
  let at: number[] | undefined;
  for (const h of hints) {
    for (let i = lower.indexOf(h); i >= 0; i = lower.indexOf(h, i + 1)) (at ??= []).push(i);
  }
  if (!at) return [];
  if (at.length > 1) at.sort((a, b) => a - b);
  const out: number[] = new Array(at.length * 2);
  for (let i = 0; i < at.length; i++) {
    out[2 * i] = at[i] - before;
    out[2 * i + 1] = at[i];
  }
  return out;
}

/** Whether the lower-cased text can hold one of the hints (true when lower-casing changed its length). */
export function mayHoldHints(text: string, hints: readonly string[], before: number): boolean {
  const w = hintWindows(text, hints, before);
  return w === undefined || w.length > 0;
}

/** eachMatch restricted to the windows of `hints` (see hintWindows); the whole text when they cannot be used. */
export function eachMatchNearHints(re: RegExp, text: string, hints: readonly string[], before: number, fn: (m: RegExpExecArray) => void): void {
  const windows = hintWindows(text, hints, before);
  if (windows === undefined) eachMatch(re, text, fn);
  else if (windows.length > 0) eachMatchInWindows(re, text, windows, fn);
}
