// Label sets: a frozen set (whose series key the registry caches) must land in the same series as
// an equal unfrozen one, in any key order, with values escaped.
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';

describe('metric label sets', () => {
  it('frozen and unfrozen label sets with the same labels are one series', () => {
    const m = new MetricsRegistry();
    const c = m.counter('t_total', 'test');
    const frozen = Object.freeze({ b: 'x"y', a: 'line\nbreak' });
    c.add(1, frozen);
    c.add(2, frozen);
    c.add(4, { a: 'line\nbreak', b: 'x"y' });
    expect(c.get({ b: 'x"y', a: 'line\nbreak' })).toBe(7);
    expect(c.get(frozen)).toBe(7);
    expect(m.render()).toContain('t_total{a="line\\nbreak",b="x\\"y"} 7');
    const h = m.histogram('t_seconds', 'test', [1]);
    const hl = Object.freeze({ p: 'q' });
    h.observe(0.5, hl);
    h.observe(2, { p: 'q' });
    expect(m.render()).toContain('t_seconds_count{p="q"} 2');
  });
});
