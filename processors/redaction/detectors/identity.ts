// Identity numbers: US_SSN, UK_NINO, FR_NIR, IN_AADHAAR, IN_PAN (format + validation, standalone),
// PASSPORT_NUMBER and DE_ID_CARD (format too loose alone: only after a keyword), DATE_OF_BIRTH
// (only after a keyword: a date alone is not a birth date).
import type { Match } from '../entities.ts';
import { icaoCheckDigit, ninoValid, nirValid, ssnValid, verhoeffValid } from '../validators.ts';
import { numberWindows } from './digits.ts';
import { afterKeyword, eachMatchInWindows, hintGroup, hintWindows, type Detector } from './util.ts';

/**
 * The keyword patterns are case-insensitive alternations tried at every position of a text; each
 * keyword holds one of its hints (lower case) at most `before` code units after its start, so the
 * pattern is tried only there (util.ts hintWindows; redaction.windows.test.ts checks the bounds).
 */
export interface KeywordHints {
  keyword: RegExp;
  hints: readonly string[];
  before: number;
}

function keywordHints(keyword: RegExp, hints: readonly string[], before: number): KeywordHints {
  hintGroup(hints, before);
  return { keyword, hints, before };
}

// ---- US SSN: 123-45-6789 or 123 45 6789 anywhere; 123456789 only after a keyword ----
export const SSN = /(?<![\w\-.])(\d{3})([\- ])(\d{2})\2(\d{4})(?![\w]|[\-.]\d)/g;
const SSN_KEYWORD = /\b(?:ssn|social security(?: number| no\.?)?|soc\.? sec\.?(?: no\.?)?)\b/gi;
export const SSN_HINTS = keywordHints(SSN_KEYWORD, ['ssn', 'soc'], 0);
const SSN_AFTER = /[ \t]{0,3}(?:#|no\.?|number)?[ \t]{0,3}[:=]?[ \t]{0,3}(?:is[ \t]{1,3})?(\d{9})(?![\w])/iy;

export function findSsns(text: string, out: Match[]): void {
  const w = numberWindows(text).ssn; // (digits.ts: the starts each number pattern allows)
  if (w.length > 0) eachMatchInWindows(SSN, text, w, (m) => {
    if (ssnValid(m[1], m[3], m[4])) out.push({ start: m.index, end: m.index + m[0].length, type: 'US_SSN' });
  });
  afterKeyword(SSN_KEYWORD, SSN_AFTER, text, (start, end, v) => {
    if (ssnValid(v.slice(0, 3), v.slice(3, 5), v.slice(5))) out.push({ start, end, type: 'US_SSN' });
  }, near(SSN_HINTS, text));
}

/** Where k.keyword can match in text (undefined: everywhere). */
function near(k: KeywordHints, text: string): number[] | undefined {
  return hintWindows(text, k.hints, k.before);
}

// ---- UK National Insurance number: AB 12 34 56 C ----
export const NINO = /(?<![\w])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])/g;

export function findNinos(text: string, out: Match[]): void {
  const w = numberWindows(text).nino;
  if (w.length > 0) eachMatchInWindows(NINO, text, w, (m) => {
    if (ninoValid(m[0].replace(/ /g, ''))) out.push({ start: m.index, end: m.index + m[0].length, type: 'UK_NINO' });
  });
}

// ---- French NIR (social security number), 15 characters with its key ----
export const NIR = /(?<![\w])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\w])/g;

export function findNirs(text: string, out: Match[]): void {
  const w = numberWindows(text).nir;
  if (w.length > 0) eachMatchInWindows(NIR, text, w, (m) => {
    if (nirValid(m[0].replace(/ /g, ''))) out.push({ start: m.index, end: m.index + m[0].length, type: 'FR_NIR' });
  });
}

// ---- Indian Aadhaar: 12 digits, first 2-9, Verhoeff check; grouped 4-4-4 anywhere, plain after a keyword ----
export const AADHAAR = /(?<![\w\-.])[2-9]\d{3}([ \-])\d{4}\1\d{4}(?![\w]|[\-.]\d)/g;
const AADHAAR_KEYWORD = /\b(?:aadhaar|aadhar|adhaar|uidai|uid)\b|आधार/gi;
export const AADHAAR_HINTS = keywordHints(AADHAAR_KEYWORD, ['adha', 'uid', 'आधार'], 1);
const AADHAAR_AFTER = /[^\d\n]{0,20}?([2-9]\d{11})(?![\w])/y;

export function findAadhaars(text: string, out: Match[]): void {
  const w = numberWindows(text).aadhaar;
  if (w.length > 0) eachMatchInWindows(AADHAAR, text, w, (m) => {
    if (verhoeffValid(m[0].replace(/[ \-]/g, ''))) out.push({ start: m.index, end: m.index + m[0].length, type: 'IN_AADHAAR' });
  });
  afterKeyword(AADHAAR_KEYWORD, AADHAAR_AFTER, text, (start, end, v) => {
    if (verhoeffValid(v)) out.push({ start, end, type: 'IN_AADHAAR' });
  }, near(AADHAAR_HINTS, text));
}

// ---- Indian PAN: AAAPA1234A (4th letter: holder type) ----
export const PAN = /(?<![\w])[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z](?![\w])/g;

