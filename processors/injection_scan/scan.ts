// Scoring one text. Deterministic: the same text, role and options always give the same score.
//
//   1. normalize(text) -> views (base, folded, leet, tags, base64, hex) and invisible-character counts
//   2. every pattern of every detector runs on every view; a hit's weight is the pattern's weight,
//      times 0.35 when the hit is quoted ("...", “...”, `...`, a code fence or a "> " line) in a
//      text that discusses or quotes attacks (meta markers: "prompt injection", "example of",
//      "summarize", "translate", "explain"...), and code-syntax patterns (chat-template tokens,
//      tags) times 0.35 inside backticks or a code fence; tool_hijack weighs 0.7x in user messages
//   3. a detector's weight w_d is its best hit's weight
//   4. hidden_characters: max(0.5 if Unicode tag characters, 0.25 if bidi controls,
//      min(0.35, 0.15 + 0.05 (n - 1)) for n zero-width characters inside words)
//   5. obfuscation: 0.35 when some detector's best hit is in a decoded / folded / leet view and
//      beats its best hit in the base view by more than 0.1; else 0.25 when at least two look-alike
//      characters sit inside Latin words
//   6. score = 1 - prod_d (1 - w_d)   (noisy-OR; 0 when nothing fired), rounded to 3 decimals
import { DETECTORS, type DetectorName, type Pattern } from './detectors.ts';
import { buildTriggers, stemOf } from './triggers.ts';
import { DEFAULT_LIMITS, isCommonKeyword, KEYWORD_PREFIXES, KEYWORD_SOURCES, normalize, type KeywordTest, type NormalizeLimits, type View, type ViewKind } from './normalize.ts';

export type InputRole = 'user' | 'tool' | 'document';

export interface ScanOptions {
  limits: NormalizeLimits;
  /** Longer texts are scanned on their first maxTextLength - 8192 and last 8192 characters. */
  maxTextLength: number;
  /** Characters of the excerpt around the strongest hit (0: none). */
  excerptLength: number;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = { limits: DEFAULT_LIMITS, maxTextLength: 262144, excerptLength: 80 };

export interface ScanResult {
  /** 0..1 */
  score: number;
  /** Detectors that fired, strongest first (ties by name). */
  detectors: DetectorName[];
  /** Weight of each detector that fired. */
  weights: Partial<Record<DetectorName, number>>;
  /** A short excerpt of the normalised text around the strongest hit ('' when none or disabled). */
  excerpt: string;
  /** The view the strongest hit was found in. */
  view?: ViewKind;
}

const QUOTE_DISCOUNT = 0.35;
const CODE_DISCOUNT = 0.25;
// A chat-template token or tag named, unquoted, in a text about attacks ("how do fake <|im_start|>
// tokens work?"): a weaker signal than the same token in a payload.
const META_SYNTAX_DISCOUNT = 0.6;
const USER_HIJACK_FACTOR = 0.7;

const META =
  /\b(?:prompt injections?|injection (?:attacks?|attempts?|payloads?|prompts?|strings?)|jailbreak(?:s|ing)? (?:attempts?|prompts?|attacks?)|red[- ]team(?:ing|ers?)?|security (?:team|researchers?|awareness|training|review|audit)|detect(?:s|ing|ion|or)?|defen[cd](?:s|ing|se|ses)?|protect(?:s|ing)? against|mitigat(?:e|es|ing|ion)|classif(?:y|ier|ication|ies)|examples? of|phrases? (?:like|such as)|strings? like|what does|what do|what is|what are|explain(?:s|ed|ing)?|describ(?:e|es|ed|ing)|attackers?|adversar(?:y|ies|ial)|why (?:does|do|would|is)|summari[sz](?:e|ing)|translat(?:e|ing|ion)|proofread|paraphrase|the following (?:email|text|message|document|article|review|post|comment|ticket|transcript|log|quote|snippet|prompt|string)|quoted|research|paper|test cases?|unit tests?|regex|filter (?:out|for)|flag(?:s|ged)? (?:as|messages)|tell me about|how (?:do|can|should|would) (?:i|we|you))\b/;

interface Range {
  start: number;
  end: number;
  code: boolean;
}

const QUOTES = /"[^"\n]{1,600}"|“[^”\n]{1,600}”|«[^»\n]{1,600}»|„[^“”\n]{1,600}[“”]|「[^」\n]{1,600}」|`[^`\n]{1,600}`|'[^'\n]{8,600}'(?![a-z])|(?:^|\n|: )>[^\n]{0,600}/g;

