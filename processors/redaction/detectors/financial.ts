// CREDIT_CARD (Luhn + scheme prefixes) and IBAN (country length + mod-97).
import type { Match } from '../entities.ts';
import { cardPrefixValid, ibanValid, luhnValid } from '../validators.ts';
import { numberWindows } from './digits.ts';
import { digitsOf, eachMatchInWindows, type Detector } from './util.ts';

// 12 to 19 digits, optionally grouped by single spaces or dashes.
export const CARD = /(?<![\w\-.])\d(?:[ \-]?\d){11,18}(?![\w]|[\-.]\d)/g;

export function findCards(text: string, out: Match[]): void {
  const w = numberWindows(text).card; // (digits.ts: the starts CARD allows)
  if (w.length > 0) eachMatchInWindows(CARD, text, w, (m) => {
    const raw = m[0];
    // one kind of separator only
    if (raw.indexOf(' ') >= 0 && raw.indexOf('-') >= 0) return;
    const d = digitsOf(raw);
    if (d.length < 12 || d.length > 19) return;
    if (/^(\d)\1+$/.test(d)) return; // 0000 0000 0000 0000 passes Luhn
    if (cardPrefixValid(d) && luhnValid(d)) out.push({ start: m.index, end: m.index + raw.length, type: 'CREDIT_CARD' });
  });
}

// Two letters, two check digits, then 11 to 30 alphanumerics, optionally in groups of four.
// Upper or lower case (people type them both ways); validated upper-cased.
export const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]{4}){2,7}(?:[ \-]?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;

export function findIbans(text: string, out: Match[]): void {
  const w = numberWindows(text).iban;
  if (w.length > 0) eachMatchInWindows(IBAN, text, w, (m) => {
    // Try the whole candidate, then without its trailing groups (a following word in capitals).
    let raw = m[0];
    for (let attempt = 0; attempt < 3 && raw.length >= 15; attempt++) {
      const compact = raw.replace(/[ \-]/g, '').toUpperCase();
      if (ibanValid(compact)) {
        out.push({ start: m.index, end: m.index + raw.length, type: 'IBAN' });
        return;
      }
      const cut = Math.max(raw.lastIndexOf(' '), raw.lastIndexOf('-'));
      if (cut < 0) return;
      raw = raw.slice(0, cut);
    }
  });
}

export const cardDetector: Detector = { type: 'CREDIT_CARD', minDigits: 12, detect: (t, out) => findCards(t, out) };
export const ibanDetector: Detector = { type: 'IBAN', minDigits: 4, detect: (t, out) => findIbans(t, out) };
