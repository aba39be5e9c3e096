// The redaction processor's fast paths give exactly what the plain scans give:
//   - windowed matching (detectors/util.ts): a costly pattern tried only near its anchor finds the
//     same matches, in the same order, as the pattern run over the whole text;
//   - redactTexts (scan.ts): many texts scanned joined together give what each scanned alone gives.
// Inputs: seeded random mixes of entity spellings, near-misses and the characters around which the
// bounds matter (digits, capitals, astral letters, colons, dots, line breaks, separators).
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../processors/redaction/config.ts';
import { ADDRESS_PATTERNS, addressWindows } from '../../processors/redaction/detectors/address.ts';
import { NANP, PHONE_AFTER, PHONE_HINTS, PHONE_HINTS_BEFORE, PHONE_KEYWORD, phoneKeywordWindows, TRUNK } from '../../processors/redaction/detectors/contact.ts';
import { digitRuns, numberWindows, type NumberWindows } from '../../processors/redaction/detectors/digits.ts';
import { CARD, IBAN } from '../../processors/redaction/detectors/financial.ts';
import { AADHAAR, AADHAAR_HINTS, DE_ID_HINTS, DOB_HINTS, NINO, NIR, PAN, PASSPORT_HINTS, SSN, SSN_HINTS } from '../../processors/redaction/detectors/identity.ts';
import { IPV4, IPV6, findIps } from '../../processors/redaction/detectors/network.ts';
import { CLOSING, CLOSING_HINTS, INTRO, INTRO_BEFORE, INTRO_HINTS } from '../../processors/redaction/detectors/person.ts';
import { KEY_HINTS, KEY_VALUE, PREFILTERED, URL_CREDENTIALS } from '../../processors/redaction/detectors/secrets.ts';
import { afterKeyword, anchorWindows, eachMatch, eachMatchInWindows, eachMatchNearHints, forgetText, mayHoldHints } from '../../processors/redaction/detectors/util.ts';
import type { Match } from '../../processors/redaction/entities.ts';
import { redactText, redactTexts } from '../../processors/redaction/scan.ts';
import { prng } from '../helpers/random.ts';


const FRAGMENTS = [
  '221B Baker Street', '10 Downing St.', '1234567 Baker Street', 'x12 Baker Street', '\u0661\u0662 Baker Street', "12 O'Neil-Smith Road", '3 \u{10400}\u{10428} Way', '4 Great Old Longfellow Avenue', '123456B Élysée-Montmartre Grand Old Mews', '1600 Pennsylvania Avenue NW', '12 Maple Avenue, Apt 4', '7 Old Kent Road', 'Hauptstraße 12', 'Lindenallee 5a',
  'Berliner Straße 5', 'Alte Gasse 3', 'during 5 days', '12 rue de la Paix', '5 bis avenue Victor Hugo', "7, place de l'Étoile", '3 RUE DES LILAS',
  '10.0.0.1', '192.168.1.254', '1.2.3.4.5', '256.1.1.1', 'fe80::1%eth0', '::1', '2001:db8::8a2e:370:7334', 'abc%fe.:1', '::ffff:10.0.0.1', 'a::b', '12:30:45',
  'Phone: 4155550132', 'TEL 02079460958', 'mobile number is +447911123456', 'Téléphone: 0612345678', 'whatsapp #12345678901', 'fax no. 123456789012345678',
  'api_key=abcd1234efgh5678ijkl', 'API-KEY: "Zx9Qw3Er5Ty7Ui9Op1"', 'password=hunter22', 'encryption_key = q8Wm2Lz9Xc4Vb7Nn', 'x-api-key: k3Y9mQ2wL8zX5vB1', "token='abc'",
  'https://user:pa55w0rd@host.com/x', 'postgres://admin:S3cr3tP4ss@db:5432', 'HTTP://u:p@h', 'ftp://a@b', 'jane.doe@example.com', 'My name is Jane Doe',
  'Best regards,\nMaria Gonzalez', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', '4111 1111 1111 1111', 'SSN 123-45-6789',
];
const GLUE = [' ', '  ', '\n', '\n\n', ', ', '. ', ':', '.', '-', '/', 'x', 'A', '7', '12', '12345678', 'É', 'é', '\u{10400}', '\u0301', '"', "'", '%', '@', '_', 'the ', 'St ', 'ring 5 ', ' place ', 'KEY', 'pass', '://', '::', '1.'];

