// The otlp receiver against the real OpenTelemetry JS SDK exporters (gRPC, HTTP/protobuf,
// HTTP/JSON) for traces, logs and metrics, plus malformed and refused requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { BackpressureError, PermanentError, RetryableError } from '../../core/component.ts';
import type { LogsBatch, MetricsBatch, TracesBatch } from '../../core/signals/types.ts';
import { encodeTracesProto } from '../../core/otlp/encode-proto.ts';
import { encodeTracesJson } from '../../core/otlp/encode-json.ts';
import { decodeStatus, GrpcCode } from '../../core/otlp/status.ts';
import { OTLP_SERVICES } from '../../core/otlp/grpc.ts';
import { heldEncoding } from '../../core/signals/encoded.ts';
import { makeGenAiTracesBatch } from '../../bench/genai-payload.ts';
import otlpReceiverFactory from '../../receivers/otlp/factory.ts';
import { startReceiver, type Harness } from '../fixtures/otlp/harness.ts';

type Transport = 'grpc' | 'http/protobuf' | 'http/json';
const TRANSPORTS: Transport[] = ['grpc', 'http/protobuf', 'http/json'];

let h: Harness;
beforeAll(async () => {
  h = await startReceiver({ grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0', max_request_body_size: '64KiB' } });
});
afterAll(async () => {
  await h?.stop();
});

const resource = resourceFromAttributes({ 'service.name': 'test-agent', 'deployment.environment.name': 'test' });

function traceExporter(t: Transport): SpanExporter {
  if (t === 'grpc') return new TraceGrpc({ url: `http://127.0.0.1:${h.grpcPort}` });
  if (t === 'http/protobuf') return new TraceProto({ url: h.httpUrl('/v1/traces') });
  return new TraceJson({ url: h.httpUrl('/v1/traces') });
}
function logExporter(t: Transport): LogRecordExporter {
  if (t === 'grpc') return new LogsGrpc({ url: `http://127.0.0.1:${h.grpcPort}` });
  if (t === 'http/protobuf') return new LogsProto({ url: h.httpUrl('/v1/logs') });
  return new LogsJson({ url: h.httpUrl('/v1/logs') });
}
function metricExporter(t: Transport): PushMetricExporter {
  const opts = { temporalityPreference: AggregationTemporality.CUMULATIVE };
  if (t === 'grpc') return new MetricsGrpc({ url: `http://127.0.0.1:${h.grpcPort}`, ...opts });
  if (t === 'http/protobuf') return new MetricsProto({ url: h.httpUrl('/v1/metrics'), ...opts });
  return new MetricsJson({ url: h.httpUrl('/v1/metrics'), ...opts });
}

function hrToNanos(t: [number, number]): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

describe('otlp receiver with the OpenTelemetry JS SDK exporters', () => {
  for (const transport of TRANSPORTS) {
    it(`receives traces over ${transport}`, async () => {
      const before = h.consumers.traces.batches.length;
      const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(traceExporter(transport))] });
      const tracer = provider.getTracer('agent-scope', '1.2.3');
      const root = tracer.startSpan('invoke_agent support', { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'agent-7' } });
      const chat = tracer.startSpan('chat gpt-4o', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1234,
          'gen_ai.request.temperature': 0.5,
          'gen_ai.response.finish_reasons': ['stop', 'length'],
          ok: true,
        },
      });
      chat.addEvent('first_token', { 'ttft.ms': 87 });
      chat.setStatus({ code: 2, message: 'rate limited' });
      chat.end();
      root.end();
      await provider.forceFlush();
      await provider.shutdown();
      await h.consumers.traces.waitFor(before + 1);

      const spans = (h.consumers.traces.batches.slice(before) as TracesBatch[]).flatMap((b) =>
        b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ s, rs, ss })))),
      );
      const got = spans.find((x) => x.s.name === 'chat gpt-4o')!;
      expect(got).toBeDefined();
      const chatRo = chat as unknown as { spanContext(): { traceId: string; spanId: string }; startTime: [number, number]; endTime: [number, number] };
      expect(got.s.traceId).toBe(chatRo.spanContext().traceId);
      expect(got.s.spanId).toBe(chatRo.spanContext().spanId);
      expect(got.s.startTimeUnixNano).toBe(hrToNanos(chatRo.startTime));
      expect(got.s.endTimeUnixNano).toBe(hrToNanos(chatRo.endTime));
      expect(got.s.kind).toBe(3);
      expect(got.s.status).toEqual({ code: 2, message: 'rate limited' });
      expect(got.s.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1234,
        'gen_ai.request.temperature': 0.5,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
        ok: true,
      });
      expect(got.s.events[0].name).toBe('first_token');
      expect(got.s.events[0].attributes).toEqual({ 'ttft.ms': 87 });
      expect(got.rs.resource.attributes['service.name']).toBe('test-agent');
      expect(got.ss.scope).toMatchObject({ name: 'agent-scope', version: '1.2.3' });
      expect(spans.find((x) => x.s.name === 'invoke_agent support')!.s.attributes['gen_ai.agent.id']).toBe('agent-7');
    });

    it(`receives logs over ${transport}`, async () => {
      const before = h.consumers.logs.batches.length;
      const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter(transport) })] });
      const when = new Date('2026-01-02T03:04:05.678Z');
      provider.getLogger('log-scope').emit({
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        body: 'prompt injection suspected',
        attributes: { 'gen_ai.agent.id': 'agent-7', score: 0.93 },
        timestamp: when,
      });
      await provider.forceFlush();
      await provider.shutdown();
      await h.consumers.logs.waitFor(before + 1);
      const rec = (h.consumers.logs.batches[before] as LogsBatch).resourceLogs[0].scopeLogs[0].logRecords[0];
      expect(rec.body).toBe('prompt injection suspected');
      expect(rec.severityNumber).toBe(13);
      expect(rec.severityText).toBe('WARN');
      expect(rec.attributes).toEqual({ 'gen_ai.agent.id': 'agent-7', score: 0.93 });
      expect(rec.timeUnixNano).toBe(BigInt(when.getTime()) * 1_000_000n);
      expect(rec.observedTimeUnixNano > 0n).toBe(true);
    });

    it(`receives metrics over ${transport}`, async () => {
      const before = h.consumers.metrics.batches.length;
      const reader = new PeriodicExportingMetricReader({ exporter: metricExporter(transport), exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({ resource, readers: [reader] });
      const meter = provider.getMeter('metric-scope');
      meter.createCounter('gen_ai.client.requests').add(5, { 'gen_ai.request.model': 'gpt-4o' });
      meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' }).record(300, { 'gen_ai.token.type': 'input' });
      meter.createGauge('queue.depth').record(2.5);
      await provider.forceFlush();
      await provider.shutdown();
      await h.consumers.metrics.waitFor(before + 1);
      const metrics = (h.consumers.metrics.batches.slice(before) as MetricsBatch[]).flatMap((b) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
      const counter = metrics.find((m) => m.name === 'gen_ai.client.requests')!;
      expect(counter.data?.type).toBe('sum');
      if (counter.data?.type !== 'sum') throw new Error('not a sum');
      expect(counter.data.isMonotonic).toBe(true);
      expect(counter.data.aggregationTemporality).toBe(2);
      expect(counter.data.dataPoints[0].value).toBe(5);
      expect(counter.data.dataPoints[0].attributes).toEqual({ 'gen_ai.request.model': 'gpt-4o' });
      expect(counter.data.dataPoints[0].timeUnixNano > counter.data.dataPoints[0].startTimeUnixNano - 1n).toBe(true);
      const hist = metrics.find((m) => m.name === 'gen_ai.client.token.usage')!;
      expect(hist.unit).toBe('{token}');
      if (hist.data?.type !== 'histogram') throw new Error('not a histogram');
      expect(hist.data.dataPoints[0]).toMatchObject({ count: 1, sum: 300, min: 300, max: 300 });
      expect(hist.data.dataPoints[0].bucketCounts.reduce((a, b) => a + b, 0)).toBe(1);
      expect(hist.data.dataPoints[0].explicitBounds.length).toBe(hist.data.dataPoints[0].bucketCounts.length - 1);
      const gauge = metrics.find((m) => m.name === 'queue.depth')!;
      if (gauge.data?.type !== 'gauge') throw new Error('not a gauge');
      expect(gauge.data.dataPoints[0].value).toBe(2.5);
    });
  }

  it('counts accepted items with the collector metric names', () => {
    const text = h.metrics.render();
    expect(text).toMatch(/otelcol_receiver_accepted_spans\{receiver="otlp",transport="grpc"\} \d+/);
    expect(text).toMatch(/otelcol_receiver_accepted_spans\{receiver="otlp",transport="http"\} \d+/);
    expect(text).toMatch(/otelcol_receiver_accepted_log_records\{receiver="otlp",transport="http"\} \d+/);
    expect(text).toMatch(/otelcol_receiver_accepted_metric_points\{receiver="otlp",transport="grpc"\} \d+/);
  });
});

