// EMAIL_ADDRESS and PHONE_NUMBER.
import type { Match } from '../entities.ts';
import { numberWindows } from './digits.ts';
import { afterKeyword, anchorWindows, digitsOf, eachMatch, eachMatchInWindows, hintGroup, hintWindows, isDigit, mayHoldHints, type Detector } from './util.ts';

// ---- email: scanned by hand from each '@' (linear, no regex backtracking at all) ----

function isLocalChar(c: number): boolean {
  // RFC 5322 atext and '.', without '/', '=', '?', '&' (rare in real addresses, common in URLs next to them)
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 46 || c === 95 || c === 45 || c === 43 || c === 37 || c === 33 || c === 35 || c === 36 || c === 39 ||
    c === 42 || c === 94 || c === 96 || c === 123 || c === 124 || c === 125 || c === 126 || c >= 0xc0
  );
}

function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45 || c >= 0xc0;
}

export const TLD = /^(?:[A-Za-z\u00c0-\uffff]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;
export const LABEL = /^[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]{0,61}[A-Za-z0-9\u00c0-\uffff])?$/;

/**
 * Whether text[from, to) (domain characters only: letters, digits, '.', '-', code units >= 0xc0) has
 * two or more labels that LABEL accepts and a last one TLD accepts: checked by hand, without a split
 * and a regex per label (an e-mail address per record in tool results).
 */
export function domainValid(text: string, from: number, to: number): boolean {
  let labels = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 46) continue;
    // label [start, i): 1-63 units, no '-' first or last (its units are all in LABEL's classes)
    const len = i - start;
    if (len < 1 || len > 63 || text.charCodeAt(start) === 45 || text.charCodeAt(i - 1) === 45) return false;
    labels++;
    if (i === to) {
      if (labels < 2) return false;
      // TLD: 2-63 letters (or units >= 0xc0), or xn-- and 1-59 of [A-Za-z0-9-]
      if (text.startsWith('xn--', start)) {
        if (len < 5) return false;
        for (let j = start + 4; j < i; j++) if (text.charCodeAt(j) >= 0xc0) return false;
        return true;
      }
      if (len < 2) return false;
      for (let j = start; j < i; j++) {
        const c = text.charCodeAt(j);
        if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0)) return false;
      }
      return true;
    }
    start = i + 1;
  }
  return false;
}

