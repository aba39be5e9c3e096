// Normalisation before scoring. One input text becomes several "views" that the detectors run on:
//
//   base       NFKC; zero-width, bidi and Unicode tag characters removed; lower case; Latin
//              diacritics stripped (é -> e); runs of spaces/tabs collapsed, line breaks kept
//   folded     the lines holding confusable characters (Cyrillic/Greek look-alikes, small caps;
//              fullwidth forms are already folded by NFKC), folded to Latin
//   leet       the lines holding leetspeak tokens (letters mixed with 0 1 3 4 5 7 @ $ ...), folded
//              (1 -> i, and a second view with 1 -> l)
//   squashed   spaced-out letters ("i g n o r e", "i.g.n.o.r.e") joined, and punctuation inside
//              words ("ig-no-re", "pre_vio_us") removed, on the lines that have them
//   reversed   text inside a right-to-left override (U+202E), reversed: it displays as written
//   tags       the text smuggled in Unicode tag characters (U+E0020-U+E007E map to ASCII)
//   base64 / hex   decoded segments (bounded length and count), each normalised the same way
//
// Derived views hold only the affected lines, so a long prompt with one odd line costs one line.
// The presence of invisible characters is itself reported (counts), and so is which view a
// detector fired in: a hit found only in a derived view means the text was obfuscated.
// Every regular expression here is linear: character classes with bounded quantifiers, no
// quantified group whose body can match the same text in two ways.

import { survey, type Survey } from './survey.ts';

export type ViewKind = 'base' | 'folded' | 'leet' | 'squashed' | 'reversed' | 'tags' | 'base64' | 'hex';

export interface View {
  kind: ViewKind;
  text: string;
  /** Known to be ASCII (tab, line breaks, printable): no script-gated pattern can match. */
  ascii?: true;
}

export interface Normalized {
  views: View[];
  /** Zero-width characters inside words (emoji joiners and soft hyphens between non-letters are not counted). */
  zeroWidth: number;
  /** Bidi embedding/override/isolate controls (U+202A-U+202E, U+2066-U+2069). */
  bidi: number;
  /** Unicode tag characters outside emoji flag sequences. */
  tags: number;
  /** Confusable (look-alike) characters inside words that also contain ASCII letters. */
  confusables: number;
}

export interface NormalizeLimits {
  /** At most this many base64/hex segments are decoded per text. */
  maxSegments: number;
  /** Segments longer than this (characters) are not decoded. */
  maxSegmentLength: number;
}

/** Is a word (a-z, folded) a keyword that makes a leet or squashed line worth a view? `begins`,
 * when given, answers for a word of two or more characters from its first two (char codes; the
 * first a-z) whether it can be one: false must mean the test is false. */
export interface KeywordTest {
  (word: string): boolean;
  begins?: (c0: number, c1: number) => boolean;
}

export const DEFAULT_LIMITS: NormalizeLimits = { maxSegments: 16, maxSegmentLength: 16384 };

const NON_ASCII = /[^\t\n\r\x20-\x7e]/;
// What strip() removes: zero-width, bidi controls, tag characters (as surrogate pairs). Tested
// first, so ordinary non-ASCII text (accents, CJK, emoji) skips the per-character pass.
// (one character class: the high surrogate U+DB40 stands for the tag block U+E0000-U+E007F)
const INVISIBLE = /[\u200b-\u200f\u2060-\u2064\ufeff\u180e\u00ad\u034f\u061c\u202a-\u202e\u2066-\u2069\udb40]/;

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x180e || cp === 0xad || cp === 0x34f || cp === 0x61c;
}

function isBidi(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

function isWordChar(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f) || (cp >= 0x370 && cp <= 0x4ff);
}

