// The prefilter: one regular expression that finds every place a pattern could start (the literal
// text each pattern's leads begin with: a word stem such as "ignor", or symbols such as "<|"),
// and which patterns to try there. Most of a benign prompt holds no lead at all, so the cost of a
// scan is about one pass of this expression over each view.
import type { Detector, Pattern } from './detectors.ts';

export interface Candidate {
  detector: number;
  pattern: Pattern;
}

export interface TriggerIndex {
  /** Global: matches a stem (words after a word boundary, symbols anywhere). */
  re: RegExp;
  /** Stem -> the patterns whose leads begin with it or with a shorter stem it starts with. */
  byStem: Map<string, Candidate[]>;
  /** Patterns without leads (scripts without word boundaries), tried on non-ASCII views. */
  script: Candidate[];
  /** Does a word begin with a lead? (normalize.ts: is a leet or squashed token worth a view) */
  startsWithLead(word: string): boolean;
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

const escape = (s: string) => s.replace(/[\\^$.|?*+()[\]{}\-/]/g, '\\$&');

export function buildTriggers(detectors: readonly Detector[]): TriggerIndex {
  const direct = new Map<string, Candidate[]>();
  const script: Candidate[] = [];
  detectors.forEach((d, detector) => {
    for (const pattern of d.patterns) {
      if (pattern.script) {
        script.push({ detector, pattern });
        continue;
      }
      const stems = new Set(pattern.lead.map(stemOf));
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
  const sticky = new RegExp(parts.join('|'), 'y');
  const startsWithLead = (word: string) => {
    sticky.lastIndex = 0;
    return sticky.test(word);
  };
  return { re: new RegExp(parts.join('|'), 'g'), byStem, script, startsWithLead };
}
