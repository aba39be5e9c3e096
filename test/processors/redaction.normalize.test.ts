// normalizeText's fast checks (a native count for ASCII text, then NFKC on each non-ASCII run with
// the ASCII character before it) decide exactly as the whole-text check they replace: the text is
// left as it is (no mapping) iff it is plain ASCII, or NFKC leaves it unchanged and it holds no
// zero-width or bidi control.
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../processors/redaction/normalize.ts';
import { prng } from '../helpers/random.ts';

const IGNORABLE = /[\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;
const untouched = (s: string) => !/[^\t\n\r\x20-\x7e]/.test(s) || (!IGNORABLE.test(s) && s.normalize('NFKC') === s);

// ASCII, Latin-1 and accented letters, combining marks (after ASCII and after non-ASCII), compatibility
// characters (ﬁ, fullwidth, superscripts, ligatures), conjoining Hangul jamo, astral letters, lone
// surrogates, control characters, zero-width and bidi controls.
const PIECES = [
  'a', 'e', 'Z', '1', ' ', '\n', '\t', '\x00', '\x1b', '\x7f', '.', '@', 'é', 'É', 'ü', 'ß', 'ø', '’', '“', '—', '\u0301', '\u0308', '\u0327', '\u0323\u0302',
  'ﬁ', '１', '²', 'Ⅻ', '㎏', 'ｶ', '\u1100', '\u1161', '\u11a8', '한', '\u{1D400}', '\u{10400}', '\ud800', '\udc00', '\u200b', '\u202e', '\ufeff', '\u2066',
  'ſ', 'İ', 'Å', 'A\u030a', '\u0958', 'क\u093c', '\u0344', '\u0f73', '\u212b', '\u2126', '𝔘',
];

describe('redaction normalisation: fast checks', () => {
  it('leave a text as it is exactly when the whole-text check would', () => {
    const r = prng(1123);
    let touched = 0;
    let nonAscii = 0;
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = 1 + Math.floor(r() * 12);
      for (let j = 0; j < n; j++) s += r() < 0.6 ? 'abc def '.slice(0, 1 + Math.floor(r() * 8)) : PIECES[Math.floor(r() * PIECES.length)];
      const got = normalizeText(s);
      expect(got.origStart === null, JSON.stringify(s)).toBe(untouched(s));
      if (got.origStart === null) expect(got.text).toBe(s);
      else touched++;
      if (/[^\x00-\x7f]/.test(s)) nonAscii++;
    }
    expect(touched).toBeGreaterThan(2000);
    expect(nonAscii - touched).toBeGreaterThan(1000); // non-ASCII texts left as they are
  });
});