// Confusables: Cyrillic and Greek look-alikes of Latin letters (lower case; the text is lower-cased
// before folding), small capitals and a few symbols used as letters.
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ӏ: 'l', ь: 'b', г: 'r', п: 'n', л: 'n', и: 'u', д: 'd', ы: 'bi', ш: 'w', ц: 'u', з: '3', я: 'r', ч: '4', ф: 'o', б: '6', ў: 'y', ӧ: 'o', ԅ: 'z',
  α: 'a', β: 'b', γ: 'y', δ: 'd', ε: 'e', ζ: 'z', η: 'n', θ: 'o', ι: 'i', κ: 'k', λ: 'l', μ: 'u', ν: 'v', ξ: 'e', ο: 'o', π: 'n', ρ: 'p', σ: 'o', ς: 's', τ: 't', υ: 'u', φ: 'o', χ: 'x', ψ: 'w', ω: 'w', ί: 'i', ό: 'o', ύ: 'u', ά: 'a', έ: 'e', ή: 'n', ώ: 'w',
  ı: 'i', ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ɑ: 'a', ɩ: 'i', ʏ: 'y', ᴀ: 'a', ʀ: 'r', ꜱ: 's', ᴛ: 't', ɴ: 'n', ᴏ: 'o', ᴜ: 'u', ᴇ: 'e', ɪ: 'i', ɢ: 'g', ʜ: 'h', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ᴘ: 'p', ᴡ: 'w', ᴄ: 'c', ᴅ: 'd', ғ: 'f', ᴠ: 'v', ᴢ: 'z',
};
const LOOKALIKE = /[\u0370-\u04ff\u1d00-\u1d2b\ua731\u0280\u0274\u026a\u0262\u029c\u029f\u0261\u0251\u0269\u028f]/;
const CONFUSABLE_CLASS = /[\u0370-\u04ff\u0131\u0142\u00f8\u0111\u0261\u0251\u0269\u028f\u1d00-\u1d2b\ua731\u0280\u0274\u026a\u0262\u029c\u029f]/;

// Latin-1 / Latin Extended letters with diacritics -> base letter (é -> e; ø, æ, ß stay), from a
// table. (A class of only the letters that change is many ranges, which V8 tests far slower than
// the one range.)
const STRIPPED: string[] = [];
for (let c = 0xc0; c <= 0x24f; c++) {
  const ch = String.fromCharCode(c);
  const d = ch.normalize('NFD');
  STRIPPED.push(d.length > 1 && /^[a-z]/.test(d) ? d.replace(/[\u0300-\u036f]/g, '') : ch);
}
const DIACRITIC = /[\u00c0-\u024f]/g;
function stripDiacritic(ch: string): string {
  return STRIPPED[ch.charCodeAt(0) - 0xc0];
}

// Only whitespace that changes: two or more blanks, other blank characters, and line breaks with
// blanks around them (a plain single space or "\n" is left alone, which keeps replace() cheap).
const BLANKS = /[ \t\f\v\u00a0\u3000]{2,64}|[\t\f\v\u00a0\u3000]/g;
const BREAKS = / [\r\n][\s]{0,64}|[\r\n][\s]{1,64}|\r/g;

// Both expressions match whitespace only, so what they do to a run of whitespace (\s) depends on
// that run alone: one pass finds the runs that can change (two or more characters, or one other
// than a space or a line break) and each run gets both replacements (cached: indentation repeats).
// Half the matches of two passes on code and logs, and one pass instead of two on prose.
// (as `\s{2,}|[^\S \n]`, led by a literal space or line break: V8 rejects a lone space faster)
const SPACE_RUN = / \s+|\n\s+|[^\S \n]\s*/g;
const runCache = new Map<string, string>();
function blankRun(run: string): string {
  let out = runCache.get(run);
  if (out === undefined) {
    out = run.replace(BLANKS, ' ').replace(BREAKS, '\n');
    if (run.length <= 64 && runCache.size < 1024) runCache.set(run, out);
  }
  return out;
}

/** Lower case, Latin diacritics stripped, spaces collapsed (line breaks kept as one "\n"). */
export function canonical(text: string, ascii = !NON_ASCII.test(text)): string {
  let t = text.toLowerCase();
  if (!ascii) t = t.replace(DIACRITIC, stripDiacritic);
  return t.replace(SPACE_RUN, blankRun);
}

interface Stripped {
  text: string;
  zeroWidth: number;
  bidi: number;
  tags: number;
  tagText: string;
  /** Text written inside right-to-left overrides (as stored, i.e. reversed). */
  rtl: string[];
}

