import { describe, expect, it } from 'vitest';
import { BackpressureError, PermanentError, RetryableError, type Exporter } from '../../core/component.ts';
import { ExponentialBackoff } from '../../core/queue/backoff.ts';
import { resolveExporterHelper, type RetryPolicy } from '../../core/queue/config.ts';
import { exportWithRetry } from '../../core/queue/retry.ts';
import { SendingQueue } from '../../core/queue/sending-queue.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { gate, spans, until } from './pipeline.fixtures.ts';

const collectorDefaults: RetryPolicy = resolveExporterHelper({}).retry;

describe('exponential backoff (collector exporterhelper semantics)', () => {
  it('uses the collector defaults: 5s, x1.5, capped at 30s, randomized ±50%', () => {
    expect(collectorDefaults).toEqual({ enabled: true, initialIntervalMs: 5000, randomizationFactor: 0.5, multiplier: 1.5, maxIntervalMs: 30_000, maxElapsedMs: 300_000 });
    const mid = new ExponentialBackoff(collectorDefaults, () => 0.5); // the midpoint: no jitter
    expect([0, 0, 0, 0, 0, 0, 0].map(() => mid.next(0))).toEqual([5000, 7500, 11250, 16875, 25312.5, 30000, 30000]);
    const low = new ExponentialBackoff(collectorDefaults, () => 0);
    const high = new ExponentialBackoff(collectorDefaults, () => 1);
    expect(low.next(0)).toBe(2500);
    expect(high.next(0)).toBe(7500);
  });

  it('stops when elapsed + next delay would exceed max_elapsed_time; 0 never stops', () => {
    const b = new ExponentialBackoff(collectorDefaults, () => 0.5);
    expect(b.next(294_000)).toBe(5000);
    expect(b.next(294_000)).toBeNull(); // 294 s + 7.5 s > 300 s
    const forever = new ExponentialBackoff({ ...collectorDefaults, maxElapsedMs: 0 }, () => 0.5);
    expect(forever.next(10 ** 9)).toBe(5000);
  });
});

describe('exportWithRetry', () => {
  const fast: RetryPolicy = { enabled: true, initialIntervalMs: 5, randomizationFactor: 0, multiplier: 1, maxIntervalMs: 5, maxElapsedMs: 1000 };

  it('returns after a success following retryable failures', async () => {
    let n = 0;
    await exportWithRetry(async () => {
      if (++n < 3) throw new Error('flaky');
    }, undefined, { policy: fast, timeoutMs: 0 });
    expect(n).toBe(3);
  });

  it('does not retry when retry_on_failure is disabled', async () => {
    let n = 0;
    await expect(
      exportWithRetry(async () => {
        n++;
        throw new RetryableError('down');
      }, undefined, { policy: { ...fast, enabled: false }, timeoutMs: 0 }),
    ).rejects.toThrow(/retry_on_failure disabled/);
    expect(n).toBe(1);
  });

  it('treats errors marked retryable=false as permanent', async () => {
    const err = Object.assign(new Error('nope'), { retryable: false });
    await expect(exportWithRetry(() => Promise.reject(err), undefined, { policy: fast, timeoutMs: 0 })).rejects.toMatchObject({ permanent: true, attempts: 1 });
    await expect(exportWithRetry(async () => Promise.reject(new PermanentError('p')), undefined, { policy: fast, timeoutMs: 0 })).rejects.toThrow('permanent error: p');
  });
});

describe('SendingQueue', () => {
  function queue(exporter: Partial<Exporter>, settings: Parameters<typeof resolveExporterHelper>[0] = {}) {
    const metrics = new MetricsRegistry();
    const q = new SendingQueue({
      id: 'x',
      exporter: { start: async () => {}, shutdown: async () => {}, export: async () => {}, ...exporter },
      settings: resolveExporterHelper(settings),
      logger: silentLogger,
      metrics,
    });
    return { q, metrics };
  }

  it('accepts at once, refuses with BackpressureError when full, runs num_consumers at a time', async () => {
    const g = gate();
    let active = 0;
    let maxActive = 0;
    const { q, metrics } = queue(
      {
        export: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await g.promise;
          active--;
        },
      },
      { sending_queue: { enabled: true, queue_size: 4, num_consumers: 2 } },
    );
    q.start();
    for (let i = 0; i < 4; i++) await q.enqueue('traces', spans(1));
    await expect(q.enqueue('traces', spans(3))).rejects.toBeInstanceOf(BackpressureError);
    expect(metrics.counter('otelcol_exporter_enqueue_failed_spans', '').get({ exporter: 'x' })).toBe(3);
    expect(metrics.gauge('otelcol_exporter_queue_size', '').get({ exporter: 'x' })).toBe(4);
    await until(() => active === 2);
    g.open();
    await until(() => q.size === 0);
    expect(maxActive).toBe(2);
    expect(metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'x' })).toBe(4);
  });

  it('holds batches committed before start and exports them once started', async () => {
    const got: number[] = [];
    const { q } = queue({ export: async () => void got.push(1) });
    await q.enqueue('logs', { resourceLogs: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([]);
    q.start();
    await until(() => got.length === 1);
  });

  it('a released reservation gives its slot back', () => {
    const { q } = queue({}, { sending_queue: { enabled: true, queue_size: 1, num_consumers: 1 } });
    const r = q.reserve()!;
    expect(q.reserve()).toBeNull();
    r.release();
    expect(q.reserve()).not.toBeNull();
  });

  it('refuses after drain with a shutting-down message', async () => {
    const { q } = queue({});
    q.start();
    expect(await q.drain(100)).toBe(0);
    await expect(q.enqueue('traces', spans(1))).rejects.toThrow(/shutting down/);
  });
});
