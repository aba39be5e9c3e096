import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError, PermanentError, RetryableError } from '../../core/component.ts';
import type { Service } from '../../core/pipeline/service.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import batchFactory from '../../processors/batch/factory.ts';
import { World, gate, helper, makeConfig, spanIndexes, spans, until } from './pipeline.fixtures.ts';

const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.shutdown().catch(() => {})));
});

async function started(world: World, cfg: Parameters<typeof makeConfig>[0], opts: { shutdownTimeoutMs?: number } = {}): Promise<Service> {
  const svc = world.service(makeConfig(cfg), opts);
  running.push(svc);
  await svc.start();
  return svc;
}

const twoExporters = (a = helper(), b = helper()) => ({
  receivers: { test: {} },
  exporters: { 'test/a': a, 'test/b': b },
  pipelines: [{ id: 'traces', receivers: ['test'], exporters: ['test/a', 'test/b'] }],
});

describe('service graph', () => {
  it('fans a batch out to every exporter of the pipeline', async () => {
    const w = new World();
    await started(w, twoExporters());
    await w.push('test', spans(3));
    await until(() => w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/b' }) === 3 && w.exported.get('test/a')!.length === 1);
    expect(spanIndexes(w.exported.get('test/a')![0])).toEqual([0, 1, 2]);
    expect(w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/a' })).toBe(3);
    expect(w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/b' })).toBe(3);
  });

  it('a stalled exporter fills only its own queue, then the batch is refused for every exporter', async () => {
    const w = new World();
    const stall = gate();
    w.behaviors.set('test/slow', () => stall.promise);
    await started(w, {
      receivers: { test: {} },
      exporters: { 'test/slow': helper({ queue_size: 2, num_consumers: 1 }), 'test/fast': helper() },
      pipelines: [{ id: 'traces', receivers: ['test'], exporters: ['test/slow', 'test/fast'] }],
    });
    await w.push('test', spans(1, 0));
    await w.push('test', spans(1, 1)); // slow: 1 in flight + 1 waiting = full
    await until(() => w.exported.get('test/fast')!.length === 2);
    const refused = w.push('test', spans(5, 2));
    await expect(refused).rejects.toBeInstanceOf(BackpressureError);
    await expect(refused).rejects.toThrow(/sending queue of exporter "test\/slow" is full/);
    // The exporter with room did not get the refused batch: a client retry will not duplicate.
    await new Promise((r) => setTimeout(r, 30));
    expect(w.exported.get('test/fast')!.map(spanIndexes)).toEqual([[0], [1]]);
    expect(w.metrics.counter('otelcol_exporter_enqueue_failed_spans', '').get({ exporter: 'test/slow' })).toBe(5);
    expect(w.metrics.gauge('otelcol_exporter_queue_size', '').get({ exporter: 'test/slow' })).toBe(2);
    expect(w.metrics.gauge('otelcol_exporter_queue_capacity', '').get({ exporter: 'test/slow' })).toBe(2);
    stall.open();
    await until(() => w.exported.get('test/slow')!.length === 2);
    await w.push('test', spans(1, 7)); // room again
    await until(() => w.exported.get('test/slow')!.length === 3 && w.exported.get('test/fast')!.length === 3);
  });

  it('with sending_queue disabled the export runs in the caller and its error reaches the source', async () => {
    const w = new World();
    w.behaviors.set('test/a', async () => {
      throw new PermanentError('schema mismatch');
    });
    await started(w, twoExporters(helper({ enabled: false })));
    await expect(w.push('test', spans(2))).rejects.toBeInstanceOf(PermanentError);
    // All-or-nothing: the queued exporter did not keep a copy.
    await new Promise((r) => setTimeout(r, 30));
    expect(w.exported.get('test/b')).toEqual([]);
    expect(w.metrics.counter('otelcol_exporter_send_failed_spans', '').get({ exporter: 'test/a' })).toBe(2);
  });

  it('copies the batch for pipelines whose processors mutate data', async () => {
    const w = new World();
    await started(w, {
      receivers: { test: {} },
      processors: { mutator: {}, pass: {} },
      exporters: { 'test/m': helper(), 'test/r': helper(), 'test/r2': helper() },
      pipelines: [
        { id: 'traces/mutating', receivers: ['test'], processors: ['mutator'], exporters: ['test/m'] },
        { id: 'traces/readonly', receivers: ['test'], processors: ['pass'], exporters: ['test/r'] },
        { id: 'traces/readonly2', receivers: ['test'], exporters: ['test/r2'] },
      ],
    });
    const batch = spans(2);
    await w.push('test', batch);
    await until(() => ['test/m', 'test/r', 'test/r2'].every((id) => w.exported.get(id)!.length === 1));
    const attrs = (id: string) => (w.exported.get(id)![0] as TracesBatch).resourceSpans[0].scopeSpans[0].spans[0].attributes;
    expect(attrs('test/m').mutated).toBe('mutator');
    expect(attrs('test/r').mutated).toBeUndefined();
    expect(batch.resourceSpans[0].scopeSpans[0].spans[0].attributes.mutated).toBeUndefined();
    // Read-only pipelines share the original.
    expect(w.exported.get('test/r')![0]).toBe(batch);
  });

  it('starts in reverse topological order and shuts down in topological order', async () => {
    const w = new World();
    const svc = await started(w, {
      receivers: { test: {} },
      processors: { pass: {}, 'pass/2': {} },
      exporters: { test: helper() },
      extensions: { test: {} },
      enabledExtensions: ['test'],
      pipelines: [{ id: 'traces', receivers: ['test'], processors: ['pass', 'pass/2'], exporters: ['test'] }],
    });
    expect(svc.ready()).toBe(true);
    expect(w.events).toEqual(['start extension/test', 'start exporter/test', 'start processor/pass/2', 'start processor/pass', 'start receiver/test']);
    w.events.length = 0;
    await svc.shutdown();
    expect(svc.ready()).toBe(false);
    expect(w.events).toEqual(['shutdown receiver/test', 'shutdown processor/pass', 'shutdown processor/pass/2', 'shutdown exporter/test', 'shutdown extension/test']);
  });

  it('drains every queue before the exporters shut down', async () => {
    const w = new World();
    w.behaviors.set('test/a', () => new Promise((r) => setTimeout(r, 40)));
    const svc = await started(w, twoExporters(helper({ num_consumers: 1 })));
    for (let i = 0; i < 5; i++) await w.push('test', spans(1, i));
    expect(w.exported.get('test/a')!.length).toBeLessThan(5);
    w.behaviors.set('test/b', async () => void w.events.push('export b'));
    await svc.shutdown();
    expect(w.exported.get('test/a')!.length).toBe(5);
    expect(w.events.indexOf('shutdown exporter/test/a')).toBeGreaterThan(0);
    expect(w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/a' })).toBe(5);
  });

  it('at the shutdown timeout drops what is left, logs it with a count and counts it as send_failed', async () => {
    const w = new World();
    let aborted = 0;
    w.behaviors.set('test/a', (_s, _b, _n, opts) => new Promise((_r) => opts?.abortSignal?.addEventListener('abort', () => aborted++)));
    const svc = await started(w, twoExporters(helper({ num_consumers: 1 })), { shutdownTimeoutMs: 100 });
    await w.push('test', spans(2, 0));
    await w.push('test', spans(3, 2));
    const t0 = Date.now();
    await svc.shutdown();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(w.metrics.counter('otelcol_exporter_send_failed_spans', '').get({ exporter: 'test/a' })).toBe(5);
    expect(w.logLines.some((l) => /dropping 5 spans not yet exported/.test(l) && /exporter=test\/a/.test(l))).toBe(true);
    expect(aborted).toBe(1);
    expect(w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/b' })).toBe(5);
  });

  it('a failed start shuts down what started and names the component', async () => {
    const w = new World();
    w.failStart.add('exporter/test/b');
    const svc = w.service(
      makeConfig({ ...twoExporters(), extensions: { test: {} }, enabledExtensions: ['test'] }),
    );
    await expect(svc.start()).rejects.toThrow('failed to start exporter "test/b": boom at start');
    expect(w.events).toEqual(['start extension/test', 'start exporter/test/a', 'start exporter/test/b', 'shutdown exporter/test/a', 'shutdown extension/test']);
    expect(svc.ready()).toBe(false);
  });

  it('rejects a graph that references unknown components or unsupported signals', async () => {
    const w = new World();
    const bad = makeConfig({ receivers: { test: {} }, exporters: { test: {} }, pipelines: [{ id: 'traces', receivers: ['test'], processors: ['nope'], exporters: ['test'] }] });
    await expect(w.service(bad).start()).rejects.toThrow('pipeline "traces": processor "nope" is not configured');
    const sig = makeConfig({ receivers: { test: {} }, processors: { mutator: {} }, exporters: { test: {} }, pipelines: [{ id: 'logs', receivers: ['test'], processors: ['mutator'], exporters: ['test'] }] });
    await expect(w.service(sig).start()).rejects.toThrow('does not support logs');
  });
});

describe('retry', () => {
  it('retries retryable failures with exponential backoff', async () => {
    const w = new World();
    w.behaviors.set('test/a', async (_s, _b, attempt) => {
      if (attempt <= 2) throw new RetryableError(`unavailable #${attempt}`);
    });
    await started(w, twoExporters(helper({ initial: 50, multiplier: 2 })));
    await w.push('test', spans(1));
    await until(() => w.exported.get('test/a')!.length === 1);
    const t = w.attempts.get('test/a')!;
    expect(t.length).toBe(3);
    expect(t[1] - t[0]).toBeGreaterThanOrEqual(45); // 50 ms
    expect(t[2] - t[1]).toBeGreaterThanOrEqual(95); // 100 ms
    expect(t[2] - t[1]).toBeLessThan(400);
    expect(w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/a' })).toBe(1);
    expect(w.metrics.counter('otelcol_exporter_send_failed_spans', '').get({ exporter: 'test/a' })).toBe(0);
  });

  it("waits at least the error's retryAfterMs", async () => {
    const w = new World();
    w.behaviors.set('test/a', async (_s, _b, attempt) => {
      if (attempt === 1) throw new RetryableError('slow down', { retryAfterMs: 150 });
    });
    await started(w, twoExporters(helper({ initial: 5 })));
    await w.push('test', spans(1));
    await until(() => w.exported.get('test/a')!.length === 1);
    const t = w.attempts.get('test/a')!;
    expect(t[1] - t[0]).toBeGreaterThanOrEqual(145);
  });

  it('never retries a PermanentError and counts it as send_failed', async () => {
    const w = new World();
    w.behaviors.set('test/a', async () => {
      throw new PermanentError('bad data');
    });
    await started(w, twoExporters());
    await w.push('test', spans(4));
    await until(() => w.metrics.counter('otelcol_exporter_send_failed_spans', '').get({ exporter: 'test/a' }) === 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(w.attempts.get('test/a')!.length).toBe(1);
    expect(w.logLines.some((l) => /dropping 4 spans: permanent error: bad data/.test(l))).toBe(true);
  });

  it('gives up after max_elapsed_time and counts send_failed', async () => {
    const w = new World();
    w.behaviors.set('test/a', async () => {
      throw new Error('connection refused');
    });
    await started(w, twoExporters(helper({ initial: 20, multiplier: 1.5, max_elapsed: 150 })));
    const t0 = Date.now();
    await w.push('test', spans(3));
    await until(() => w.metrics.counter('otelcol_exporter_send_failed_spans', '').get({ exporter: 'test/a' }) === 3);
    expect(Date.now() - t0).toBeLessThan(400);
    const n = w.attempts.get('test/a')!.length;
    expect(n).toBeGreaterThanOrEqual(3); // 0, 20, 50, 95 ms (next 162 > 150)
    expect(n).toBeLessThanOrEqual(5);
    expect(w.logLines.some((l) => /dropping 3 spans: no more retries left/.test(l))).toBe(true);
  });

  it('bounds each attempt by timeout and aborts it', async () => {
    const w = new World();
    const aborted: unknown[] = [];
    w.behaviors.set('test/a', (_s, _b, attempt, opts) =>
      attempt === 1 ? new Promise((_r) => opts!.abortSignal!.addEventListener('abort', () => aborted.push(opts!.abortSignal!.reason))) : Promise.resolve(),
    );
    await started(w, twoExporters(helper({ timeout: 50, initial: 10 })));
    await w.push('test', spans(1));
    await until(() => w.exported.get('test/a')!.length === 1);
    expect(aborted).toHaveLength(1);
    expect(String(aborted[0])).toMatch(/timed out after 50 ms/);
  });

  it('shutdown cuts a retry wait short and makes one final attempt', async () => {
    const w = new World();
    w.behaviors.set('test/a', async (_s, _b, attempt) => {
      if (attempt === 1) throw new RetryableError('not yet');
    });
    const svc = await started(w, twoExporters(helper({ initial: 60_000, max_elapsed: 0 }))); // max_elapsed 0: retry forever
    await w.push('test', spans(2));
    await until(() => w.attempts.get('test/a')?.length === 1);
    const t0 = Date.now();
    await svc.shutdown();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(w.attempts.get('test/a')!.length).toBe(2);
    expect(w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/a' })).toBe(2);
  });
});

describe('synchronous exporters at shutdown', () => {
  it('a flush into a failing synchronous exporter does not wait out the backoff', async () => {
    const w = new World();
    w.registry.register(batchFactory);
    w.behaviors.set('test', async () => {
      throw new RetryableError('store down');
    });
    const svc = await started(w, {
      receivers: { test: {} },
      processors: { batch: { timeout: '1h' } },
      exporters: { test: helper({ enabled: false, initial: 60_000, max_elapsed: 0 }) },
      pipelines: [{ id: 'traces', receivers: ['test'], processors: ['batch'], exporters: ['test'] }],
    });
    const pushed = w.push('test', spans(2));
    const t0 = Date.now();
    await svc.shutdown();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(pushed).rejects.toThrow('store down');
  });
});

describe('self-metrics endpoint', () => {
  it('serves /metrics with exporter counters and process metrics', async () => {
    const w = new World();
    const svc = await started(w, { ...twoExporters(), metricsAddress: '127.0.0.1:0' });
    await w.push('test', spans(3));
    await until(() => w.metrics.counter('otelcol_exporter_sent_spans', '').get({ exporter: 'test/b' }) === 3);
    await new Promise((r) => setTimeout(r, 30));
    const a = svc.metricsAddress()!;
    const res = await fetch(`http://127.0.0.1:${a.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('otelcol_exporter_sent_spans{exporter="test/a"} 3');
    expect(text).toContain('otelcol_exporter_queue_capacity{exporter="test/b"} 100');
    expect(text).toMatch(/otelcol_process_memory_rss \d+/);
    expect(text).toMatch(/otelcol_process_runtime_heap_alloc_bytes \d+/);
    expect(text).toMatch(/otelcol_process_uptime [\d.]+/);
    expect(text).toMatch(/agentcol_process_event_loop_delay_seconds\{quantile="0.99"\} [\d.e-]+/);
    expect((await fetch(`http://127.0.0.1:${a.port}/other`)).status).toBe(404);
    await svc.shutdown();
    expect(svc.metricsAddress()).toBeNull();
  });
});
