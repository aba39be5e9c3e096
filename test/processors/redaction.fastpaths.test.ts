// Hand-written checks that replace regular expressions give the same answers on seeded random input.
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../processors/redaction/config.ts';
import { domainValid, LABEL, TLD } from '../../processors/redaction/detectors/contact.ts';
import { redactString, redactText } from '../../processors/redaction/scan.ts';
import { prng } from '../helpers/random.ts';

describe('redaction fast paths', () => {
  it('e-mail domains: domainValid agrees with the LABEL / TLD expressions', () => {
    const r = prng(77);
    const UNITS = ['a', 'Z', '0', '9', '-', '.', 'é', 'ß', '\u4e2d', '\ud83d', 'x', 'n', 'xn--', 'com', 'io', '-x', '.-', '..'];
    let valid = 0;
    for (let i = 0; i < 30000; i++) {
      let d = '';
      for (let n = 1 + Math.floor(r() * 8); n > 0; n--) d += UNITS[Math.floor(r() * UNITS.length)];
      if (r() < 0.2) d = 'x'.repeat(Math.floor(r() * 70)) + '.' + d;
      const labels = d.split('.');
      const want = labels.length >= 2 && TLD.test(labels[labels.length - 1]) && labels.every((l) => LABEL.test(l));
      const pad = 'ab@';
      expect(domainValid(pad + d + ' ', pad.length, pad.length + d.length), JSON.stringify(d)).toBe(want);
      if (want) valid++;
    }
    expect(valid).toBeGreaterThan(500);
  });

  it('JSON values re-encoded as JSON.stringify does (quoted as they are when nothing needs escaping)', () => {
    const cfg = compileConfig({ default_operator: 'mask' });
    const r = prng(5);
    const PIECES = ['mail jane@example.com', ' card 4111 1111 1111 1111', '"', '\\', '\n', '\t', '\x01', '\x1f', '\u007f', '\ud800', '\udc00', '\ud83d\ude00', '\u2028', 'é', '/', ' ', 'x'];
    let changed = 0;
    for (let i = 0; i < 3000; i++) {
      let v = '';
      for (let n = 1 + Math.floor(r() * 6); n > 0; n--) v += PIECES[Math.floor(r() * PIECES.length)];
      const got = redactString(JSON.stringify({ a: v, b: [v] }), cfg);
      const want = redactText(v, cfg);
      if (want.changed) changed++;
      expect(got.text, JSON.stringify(v)).toBe(want.changed ? JSON.stringify({ a: want.text, b: [want.text] }) : JSON.stringify({ a: v, b: [v] }));
    }
    expect(changed).toBeGreaterThan(500);
  });
});