export function findEmails(text: string, out: Match[]): void {
  let at = text.indexOf('@');
  let minStart = 0; // the end of the previous email: a local part never reaches back into it
  while (at >= 0) {
    const next = text.indexOf('@', at + 1);
    // local part, leftwards
    let s = at;
    while (s > minStart && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    const longLocal = s > minStart && isLocalChar(text.charCodeAt(s - 1)) && at - s >= 64;
    while (s < at && text.charCodeAt(s) === 46) s++; // no leading dot
    // domain, rightwards
    let e = at + 1;
    const limit = Math.min(text.length, at + 1 + 253);
    while (e < limit && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    if (!longLocal && s < at && e > at + 1 && text.charCodeAt(at - 1) !== 46) {
      if (domainValid(text, at + 1, e)) {
        out.push({ start: s, end: e, type: 'EMAIL_ADDRESS' });
        minStart = e;
      }
    }
    at = next;
  }
}

// ---- phone ----

// International: '+', country code, then digits and separators; validated by hand.
const INTL = /(?<![\w+])\+[1-9][\d ().\-]{6,24}/g;
// North American national format: (212) 555-0199, 212-555-0199, 212.555.0199, 1-212-555-0199.
export const NANP = /(?<![\w+.\-\/]|\d )(?:1[ .\-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}(?![\w]|[.\-\/]\d)/g;
// National formats with a trunk prefix 0 (UK, DE, FR, IN, ...): 020 7946 0958, 030 12345678, 01 23 45 67 89, (0171) 1234567.
export const TRUNK = /(?<![\w+.\-\/]|\d )(?:\(0[1-9]\d{0,3}\) ?|0[1-9]\d{0,3}[ .\-\/])\d{2,8}(?:[ .\-]\d{2,8}){0,3}(?![\w]|[.\-\/]\d)/g;
// Any 8 to 15 digit number right after a phone keyword.
export const PHONE_KEYWORD = /\b(?:phone|telephone|tel|mobile|cell|fax|whatsapp|handy|telefon|téléphone|portable)\b/gi;
/** One of these (lower case) starts every PHONE_KEYWORD match, or lies 4 code units into it
 * ("téléphone"): without one, the digit runs are not looked for. */
export const PHONE_HINTS = ['phone', 'tel', 'mobile', 'cell', 'fax', 'whatsapp', 'handy', 'portable'];
export const PHONE_HINTS_BEFORE = 4;
hintGroup(PHONE_HINTS, PHONE_HINTS_BEFORE);
// PHONE_AFTER's number starts a run of 8 or more digits (nothing before it in PHONE_AFTER is a
// digit) at most 29 characters after the keyword's start ("téléphone" 9, " number", spaces,
// ':', "is ", '+'): the keyword is looked for only there.
const LONG_DIGIT_RUN = /\d{8,}/g;
/**
 * Where a PHONE_KEYWORD match can be followed by a PHONE_AFTER number: [q - 40, q - 1] for the
 * start q of each run of 8+ digits. Only runs near a phone hint are looked for (a keyword starts at
 * most PHONE_HINTS_BEFORE before its hint h, so the runs that matter start in [h - 3, h + 40]): a
 * scan of those few places instead of a digit-run search over the whole text. The windows left out
 * hold no keyword, so the keyword matches found are the same.
 */
export function phoneKeywordWindows(text: string): number[] {
  const hints = hintWindows(text, PHONE_HINTS, PHONE_HINTS_BEFORE);
  if (hints === undefined) return anchorWindows(LONG_DIGIT_RUN, text, 40, 1, false);
  const out: number[] = [];
  let after = 0; // runs before this were found already
  for (let w = 1; w < hints.length; w += 2) {
    const h = hints[w];
    let i = Math.max(h - 3, after, 0);
    const last = Math.min(h + 40, text.length - 1);
    while (i > 0 && i <= last && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i))) i++; // inside a run that began earlier
    while (i <= last) {
      if (!isDigit(text.charCodeAt(i))) {
        i++;
        continue;
      }
      let e = i + 1;
      while (e < text.length && isDigit(text.charCodeAt(e))) e++;
      if (e - i >= 8) out.push(i - 40, i - 1);
      i = e;
    }
    after = Math.max(after, i);
  }
  return out;
}
export const PHONE_AFTER = /(?: ?(?:number|no\.?|nr\.?|#))?[ \t]{0,3}[:=#]?[ \t]{0,3}(?:is[ \t]{1,3})?(\+?\d{8,15})(?![\w])/iy;

function intlValid(s: string): boolean {
  const digits = digitsOf(s);
  if (digits.length < 8 || digits.length > 15) return false;
  let open = 0;
  let prevSep = false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '(') {
      if (open) return false;
      open = 1;
    } else if (c === ')') {
      if (!open) return false;
      open = 0;
    } else if (c === ' ' || c === '.' || c === '-') {
      if (prevSep) return false;
      prevSep = true;
      continue;
    }
    prevSep = false;
  }
  return open === 0;
}

export function findPhones(text: string, out: Match[]): void {
  if (text.indexOf('+') >= 0) {
    eachMatch(INTL, text, (m) => {
      let s = m[0];
      const after = text.charCodeAt(m.index + s.length);
      if (after >= 48 && after <= 57) return; // longer than any phone number
      while (s.length > 0 && !/[\d)]/.test(s[s.length - 1])) s = s.slice(0, -1);
      const next = text[m.index + s.length];
      if (next !== undefined && /\w/.test(next)) return;
      if (intlValid(s)) out.push({ start: m.index, end: m.index + s.length, type: 'PHONE_NUMBER' });
    });
  }
  const nanp = numberWindows(text).nanp; // (digits.ts: the starts NANP and TRUNK allow)
  if (nanp.length > 0) eachMatchInWindows(NANP, text, nanp, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'PHONE_NUMBER' }));
  const trunk = numberWindows(text).trunk;
  if (trunk.length > 0) eachMatchInWindows(TRUNK, text, trunk, (m) => {
    const n = digitsOf(m[0]).length;
    if (n >= 9 && n <= 12) out.push({ start: m.index, end: m.index + m[0].length, type: 'PHONE_NUMBER' });
  });
  if (!mayHoldHints(text, PHONE_HINTS, PHONE_HINTS_BEFORE)) return;
  const near = phoneKeywordWindows(text);
  if (near.length > 0) afterKeyword(PHONE_KEYWORD, PHONE_AFTER, text, (start, end) => out.push({ start, end, type: 'PHONE_NUMBER' }), near);
}

export const emailDetector: Detector = { type: 'EMAIL_ADDRESS', detect: (t, out) => (t.indexOf('@') >= 0 ? findEmails(t, out) : undefined) };
export const phoneDetector: Detector = { type: 'PHONE_NUMBER', minDigits: 7, detect: (t, out) => findPhones(t, out) };