/** Removes invisible characters; counts them; decodes tag text; collects right-to-left overrides. */
function strip(text: string): Stripped {
  let zeroWidth = 0;
  let bidi = 0;
  let tags = 0;
  let tagText = '';
  const rtl: string[] = [];
  const out: string[] = [];
  let runStart = 0;
  let prevCp = 0;
  let inFlag = false;
  let rloAt = -1; // index in `out` of the first piece after a right-to-left override
  const push = (s: string) => void out.push(s);
  const closeRlo = () => {
    if (rloAt < 0) return;
    rtl.push(out.slice(rloAt).join(''));
    rloAt = -1;
  };
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const tag = cp >= 0xe0000 && cp <= 0xe007f;
    const zw = !tag && isZeroWidth(cp);
    const bd = !tag && !zw && isBidi(cp);
    if (tag || zw || bd) {
      if (i > runStart) push(text.slice(runStart, i));
      if (tag) {
        // Emoji tag sequences (subdivision flags): U+1F3F4 followed by tags, ended by U+E007F.
        if (prevCp === 0x1f3f4) inFlag = true;
        if (!inFlag) {
          tags++;
          if (cp >= 0xe0020 && cp <= 0xe007e) tagText += String.fromCharCode(cp - 0xe0000);
          else if (tagText && !tagText.endsWith(' ')) tagText += ' ';
        }
        if (cp === 0xe007f) inFlag = false;
      } else if (zw) {
        const next = text.codePointAt(i + len) ?? 0;
        if (isWordChar(prevCp) && isWordChar(next)) zeroWidth++;
      } else {
        bidi++;
        if (cp === 0x202e) {
          closeRlo();
          rloAt = out.length;
        } else if (cp === 0x202c || cp === 0x2069) closeRlo();
      }
      i += len;
      runStart = i;
      continue;
    }
    inFlag = false;
    prevCp = cp;
    i += len;
  }
  if (runStart === 0 && rloAt < 0) return { text, zeroWidth, bidi, tags, tagText, rtl };
  if (runStart < text.length) push(text.slice(runStart));
  closeRlo();
  return { text: out.join(''), zeroWidth, bidi, tags, tagText, rtl };
}

/** The lines of `text` that match `test` (joined by "\n"), or '' when none does. */
function linesWith(text: string, test: RegExp): string {
  if (!test.test(text)) return '';
  if (!text.includes('\n')) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) if (test.test(line)) out.push(line);
  return out.join('\n');
}

/** The text around the given positions (sorted): the line, or at most `radius` characters on
 * each side cut at a blank (a prompt is often one long line), joined by "\n". */
function windowsAt(text: string, positions: number[], radius = 160): string {
  const out: string[] = [];
  let taken = -1; // end of the last window taken
  const lastSpace = text.lastIndexOf(' ');
  // Every search stays within the window (a prompt is often one long line: searching it for a
  // line break from each position would read it up to 64 times).
  for (const p of positions) {
    if (p < taken) continue;
    const lo = Math.max(0, p - radius, taken);
    let from = Math.max(lastIn(text, 0x0a, p - 1, lo) + 1, p - radius, taken);
    let to = Math.min(text.length, p + radius);
    const nl = firstIn(text, 0x0a, p, to);
    if (nl >= 0) to = nl;
    if (from > 0 && text.charCodeAt(from - 1) !== 0x0a) {
      // after the first space from `from` on, but not past p (p itself when the space is later)
      const sp = firstIn(text, 0x20, from, p);
      if (sp >= 0) from = sp + 1;
      else if (lastSpace >= p) from = p;
    }
    if (to < text.length && text.charCodeAt(to) !== 0x0a) to = Math.max(p, lastIn(text, 0x20, to, p));
    out.push(text.slice(from, to));
    taken = to;
  }
  return out.join('\n');
}

/** Index of the first `c` in [from, to), or -1. */
function firstIn(text: string, c: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === c) return i;
  return -1;
}

/** Index of the last `c` in [lo, from] (searching down from `from`), or -1. */
function lastIn(text: string, c: number, from: number, lo: number): number {
  for (let i = from; i >= lo; i--) if (text.charCodeAt(i) === c) return i;
  return -1;
}

