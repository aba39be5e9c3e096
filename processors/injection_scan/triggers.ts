// The prefilter: every place a pattern could start (the literal text each pattern's leads begin
// with: a word stem such as "ignor", or symbols such as "<|"), and which patterns to try there.
// Defined by one regular expression; found by an automaton that gives the same places in one pass
// (stem-finder.ts). Most of a benign prompt holds no lead at all, so the cost of a scan is about
// one pass of it over each view.
import type { Detector, Pattern } from './detectors.ts';
import { StemFinder } from './stem-finder.ts';

export interface Candidate {
  detector: number;
  pattern: Pattern;
}

export interface TriggerIndex {
  /** Global: matches a stem (words after a word boundary, symbols anywhere). */
  re: RegExp;
  /** Stem -> the patterns whose leads begin with it or with a shorter stem it starts with. */
  byStem: Map<string, Candidate[]>;
  /** What `re` finds from every position, in one pass: start, stem index pairs. */
  finder: StemFinder;
  /** Stem index (of finder.stems) -> byStem's candidates. */
  candidates: Candidate[][];
  /** Patterns without leads (scripts without word boundaries), tried on non-ASCII views. */
  script: Candidate[];
  /** Does a word begin with a lead? (normalize.ts: is a leet or squashed token worth a view) */
  startsWithLead(word: string): boolean;
  /** The stems startsWithLead looks for. */
  keywordStems: string[];
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/** The literal text a lead alternative always begins with ('' if none can be told): the longest
 * prefix without regular-expression syntax ("set aside" of "set aside", "<|" of "<\\|(?:im_start...",
 * "summari" of "summari[sz]e"). */
export function stemOf(lead: string): string {
  let out = '';
  let i = 0;
  while (i < lead.length) {
    let ch = lead[i];
    let width = 1;
    if (ch === '\\') {
      const next = lead[i + 1];
      if (next === undefined || /[a-zA-Z0-9]/.test(next)) break; // \b, \d, \s: not literal
      ch = next;
      width = 2;
    } else if (META.has(ch)) break;
    // A following ?, * or {0 makes this character optional: the stem ends before it.
    const after = lead[i + width];
    if (after === '?' || after === '*' || (after === '{' && lead[i + width + 1] === '0')) break;
    out += ch;
    i += width;
    if (after === '{' || after === '+') break; // a repeat: the first occurrence is the stem
  }
  return out.trimEnd();
}

/** The literal texts a lead alternative always begins with one of: like stemOf, but an optional
 * character ("no-?limits?") or a group of literal alternatives ("(?:system|sys)") branches instead
 * of ending the stem (at most `max` stems). Longer stems make the prefilter stop at fewer places:
 * "no-?limits? mode" stopped at every "not" and "now" with the stem "no". */
export function stemsOf(lead: string, max = 16): string[] {
  let stems = [''];
  let i = 0;
  while (i < lead.length) {
    const ch = lead[i];
    let options: string[];
    let width: number;
    if (ch === '\\') {
      const next = lead[i + 1];
      if (next === undefined || /[a-zA-Z0-9]/.test(next)) break; // \b, \d, \s: not literal
      options = [next];
      width = 2;
    } else if (lead.startsWith('(?:', i)) {
      const close = lead.indexOf(')', i);
      const body = close < 0 ? '' : lead.slice(i + 3, close);
      if (!body || /[\\^$.?*+()[\]{}]/.test(body)) break; // only literal alternatives
      options = body.split('|');
      width = close + 1 - i;
    } else if (META.has(ch)) break;
    else {
      options = [ch];
      width = 1;
    }
    const after = lead[i + width];
    if (after === '*' || (after === '{' && lead[i + width + 1] === '0')) break;
    let next: string[];
    if (after === '?') {
      if (lead[i + width + 1] === '?') break; // lazy: leave it alone
      next = stems.flatMap((st) => [st, ...options.map((o) => st + o)]);
      width++;
    } else next = stems.flatMap((st) => options.map((o) => st + o));
    if (next.length > max) break;
    stems = next;
    i += width;
    if (after === '{' || after === '+') break; // a repeat: the first occurrence is the stem
  }
  return [...new Set(stems.map((st) => st.trimEnd()))];
}

const escape = (s: string) => s.replace(/[\\^$.|?*+()[\]{}\-/]/g, '\\$&');

export function buildTriggers(detectors: readonly Detector[]): TriggerIndex {
  const direct = new Map<string, Candidate[]>();
  // startsWithLead keeps the short stems: which leet and squashed words are worth a view stays as it was
  const keywordStems = new Set<string>();
  const script: Candidate[] = [];
  detectors.forEach((d, detector) => {
    for (const pattern of d.patterns) {
      if (pattern.script) {
        script.push({ detector, pattern });
        continue;
      }
      const stems = new Set(pattern.lead.flatMap((l) => stemsOf(l)));
      for (const l of pattern.lead) keywordStems.add(stemOf(l));
      for (const stem of stems) {
        if (!stem) throw new Error(`injection_scan: a lead of ${d.name} /${pattern.re.source}/ begins with no literal text`);
        if (!direct.has(stem)) direct.set(stem, []);
        direct.get(stem)!.push({ detector, pattern });
      }
    }
  });
  // The alternation takes the longest stem at a position; the patterns of every shorter stem it
  // begins with must run there too.
  const byStem = new Map<string, Candidate[]>();
  for (const stem of direct.keys()) {
    const all: Candidate[] = [];
    for (const [other, cands] of direct) if (stem.startsWith(other)) for (const c of cands) if (!all.includes(c)) all.push(c);
    byStem.set(stem, all);
  }
  const stems = [...direct.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const words = stems.filter((s) => /^[a-z0-9]/.test(s)).map(escape);
  const symbols = stems.filter((s) => !/^[a-z0-9]/.test(s)).map(escape);
  const parts: string[] = [];
  if (words.length) parts.push(`\\b(?:${words.join('|')})`);
  if (symbols.length) parts.push(`(?:${symbols.join('|')})`);
  const kstems = [...keywordStems].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const kwords = kstems.filter((s) => /^[a-z0-9]/.test(s)).map(escape);
  const ksymbols = kstems.filter((s) => !/^[a-z0-9]/.test(s)).map(escape);
  const sticky = new RegExp([kwords.length ? `\\b(?:${kwords.join('|')})` : '', ksymbols.length ? `(?:${ksymbols.join('|')})` : ''].filter(Boolean).join('|'), 'y');
  const startsWithLead = (word: string) => {
    sticky.lastIndex = 0;
    return sticky.test(word);
  };
  const finder = new StemFinder(stems);
  const candidates = stems.map((stem) => byStem.get(stem)!);
  return { re: new RegExp(parts.join('|'), 'g'), byStem, finder, candidates, script, startsWithLead, keywordStems: kstems };
}
