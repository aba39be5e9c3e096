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
 * Context detection: for each keyword match (a global regex), tries the sticky value regex right
 * after it; `group` is the capture group holding the value (its offset is found by indexOf within
 * the matched text, which is exact because the value group is the last thing the regex matches).
 */
export function afterKeyword(
  keyword: RegExp,
  value: RegExp,
  text: string,
  fn: (start: number, end: number, value: string) => void,
): void {
  eachMatch(keyword, text, (k) => {
    value.lastIndex = k.index + k[0].length;
    const v = value.exec(text);
    if (!v || v[1] === undefined) return;
    const start = v.index + v[0].lastIndexOf(v[1]);
    fn(start, start + v[1].length, v[1]);
  });
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