// Word pieces fold() works on: runs of characters other than blanks and these, cut every 64.
const WORD_BREAK = new Uint8Array(128);
for (const ch of ' \t\n\v\f\r.,;:!?()"\'`<>[]{}') WORD_BREAK[ch.charCodeAt(0)] = 1;
const isWordBreak = (c: number) => (c < 128 ? WORD_BREAK[c] === 1 : /\s/.test(String.fromCharCode(c)));
const CONFUSABLE_AT = new RegExp(CONFUSABLE_CLASS.source, 'g');

/** Folds confusables; counts the ones inside words that also hold ASCII letters (mixed script).
 * Works on the word pieces (runs of up to 64 characters between blanks and punctuation) that hold
 * a confusable: a piece is folded whole (ß, æ, œ only beside a look-alike), the rest is copied. */
function fold(text: string): { text: string; mixed: number } {
  let mixed = 0;
  const out: string[] = [];
  let copied = 0; // text before this is in `out`
  let runStart = -1; // the run of word characters around the last hit: [runStart, runEnd)
  let runEnd = -1;
  CONFUSABLE_AT.lastIndex = 0;
  for (let m = CONFUSABLE_AT.exec(text); m; m = CONFUSABLE_AT.exec(text)) {
    const at = m.index;
    if (at >= runEnd) {
      runStart = at;
      while (runStart > 0 && !isWordBreak(text.charCodeAt(runStart - 1))) runStart--;
      runEnd = at + 1;
      while (runEnd < text.length && !isWordBreak(text.charCodeAt(runEnd))) runEnd++;
    }
    // the piece of the run holding `at` (the replace() this stands for took 64 at a time)
    const from = runStart + Math.floor((at - runStart) / 64) * 64;
    const to = Math.min(from + 64, runEnd);
    const word = text.slice(from, to);
    let folded = '';
    for (const ch of word) folded += CONFUSABLES[ch] ?? ch;
    // Latin letters of other alphabets (ø, ł, ß, æ) are folded for matching but are no sign of
    // a look-alike attack (Søren, Łódź); Cyrillic, Greek and small capitals in a Latin word are
    if (/[a-z]/.test(word)) for (const ch of word) if (LOOKALIKE.test(ch)) mixed++;
    out.push(text.slice(copied, from), folded);
    copied = to;
    CONFUSABLE_AT.lastIndex = to;
  }
  if (copied === 0) return { text, mixed };
  out.push(text.slice(copied));
  return { text: out.join(''), mixed };
}

const HAS_LEET = /[a-z][0-9@$|!]|[0-9@$|!][a-z]/;
const LEET_I: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '|': 'l', '!': 'i' };
const LEET_L: Record<string, string> = { ...LEET_I, '1': 'l' };
/** The maps as tables over ASCII codes (0: unchanged), for the test before a token is built. */
const codeTable = (map: Record<string, string>) => {
  const t = new Uint8Array(128);
  for (const [k, v] of Object.entries(map)) t[k.charCodeAt(0)] = v.charCodeAt(0);
  return t;
};
const LEET_TABLES = new Map([
  [LEET_I, codeTable(LEET_I)],
  [LEET_L, codeTable(LEET_L)],
]);

// 1: a lower-case letter, 2: a character leetspeak uses for one.
const LEET_CLASS = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) LEET_CLASS[c] = 1;
for (const ch of '0123456789@$|!') LEET_CLASS[ch.charCodeAt(0)] = 2;

function isLeetChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24 || c === 0x7c || c === 0x21;
}

/** Tokens of letters and leet symbols on one line: [start, end, mixed]. One pass, no regex. */
function leetTokens(line: string): Array<[number, number, boolean]> {
  const out: Array<[number, number, boolean]> = [];
  let start = -1;
  let letters = 0;
  let symbols = 0;
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line.charCodeAt(i) : 0x20;
    const letter = c >= 0x61 && c <= 0x7a;
    if (letter || isLeetChar(c)) {
      if (start < 0) start = i;
      if (letter) letters++;
      else symbols++;
    } else if (start >= 0) {
      if (i - start <= 40) out.push([start, i, letters > 0 && symbols > 0]);
      start = -1;
      letters = 0;
      symbols = 0;
    }
  }
  return out;
}

function foldToken(tok: string, map: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < tok.length; i++) out += map[tok[i]] ?? tok[i];
  return out;
}

