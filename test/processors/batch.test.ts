import { describe, expect, it } from 'vitest';
import { BackpressureError, type Batch, type Consumer } from '../../core/component.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { countItems } from '../../core/signals/count.ts';
import type { MetricsBatch, TracesBatch } from '../../core/signals/types.ts';
import factory from '../../processors/batch/factory.ts';
import { splitBatch } from '../../processors/batch/split.ts';
import { World, helper, makeConfig, spanIndexes, spans } from '../core/pipeline.fixtures.ts';

function recorder(behavior?: (b: Batch) => Promise<void>) {
  const got: Batch[] = [];
  const next: Consumer<'traces'> = {
    async consume(b) {
      if (behavior) await behavior(b);
      got.push(b);
    },
  };
  return { got, next };
}

function batchProcessor(config: Record<string, unknown>, next: Consumer<'traces'>, metrics = new MetricsRegistry()) {
  const cfg = factory.normalize!({ send_batch_size: 8192, send_batch_max_size: 0, timeout: '200ms', ...config });
  return factory.create({ id: 'batch', config: cfg, logger: silentLogger, metrics }, 'traces', next);
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 5));
  return done;
};

describe('batch processor', () => {
  it('has the collector defaults', () => {
    expect(factory.configSchema.properties!.send_batch_size.default).toBe(8192);
    expect(factory.configSchema.properties!.send_batch_max_size.default).toBe(0);
    expect(factory.configSchema.properties!.timeout.default).toBe('200ms');
  });

  it('sends when send_batch_size is reached; consume resolves only once its items went downstream', async () => {
    const { got, next } = recorder();
    const p = batchProcessor({ send_batch_size: 10, timeout: '10s' }, next);
    const calls = [0, 3, 6].map((start) => p.consume(spans(3, start)));
    expect(await settled(calls[0])).toBe(false);
    expect(got).toHaveLength(0);
    calls.push(p.consume(spans(3, 9)));
    await Promise.all(calls);
    expect(got.map(spanIndexes)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]);
    await p.shutdown();
  });

  it('sends on the timeout', async () => {
    const { got, next } = recorder();
    const p = batchProcessor({ send_batch_size: 100, timeout: '40ms' }, next);
    const t0 = Date.now();
    await Promise.all([p.consume(spans(2, 0)), p.consume(spans(1, 2))]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(got.map(spanIndexes)).toEqual([[0, 1, 2]]);
  });

  it('timeout 0 sends every incoming batch at once', async () => {
    const { got, next } = recorder();
    const p = batchProcessor({ send_batch_size: 100, timeout: 0 }, next);
    await p.consume(spans(2));
    expect(got).toHaveLength(1);
  });

  it('splits to send_batch_max_size', async () => {
    const { got, next } = recorder();
    const metrics = new MetricsRegistry();
    const p = batchProcessor({ send_batch_size: 5, send_batch_max_size: 5, timeout: '30ms' }, next, metrics);
    await p.consume(spans(12));
    expect(got.map((b) => countItems('traces', b))).toEqual([5, 5, 2]);
    expect(got.flatMap(spanIndexes)).toEqual([...Array(12).keys()]);
    expect(metrics.counter('otelcol_processor_batch_batch_size_trigger_send', '').get({ processor: 'batch' })).toBe(2);
    expect(metrics.counter('otelcol_processor_batch_timeout_trigger_send', '').get({ processor: 'batch' })).toBe(1);
  });

  it('flushes what it holds on shutdown', async () => {
    const { got, next } = recorder();
    const p = batchProcessor({ send_batch_size: 100, timeout: '1h' }, next);
    const c = p.consume(spans(4));
    await p.shutdown();
    await c;
    expect(got.map(spanIndexes)).toEqual([[0, 1, 2, 3]]);
  });

  it('rejects every contributing consume with the downstream error', async () => {
    const { next } = recorder(async () => {
      throw new BackpressureError('queue full');
    });
    const p = batchProcessor({ send_batch_size: 4, send_batch_max_size: 4, timeout: '1h' }, next);
    const a = p.consume(spans(2));
    const b = p.consume(spans(3)); // spread over two sent batches
    await expect(a).rejects.toBeInstanceOf(BackpressureError);
    await expect(b).rejects.toThrow('queue full');
    await p.shutdown();
  });

  it('rejects metadata_keys and an inconsistent max size with clear messages', () => {
    expect(() => factory.normalize!({ metadata_keys: ['tenant'] })).toThrow(/metadata_keys is not supported/);
    expect(() => factory.normalize!({ metadata_keys: [] })).not.toThrow();
    expect(() => factory.normalize!({ send_batch_size: 100, send_batch_max_size: 10 })).toThrow(/send_batch_max_size \(10\) must be greater than or equal to send_batch_size \(100\)/);
  });

  it('in a service, a full exporter queue reaches the sender through the batch processor', async () => {
    const w = new World();
    w.behaviors.set('test', () => new Promise(() => {})); // stalled
    const svc = w.service(
      makeConfig({
        receivers: { test: {} },
        processors: { batch: { send_batch_size: 2, timeout: '1h' } },
        exporters: { test: helper({ queue_size: 1, num_consumers: 1 }) },
        pipelines: [{ id: 'traces', receivers: ['test'], processors: ['batch'], exporters: ['test'] }],
      }),
      { shutdownTimeoutMs: 50 },
    );
    w.registry.register(factory);
    await svc.start();
    await w.push('test', spans(2)); // fills the queue of one
    await expect(w.push('test', spans(2))).rejects.toBeInstanceOf(BackpressureError);
    await svc.shutdown();
  });
});

describe('splitBatch', () => {
  it('cuts across resources and scopes without touching the input', () => {
    const a = spans(3, 0, 'a');
    const b = spans(4, 3, 'b');
    b.resourceSpans[0].scopeSpans.push({ ...b.resourceSpans[0].scopeSpans[0], spans: spans(2, 7).resourceSpans[0].scopeSpans[0].spans });
    const batch: TracesBatch = { resourceSpans: [...a.resourceSpans, ...b.resourceSpans] };
    const before = structuredClone(batch);
    const [head, tail] = splitBatch('traces', batch, 5);
    expect(spanIndexes(head)).toEqual([0, 1, 2, 3, 4]);
    expect(spanIndexes(tail)).toEqual([5, 6, 7, 8]);
    expect((tail as TracesBatch).resourceSpans[0].resource.attributes['service.name']).toBe('b');
    expect(batch).toEqual(before);
  });

  it('cuts metrics between data points', () => {
    const point = (v: number) => ({ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 1n, value: v, exemplars: [], flags: 0 });
    const scope = { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 };
    const m: MetricsBatch = {
      resourceMetrics: [{
        resource: { attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '',
        scopeMetrics: [{ scope, schemaUrl: '', metrics: [
          { name: 'a', description: '', unit: '', metadata: {}, data: { type: 'gauge', dataPoints: [point(1), point(2), point(3)] } },
          { name: 'b', description: '', unit: '', metadata: {}, data: { type: 'gauge', dataPoints: [point(4)] } },
        ] }],
      }],
    };
    const [h, t] = splitBatch('metrics', m, 2);
    expect(countItems('metrics', h)).toBe(2);
    expect(countItems('metrics', t)).toBe(2);
    const names = (b: Batch) => (b as MetricsBatch).resourceMetrics[0].scopeMetrics[0].metrics.map((x) => x.name);
    expect(names(h)).toEqual(['a']);
    expect(names(t)).toEqual(['a', 'b']);
    expect(countItems('metrics', m)).toBe(4);
  });
});