function fuzz(rand: () => number): string {
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  let s = '';
  const n = 1 + Math.floor(rand() * 10);
  for (let i = 0; i < n; i++) {
    s += pick(GLUE);
    let f = pick(FRAGMENTS);
    const r = rand();
    if (r < 0.15) f = f.toUpperCase();
    else if (r < 0.3) f = f.toLowerCase();
    if (rand() < 0.25) {
      const cut = Math.floor(rand() * f.length);
      f = f.slice(0, cut) + pick(GLUE) + f.slice(cut);
    }
    s += f + (rand() < 0.5 ? pick(GLUE) : '');
  }
  return s;
}

const rand = prng(20261123);
const TEXTS = Array.from({ length: 2000 }, () => fuzz(rand));
TEXTS.push(Array.from({ length: 200 }, () => fuzz(rand)).join(' '));

// Every spelling of every keyword the hint groups stand for, in the cases people type them.
const KEYWORDS = [
  'my name is', "my name's", 'my full name is', 'i am called', "i'm called", 'call me', 'ich heiße', 'ich heisse', 'mein name ist', "je m'appelle", 'je suis', 'me llamo', 'mi nombre es', 'dear',
  'full name:', 'first name :', 'last name\t:', 'surname:', 'family name:', 'given name:', 'customer name:', 'patient name:', 'employee name:',
  'ssn', 'social security', 'social security number', 'social security no.', 'soc. sec. no', 'soc sec',
  'aadhaar', 'aadhar', 'adhaar', 'uidai', 'uid', 'आधार',
  'passport', 'reisepass', 'passeport', 'pasaporte', 'passaporto', 'paspoort', 'pass-nr', 'passnr',
  'personalausweis', 'personalausweisnummer', 'personalausweis-nr.', 'ausweisnummer', 'ausweis-nr.', 'german id card number', 'id card no.', 'identity card number',
  'Kind regards,\n', 'warmest regards\n', 'Yours truly\n', 'yours faithfully,\n', 'Sincerely\n', 'Respectfully!\n', 'Cheers\n', 'Many thanks\n', 'Thank you,\n', 'All the best\n',
  'Mit freundlichen Grüßen\n', 'viele grüße\n', 'Beste Grüße\n', 'Cordialement,\n', 'Bien à vous\n', 'Saludos\n', 'Atentamente\n',
  'dob', 'd.o.b.', 'date of birth', 'birth date', 'birthdate', 'birthday', 'born on', 'born in', 'geburtsdatum', 'geboren am', 'date de naissance', 'né le', 'née le', 'fecha de nacimiento',
];
const KEYWORD_GLUE = [' ', '', '\n', ': ', 'x', '_', '1', 'É', 'İ', '.', "'", ' 123456789', ' 2345 6789 0124', ': 12/03/1985', ' X1234567', ' T22000129', ' Jane Doe'];
const rand2 = prng(4);
const KEYWORD_TEXTS = Array.from({ length: 3000 }, () => {
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand2() * a.length)];
  let s = '';
  for (let i = 1 + Math.floor(rand2() * 6); i > 0; i--) {
    let k = pick(KEYWORDS);
    const r = rand2();
    if (r < 0.25) k = k.toUpperCase();
    else if (r < 0.4) k = k[0].toUpperCase() + k.slice(1);
    s += pick(KEYWORD_GLUE) + (rand2() < 0.3 ? pick(FRAGMENTS) : '') + pick(KEYWORD_GLUE) + k + pick(KEYWORD_GLUE);
  }
  return s;
});

/** The number patterns and their windows from the digit runs (digits.ts). */
const NUMBER_PATTERNS: Array<[RegExp, keyof NumberWindows]> = [
  [CARD, 'card'], [IBAN, 'iban'], [SSN, 'ssn'], [NINO, 'nino'], [NIR, 'nir'], [AADHAAR, 'aadhaar'], [PAN, 'pan'], [NANP, 'nanp'], [TRUNK, 'trunk'],
];

const spans = (collect: (push: (m: RegExpExecArray) => void) => void): string[] => {
  const out: string[] = [];
  collect((m) => out.push(`${m.index}:${m[0]}`));
  return out;
};

