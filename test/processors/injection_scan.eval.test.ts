// The labelled evaluation set (test/fixtures/injection: dev + held-out, plain and obfuscated
// attacks, hard benign texts) scored at the configured default threshold. The targets of the issue
// hold on the whole set: recall at least 0.95, false-positive rate at most 0.02. The held-out split
// is reported (bench/injection.bench.ts) but not tuned on; see test/fixtures/injection/README.md.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../processors/injection_scan/config.ts';
import { evaluate, loadSet } from '../fixtures/injection/evaluate.ts';

describe('injection_scan evaluation set', () => {
  it('has at least 400 labelled items in both splits, covering every attack family, obfuscation and hard benign kind', () => {
    const items = [...loadSet('dev'), ...loadSet('heldout')];
    expect(items.length).toBeGreaterThanOrEqual(400);
    const cats = new Set(items.map((i) => `${i.label}/${i.category}`));
    for (const c of ['override', 'jailbreak', 'extraction', 'delimiter', 'exfiltration', 'tool_hijack', 'non_english']) expect(cats, c).toContain(`attack/${c}`);
    for (const o of ['base64', 'hex', 'leet', 'zero_width', 'bidi', 'tags', 'homoglyph', 'fullwidth', 'spacing', 'punctuation']) expect(cats, o).toContain(`attack/obfuscated_${o}`);
    for (const b of ['security_question', 'quoted_attack', 'code', 'support', 'policy_doc', 'log']) expect(cats, b).toContain(`benign/${b}`);
    for (const w of ['user', 'tool', 'document']) expect(items.some((i) => i.where === w)).toBe(true);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });

  it(`recall >= 0.95 and false-positive rate <= 0.02 on the whole set at the default threshold (${DEFAULTS.threshold})`, () => {
    const r = evaluate(DEFAULTS.threshold);
    const misses = r.errors.map((e) => `${e.label} ${e.category} ${e.score}: ${e.text.slice(0, 60)}`).join('\n');
    expect(r.overall.recall, misses).toBeGreaterThanOrEqual(0.95);
    expect(r.overall.fpr, misses).toBeLessThanOrEqual(0.02);
  });
});
