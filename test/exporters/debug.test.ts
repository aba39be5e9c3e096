import { afterEach, describe, expect, it, vi } from 'vitest';
import factory from '../../exporters/debug/factory.ts';
import { DebugExporter } from '../../exporters/debug/exporter.ts';
import type { LogsBatch, MetricsBatch } from '../../core/signals/types.ts';
import { World, makeConfig, spans, until } from '../core/pipeline.fixtures.ts';

function capture(verbosity: 'basic' | 'normal' | 'detailed', sampling = { sampling_initial: 100, sampling_thereafter: 1 }, now?: () => number) {
  const out: string[] = [];
  const e = new DebugExporter('debug', { verbosity, ...sampling }, (t) => void out.push(t), now);
  return { e, out };
}

const logs: LogsBatch = {
  resourceLogs: [{
    resource: { attributes: { 'service.name': 'svc' }, droppedAttributesCount: 0 }, schemaUrl: '',
    scopeLogs: [{ scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', logRecords: [
      { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 9, severityText: 'INFO', body: 'hello', attributes: { k: 'v' }, droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '' },
    ] }],
  }],
};

const metrics: MetricsBatch = {
  resourceMetrics: [{
    resource: { attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '',
    scopeMetrics: [{ scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', metrics: [
      { name: 'tokens', description: '', unit: '1', metadata: {}, data: { type: 'sum', aggregationTemporality: 2, isMonotonic: true, dataPoints: [
        { attributes: { model: 'gpt' }, startTimeUnixNano: 0n, timeUnixNano: 1n, value: 42, exemplars: [], flags: 0 },
      ] } },
    ] }],
  }],
};

afterEach(() => vi.restoreAllMocks());

describe('debug exporter', () => {
  it('basic: one line per batch with counts', async () => {
    const { e, out } = capture('basic');
    await e.export('traces', spans(3));
    await e.export('logs', logs);
    await e.export('metrics', metrics);
    expect(out).toEqual([
      'TracesExporter {"exporter":"debug","resource spans":1,"spans":3}\n',
      'LogsExporter {"exporter":"debug","resource logs":1,"log records":1}\n',
      'MetricsExporter {"exporter":"debug","resource metrics":1,"metrics":1,"data points":1}\n',
    ]);
  });

  it('normal: one line per span, log record and data point', async () => {
    const { e, out } = capture('normal');
    await e.export('traces', spans(2));
    await e.export('logs', logs);
    await e.export('metrics', metrics);
    const lines = out.join('').trim().split('\n');
    expect(lines[1]).toBe(`span-0 ${'a'.repeat(32)} 0000000000000000 i=0`);
    expect(lines[2]).toBe(`span-1 ${'a'.repeat(32)} 0000000000000001 i=1`);
    expect(lines[4]).toBe('hello k=v');
    expect(lines[6]).toBe('tokens{model=gpt} 42');
  });

  it('detailed: every field', async () => {
    const { e, out } = capture('detailed');
    await e.export('traces', spans(1));
    const text = out.join('');
    expect(text).toContain('ResourceSpans #0');
    expect(text).toContain('     -> service.name: Str(svc)');
    expect(text).toMatch(/Name\s+: span-0/);
    expect(text).toMatch(/Kind\s+: Internal/);
    expect(text).toContain('2023-11-14 22:13:20.000000000 +0000 UTC');
    expect(text).toContain('     -> i: Int(0)');
  });

  it('samples like the collector: first N per second, then every Mth', async () => {
    let t = 0;
    const { e, out } = capture('basic', { sampling_initial: 2, sampling_thereafter: 3 }, () => t);
    for (let i = 0; i < 8; i++) await e.export('traces', spans(1));
    expect(out).toHaveLength(4); // 1, 2, then 5, 8
    t = 1000;
    await e.export('traces', spans(1));
    expect(out).toHaveLength(5);
  });

  it('prints to stdout through a service', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const w = new World();
    w.registry.register(factory);
    const svc = w.service(makeConfig({ receivers: { test: {} }, exporters: { debug: { verbosity: 'basic' } }, pipelines: [{ id: 'traces', receivers: ['test'], exporters: ['debug'] }] }));
    await svc.start();
    await w.push('test', spans(2));
    await until(() => write.mock.calls.some((c) => String(c[0]).includes('"spans":2')));
    await svc.shutdown();
  });
});