/** Folds the leet tokens of one (lower-case) line: mixed tokens, and short all-digit tokens on
 * lines with at least three mixed tokens (where "4n 3v1l 70" is leet, not numbers). */
function leetLine(line: string, map: Record<string, string>): string {
  const toks = leetTokens(line);
  const mixed = toks.filter((t) => t[2]).length;
  let folded = '';
  let at = 0;
  for (const [a, b, m] of toks) {
    const tok = line.slice(a, b);
    if (!m && !(mixed >= 3 && b - a <= 3 && /^[0-9]+$/.test(tok))) continue;
    folded += line.slice(at, a) + foldToken(tok, map);
    at = b;
  }
  return folded + line.slice(at);
}

/** foldToken(tok, map) without its leading characters other than a-z. */
function foldedWord(tok: string, map: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < tok.length; i++) {
    const ch = map[tok[i]] ?? tok[i];
    if (out === '' && !(ch >= 'a' && ch <= 'z')) continue;
    out += ch;
  }
  return out;
}

/** foldedWord(text.slice(a, b).toLowerCase(), map) can be a keyword, by its first two characters
 * (isKeyword.begins), without building it; a word shorter than two is left to isKeyword. The
 * token holds ASCII letters, digits and @ $ | ! only (survey), so lower-casing is `| 0x20`. */
function foldedMayBeKeyword(text: string, a: number, b: number, map: Record<string, string>, isKeyword: KeywordTest): boolean {
  const table = LEET_TABLES.get(map)!;
  let c0 = -1;
  for (let i = a; i < b; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    const folded = table[c] || c;
    if (c0 < 0) {
      if (folded >= 0x61 && folded <= 0x7a) c0 = folded;
    } else return isKeyword.begins!(c0, folded);
  }
  return isKeyword(foldedWord(text.slice(a, b).toLowerCase(), map));
}

/** Does the token [a, b) fold to a keyword with one of the maps? (Plain loops: closures made per
 * token cost more than the test, tsx names each one.) */
function foldsToKeyword(text: string, a: number, b: number, maps: Array<Record<string, string>>, isKeyword: KeywordTest): boolean {
  let tok: string | undefined;
  for (let i = 0; i < maps.length; i++) {
    if (isKeyword.begins && !foldedMayBeKeyword(text, a, b, maps[i], isKeyword)) continue;
    tok ??= text.slice(a, b).toLowerCase();
    if (isKeyword(foldedWord(tok, maps[i]))) return true;
  }
  return false;
}

/** The leet views: the lines of `text` holding a candidate token (survey) that folds to a
 * keyword, folded with each map ('' when no line qualifies). */
function leet(text: string, tokens: Array<[number, number]>, maps: Array<Record<string, string>>, isKeyword: KeywordTest, ascii: boolean): string[] {
  const lines: Array<[number, number]> = [];
  for (const [a, b] of tokens) {
    if (lines.length && a < lines[lines.length - 1][1]) continue; // line already taken
    if (!foldsToKeyword(text, a, b, maps, isKeyword)) continue;
    const from = text.lastIndexOf('\n', a) + 1;
    const nl = text.indexOf('\n', b);
    lines.push([from, nl < 0 ? text.length : nl]);
  }
  if (lines.length === 0) return maps.map(() => '');
  const picked = lines.map(([a, b]) => canonical(text.slice(a, b), ascii || undefined));
  return maps.map((map) => picked.map((l) => leetLine(l, map)).join('\n'));
}

// Spaced-out letters: at least four single letters separated by the same kind of separator.
const SPACED = /(?:\b[a-z](?: {1,3}|[.\-_*+|~/\\] ?)){3,400}[a-z]\b/g;
// Punctuation inside words: short letter groups glued by - _ * . (at least two such joints, or one
// joint between a group of 1-3 letters and another group): "ig-no-re", "pre_vio_us", "i*gnore".
const PUNCTUATED = /\b[a-z]{1,8}(?:[-_*.~][a-z]{1,8}){1,12}\b/g;
const HAS_SQUASHABLE = /\b[a-z](?: {1,3}|[.\-_*+|~/\\] ?)[a-z](?: {1,3}|[.\-_*+|~/\\] ?)[a-z]\b|\b[a-z]{1,8}[-_*.~][a-z]{1,8}[-_*.~][a-z]/;

