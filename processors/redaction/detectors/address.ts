// STREET_ADDRESS: a house number, a capitalised street name and a street-type word, in the common
// English, German and French orders ("221B Baker Street", "Hauptstraße 12", "12 rue de la Paix").
// Each pattern is tried only near its street-type word (util.ts, windowed matching): the patterns
// themselves are costly per character, the street-type words are rare.
import type { Match } from '../entities.ts';
import { anchorWindows, eachMatchInWindows, hintGroup, isDigit, mayHoldHints, type Detector } from './util.ts';

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Square|Sq|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|Trl|Crescent|Cres|Close|Row|Alley|Plaza|Gardens|Mews)';
const WORD = "\\p{Lu}[\\p{L}'\\-]{0,24}";
const UNIT = "(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|#)\\.? ?#?[A-Za-z0-9\\-]{1,6})?";
// English: 1600 Pennsylvania Avenue NW, 221B Baker Street, 10 Downing St., Apt 4
export const EN = new RegExp(
  `\\d(?<![\\p{L}\\p{N}]\\d)\\d{0,5}[A-Za-z]?(?: ${WORD}){1,4} ${SUFFIX}\\.?(?: (?:N|S|E|W|NE|NW|SE|SW))?(?![\\p{L}\\p{N}])${UNIT}`,
  'gu',
);
// Its anchor: the space before the street-type word, which is followed by '.', ' ' or a non-letter.
// The match starts 3 to 111 code points before it (number, letter, four words of 25).
const EN_ANCHOR = new RegExp(` ${SUFFIX}(?![\\p{L}\\p{N}])`, 'gu');
// (The lookbehinds follow the first character: checked only where a match can start, ~5x faster.)
// German: Hauptstraße 12, Lindenallee 5a, Am Ring 3 is not covered (no street-type word in it)
export const DE = /\p{Lu}(?<![\p{L}\p{N}]\p{Lu})[\p{L}\-]{0,30}(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee)(?: |, )\d{1,4}[a-z]?(?![\p{L}\p{N}])/gu;
// Its anchor: the street-type word with the number after it; the match starts 1 to 31 code points before.
const DE_ANCHOR = /(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee)(?: |, )\d/gu;
// German, separate words: Berliner Straße 5, Alte Gasse 3
export const DE2 = /\p{Lu}(?<![\p{L}\p{N}]\p{Lu})[\p{L}\-]{1,30} (?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm) \d{1,4}[a-z]?(?![\p{L}\p{N}])/gu;
// Its anchor: the space before the street-type word; the match starts 2 to 31 code points before.
const DE2_ANCHOR = / (?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm) \d/gu;
// French: 12 rue de la Paix, 5 bis avenue Victor Hugo
export const FR = /\d(?<![\p{L}\p{N}]\d)\d{0,3}(?: ?(?:bis|ter))?,? (?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours) (?:(?:de|du|des|la|le|l'|d')[ ]?){0,2}\p{Lu}[\p{L}'\-]{1,30}(?: \p{Lu}[\p{L}'\-]{1,30}){0,3}/giu;
// Its anchor: the space before the street-type word; the match starts 1 to 9 code points before.
const FR_ANCHOR = / (?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours) /giu;

// Windows are in code units: a code point may take two.
// Every pattern starts with a digit or a capital that no letter or digit precedes (the lookbehinds):
// positions that fail that on ASCII are not tried.
const asciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const digitStart = (c: number, before: number) => isDigit(c) && !asciiAlnum(before);
const capitalStart = (c: number, before: number) => ((c >= 65 && c <= 90) || c >= 0x80) && !asciiAlnum(before);

/** Every anchor match holds one of its pattern's gate hints, lower-cased: without one, the anchor is
 * not looked for (the hints are found for all detectors in one pass, util.ts hintGroup). FR_ANCHOR
 * is case-insensitive with the u flag, where 'ſ' (U+017F) matches 's' but does not lower-case to it:
 * a text holding one is always searched (normalised text never does: NFKC maps it to 's'). */
