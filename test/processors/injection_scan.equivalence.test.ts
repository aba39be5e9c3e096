// The scanner's results stay exactly what they were before the speed work (commit 9bde885):
// same score, detectors, weights, excerpt and view on the labelled set in every role, the guards
// bench's payloads and 700 seeded random texts full of obfuscations (test/fixtures/injection/
// equivalence.ts). A deliberate change of results regenerates the file and says why.
import { describe, expect, it } from 'vitest';
import { scanText } from '../../processors/injection_scan/scan.ts';
import { digestOf, equivalenceCases, loadExpected } from '../fixtures/injection/equivalence.ts';

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
});
