// STREET_ADDRESS: a house number, a capitalised street name and a street-type word, in the common
// English, German and French orders ("221B Baker Street", "Hauptstraße 12", "12 rue de la Paix").
import type { Match } from '../entities.ts';
import { eachMatch, type Detector } from './util.ts';

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Square|Sq|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|Trl|Crescent|Cres|Close|Row|Alley|Plaza|Gardens|Mews)';
const WORD = "\\p{Lu}[\\p{L}'\\-]{0,24}";
const UNIT = "(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|#)\\.? ?#?[A-Za-z0-9\\-]{1,6})?";
// English: 1600 Pennsylvania Avenue NW, 221B Baker Street, 10 Downing St., Apt 4
const EN = new RegExp(
  `\\d(?<![\\p{L}\\p{N}]\\d)\\d{0,5}[A-Za-z]?(?: ${WORD}){1,4} ${SUFFIX}\\.?(?: (?:N|S|E|W|NE|NW|SE|SW))?(?![\\p{L}\\p{N}])${UNIT}`,
  'gu',
);
// (The lookbehinds follow the first character: checked only where a match can start, ~5x faster.)
// German: Hauptstraße 12, Lindenallee 5a, Am Ring 3 is not covered (no street-type word in it)
const DE = /\p{Lu}(?<![\p{L}\p{N}]\p{Lu})[\p{L}\-]{0,30}(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee)(?: |, )\d{1,4}[a-z]?(?![\p{L}\p{N}])/gu;
// German, separate words: Berliner Straße 5, Alte Gasse 3
const DE2 = /\p{Lu}(?<![\p{L}\p{N}]\p{Lu})[\p{L}\-]{1,30} (?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm) \d{1,4}[a-z]?(?![\p{L}\p{N}])/gu;
// French: 12 rue de la Paix, 5 bis avenue Victor Hugo
const FR = /\d(?<![\p{L}\p{N}]\d)\d{0,3}(?: ?(?:bis|ter))?,? (?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours) (?:(?:de|du|des|la|le|l'|d')[ ]?){0,2}\p{Lu}[\p{L}'\-]{1,30}(?: \p{Lu}[\p{L}'\-]{1,30}){0,3}/giu;

export function findAddresses(text: string, out: Match[]): void {
  for (const re of [EN, DE, DE2, FR]) eachMatch(re, text, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'STREET_ADDRESS' }));
}

export const addressDetector: Detector = { type: 'STREET_ADDRESS', minDigits: 1, detect: (t, out) => findAddresses(t, out) };
