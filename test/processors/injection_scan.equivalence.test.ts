// The scanner's results stay exactly what they were before the speed work (commit 9bde885):
// same score, detectors, weights, excerpt and view on the labelled set in every role, the guards
// bench's payloads and 700 seeded random texts full of obfuscations (test/fixtures/injection/
// equivalence.ts). A deliberate change of results regenerates the file and says why.
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../processors/injection_scan/detectors.ts';
import { normalize } from '../../processors/injection_scan/normalize.ts';
import { KEYWORD_TEST, keywordTestUnfiltered, scanText } from '../../processors/injection_scan/scan.ts';
import { buildTriggers } from '../../processors/injection_scan/triggers.ts';
import { digestOf, equivalenceCases, loadExpected } from '../fixtures/injection/equivalence.ts';
import { prng } from '../helpers/random.ts';

describe('injection_scan equivalence', () => {
  it('gives the recorded result on every text of the equivalence corpus', () => {
    const cases = equivalenceCases();
    const expected = loadExpected();
    expect(expected.length).toBe(cases.length);
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const e = expected[i];
      expect(e.id).toBe(c.id);
      const res = scanText(c.text, c.role);
      const got = { score: res.score, detectors: res.detectors, digest: digestOf(res) };
      if (got.score !== e.score || got.detectors.join() !== e.detectors.join() || got.digest !== e.digest)
        wrong.push(`${c.id}: expected ${e.score} [${e.detectors}] ${e.digest}, got ${got.score} [${got.detectors}] ${got.digest}; result ${JSON.stringify(res)}; text ${JSON.stringify(c.text.slice(0, 200))}`);
    });
    expect(wrong.slice(0, 5), `${wrong.length} of ${cases.length} differ`).toEqual([]);
    // the corpus exercises what it is meant to: attacks found in derived views, and benign texts
    expect(expected.filter((e) => e.detectors.includes('obfuscation')).length).toBeGreaterThan(50);
    expect(expected.filter((e) => e.score === 0).length).toBeGreaterThan(200);
  }, 120_000);

  it('the stem finder (automaton) finds what the prefilter expression finds from every position', () => {
    const t = buildTriggers(DETECTORS);
    const byExpression = (text: string) => {
      const out: number[] = [];
      t.re.lastIndex = 0;
      for (let m = t.re.exec(text); m; m = t.re.exec(text)) {
        t.re.lastIndex = m.index + 1;
        out.push(m.index, t.finder.stems.indexOf(m[0]));
      }
      return out;
    };
    const texts = equivalenceCases().flatMap((c) => normalize(c.text).views.map((v) => v.text));
    // stems glued to word characters, symbols, other scripts and each other
    const r = prng(4);
    const stems = t.finder.stems;
    const glue = ['', ' ', '_', 'A', 'a', '9', 'é', '\n', '"', '<', '|', '-', '.', '日'];
    for (let i = 0; i < 3000; i++) {
      let s = '';
      for (let k = 0; k < 1 + r() * 12; k++) {
        const stem = stems[Math.floor(r() * stems.length)];
        s += glue[Math.floor(r() * glue.length)] + (r() < 0.3 ? stem.slice(0, 1 + Math.floor(r() * stem.length)) : stem);
      }
      texts.push(s);
    }
    let differ = 0;
    for (const text of texts) if (t.finder.find(text).join() !== byExpression(text).join()) differ++;
    expect(differ, `${differ} of ${texts.length} texts`).toBe(0);
    expect(texts.length).toBeGreaterThan(8000);
  }, 120_000);

  it('the keyword test\'s prefix tests are on and reject only words that are no keyword', () => {
    expect(KEYWORD_TEST.begins, 'a one-character word lead turns the prefix tests off').toBeDefined();
    const words = new Set<string>();
    for (const c of equivalenceCases()) for (const w of c.text.toLowerCase().split(/[^a-z0-9@$|!]+/)) if (w) words.add(w);
    for (const stem of buildTriggers(DETECTORS).keywordStems) for (let n = 1; n <= stem.length + 1; n++) words.add((stem + 'x').slice(0, n));
    let differ = 0;
    let keywords = 0;
    for (const w of words) {
      const want = keywordTestUnfiltered(w);
      if (want) keywords++;
      if (KEYWORD_TEST(w) !== want) differ++;
      const b = KEYWORD_TEST.begins!;
      if (want && w.length >= 2 && /^[a-z]/.test(w) && !b(w.charCodeAt(0), w.charCodeAt(1))) differ++;
    }
    expect(differ).toBe(0);
    expect(keywords).toBeGreaterThan(500);
  });
});
