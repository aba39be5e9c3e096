// PERSON: names in context only — "my name is X", "Dear X", "Name: X", and the name on the line
// after a letter's closing ("Regards,\nX Y"). A capitalised word alone is not a name.
import type { Match } from '../entities.ts';
import { eachMatch, eachMatchNearHints, hintGroup, mayHoldHints, type Detector } from './util.ts';

// One to four capitalised words (initials allowed), after an optional title.
const NAME = "(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|M|Mme|Mlle)\\.?[ ])?(\\p{Lu}[\\p{Ll}'’\\-]{1,30}(?:[ ](?:\\p{Lu}[\\p{Ll}'’\\-]{1,30}|\\p{Lu}\\.)){0,3})";

export const INTRO = /\b(?:my name is|my name's|my full name is|i am called|i'm called|call me|ich heiße|ich heisse|mein name ist|je m'appelle|je suis|me llamo|mi nombre es)(?![\w])|\bdear(?![\w])|\b(?:full name|first name|last name|surname|family name|given name|customer name|patient name|employee name)[ \t]{0,3}:/gi; // no u flag: case-insensitive alternations are ~15x slower with it
/** Every INTRO match holds one of these (lower case) at most INTRO_BEFORE code units after its start
 * ("customer name", "employee name"): INTRO is tried only near them. */
export const INTRO_HINTS = ['name', 'call', 'ich hei', 'appel', 'je suis', 'llamo', 'nombre', 'dear'];
export const INTRO_BEFORE = 9;
hintGroup(INTRO_HINTS, INTRO_BEFORE);
const INTRO_NAME = new RegExp(`[ \\t]{1,3}${NAME}`, 'uy');
// After "name:" the name may follow without a space
const LABEL_NAME = new RegExp(`[ \\t]{0,3}${NAME}`, 'uy');

export const CLOSING =
  /(?:^|\n)[ \t]{0,10}(?:best regards|kind regards|warm regards|warmest regards|regards|best wishes|all the best|sincerely|yours sincerely|yours truly|yours faithfully|respectfully|cheers|thanks|many thanks|thank you|best|mit freundlichen grüßen|viele grüße|beste grüße|liebe grüße|cordialement|bien à vous|saludos|atentamente)[,.!]?[ \t]{0,5}\r?\n[ \t]{0,10}/gi;
/** One of these (lower case) is in every CLOSING match: without one, CLOSING is not looked for. */
export const CLOSING_HINTS = ['regards', 'best', 'sincerely', 'yours', 'respectfully', 'cheers', 'thank', 'grüße', 'cordialement', 'bien à vous', 'saludos', 'atentamente'];
hintGroup(CLOSING_HINTS, 0);
const SIGNATURE_NAME = new RegExp(`${NAME}[ \\t]{0,5}(?=\\r?\\n|$|,)`, 'uy');

/** Capitalised words that follow "Dear" or "my name is" without being a name. */
const NOT_NAMES = new Set([
  'Sir', 'Madam', 'Sirs', 'Customer', 'Customers', 'Team', 'All', 'Colleague', 'Colleagues', 'Friend', 'Friends', 'Valued',
  'Hiring', 'Manager', 'Support', 'User', 'Users', 'Member', 'Members', 'Client', 'Applicant', 'Candidate', 'Partner', 'Partners',
  'Everyone', 'Reader', 'Readers', 'Student', 'Students', 'Parent', 'Parents', 'Diary', 'Not', 'The', 'This', 'That', 'It', 'Unknown',
  'Redacted', 'None', 'Anonymous', 'Admin', 'Dear', 'Regards', 'Thanks', 'Best', 'Cheers', 'Sincerely', 'Hello', 'Hi',
]);

function pushName(out: Match[], text: string, start: number, name: string): void {
  // strip leading non-names ("Dear Valued Customer")
  const words = name.split(' ');
  let s = start;
  while (words.length > 0 && NOT_NAMES.has(words[0].replace(/[.,]$/, ''))) {
    s += words[0].length + 1;
    words.shift();
  }
  if (words.length === 0) return;
  if (words.some((w) => NOT_NAMES.has(w))) return;
  const joined = words.join(' ');
  out.push({ start: s, end: s + joined.length, type: 'PERSON' });
}

export function findPersons(text: string, out: Match[]): void {
  eachMatchNearHints(INTRO, text, INTRO_HINTS, INTRO_BEFORE, (k) => {
    const end = k.index + k[0].length;
    const re = k[0].endsWith(':') ? LABEL_NAME : INTRO_NAME;
    re.lastIndex = end;
    const v = re.exec(text);
    if (!v) return;
    const start = v.index + v[0].length - v[1].length;
    pushName(out, text, start, v[1]);
  });
  if (text.indexOf('\n') >= 0 && mayHoldHints(text, CLOSING_HINTS, 0)) {
    eachMatch(CLOSING, text, (k) => {
      SIGNATURE_NAME.lastIndex = k.index + k[0].length;
      const v = SIGNATURE_NAME.exec(text);
      if (!v) return;
      const start = v.index + v[0].indexOf(v[1]);
      pushName(out, text, start, v[1]);
    });
  }
}

export const personDetector: Detector = { type: 'PERSON', detect: (t, out) => findPersons(t, out) };