// ---- raw HTTP and gRPC requests for the error paths ----

const small = makeGenAiTracesBatch(3, 1);
const goodProto = Buffer.from(encodeTracesProto(small));
const goodJson = Buffer.from(encodeTracesJson(small));

async function post(path: string, body: Uint8Array | string, headers: Record<string, string> = { 'content-type': 'application/x-protobuf' }, method = 'POST') {
  const res = await fetch(h.httpUrl(path), { method, headers, body: method === 'GET' ? undefined : (body as BodyInit) });
  const buf = Buffer.from(await res.arrayBuffer());
  const ct = res.headers.get('content-type') ?? '';
  const message = ct.includes('protobuf') ? decodeStatus(buf).message : buf.length ? (JSON.parse(buf.toString()) as { message?: string }).message ?? '' : '';
  return { status: res.status, headers: res.headers, message, body: buf };
}

async function expectGoodRequestWorks(): Promise<void> {
  const r = await post('/v1/traces', goodProto);
  expect(r.status).toBe(200);
  const j = await post('/v1/traces', goodJson, { 'content-type': 'application/json' });
  expect(j.status).toBe(200);
  expect(j.body.toString()).toBe('{}');
}

function grpcCall(signal: 'traces' | 'logs' | 'metrics', body: Uint8Array, port = h.grpcPort): Promise<{ code: number; details: string; metadata?: grpc.Metadata }> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const m = OTLP_SERVICES[signal].Export;
  return new Promise((resolve) => {
    client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, body, new grpc.Metadata(), {}, (err) => {
      client.close();
      resolve(err ? { code: err.code, details: err.details, metadata: err.metadata } : { code: 0, details: '' });
    });
  });
}