// Source code: quoted strings in it are data (test strings, pattern lists), not instructions.
const CODE = /(?:^|\n)\s{0,8}(?:def |class |function |const |let |var |import |from |return |public |private |#include|package |func |fn |select |insert |update |git |npm |pip |curl |\$ )|=>|\);\s?$|\):\n|\{\n/m;

/** Quoted spans and code (fences found with indexOf: linear). */
/** Code fences and quoted spans of a view, each list sorted and without overlaps. */
interface Ranges {
  fences: Range[];
  quotes: Range[];
}

function quotedRanges(text: string): Ranges {
  const out: Range[] = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('```', i);
    if (open < 0) break;
    const close = text.indexOf('```', open + 3);
    const end = close < 0 ? text.length : close + 3;
    out.push({ start: open, end, code: true });
    i = end;
  }
  const quotes: Range[] = [];
  for (const m of text.matchAll(QUOTES)) quotes.push({ start: m.index!, end: m.index! + m[0].length, code: m[0].startsWith('`') });
  return { fences: out, quotes };
}

/** The range holding `index` (a fence before a quote); binary search, so many hits on a text
 * with many quotes stay linear overall. */
function inRange(ranges: Ranges, index: number): Range | undefined {
  return find(ranges.fences, index) ?? find(ranges.quotes, index);
}

function find(list: Range[], index: number): Range | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid];
    if (index < r.start) hi = mid - 1;
    else if (index >= r.end) lo = mid + 1;
    else return r;
  }
  return undefined;
}

function excerptOf(view: View, index: number, length: number): string {
  if (length <= 0) return '';
  const from = Math.max(0, index - Math.floor(length / 4));
  const s = view.text.slice(from, from + length).replace(/\s+/g, ' ').trim();
  return (from > 0 ? '…' : '') + s + (from + length < view.text.length ? '…' : '');
}

const TRIGGERS = buildTriggers(DETECTORS);
// A word of two or more characters starting with a letter or digit can only be a keyword or begin
// with a word lead if its first two characters begin one: a Set lookup spares the two expressions
// for most of the leet and squashed tokens of code and logs.
const WORD_PREFIXES = new Set([...KEYWORD_PREFIXES, ...TRIGGERS.keywordStems.filter((s) => /^[a-z0-9]/.test(s)).map((s) => s.slice(0, 2))]);
// (symbol stems such as "<" cannot begin a word that begins with a letter or digit: only the word
// stems need two characters for the test to hold; requiring it of every stem had left it off)
const PREFILTERED = TRIGGERS.keywordStems.filter((s) => /^[a-z0-9]/.test(s)).every((s) => s.length >= 2);
// The same for three characters: a keyword (its literal beginning) or word lead of three or more
// characters is begun by one of these; the shorter ones are tested whole.
const WORD_ENTRIES = [...KEYWORD_SOURCES.map((k) => stemOf(k)), ...TRIGGERS.keywordStems.filter((s) => /^[a-z0-9]/.test(s))];
const PREFIXES3 = new Set(WORD_ENTRIES.filter((e) => e.length >= 3).map((e) => e.slice(0, 3)));
const SHORT_ENTRIES = [...new Set(WORD_ENTRIES.filter((e) => e.length < 3))];
function startsWithShort(word: string): boolean {
  for (const e of SHORT_ENTRIES) if (word.startsWith(e)) return true;
  return false;
}
const isKeyword: KeywordTest = (word: string) => {
  const c = word.charCodeAt(0);
  if (PREFILTERED && word.length >= 2 && ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39))) {
    if (!WORD_PREFIXES.has(word.slice(0, 2))) return false;
    if (word.length >= 3 && !PREFIXES3.has(word.slice(0, 3)) && !startsWithShort(word)) return false;
  }
  return isCommonKeyword(word) || TRIGGERS.startsWithLead(word);
};
// The same first test as a table over two ASCII characters (a word beginning with anything else
// may be a keyword): lets normalize() reject folded leet tokens without building them.
const PREFIX_TABLE = new Uint8Array(128 * 128);
for (const p of WORD_PREFIXES) if (p.length === 2 && p.charCodeAt(0) < 128 && p.charCodeAt(1) < 128) PREFIX_TABLE[(p.charCodeAt(0) << 7) | p.charCodeAt(1)] = 1;
if (PREFILTERED) isKeyword.begins = (c0, c1) => c0 >= 128 || c1 >= 128 || PREFIX_TABLE[(c0 << 7) | c1] === 1;

