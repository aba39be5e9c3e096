// Hand-written checks that replace regular expressions give the same answers on seeded random input.
import { describe, expect, it } from 'vitest';
import { domainValid, LABEL, TLD } from '../../processors/redaction/detectors/contact.ts';
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
});