/** Joins spaced-out letters (a separator longer than the usual one, or a space in a dotted run,
 * is a word break) and removes punctuation inside words; keeps the lines where that spells a
 * keyword. */
function squash(text: string, isKeyword: KeywordTest): string {
  const out: string[] = [];
  let punctuated = joiners.get(isKeyword);
  if (!punctuated) joiners.set(isKeyword, (punctuated = joinPunctuated(isKeyword)));
  for (const line of text.split('\n')) {
    if (!HAS_SQUASHABLE.test(line)) continue;
    SPACED.lastIndex = 0;
    if (!SPACED.test(line) && !joinsNewKeyword(line, isKeyword)) continue;
    const s = squashLine(line, punctuated);
    if (s === line) continue;
    if (spellsNewKeyword(line, s, isKeyword)) out.push(s);
  }
  return out.join('\n');
}

const isLower = (c: number) => c >= 0x61 && c <= 0x7a;

/** Worth a view: a word of the squashed line `s` (a run of a-z) spells a keyword and is not a
 * word of the line itself. Only the words of `s` that touch the part that squashing changed are
 * looked at: a word inside the common prefix (its end before the first difference) or the common
 * suffix (the character before it in the suffix) is, with the characters around it, a word of
 * the line too. Spares splitting every window line and testing each of its words. */
function spellsNewKeyword(line: string, s: string, isKeyword: KeywordTest): boolean {
  const max = Math.min(line.length, s.length);
  let pre = 0;
  while (pre < max && line.charCodeAt(pre) === s.charCodeAt(pre)) pre++;
  let suf = 0;
  while (suf < max - pre && line.charCodeAt(line.length - 1 - suf) === s.charCodeAt(s.length - 1 - suf)) suf++;
  const last = s.length - suf; // words starting after this are in the common suffix
  let i = Math.min(pre, s.length);
  while (i > 0 && isLower(s.charCodeAt(i - 1))) i--; // the word reaching the first difference
  while (i <= last && i < s.length) {
    if (!isLower(s.charCodeAt(i))) {
      i++;
      continue;
    }
    let e = i + 1;
    while (e < s.length && isLower(s.charCodeAt(e))) e++;
    if (e - i >= 2) {
      const w = s.slice(i, e);
      if (isKeyword(w) && !hasWord(line, w)) return true;
    }
    i = e;
  }
  return false;
}

/** Without spaced-out letters in the line (SPACED changes nothing), what squashing changes are
 * the PUNCTUATED tokens it joins, each a whole word of the result: the line is worth a view when
 * one of them, joined, is a keyword and no word of the line (a token whose joined form is a
 * keyword is always joined). The same answer as squashing the line and comparing its words,
 * without building it. */
function joinsNewKeyword(line: string, isKeyword: KeywordTest): boolean {
  PUNCTUATED.lastIndex = 0;
  for (let m = PUNCTUATED.exec(line); m; m = PUNCTUATED.exec(line)) {
    const joined = m[0].replace(JOINTS, '');
    if (isKeyword(joined) && !hasWord(line, joined)) return true;
  }
  return false;
}
const JOINTS = /[-_*.~]/g;

/** Is `word` (a-z) a word of `line` (a whole run of a-z there)? */
function hasWord(line: string, word: string): boolean {
  for (let at = line.indexOf(word); at >= 0; at = line.indexOf(word, at + 1)) {
    if (!isLower(line.charCodeAt(at - 1)) && !isLower(line.charCodeAt(at + word.length))) return true;
  }
  return false;
}

function joinSpaced(run: string): string {
  const dotted = /[.\-_*+|~/\\]/.test(run);
  if (dotted) return run.replace(/[.\-_*+|~/\\]/g, '').replace(/ {1,3}/g, ' ');
  return run.includes('  ') ? run.replace(/ {2,3}/g, '\u0000').replace(/ /g, '').replace(/\u0000/g, ' ') : run.replace(/ /g, '');
}