describe('redaction: windowed matching finds what a whole-text scan finds', () => {
  it('street addresses (EN, DE, DE2, FR: near their street-type words)', () => {
    let found = 0;
    for (const t of TEXTS) {
      for (const p of ADDRESS_PATTERNS) {
        const whole = spans((f) => eachMatch(p.re, t, f));
        // the gate (when the pattern has one) passes every text the pattern matches in; the narrowed
        // windows (EN: back from the street-type word to the house number) hold every match's start
        const windowed = spans((f) => eachMatchInWindows(p.re, t, addressWindows(p, t), f, p.canStart));
        expect(windowed, `${p.re.source.slice(0, 30)} in ${JSON.stringify(t)}`).toEqual(whole);
        found += whole.length;
      }
    }
    expect(found).toBeGreaterThan(500);
  });

  it('IP addresses (IPv4 from the dots, IPv6 from the colons)', () => {
    // The whole-text scan, as the detector ran before windowing.
    const reference = (text: string): Match[] => {
      const out: Match[] = [];
      eachMatch(IPV4, text, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS' }));
      eachMatch(IPV6, text, (m) => {
        let s = m[0];
        while (s.endsWith('.')) s = s.slice(0, -1);
        const pct = s.indexOf('%');
        const addr = pct >= 0 ? s.slice(0, pct) : s;
        if (addr.indexOf(':') < 0 || !isIPv6(addr)) return;
        if (addr.includes('::') && (!/\d/.test(addr) || (addr.split(':').filter((g) => g !== '').length < 2 && addr !== '::1'))) return;
        out.push({ start: m.index, end: m.index + s.length, type: 'IP_ADDRESS' });
      });
      return out;
    };
    let found = 0;
    for (const t of TEXTS) {
      const got: Match[] = [];
      findIps(t, got);
      expect(got, JSON.stringify(t)).toEqual(reference(t));
      found += got.length;
    }
    expect(found).toBeGreaterThan(300);
  });

  it('number patterns (cards, IBAN, SSN, NINO, NIR, Aadhaar, PAN, NANP and trunk phones: from the digit runs)', () => {
    const patterns = NUMBER_PATTERNS;
    // Numbers and near-misses in every spelling the patterns allow, and code units whose low byte is
    // an ASCII digit (U+0130, U+0439, U+0D37: digitRuns reads low bytes).
    const NUMBERS = [
      '4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', '4111 1111-1111 1111', '378282246310005', '1234 5678 9012', '1234 5678 901', '41111111111111111111',
      'DE89 3704 0044 0532 0130 00', 'de89370400440532013000', 'GB82WEST12345698765432', 'FR14 2004 1010 0505 0001 3M02 606', 'ab12 3456 7890', 'x1DE89 3704',
      '123-45-6789', '123 45 6789', '123-45 6789', '1234-56-7890', '123-456-7890', 'AB 12 34 56 C', 'AB123456C', 'QQ 123456 D', 'A 12 34 56 C', 'ABC123456A',
      '1 84 12 76 451 089 46', '184127645108946', '2 69 05 2A 123 456 78', '2690 52B12345678', '3 84 12 76 451 089 46', '2345 6789 0124', '2345-6789-0124', '1345 6789 0124', '2345 6789 01245',
      'ABCPE1234F', 'ABCDE1234F', 'ABCPE12345F', 'XABCPE1234F', '(212) 555-0199', '212-555-0199', '212.555.0199', '1-212-555-0199', '1 (212) 555-0199', '(212)555-0199', '112-555-0199', '212-155-0199',
      '020 7946 0958', '030 12345678', '01 23 45 67 89', '(0171) 1234567', '0171/1234567', '00 12 34', '0 12 34 56', '(030) 1234', '12:05.123', '2026-03-04T12:30:45.123Z', '10.0.0.1',
    ];
    const GLUE_N = [' ', '', '-', '.', '/', '+', '(', ')', 'x', 'A', 'Z', '_', '7', '12', '1 ', '0', '\n', '\u0130', '\u0439', '\u0d37', 'é', ': ', 'Card ', 'SSN '];
    const r = prng(31);
    let found = 0;
    for (let n = 0; n < 4000; n++) {
      const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
      let t = '';
      for (let k = 1 + Math.floor(r() * 6); k > 0; k--) {
        let f = pick(NUMBERS);
        if (r() < 0.3) {
          const cut = Math.floor(r() * f.length);
          f = f.slice(0, cut) + pick(GLUE_N) + f.slice(cut);
        }
        t += pick(GLUE_N) + f + (r() < 0.5 ? pick(GLUE_N) : '');
      }
      forgetText(); // (the detectors' memo of the last text's digit runs)
      for (const [re, windows] of patterns) {
        const whole = spans((f) => eachMatch(re, t, f));
        expect(spans((f) => eachMatchInWindows(re, t, numberWindows(t)[windows], f)), `${re.source.slice(0, 30)} in ${JSON.stringify(t)}`).toEqual(whole);
        found += whole.length;
      }
    }
    for (const t of TEXTS) {
      forgetText();
      for (const [re, windows] of patterns) expect(spans((f) => eachMatchInWindows(re, t, numberWindows(t)[windows], f)), JSON.stringify(t)).toEqual(spans((f) => eachMatch(re, t, f)));
    }
    expect(found).toBeGreaterThan(3000);
  });

  it('digit runs: the maximal runs of ASCII digits, also in texts with other code units', () => {
    const r = prng(5);
    const units = ['0', '9', '5', 'a', ' ', '/', ':', '\u0130', '\u0439', '\u0d37', '\u{1d7ce}', '\uff11', '\u0660', '\ud835', '\udfce', '\u3039'];
    for (let n = 0; n < 2000; n++) {
      let t = '';
      for (let k = Math.floor(r() * 400); k > 0; k--) t += units[Math.floor(r() * units.length)];
      const expected: number[] = [];
      for (const m of t.matchAll(/[0-9]+/g)) expected.push(m.index!, m.index! + m[0].length);
      forgetText();
      expect(digitRuns(t), JSON.stringify(t)).toEqual(expected);
    }
  });

  it('secrets next to key names (near the key-name hints) and credentials in URLs (near "://")', () => {
    let found = 0;
    for (const t of TEXTS) {
      const whole = spans((f) => eachMatch(KEY_VALUE, t, f));
      expect(spans((f) => eachMatchNearHints(KEY_VALUE, t, KEY_HINTS, 16, f)), JSON.stringify(t)).toEqual(whole);
      const urls = spans((f) => eachMatch(URL_CREDENTIALS, t, f));
      expect(spans((f) => eachMatchInWindows(URL_CREDENTIALS, t, anchorWindows(/:\/\//g, t, 16, 2), f)), JSON.stringify(t)).toEqual(urls);
      found += whole.length + urls.length;
    }
    expect(found).toBeGreaterThan(300);
  });

  it('phone numbers after a keyword (only before runs of 8+ digits)', () => {
    let found = 0;
    for (const t of TEXTS) {
      const whole: string[] = [];
      afterKeyword(PHONE_KEYWORD, PHONE_AFTER, t, (s, e) => whole.push(`${s}-${e}`));
      const windowed: string[] = [];
      if (mayHoldHints(t, PHONE_HINTS, PHONE_HINTS_BEFORE)) afterKeyword(PHONE_KEYWORD, PHONE_AFTER, t, (s, e) => windowed.push(`${s}-${e}`), phoneKeywordWindows(t));
      expect(windowed, JSON.stringify(t)).toEqual(whole);
      found += whole.length;
    }
    expect(found).toBeGreaterThan(100);
  });

  it('keyword patterns (names, SSN, Aadhaar, passport, German ID, date of birth: near their hints, found in one pass)', () => {
    const groups = [
      { keyword: INTRO, hints: INTRO_HINTS, before: INTRO_BEFORE },
      SSN_HINTS,
      AADHAAR_HINTS,
      PASSPORT_HINTS,
      DE_ID_HINTS,
      DOB_HINTS,
    ];
    let found = 0;
    for (const t of [...KEYWORD_TEXTS, ...TEXTS.slice(0, 300)]) {
      for (const g of groups) {
        const whole = spans((f) => eachMatch(g.keyword, t, f));
        expect(spans((f) => eachMatchNearHints(g.keyword, t, g.hints, g.before, f)), `${g.keyword.source.slice(0, 30)} in ${JSON.stringify(t)}`).toEqual(whole);
        found += whole.length;
      }
    }
    expect(found).toBeGreaterThan(3000);
  });

  it('provider keys (only in texts holding one of their prefixes, in any case)', () => {
    const TOKENS = [
      'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx12', 'sk-proj-AbCdEfGhIjKlMnOpQrStUv12', 'sk-AbCdEfGhIjKlMnOpQrStUv12', 'AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'xoxb-123456789012-abcdefghij', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
      'sk_live_abcdefghij0123', 'pk_test_ABCDEFGHIJ0123', 'AIzaSyA1234567890abcdefghijklmnopqrstu', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc',
    ];
    const r = prng(11);
    let found = 0;
    for (let n = 0; n < 2000; n++) {
      let t = '';
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) {
        let tok = TOKENS[Math.floor(r() * TOKENS.length)];
        const x = r();
        if (x < 0.2) tok = tok.toLowerCase();
        else if (x < 0.4) tok = tok.toUpperCase();
        else if (x < 0.5) tok = tok.slice(0, 2) + GLUE[Math.floor(r() * GLUE.length)] + tok.slice(2);
        t += GLUE[Math.floor(r() * GLUE.length)] + tok;
      }
      for (const p of PREFILTERED) {
        const whole = spans((f) => eachMatch(p.re, t, f));
        if (!mayHoldHints(t, p.hints, 0)) expect(whole, `${p.re.source.slice(0, 30)} in ${JSON.stringify(t)}`).toEqual([]);
        found += whole.length;
      }
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('letter closings (only in texts holding one of their hints)', () => {
    let found = 0;
    for (const t of [...KEYWORD_TEXTS, ...TEXTS]) {
      const whole = spans((f) => eachMatch(CLOSING, t, f));
      if (!mayHoldHints(t, CLOSING_HINTS, 0)) expect(whole, JSON.stringify(t)).toEqual([]);
      found += whole.length;
    }
    expect(found).toBeGreaterThan(100);
  });

  it('stays linear: a run of 100k digits, colons or dots is scanned in well under 200 ms', () => {
    for (const s of ['1'.repeat(100_000), '1 '.repeat(50_000), '1-'.repeat(50_000), '123-45-'.repeat(15_000), 'AB12'.repeat(25_000), '0 '.repeat(50_000), '(212) '.repeat(17_000), ':'.repeat(100_000), '1.'.repeat(50_000), 'a:'.repeat(50_000), ' Street'.repeat(14_000), 'ring 5'.repeat(16_000), '1 A'.repeat(30_000) + ' Street', '12 Ab Street '.repeat(8_000)]) {
      // best of three runs: a stall of the shared machine does not fail it, a blow-up slows every run
      let best = Infinity;
      for (let run = 0; run < 3 && best >= 200; run++) {
        const t0 = performance.now();
        forgetText();
        findIps(s, []);
        phoneKeywordWindows(s);
        for (const [re, windows] of NUMBER_PATTERNS) eachMatchInWindows(re, s, numberWindows(s)[windows], () => {});
        for (const p of ADDRESS_PATTERNS) eachMatchInWindows(p.re, s, addressWindows(p, s), () => {}, p.canStart);
        best = Math.min(best, performance.now() - t0);
      }
      expect(best, JSON.stringify(s.slice(0, 20))).toBeLessThan(200);
    }
  });
});

describe('redaction: texts scanned together give what each gives alone', () => {
  const configs = [{}, { operators: { EMAIL_ADDRESS: 'hash' as const, PHONE_NUMBER: 'mask' as const }, hash_key: 'a-hash-key-of-enough-bytes' }, { entities: ['PERSON' as const, 'PRIVATE_KEY' as const, 'IBAN' as const] }];
  it('on random groups of values (line breaks, closings, PEM blocks and combining marks at the edges)', () => {
    const r = prng(7);
    const keys = [undefined, 'api_key', 'password', 'name', 'notes'];
    let changed = 0;
    for (const c of configs) {
      const cfg = compileConfig(c);
      for (let g = 0; g < 200; g++) {
        const n = 2 + Math.floor(r() * 8);
        const texts = Array.from({ length: n }, () => (r() < 0.1 ? '' : r() < 0.1 ? 'Tom Brown' : r() < 0.1 ? 'Kind regards,' : r() < 0.1 ? '\u0301ab@x.io' : fuzz(r)));
        const hints = texts.map(() => keys[Math.floor(r() * keys.length)]);
        const alone = texts.map((t, i) => redactText(t, cfg, hints[i]));
        expect(redactTexts(texts, hints, cfg), JSON.stringify(texts)).toEqual(alone);
        changed += alone.filter((x) => x.changed).length;
      }
    }
    expect(changed).toBeGreaterThan(500);
  });
});