describe('otlp receiver: bad requests get a clear answer and the next request still works', () => {
  it('truncated protobuf -> 400 with the decoder message (protobuf Status body)', async () => {
    const r = await post('/v1/traces', goodProto.subarray(0, goodProto.length - 10));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/x-protobuf');
    expect(r.message).toMatch(/truncated .* at byte \d+ of \d+/);
    await expectGoodRequestWorks();
  });

  it('wrong content type -> 415 naming the accepted types', async () => {
    const r = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.message).toMatch(/text\/plain.*application\/x-protobuf or application\/json/);
    await expectGoodRequestWorks();
  });

  it('invalid JSON -> 400 with a JSON Status body', async () => {
    const r = await post('/v1/traces', '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(r.body.toString())).toMatchObject({ code: 3 });
    expect(r.message).toMatch(/invalid OTLP JSON/);
    await expectGoodRequestWorks();
  });

  it('bad hex id -> 400 naming the JSON path', async () => {
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '0102030405060708', name: 'x' }] }] }] });
    const r = await post('/v1/traces', body, { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.message).toBe('invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters, got "xyz"');
    await expectGoodRequestWorks();
  });

  it('oversized body -> 413 naming the limit and the option', async () => {
    const big = Buffer.from(encodeTracesProto(makeGenAiTracesBatch(200, 2)));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const r = await post('/v1/traces', big);
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/max_request_body_size \(65536 bytes\).*protocols\.http\.max_request_body_size/);
    await expectGoodRequestWorks();
  });

  it('oversized after gunzip (zip bomb) -> 413', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const r = await post('/v1/traces', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(r.message).toMatch(/after decompression/);
    await expectGoodRequestWorks();
  });

  it('gzip and deflate bodies are accepted', async () => {
    const g = await post('/v1/traces', zlib.gzipSync(goodProto), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(g.status).toBe(200);
    const d = await post('/v1/traces', zlib.deflateSync(goodJson), { 'content-type': 'application/json', 'content-encoding': 'deflate' });
    expect(d.status).toBe(200);
  });

  it('protobuf bodies are held as received, in shared memory, however they arrive', async () => {
    // Shared memory lets the stores' workers read the same bytes instead of a copy each.
    const lastHeld = () => heldEncoding(h.consumers.traces.batches[h.consumers.traces.batches.length - 1])!;
    const expectHeld = () => {
      const { parts, items } = lastHeld();
      expect(parts).toHaveLength(1);
      expect(parts[0].buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(parts[0])).toEqual(goodProto);
      expect(items).toBe(3);
    };
    expect((await post('/v1/traces', goodProto)).status).toBe(200); // Content-Length
    expectHeld();
    expect((await post('/v1/traces', zlib.gzipSync(goodProto), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(200);
    expectHeld();
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(h.httpUrl('/v1/traces'), { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(goodProto.subarray(0, 50));
      setTimeout(() => req.end(goodProto.subarray(50)), 20);
    });
    expect(chunked).toBe(200);
    expectHeld();
    expect((await grpcCall('traces', goodProto)).code).toBe(GrpcCode.OK);
    expectHeld();
  });

  it('gzip that does not inflate -> 400', async () => {
    const r = await post('/v1/traces', Buffer.from('definitely not gzip'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/could not decompress the gzip body/);
    await expectGoodRequestWorks();
  });

  it('GET -> 405 with Allow: POST', async () => {
    const r = await post('/v1/traces', '', {}, 'GET');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect(r.message).toMatch(/POST/);
  });

  it('unknown path -> 404 listing the OTLP paths', async () => {
    const r = await post('/v1/spans', goodProto);
    expect(r.status).toBe(404);
    expect(r.message).toMatch(/\/v1\/traces/);
    await expectGoodRequestWorks();
  });

  it('gRPC garbage bytes -> INVALID_ARGUMENT, then a good call succeeds', async () => {
    const bad = await grpcCall('traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    expect(bad.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/truncated length-delimited field 1 \(resource_spans\)/);
    const wire = await grpcCall('traces', Buffer.from([0x0f, 0x01]));
    expect(wire.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(wire.details).toMatch(/bad wire type 7/);
    const good = await grpcCall('traces', goodProto);
    expect(good.code).toBe(0);
  });

  it('refusals are counted', () => {
    // The bad requests above never decoded, so nothing was refused; backpressure below refuses.
    expect(h.metrics.render()).toMatch(/otelcol_receiver_accepted_spans\{receiver="otlp",transport="http"\}/);
  });
});

describe('otlp receiver: downstream errors', () => {
  it('BackpressureError -> 429 + Retry-After over HTTP, RESOURCE_EXHAUSTED + RetryInfo over gRPC', async () => {
    h.consumers.traces.fail = () => new BackpressureError('sending queue is full', { retryAfterMs: 3000 });
    try {
      const r = await post('/v1/traces', goodProto);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('3');
      expect(r.message).toMatch(/sending queue is full/);
      const g = await grpcCall('traces', goodProto);
      expect(g.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      const details = g.metadata?.get('grpc-status-details-bin')[0] as Buffer;
      expect(decodeStatus(details)).toMatchObject({ code: GrpcCode.RESOURCE_EXHAUSTED, retryDelayMs: 3000 });
      expect(h.metrics.render()).toMatch(/otelcol_receiver_refused_spans\{receiver="otlp",transport="grpc"\} 3/);
    } finally {
      h.consumers.traces.fail = undefined;
    }
    await expectGoodRequestWorks();
  });

  it('other retryable errors -> 503 / UNAVAILABLE; permanent -> 400 / INVALID_ARGUMENT', async () => {
    h.consumers.logs.fail = () => new RetryableError('database is restarting', { retryAfterMs: 1500 });
    const logsBody = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] });
    try {
      const r = await post('/v1/logs', logsBody, { 'content-type': 'application/json' });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      const g = await grpcCall('logs', Buffer.alloc(0));
      expect(g.code).toBe(GrpcCode.UNAVAILABLE);
      h.consumers.logs.fail = () => new PermanentError('schema mismatch');
      const p = await post('/v1/logs', logsBody, { 'content-type': 'application/json' });
      expect(p.status).toBe(400);
      expect(p.message).toMatch(/schema mismatch/);
      expect((await grpcCall('logs', Buffer.alloc(0))).code).toBe(GrpcCode.INVALID_ARGUMENT);
    } finally {
      h.consumers.logs.fail = undefined;
    }
  });
});

describe('otlp receiver: configuration and lifecycle', () => {
  it('a signal without a pipeline -> 404 / UNIMPLEMENTED saying so', async () => {
    const only = await startReceiver(undefined, ['traces'], 'otlp/tracesonly');
    try {
      const r = await fetch(only.httpUrl('/v1/logs'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(404);
      expect(((await r.json()) as { message: string }).message).toMatch(/receiver otlp\/tracesonly accepts no logs: no logs pipeline lists it/);
      const g = await grpcCall('metrics', Buffer.alloc(0), only.grpcPort);
      expect(g.code).toBe(GrpcCode.UNIMPLEMENTED);
      expect(g.details).toMatch(/no metrics pipeline/);
    } finally {
      await only.stop();
    }
  });

  it('enables only the protocols that are present; null means defaults', () => {
    const n = otlpReceiverFactory.normalize!;
    expect(n({ protocols: { grpc: null } })).toEqual({ protocols: { grpc: { endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4 } } });
    const both = n({ protocols: { grpc: null, http: null } });
    expect(both.protocols.http).toMatchObject({ endpoint: '127.0.0.1:4318', traces_url_path: '/v1/traces', max_request_body_size: 20 * 1024 * 1024 });
    expect(n({ protocols: { http: { endpoint: '0.0.0.0:4318' } } }).protocols.grpc).toBeUndefined();
    expect(n({ protocols: { grpc: { endpoint: 'localhost:4317' } } }).protocols.grpc?.endpoint).toBe('localhost:4317');
    expect(() => n({ protocols: {} })).toThrow(/enable at least one protocol/);
    expect(() => n({ protocols: { grpc: { endpoint: 'nope' } } })).toThrow(/protocols\.grpc\.endpoint must be "host:port"/);
  });

  it('start() fails clearly when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startReceiver({ http: { endpoint: `127.0.0.1:${port}` } })).rejects.toThrow(
        `otlp receiver: cannot listen on 127.0.0.1:${port}: address already in use — change protocols.http.endpoint`,
      );
      await expect(startReceiver({ grpc: { endpoint: `127.0.0.1:${port}` } })).rejects.toThrow(/address already in use — change protocols\.grpc\.endpoint/);
    } finally {
      blocker.close();
    }
  });

  it('shutdown lets an in-flight request finish, then stops accepting', async () => {
    const r = await startReceiver({ http: { endpoint: '127.0.0.1:0' } }, ['traces'], 'otlp/slow');
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const orig = r.consumers.traces.consume.bind(r.consumers.traces);
    r.consumers.traces.consume = async (b) => {
      await gate;
      return orig(b);
    };
    const inflight = fetch(r.httpUrl('/v1/traces'), { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: goodProto });
    await new Promise((res) => setTimeout(res, 100));
    const stopping = r.stop();
    setTimeout(release, 100);
    expect((await inflight).status).toBe(200);
    await stopping;
    await expect(fetch(r.httpUrl('/v1/traces'), { method: 'POST', body: goodProto })).rejects.toThrow();
  });
});