/** The keyword test normalize() is given, and the same without its prefix tests (for tests). */
export const KEYWORD_TEST: KeywordTest = isKeyword;
export const keywordTestUnfiltered = (word: string) => isCommonKeyword(word) || TRIGGERS.startsWithLead(word);
// Each script gate is one character class ("[...]"): their union as one class, which V8 scans
// far faster than an alternation of classes.
const SCRIPT_GATES = TRIGGERS.script.length ? new RegExp(`[${[...new Set(TRIGGERS.script.map((c) => classBody(c.pattern.script!)))].join('')}]`) : undefined;
function classBody(gate: RegExp): string {
  if (!/^\[[^\]^]*\]$/.test(gate.source)) throw new Error(`injection_scan: a script gate must be one character class, not /${gate.source}/`);
  return gate.source.slice(1, -1);
}

interface Hit {
  weight: number;
  view: View;
  index: number;
}

/** Context of one scan: the role, and (computed on first need) quoted ranges and meta-ness. */
class Context {
  private ranges = new Map<View, Ranges>();
  private meta: boolean | undefined;
  private code: boolean | undefined;
  constructor(
    readonly role: InputRole,
    private readonly baseText: string,
  ) {}

  /** The text talks about attacks (explains, summarises, translates, tests...). */
  isMeta(): boolean {
    if (this.meta === undefined) this.meta = META.test(this.baseText);
    return this.meta;
  }

  /** The text is (or holds) source code or a command line. */
  isCode(): boolean {
    if (this.code === undefined) this.code = CODE.test(this.baseText);
    return this.code;
  }

  /** A hit's weight after the quote, code and role adjustments. */
  weigh(detector: DetectorName, pattern: Pattern, view: View, index: number): number {
    let w = pattern.weight;
    let r = this.ranges.get(view);
    if (!r) this.ranges.set(view, (r = quotedRanges(view.text)));
    const q = inRange(r, index);
    if (q) {
      if (pattern.syntax && q.code) w *= CODE_DISCOUNT;
      else if (q.code || this.isCode()) w *= CODE_DISCOUNT;
      else if (this.isMeta()) w *= QUOTE_DISCOUNT;
    } else if (pattern.syntax && this.isMeta()) w *= META_SYNTAX_DISCOUNT;
    if (detector === 'tool_hijack' && this.role === 'user') w *= USER_HIJACK_FACTOR;
    return w;
  }
}

/** A hit of `pattern` at `index`: kept when it beats the detector's best; true when no later hit
 * of this pattern can weigh more (it got its full weight). */
function consider(ctx: Context, view: View, best: Array<Hit | undefined>, detector: number, pattern: Pattern, index: number): boolean {
  const w = ctx.weigh(DETECTORS[detector].name, pattern, view, index);
  const b = best[detector];
  if (!b || w > b.weight) best[detector] = { weight: w, view, index };
  return w >= pattern.weight;
}

