import { describe, expect, it } from 'vitest';
import { BackpressureError } from '../../core/component.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import factory from '../../processors/memory_limiter/factory.ts';
import { toSettings } from '../../processors/memory_limiter/config.ts';
import { MemoryLimiter } from '../../processors/memory_limiter/limiter.ts';
import { memoryUsageBytes } from '../../processors/memory_limiter/memory.ts';
import { sharedBuffer } from '../../core/signals/encoded.ts';
import { World, helper, makeConfig, spans, until } from '../core/pipeline.fixtures.ts';

const MIB = 1024 * 1024;

describe('memory_limiter', () => {
  it('computes limits like the collector (spike defaults to 20% of the limit)', () => {
    expect(toSettings({ limit_mib: 1000 }, () => 0)).toEqual({ checkIntervalMs: 1000, limitBytes: 1000 * MIB, softLimitBytes: 800 * MIB });
    expect(toSettings({ limit_mib: 1000, spike_limit_mib: 100, check_interval: '5s' }, () => 0).softLimitBytes).toBe(900 * MIB);
    expect(toSettings({ limit_percentage: 50, spike_limit_percentage: 10 }, () => 1000 * MIB)).toMatchObject({ limitBytes: 500 * MIB, softLimitBytes: 400 * MIB });
    expect(() => toSettings({}, () => 0)).toThrow(/set limit_mib .* or limit_percentage/);
    expect(() => toSettings({ limit_mib: 100, spike_limit_mib: 100 }, () => 0)).toThrow(/must be smaller than limit_mib/);
    expect(() => factory.normalize!({ limit_mib: 0 })).toThrow();
  });

  it('measures request bodies held in shared memory (which V8 leaves out of external)', () => {
    const before = memoryUsageBytes();
    const held = sharedBuffer(64 * MIB);
    expect(memoryUsageBytes() - before).toBeGreaterThanOrEqual(60 * MIB);
    expect(held.length).toBe(64 * MIB);
  });

  it('refuses above the soft limit and accepts again below it', async () => {
    let usage = 10 * MIB;
    const passed: unknown[] = [];
    const metrics = new MetricsRegistry();
    const l = new MemoryLimiter('memory_limiter', 'traces', { checkIntervalMs: 1000, limitBytes: 100 * MIB, softLimitBytes: 80 * MIB }, { consume: async (b) => void passed.push(b) }, silentLogger, metrics, () => usage);
    await l.start({} as never);
    await l.consume(spans(1));
    usage = 85 * MIB; // above soft, below hard
    l.check();
    await expect(l.consume(spans(3))).rejects.toBeInstanceOf(BackpressureError);
    usage = 120 * MIB; // above hard
    l.check();
    await expect(l.consume(spans(2))).rejects.toThrow(/above the soft limit 80 MiB/);
    expect(metrics.counter('otelcol_processor_refused_spans', '').get({ processor: 'memory_limiter' })).toBe(5);
    usage = 50 * MIB;
    l.check();
    await l.consume(spans(1));
    expect(passed).toHaveLength(2);
    await l.shutdown();
  });

  it('in a service, a tiny limit turns into backpressure at the receiver', async () => {
    const w = new World();
    w.registry.register(factory);
    const cfg = (limit: number) =>
      makeConfig({
        receivers: { test: {} },
        processors: { memory_limiter: { check_interval: '50ms', limit_mib: limit } },
        exporters: { test: helper() },
        pipelines: [{ id: 'traces', receivers: ['test'], processors: ['memory_limiter'], exporters: ['test'] }],
      });
    const svc = w.service(cfg(1));
    await svc.start();
    await expect(w.push('test', spans(2))).rejects.toBeInstanceOf(BackpressureError);
    await svc.shutdown();

    const ok = w.service(cfg(1024 * 1024));
    await ok.start();
    await w.push('test', spans(2));
    await until(() => w.exported.get('test')!.length === 1);
    await ok.shutdown();
  });
});