/** The replacement of a PUNCTUATED token, made once per keyword test. */
const joiners = new WeakMap<KeywordTest, (tok: string) => string>();
function joinPunctuated(isKeyword: KeywordTest): (tok: string) => string {
  return (tok) => {
    const parts = tok.split(/[-_*.~]/);
    // keep ordinary compounds and dotted names (re-run, os.path, e-mail) as they are; they
    // would not change any detector's verdict, and joining them costs a copy
    const joined = parts.join('');
    if (parts.length >= 3) return joined;
    for (const p of parts) if (p.length <= 2) return joined;
    return isKeyword(joined) ? joined : tok;
  };
}

function squashLine(line: string, punctuated: (tok: string) => string): string {
  return line.replace(SPACED, joinSpaced).replace(PUNCTUATED, punctuated);
}

// Escaped ("\\x69\\x67") and spaced ("69 67 6e") hex; contiguous hex and base64 are found by a
// loop over the characters (decodeSegments), far cheaper than a regex on prose.
const ESCAPED_HEX = /(?:\\x[0-9a-fA-F]{2}){8,4096}/g;
const SPACED_HEX = /(?:[0-9a-fA-F]{2}[ :]){7,4096}[0-9a-fA-F]{2}/g;
const HAS_SPACED_HEX = /[0-9a-fA-F]{2}[ :][0-9a-fA-F]{2}[ :][0-9a-fA-F]{2}[ :][0-9a-fA-F]{2}/;

/** Decoded text if it looks like text (printable, mostly letters; words or a script without
 * spaces), else undefined. */
function textual(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const s = bytes.toString('utf8');
  if (s.includes('\ufffd')) return undefined;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  let wide = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) spaces++;
    if ((c >= 0x20 && c < 0x7f) || c === 10 || c === 13 || c === 9 || c >= 0xa0) printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xa0) letters++;
    if (c >= 0x2e80) wide++;
  }
  // no spaces: a script without them, or another encoding layer (base64 of base64)
  if (printable / s.length < 0.95 || letters / s.length < 0.5 || (spaces === 0 && wide < 4 && !/^[A-Za-z0-9+/_=-]{16,}$/.test(s))) return undefined;
  return s;
}

type Segment = { kind: 'base64' | 'hex'; text: string };

/** base64 and hex segments of the (un-lowercased) text, decoded: the runs the survey found, and
 * escaped or spaced hex; at most `limits.maxSegments` are tried. */
function decodeSegments(text: string, runs: Survey['runs'], limits: NormalizeLimits): Segment[] {
  const out: Segment[] = [];
  let tried = 0;
  for (const [a, b, kind] of runs) tried += attempt(kind, text.slice(a, b), tried, limits, out);
  if (tried < limits.maxSegments && text.includes('\\x')) for (const m of text.matchAll(ESCAPED_HEX)) tried += attempt('hex', m[0].replace(/\\x/g, ''), tried, limits, out);
  if (tried < limits.maxSegments && HAS_SPACED_HEX.test(text)) for (const m of text.matchAll(SPACED_HEX)) tried += attempt('hex', m[0].replace(/[ :]/g, ''), tried, limits, out);
  return out;
}