// (with the separator that must follow: "string" and "during" are everywhere, "ring " less so)
const DE_GATE = ['straße', 'strasse', 'str.', 'weg', 'platz', 'allee', 'gasse', 'ring', 'damm', 'ufer', 'chaussee'].flatMap((w) => [`${w} `, `${w},`]);
const FR_GATE = [' rue ', ' avenue ', ' av. ', ' boulevard ', ' bd ', ' place ', ' chemin ', ' allée ', ' impasse ', ' quai ', ' route ', ' cours '];
hintGroup(DE_GATE, 0);
hintGroup(FR_GATE, 0);
const deGate = (text: string) => mayHoldHints(text, DE_GATE, 0);
const frGate = (text: string) => text.indexOf('\u017f') >= 0 || mayHoldHints(text, FR_GATE, 0);

/**
 * Where EN can match with its street-type word at one of `anchors` (anchorWindows of EN_ANCHOR):
 * between a match's house number and the space before its street-type word lie only letters,
 * spaces, apostrophes and hyphens (the optional letter after the number, the 1-4 words), at most
 * 2 * 105 code units, and the number is 1-6 ASCII digits that no letter or digit precedes. So from
 * each anchor q, back over that run (a superset of it: every code unit >= 0x80 taken as a letter,
 * and ASCII digits are never in it) to the digit before it, then back over the digits: the match can
 * start only at the first digit of that run. Anchors whose run is too long or has no digit before it
 * give no window; the windows stay ascending (a later anchor's run either reaches the same digits or
 * starts after the earlier anchor).
 */
function enWindows(text: string, anchors: readonly number[]): number[] {
  const out: number[] = [];
  let prevQ = -1; // the previous anchor, and where the run before it starts: a run that reaches
  let prevRun = -1; // back to it starts there too (each code unit is walked once)
  for (let w = 0; w < anchors.length; w += 2) {
    const q = anchors[w + 1] + EN_NEAREST; // anchorWindows gave [q - before, q - nearest]
    let s = q;
    while (s > 0 && s > prevQ && enRunUnit(text.charCodeAt(s - 1))) s--;
    if (s === prevQ && prevQ >= 0) s = prevRun; // (the anchor is a space: a run unit)
    prevQ = q;
    prevRun = s;
    if (q - s > 2 * 105) continue; // longer than any match's run
    let d = s;
    while (d > 0 && s - d <= 6 && isDigit(text.charCodeAt(d - 1))) d--;
    if (d === s || s - d > 6) continue;
    out.push(d, d);
  }
  return out;
}

/** A code unit that can lie between EN's house number and its street-type word (or more). */
function enRunUnit(c: number): boolean {
  return c === 32 || c === 39 || c === 45 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0x80;
}
const EN_NEAREST = 3;

/** The patterns with their anchors and windows, for findAddresses and its equivalence test. */
export const ADDRESS_PATTERNS: ReadonlyArray<{
  re: RegExp;
  anchor: RegExp;
  before: number;
  nearest: number;
  canStart: (c: number, before: number) => boolean;
  /** false when the anchor cannot match in the text (a necessary condition, cheaper than the anchor's scan). */
  gate?: (text: string) => boolean;
  /** Narrows the anchor windows to where a match can start (every start they held that can still match stays). */
  narrow?: (text: string, windows: readonly number[]) => number[];
}> = [
  { re: EN, anchor: EN_ANCHOR, before: 2 * 111, nearest: EN_NEAREST, canStart: digitStart, narrow: enWindows },
  { re: DE, anchor: DE_ANCHOR, before: 2 * 31, nearest: 1, canStart: capitalStart, gate: deGate },
  { re: DE2, anchor: DE2_ANCHOR, before: 2 * 31, nearest: 2, canStart: capitalStart, gate: deGate },
  { re: FR, anchor: FR_ANCHOR, before: 2 * 9, nearest: 1, canStart: digitStart, gate: frGate },
];

/** Where pattern p can match in text (windows for eachMatchInWindows; none when its gate fails). */
export function addressWindows(p: (typeof ADDRESS_PATTERNS)[number], text: string): number[] {
  if (p.gate && !p.gate(text)) return [];
  const windows = anchorWindows(p.anchor, text, p.before, p.nearest);
  return p.narrow && windows.length > 0 ? p.narrow(text, windows) : windows;
}

export function findAddresses(text: string, out: Match[]): void {
  for (const p of ADDRESS_PATTERNS) {
    const windows = addressWindows(p, text);
    if (windows.length > 0) eachMatchInWindows(p.re, text, windows, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'STREET_ADDRESS' }), p.canStart);
  }
}

export const addressDetector: Detector = { type: 'STREET_ADDRESS', minDigits: 1, detect: (t, out) => findAddresses(t, out) };
