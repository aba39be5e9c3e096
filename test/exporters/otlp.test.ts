// agentcol -> agentcol: the otlp (gRPC) and otlphttp exporters against the otlp receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exporter, Signal } from '../../core/component.ts';
import { BackpressureError, PermanentError, RetryableError } from '../../core/component.ts';
import type { LogsBatch, MetricsBatch } from '../../core/signals/types.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import otlpExporterFactory from '../../exporters/otlp/factory.ts';
import otlphttpExporterFactory from '../../exporters/otlphttp/factory.ts';
import { makeGenAiTracesBatch } from '../../bench/genai-payload.ts';
import { startReceiver, type Harness } from '../fixtures/otlp/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startReceiver();
});
afterAll(async () => {
  await h?.stop();
});

const host = { logger: silentLogger, metrics: new MetricsRegistry(), getExtension: () => undefined, getGuard: () => undefined, getPipeline: () => undefined, ready: () => true };

async function make(kind: 'grpc' | 'http', extra: Record<string, unknown> = {}): Promise<Exporter> {
  const exporter =
    kind === 'grpc'
      ? otlpExporterFactory.create({ id: 'otlp', logger: silentLogger, metrics: new MetricsRegistry(), config: otlpExporterFactory.normalize!({ endpoint: `127.0.0.1:${h.grpcPort}`, tls: { insecure: true }, timeout: '5s', ...extra }) })
      : otlphttpExporterFactory.create({ id: 'otlphttp', logger: silentLogger, metrics: new MetricsRegistry(), config: otlphttpExporterFactory.normalize!({ endpoint: `http://127.0.0.1:${h.httpPort}`, timeout: '5s', ...extra }) });
  await exporter.start(host);
  return exporter;
}

const logs: LogsBatch = {
  resourceLogs: [
    {
      resource: { attributes: { 'service.name': 'a' }, droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeLogs: [{ scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', logRecords: [{ timeUnixNano: 3n, observedTimeUnixNano: 4n, severityNumber: 9, severityText: 'INFO', body: 'hi', attributes: { k: 1 }, droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '' }] }],
    },
  ],
};
const metrics: MetricsBatch = {
  resourceMetrics: [
    {
      resource: { attributes: {}, droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeMetrics: [{ scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', metrics: [{ name: 'm', description: '', unit: '', metadata: {}, data: { type: 'gauge', dataPoints: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 5n, value: 1.25, exemplars: [], flags: 0 }] } }] }],
    },
  ],
};

describe.each([
  ['otlp (gRPC)', 'grpc' as const, {}],
  ['otlphttp (protobuf, gzip)', 'http' as const, {}],
  ['otlphttp (JSON, no compression)', 'http' as const, { encoding: 'json', compression: 'none' }],
])('%s exporter -> otlp receiver', (_name, kind, extra) => {
  it('delivers traces, logs and metrics intact', async () => {
    const exporter = await make(kind, extra);
    try {
      const traces = makeGenAiTracesBatch(40, 9);
      const sent: Array<[Signal, unknown]> = [
        ['traces', traces],
        ['logs', logs],
        ['metrics', metrics],
      ];
      for (const [signal, batch] of sent) {
        const c = h.consumers[signal];
        const before = c.batches.length;
        await exporter.export(signal, batch as never);
        expect(c.batches[before]).toEqual(batch);
      }
    } finally {
      await exporter.shutdown();
    }
  });

  it('maps backpressure to RetryableError with the server retry delay, and bad data to PermanentError', async () => {
    const exporter = await make(kind, extra);
    try {
      h.consumers.logs.fail = () => new BackpressureError('full', { retryAfterMs: 2000 });
      const e = await exporter.export('logs', logs).catch((x) => x);
      expect(e).toBeInstanceOf(RetryableError);
      expect(e.retryAfterMs).toBe(2000);
      expect(e.message).toMatch(/full/);
      h.consumers.logs.fail = () => new PermanentError('never');
      const p = await exporter.export('logs', logs).catch((x) => x);
      expect(p).toBeInstanceOf(PermanentError);
      expect(p.message).toMatch(/never/);
    } finally {
      h.consumers.logs.fail = undefined;
      await exporter.shutdown();
    }
  });
});

describe('otlp exporters: unreachable destination', () => {
  it('is retryable', async () => {
    const g = otlpExporterFactory.create({ id: 'otlp', logger: silentLogger, metrics: new MetricsRegistry(), config: otlpExporterFactory.normalize!({ endpoint: 'http://127.0.0.1:1', timeout: '2s' }) });
    await g.start(host);
    await expect(g.export('logs', logs)).rejects.toBeInstanceOf(RetryableError);
    await g.shutdown();
    const x = otlphttpExporterFactory.create({ id: 'otlphttp', logger: silentLogger, metrics: new MetricsRegistry(), config: otlphttpExporterFactory.normalize!({ endpoint: 'http://127.0.0.1:1', timeout: '2s' }) });
    await x.start(host);
    await expect(x.export('logs', logs)).rejects.toBeInstanceOf(RetryableError);
    await x.shutdown();
  });

  it('config errors are clear', () => {
    expect(() => otlpExporterFactory.normalize!({})).toThrow(/endpoint is required/);
    expect(() => otlphttpExporterFactory.normalize!({})).toThrow(/set endpoint/);
    expect(otlphttpExporterFactory.normalize!({ endpoint: 'http://c:4318/' }).urls.traces).toBe('http://c:4318/v1/traces');
  });
});