/** Decodes one segment when the limits allow (1: it counts as tried, 0: it does not). */
function attempt(kind: 'base64' | 'hex', seg: string, tried: number, limits: NormalizeLimits, out: Segment[]): number {
  if (tried >= limits.maxSegments || seg.length > limits.maxSegmentLength) return 0;
  if (kind === 'hex' && seg.length % 2 !== 0) return 0;
  const bytes = kind === 'hex' ? Buffer.from(seg, 'hex') : Buffer.from(seg.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const t = textual(bytes);
  if (t) out.push({ kind, text: t });
  return 1;
}

/** Adds the base view of `raw` (as `kind`) and its derived views; returns its decoded segments. */
function textViews(raw: string, kind: ViewKind, views: View[], counts: { confusables: number }, limits: NormalizeLimits, isKeyword: KeywordTest, ascii = !NON_ASCII.test(raw)): Segment[] {
  const pre = ascii ? raw : raw.normalize('NFKC');
  const base = canonical(pre, ascii);
  const top = kind === 'base'; // derived views of a decoded segment keep its kind
  views.push(ascii ? { kind, text: base, ascii: true } : { kind, text: base });
  if (!ascii && CONFUSABLE_CLASS.test(base)) {
    const lines = linesWith(base, CONFUSABLE_CLASS);
    const f = fold(lines);
    counts.confusables += f.mixed;
    if (f.text !== lines) views.push({ kind: top ? 'folded' : kind, text: f.text });
  }
  const sv = survey(pre, limits.maxSegments);
  if (sv.leet.length) {
    const [l1, l2] = leet(pre, sv.leet, pre.includes('1') ? [LEET_I, LEET_L] : [LEET_I], isKeyword, ascii);
    if (l1) views.push({ kind: top ? 'leet' : kind, text: l1 });
    if (l2 && l2 !== l1) views.push({ kind: top ? 'leet' : kind, text: l2 });
  }
  // Spacing tricks are read before blanks are collapsed (word gaps are often wider), on the lines
  // where the survey saw them.
  if (sv.squashable.length) {
    const s = squash(canonicalKeepBlanks(windowsAt(pre, sv.squashable), ascii), isKeyword);
    if (s) views.push({ kind: top ? 'squashed' : kind, text: canonical(s, ascii || undefined) });
  }
  return limits.maxSegments > 0 ? decodeSegments(pre, sv.runs, limits) : [];
}

function canonicalKeepBlanks(pre: string, ascii: boolean): string {
  let t = pre.toLowerCase();
  if (!ascii) t = t.replace(DIACRITIC, stripDiacritic);
  return t;
}

// Words that make a leet or squashed line worth a view when no detector lead is in it.
const KEYWORDS = /^(?:instructions?|previous|prior|above|earlier|rules?|guidelines|prompt|system|ignore|ignoring|disregard|forget|override|bypass|jailbreak|unrestricted|unfiltered|developer|restrictions|filters?|password|secrets?|reveal|print|repeat|verbatim|dan|mode|assistant|evil|pretend|send|forward|email|conversation|credentials|admin|delete|transfer|hacked|pwned|new|now|you|your)/;

/** The alternatives of the keyword expression (regular-expression source). */
export const KEYWORD_SOURCES: readonly string[] = KEYWORDS.source.slice(4, -1).split('|');

/** The first two letters of every keyword (a cheap test before the expression). */
export const KEYWORD_PREFIXES: ReadonlySet<string> = new Set(
  KEYWORD_SOURCES.map((k) => {
    if (!/^[a-z]{2}/.test(k)) throw new Error(`injection_scan: keyword /${k}/ does not begin with two letters`);
    return k.slice(0, 2);
  }),
);

/** The default keyword test (normalize() callers pass the detectors' leads as well). */
export function isCommonKeyword(word: string): boolean {
  return KEYWORDS.test(word);
}

/** Every view of `text` the detectors run on, and the invisible-character counts. */
export function normalize(text: string, limits: NormalizeLimits = DEFAULT_LIMITS, isKeyword: KeywordTest = isCommonKeyword): Normalized {
  const views: View[] = [];
  const counts = { confusables: 0 };
  let zeroWidth = 0;
  let bidi = 0;
  let tags = 0;
  let clean = text;
  const extra: Array<{ kind: ViewKind; text: string }> = [];
  const ascii = !NON_ASCII.test(text);
  if (!ascii && INVISIBLE.test(text)) {
    const s = strip(text);
    clean = s.text;
    zeroWidth = s.zeroWidth;
    bidi = s.bidi;
    tags = s.tags;
    if (s.tagText.length > 0) extra.push({ kind: 'tags', text: s.tagText });
    for (const r of s.rtl) if (r.length > 3) extra.push({ kind: 'reversed', text: [...r].reverse().join('') });
  }
  // (text without invisible characters keeps its answer; stripped text may have become ASCII)
  const segments = textViews(clean, 'base', views, counts, limits, isKeyword, ascii || (clean === text ? false : undefined));
  for (const e of extra) segments.push(...textViews(e.text, e.kind, views, counts, limits, isKeyword));
  for (const seg of segments) {
    // One level of nesting: base64 of hex or of base64 is decoded once more.
    const inner = textViews(seg.text, seg.kind, views, counts, { ...limits, maxSegments: Math.min(2, limits.maxSegments) }, isKeyword);
    for (const i of inner) textViews(i.text, seg.kind, views, counts, { ...limits, maxSegments: 0 }, isKeyword);
  }
  return { views, zeroWidth, bidi, tags, confusables: counts.confusables };
}