/** Runs every triggered pattern on one view; keeps each detector's best hit. */
function scanView(view: View, ctx: Context, best: Array<Hit | undefined>): void {
  const text = view.text;
  let done: Set<Pattern> | undefined; // patterns that got their full weight in this view
  // every start of a stem (they overlap: "do not follow" holds "follow"), ascending
  const found = TRIGGERS.finder.find(text);
  for (let k = 0; k < found.length; k += 2) {
    const at = found[k];
    const cands = TRIGGERS.candidates[found[k + 1]];
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      const b = best[c.detector];
      if (b && b.weight >= c.pattern.weight) continue; // cannot improve this detector
      if (done?.has(c.pattern)) continue;
      c.pattern.re.lastIndex = at;
      const hit = c.pattern.re.exec(text);
      if (hit && consider(ctx, view, best, c.detector, c.pattern, hit.index)) (done ??= new Set()).add(c.pattern);
    }
  }
  if (SCRIPT_GATES && !view.ascii) {
    // one pass for "any character of any of the scripts" before a pass per script
    if (!SCRIPT_GATES.test(text)) return;
    const present = new Map<RegExp, boolean>();
    for (const c of TRIGGERS.script) {
      const gate = c.pattern.script!;
      let has = present.get(gate);
      if (has === undefined) present.set(gate, (has = gate.test(text)));
      if (!has) continue;
      const b = best[c.detector];
      if (b && b.weight >= c.pattern.weight) continue;
      const hit = c.pattern.re.exec(text);
      if (hit) consider(ctx, view, best, c.detector, c.pattern, hit.index);
    }
  }
}

/** The patterns the prefilter lets match somewhere in `text` (one view), without early stops:
 * for tests that compare the prefiltered scan with trying every pattern everywhere. */
export function triggeredPatterns(text: string): Set<Pattern> {
  const out = new Set<Pattern>();
  const re = new RegExp(TRIGGERS.re.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    re.lastIndex = m.index + 1;
    for (const c of TRIGGERS.byStem.get(m[0])!) {
      c.pattern.re.lastIndex = m.index;
      if (c.pattern.re.exec(text)) out.add(c.pattern);
    }
  }
  return out;
}

/** Scores one text (a user message, tool result or retrieved document). */
export function scanText(input: string, role: InputRole = 'user', opts: ScanOptions = DEFAULT_SCAN_OPTIONS): ScanResult {
  let text = input;
  if (text.length > opts.maxTextLength) {
    const tail = Math.min(8192, Math.floor(opts.maxTextLength / 2));
    text = text.slice(0, opts.maxTextLength - tail) + '\n' + text.slice(text.length - tail);
  }
  const n = normalize(text, opts.limits, isKeyword);
  const ctx = new Context(role, n.views[0].text);
  // Per detector: the best hit in the base view, and in any derived view.
  const inBase: Array<Hit | undefined> = new Array(DETECTORS.length);
  const inOther: Array<Hit | undefined> = new Array(DETECTORS.length);
  for (const view of n.views) scanView(view, ctx, view.kind === 'base' ? inBase : inOther);

  const weights: Partial<Record<DetectorName, number>> = {};
  let best: Hit | undefined;
  let obfuscated = false;
  for (let i = 0; i < DETECTORS.length; i++) {
    const b = inBase[i];
    const o = inOther[i];
    const top = o && (!b || o.weight > b.weight) ? o : b;
    if (!top || top.weight <= 0) continue;
    weights[DETECTORS[i].name] = round(top.weight);
    if (o && o.weight >= 0.3 && o.weight > (b?.weight ?? 0) + 0.1) obfuscated = true;
    if (!best || top.weight > best.weight) best = top;
  }

  let hidden = 0;
  if (n.tags > 0) hidden = 0.5;
  if (n.bidi > 0) hidden = Math.max(hidden, 0.25);
  if (n.zeroWidth > 0) hidden = Math.max(hidden, Math.min(0.35, 0.15 + 0.05 * (n.zeroWidth - 1)));
  if (hidden > 0) weights.hidden_characters = round(hidden);
  if (obfuscated) weights.obfuscation = 0.35;
  else if (n.confusables >= 2) weights.obfuscation = 0.25;

  let keep = 1;
  for (const k in weights) keep *= 1 - weights[k as DetectorName]!;
  const detectors = (Object.keys(weights) as DetectorName[]).sort((a, b) => weights[b]! - weights[a]! || (a < b ? -1 : 1));
  const top = best as Hit | undefined;
  return {
    score: round(1 - keep),
    detectors,
    weights,
    excerpt: top ? excerptOf(top.view, top.index, opts.excerptLength) : '',
    view: top?.view.kind,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