export function findPans(text: string, out: Match[]): void {
  const w = numberWindows(text).pan;
  if (w.length > 0) eachMatchInWindows(PAN, text, w, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'IN_PAN' }));
}

// ---- Passport numbers (any country: US 9 digits, UK 9 digits, DE C + 8, FR 99AA99999, IN A1234567) ----
const PASSPORT_KEYWORD = /\b(?:passport|reisepass|passeport|pasaporte|passaporto|paspoort|pass-?nr)\b/gi;
export const PASSPORT_HINTS = keywordHints(PASSPORT_KEYWORD, ['pass', 'pasa', 'pasp'], 5);
const PASSPORT_AFTER = /[ \t]{0,3}(?:(?:no|nr|num|number|nummer|numéro|número|#)\.?[ \t]{0,3})?[:=#]?[ \t]{0,3}(?:is[ \t]{1,3})?([A-Z0-9]{6,9})(?![\w])/iy;

export function findPassports(text: string, out: Match[]): void {
  afterKeyword(PASSPORT_KEYWORD, PASSPORT_AFTER, text, (start, end, v) => {
    if (/\d/.test(v) && /^[A-Za-z0-9]+$/.test(v)) out.push({ start, end, type: 'PASSPORT_NUMBER' });
  }, near(PASSPORT_HINTS, text));
}

// ---- German identity card (Personalausweis): 9 characters + optional ICAO check digit ----
const DE_ID_KEYWORD = /\b(?:personalausweis(?:nummer|-?nr\.?)?|ausweisnummer|ausweis-?nr\.?|(?:german )?id card(?: number| no\.?)?|identity card(?: number| no\.?)?)/gi;
export const DE_ID_HINTS = keywordHints(DE_ID_KEYWORD, ['ausweis', 'id card', 'identity'], 8);
const DE_ID_AFTER = /[ \t]{0,3}[:=#]?[ \t]{0,3}(?:is[ \t]{1,3})?([CFGHJKLMNPRTVWXYZ0-9]{9}\d?)(?![\w])/y;

export function findDeIds(text: string, out: Match[]): void {
  afterKeyword(DE_ID_KEYWORD, DE_ID_AFTER, text, (start, end, v) => {
    if (!/\d/.test(v)) return;
    if (v.length === 10 && icaoCheckDigit(v.slice(0, 9)) !== Number(v[9])) return;
    out.push({ start, end, type: 'DE_ID_CARD' });
  }, near(DE_ID_HINTS, text));
}

// ---- Date of birth, after a keyword ----
const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre)\\.?';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const MON = '(?:0?[1-9]|1[0-2])';
const YEAR = '(?:19|20)\\d{2}';
const DATE =
  `(?:${YEAR}[\\-/.]${MON}[\\-/.]${DAY}` +
  `|${DAY}[\\-/.]${DAY}[\\-/.](?:${YEAR}|\\d{2})` +
  `|${DAY}(?:st|nd|rd|th|\\.)?[ ](?:of[ ])?${MONTH},?[ ]${YEAR}` +
  `|${MONTH}[ ]${DAY}(?:st|nd|rd|th)?,?[ ]${YEAR})`;
const DOB_KEYWORD = /\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|birthday|born(?: on| in)?|geburtsdatum|geboren(?: am)?|date de naissance|née? le|fecha de nacimiento)(?![\w])/gi;
export const DOB_HINTS = keywordHints(DOB_KEYWORD, ['dob', 'd.o.b', 'birth', 'born', 'geb', 'naissance', 'né ', 'née', 'nacimiento'], 9);
const DOB_AFTER = new RegExp(`[ \\t]{0,3}[:=\\-]?[ \\t]{0,3}(?:is[ \\t]{1,3}|was[ \\t]{1,3}|on[ \\t]{1,3})?(${DATE})(?![\\w])`, 'iy');

export function findDobs(text: string, out: Match[]): void {
  afterKeyword(DOB_KEYWORD, DOB_AFTER, text, (start, end) => out.push({ start, end, type: 'DATE_OF_BIRTH' }), near(DOB_HINTS, text));
}

export const ssnDetector: Detector = { type: 'US_SSN', minDigits: 9, detect: (t, out) => findSsns(t, out) };
export const ninoDetector: Detector = { type: 'UK_NINO', minDigits: 6, detect: (t, out) => findNinos(t, out) };
export const nirDetector: Detector = { type: 'FR_NIR', minDigits: 11, detect: (t, out) => findNirs(t, out) };
export const aadhaarDetector: Detector = { type: 'IN_AADHAAR', minDigits: 12, detect: (t, out) => findAadhaars(t, out) };
export const panDetector: Detector = { type: 'IN_PAN', minDigits: 4, detect: (t, out) => findPans(t, out) };
export const passportDetector: Detector = { type: 'PASSPORT_NUMBER', minDigits: 1, detect: (t, out) => findPassports(t, out) };
export const deIdDetector: Detector = { type: 'DE_ID_CARD', minDigits: 1, detect: (t, out) => findDeIds(t, out) };
export const dobDetector: Detector = { type: 'DATE_OF_BIRTH', minDigits: 4, detect: (t, out) => findDobs(t, out) };
