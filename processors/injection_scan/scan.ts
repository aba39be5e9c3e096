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
import { DETECTORS, type DetectorName } from './detectors.ts';
import { DEFAULT_LIMITS, normalize, type NormalizeLimits, type View, type ViewKind } from './normalize.ts';

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
const CODE_DISCOUNT = 0.35;
const USER_HIJACK_FACTOR = 0.7;

const META =
  /\b(?:prompt injections?|injection (?:attacks?|attempts?|payloads?|prompts?|strings?)|jailbreak(?:s|ing)? (?:attempts?|prompts?|attacks?)|red[- ]team(?:ing|ers?)?|security (?:team|researchers?|awareness|training|review|audit)|detect(?:s|ing|ion|or)?|defen[cd](?:s|ing|se|ses)?|protect(?:s|ing)? against|mitigat(?:e|es|ing|ion)|classif(?:y|ier|ication|ies)|examples? of|phrases? (?:like|such as)|strings? like|what does|what do|what is|what are|explain|why (?:does|do|would|is)|summari[sz](?:e|ing)|translat(?:e|ing|ion)|proofread|paraphrase|the following (?:email|text|message|document|article|review|post|comment|ticket|transcript|log|quote|snippet|prompt|string)|quoted|research|paper|test cases?|unit tests?|regex|filter (?:out|for)|flag(?:s|ged)? (?:as|messages)|tell me about|how (?:do|can|should|would) (?:i|we|you))\b/;

interface Range {
  start: number;
  end: number;
  code: boolean;
}

const QUOTES = /"[^"\n]{1,600}"|“[^”\n]{1,600}”|«[^»\n]{1,600}»|„[^“”\n]{1,600}[“”]|「[^」\n]{1,600}」|`[^`\n]{1,600}`|(?:^|\n)>[^\n]{0,600}/g;

/** Quoted spans and code (fences found with indexOf: linear). */
function quotedRanges(text: string): Range[] {
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
  for (const m of text.matchAll(QUOTES)) out.push({ start: m.index!, end: m.index! + m[0].length, code: m[0].startsWith('`') });
  return out;
}

function inRange(ranges: Range[], index: number): Range | undefined {
  for (const r of ranges) if (index >= r.start && index < r.end) return r;
  return undefined;
}

function excerptOf(view: View, index: number, length: number): string {
  if (length <= 0) return '';
  const from = Math.max(0, index - Math.floor(length / 4));
  const s = view.text.slice(from, from + length).replace(/\s+/g, ' ').trim();
  return (from > 0 ? '…' : '') + s + (from + length < view.text.length ? '…' : '');
}

/** Scores one text (a user message, tool result or retrieved document). */
export function scanText(input: string, role: InputRole = 'user', opts: ScanOptions = DEFAULT_SCAN_OPTIONS): ScanResult {
  let text = input;
  if (text.length > opts.maxTextLength) {
    const tail = Math.min(8192, Math.floor(opts.maxTextLength / 2));
    text = text.slice(0, opts.maxTextLength - tail) + '\n' + text.slice(text.length - tail);
  }
  const n = normalize(text, opts.limits);
  const weights: Partial<Record<DetectorName, number>> = {};
  let best = { weight: 0, view: undefined as View | undefined, index: 0 };
  let obfuscated = false;
  const baseText = n.views.find((v) => v.kind === 'base')!.text;
  let meta: boolean | undefined;
  const ranges = new Map<View, Range[]>();

  for (const d of DETECTORS) {
    let inBase = 0;
    let inOther = 0;
    let dBest = { weight: 0, view: undefined as View | undefined, index: 0 };
    for (const view of n.views) {
      for (const p of d.patterns) {
        if (p.weight <= (view.kind === 'base' ? inBase : inOther)) continue;
        const m = p.re.exec(view.text);
        if (!m) continue;
        let w = p.weight;
        let r = ranges.get(view);
        if (!r) ranges.set(view, (r = quotedRanges(view.text)));
        const q = r.length ? inRange(r, m.index) : undefined;
        if (q) {
          if (p.syntax && q.code) w *= CODE_DISCOUNT;
          else {
            if (meta === undefined) meta = META.test(baseText);
            if (meta) w *= QUOTE_DISCOUNT;
          }
        }
        if (d.name === 'tool_hijack' && role === 'user') w *= USER_HIJACK_FACTOR;
        if (view.kind === 'base') inBase = Math.max(inBase, w);
        else inOther = Math.max(inOther, w);
        if (w > dBest.weight) dBest = { weight: w, view, index: m.index };
      }
    }
    const w = Math.max(inBase, inOther);
    if (w > 0) {
      weights[d.name] = round(w);
      if (inOther > inBase + 0.1 && inOther >= 0.3) obfuscated = true;
      if (w > best.weight) best = dBest;
    }
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
  return {
    score: round(1 - keep),
    detectors,
    weights,
    excerpt: best.view ? excerptOf(best.view, best.index, opts.excerptLength) : '',
    view: best.view?.kind,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
