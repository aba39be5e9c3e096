// OTLP codecs: round trips for all three signals (every metric type), a cross-check against
// protobufjs reflection, and malformed input.
import { describe, expect, it } from 'vitest';
import type { LogsBatch, MetricsBatch, TracesBatch } from '../../core/signals/types.ts';
import { checkProto, decodeLogsProto, decodeMetricsProto, decodeTracesProto } from '../../core/otlp/decode-proto.ts';
import { countItems } from '../../core/signals/count.ts';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from '../../core/otlp/decode-json.ts';
import { encodeLogsProto, encodeMetricsProto, encodeTracesProto } from '../../core/otlp/encode-proto.ts';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../../core/otlp/encode-json.ts';
import { OtlpDecodeError } from '../../core/otlp/errors.ts';
import { protobufjsRequestType } from '../../core/otlp/reflection.ts';
import { PermanentError } from '../../core/component.ts';
import { makeGenAiTracesBatch } from '../../bench/genai-payload.ts';

const res = { attributes: { 'service.name': 'svc' }, droppedAttributesCount: 1 };
const scope = { name: 'scope', version: '1.0', attributes: { k: 'v' }, droppedAttributesCount: 0 };

function tracesFixture(): TracesBatch {
  const attrs: Record<string, any> = {
    s: 'text ✓ ünïcode',
    i: 42,
    neg: -7,
    big: 2n ** 62n,
    d: 1.5,
    b: false,
    bytes: new Uint8Array([0, 1, 255]),
    arr: ['a', 1, [true, null]],
    map: { nested: { deeper: 'x' }, n: 2 },
    empty: null,
  };
  Object.defineProperty(attrs, '__proto__', { value: 'not a prototype', enumerable: true, configurable: true, writable: true });
  return {
    resourceSpans: [
      {
        resource: res,
        schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
        scopeSpans: [
          {
            scope,
            schemaUrl: '',
            spans: [
              {
                traceId: '0102030405060708090a0b0c0d0e0f10',
                spanId: 'a1a2a3a4a5a6a7a8',
                traceState: 'vendor=1',
                parentSpanId: 'b1b2b3b4b5b6b7b8',
                flags: 0x301,
                name: 'chat',
                kind: 3,
                startTimeUnixNano: 1_760_000_000_123_456_789n,
                endTimeUnixNano: 18_446_744_073_709_551_615n,
                attributes: attrs,
                droppedAttributesCount: 2,
                events: [{ timeUnixNano: 1n, name: 'ev', attributes: { a: 1 }, droppedAttributesCount: 3 }],
                droppedEventsCount: 4,
                links: [{ traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001', traceState: 'x=y', attributes: {}, droppedAttributesCount: 0, flags: 1 }],
                droppedLinksCount: 5,
                status: { code: 2, message: 'boom' },
              },
            ],
          },
        ],
      },
    ],
  };
}

function logsFixture(): LogsBatch {
  return {
    resourceLogs: [
      {
        resource: res,
        schemaUrl: '',
        scopeLogs: [
          {
            scope,
            schemaUrl: 's',
            logRecords: [
              {
                timeUnixNano: 5n,
                observedTimeUnixNano: 6n,
                severityNumber: 17,
                severityText: 'ERROR',
                body: { msg: 'structured', list: [1, 2.25] },
                attributes: { 'gen_ai.agent.id': 'a' },
                droppedAttributesCount: 0,
                flags: 1,
                traceId: '0102030405060708090a0b0c0d0e0f10',
                spanId: 'a1a2a3a4a5a6a7a8',
                eventName: 'gen_ai.client.inference.operation.details',
              },
              { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, severityText: '', body: null, attributes: {}, droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '' },
            ],
          },
        ],
      },
    ],
  };
}

function metricsFixture(): MetricsBatch {
  const ex = { filteredAttributes: { f: 1 }, timeUnixNano: 9n, value: 0.5, spanId: 'a1a2a3a4a5a6a7a8', traceId: '0102030405060708090a0b0c0d0e0f10' };
  const base = { attributes: { m: 'gpt-4o' }, startTimeUnixNano: 1n, timeUnixNano: 2n };
  return {
    resourceMetrics: [
      {
        resource: res,
        schemaUrl: '',
        scopeMetrics: [
          {
            scope,
            schemaUrl: '',
            metrics: [
              { name: 'g', description: 'a gauge', unit: '1', metadata: {}, data: { type: 'gauge', dataPoints: [{ ...base, value: 2.5, exemplars: [ex], flags: 0 }, { ...base, value: -3, exemplars: [], flags: 1 }] } },
              { name: 's', description: '', unit: '{token}', metadata: { meta: true }, data: { type: 'sum', dataPoints: [{ ...base, value: 10, exemplars: [], flags: 0 }], aggregationTemporality: 2, isMonotonic: true } },
              {
                name: 'h',
                description: '',
                unit: 'ms',
                metadata: {},
                data: {
                  type: 'histogram',
                  aggregationTemporality: 1,
                  dataPoints: [{ ...base, count: 6, sum: 123.5, bucketCounts: [1, 2, 3], explicitBounds: [10, 100], exemplars: [ex], flags: 0, min: 0, max: 99 }],
                },
              },
              {
                name: 'e',
                description: '',
                unit: '',
                metadata: {},
                data: {
                  type: 'exponential_histogram',
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      ...base,
                      count: 5,
                      sum: null,
                      scale: -2,
                      zeroCount: 1,
                      positive: { offset: -3, bucketCounts: [1, 2] },
                      negative: { offset: 4, bucketCounts: [1] },
                      flags: 0,
                      exemplars: [],
                      min: null,
                      max: 7.5,
                      zeroThreshold: 0.001,
                    },
                  ],
                },
              },
              { name: 'q', description: '', unit: '', metadata: {}, data: { type: 'summary', dataPoints: [{ ...base, count: 3, sum: 9.5, quantileValues: [{ quantile: 0.5, value: 3 }, { quantile: 0.99, value: 5.5 }], flags: 0 }] } },
              { name: 'nodata', description: '', unit: '', metadata: {}, data: null },
            ],
          },
        ],
      },
    ],
  };
}

describe('OTLP protobuf codec', () => {
  it('round-trips traces (all AnyValue kinds, __proto__ key, max fixed64)', () => {
    const t = tracesFixture();
    const back = decodeTracesProto(encodeTracesProto(t));
    expect(back).toEqual(t);
    const attrs = back.resourceSpans[0].scopeSpans[0].spans[0].attributes;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toContain('__proto__');
    expect(attrs.bytes).toBeInstanceOf(Uint8Array);
  });
  it('round-trips logs', () => expect(decodeLogsProto(encodeLogsProto(logsFixture()))).toEqual(logsFixture()));
  it('round-trips metrics of every type', () => expect(decodeMetricsProto(encodeMetricsProto(metricsFixture()))).toEqual(metricsFixture()));
  it('round-trips the GenAI bench payload', () => {
    const b = makeGenAiTracesBatch(64, 3);
    expect(decodeTracesProto(encodeTracesProto(b))).toEqual(b);
  });

  it('agrees with protobufjs reflection on the wire format', () => {
    const type = protobufjsRequestType('metrics');
    const obj = type.toObject(type.decode(encodeMetricsProto(metricsFixture())), { longs: String, bytes: String }) as any;
    const ms = obj.resource_metrics[0].scope_metrics[0].metrics;
    expect(ms.map((m: any) => m.name)).toEqual(['g', 's', 'h', 'e', 'q', 'nodata']);
    expect(ms[2].histogram.data_points[0]).toMatchObject({ count: '6', sum: 123.5, bucket_counts: ['1', '2', '3'], explicit_bounds: [10, 100], max: 99 });
    expect(ms[3].exponential_histogram.data_points[0]).toMatchObject({ scale: -2, positive: { offset: -3, bucket_counts: ['1', '2'] } });
    // And our decoder reads what protobufjs writes.
    const t = protobufjsRequestType('traces');
    const bytes = t.encode(t.fromObject({ resource_spans: [{ scope_spans: [{ spans: [{ trace_id: Buffer.alloc(16, 1), span_id: Buffer.alloc(8, 2), name: 'pj', start_time_unix_nano: '1700000000000000001', attributes: [{ key: 'n', value: { int_value: '-5' } }] }] }] }] })).finish();
    const s = decodeTracesProto(bytes).resourceSpans[0].scopeSpans[0].spans[0];
    expect(s).toMatchObject({ traceId: '01'.repeat(16), spanId: '02'.repeat(8), name: 'pj', startTimeUnixNano: 1700000000000000001n, attributes: { n: -5 } });
  });

  it('skips unknown fields of every wire type', () => {
    const good = encodeTracesProto(tracesFixture());
    // field 99 varint, field 98 fixed64, field 97 bytes, field 96 fixed32, field 95 group (start+end)
    const unknown = Buffer.from([0x98, 0x06, 0x96, 0x01, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x8a, 0x06, 2, 9, 9, 0x85, 0x06, 1, 2, 3, 4, 0xfb, 0x05, 0x08, 0x01, 0xfc, 0x05]);
    expect(decodeTracesProto(Buffer.concat([unknown, good, unknown]))).toEqual(tracesFixture());
  });

  it('rejects malformed input with OtlpDecodeError saying what and where', () => {
    const good = Buffer.from(encodeTracesProto(tracesFixture()));
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('did not throw');
    };
    const t = err(() => decodeTracesProto(good.subarray(0, good.length - 3)));
    expect(t).toBeInstanceOf(OtlpDecodeError);
    expect(t).toBeInstanceOf(PermanentError);
    expect(t.message).toMatch(/^invalid OTLP protobuf: truncated length-delimited field 1 \(resource_spans\) of ExportTraceServiceRequest: length \d+ but \d+ bytes left at byte 1 of \d+$/);
    expect(err(() => decodeTracesProto(Buffer.from([0x0e]))).message).toMatch(/bad wire type 6 for field 1 \(resource_spans\)/);
    expect(err(() => decodeTracesProto(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).message).toMatch(/truncated length-delimited/);
    expect(err(() => decodeTracesProto(Buffer.from([0x08, 0xff, 0xff]))).message).toMatch(/truncated varint at byte 1 of 3/);
    expect(err(() => decodeTracesProto(Buffer.from([0x08, ...Array(11).fill(0xff), 1]))).message).toMatch(/malformed varint/);
    // span id of 3 bytes
    const badId = Buffer.from([0x0a, 9, 0x12, 7, 0x12, 5, 0x12, 3, 1, 2, 3]);
    expect(err(() => decodeTracesProto(badId)).message).toMatch(/field 2 \(span_id\) of Span must be 8 bytes, got 3/);
    // deep AnyValue nesting is refused, not a stack overflow
    let v = Buffer.from([]);
    for (let i = 0; i < 200; i++) v = Buffer.concat([Buffer.from([0x2a]), lenPrefix(Buffer.concat([Buffer.from([0x0a]), lenPrefix(v)]))]);
    const kv = Buffer.concat([Buffer.from([0x0a, 1, 0x6b, 0x12]), lenPrefix(v)]);
    const res = Buffer.concat([Buffer.from([0x0a]), lenPrefix(kv)]);
    const req = Buffer.concat([Buffer.from([0x0a]), lenPrefix(Buffer.concat([Buffer.from([0x0a]), lenPrefix(res)]))]);
    expect(err(() => decodeTracesProto(req)).message).toMatch(/nested deeper than 100/);
  });

  it('never throws anything but OtlpDecodeError on random corruption', () => {
    const good = Buffer.from(encodeMetricsProto(metricsFixture()));
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(good.subarray(0, Math.floor(rand() * good.length) + 1));
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        decodeMetricsProto(b);
      } catch (e) {
        expect(e).toBeInstanceOf(OtlpDecodeError);
      }
    }
  });
});

describe('OTLP protobuf validation walk (checkProto, what the receiver runs)', () => {
  /** What decoding gives: the item count, or the error message. */
  const viaDecode = (signal: 'traces' | 'logs' | 'metrics', b: Uint8Array): number | string => {
    const decode = { traces: decodeTracesProto, logs: decodeLogsProto, metrics: decodeMetricsProto }[signal];
    try {
      return countItems(signal, decode(b));
    } catch (e) {
      expect(e).toBeInstanceOf(OtlpDecodeError);
      return (e as Error).message;
    }
  };
  const viaCheck = (signal: 'traces' | 'logs' | 'metrics', b: Uint8Array): number | string => {
    try {
      return checkProto[signal](b);
    } catch (e) {
      expect(e).toBeInstanceOf(OtlpDecodeError);
      return (e as Error).message;
    }
  };
  const fixtures = {
    traces: () => [encodeTracesProto(tracesFixture()), encodeTracesProto(makeGenAiTracesBatch(64, 3))],
    logs: () => [encodeLogsProto(logsFixture())],
    metrics: () => [encodeMetricsProto(metricsFixture())],
  };

  it('counts what decoding counts', () => {
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      for (const good of fixtures[signal]()) {
        const n = viaCheck(signal, good);
        expect(typeof n).toBe('number');
        expect(n).toBe(viaDecode(signal, good));
        expect(n).toBeGreaterThan(0);
      }
    }
    expect(checkProto.traces(new Uint8Array(0))).toBe(0);
  });

  it('a metric with two data fields counts the points of the last, as decoding keeps the last', () => {
    const msg = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), lenPrefix(body)]);
    const point = msg(0x0a, Buffer.from([0x21, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f])); // Gauge.data_points { as_double: 1 }
    const gauge = msg(0x2a, Buffer.concat([point, point, point])); // Metric.gauge, 3 points
    const sum = msg(0x3a, point); // Metric.sum, 1 point
    const request = (metric: Buffer) => msg(0x0a, msg(0x12, msg(0x12, Buffer.concat([msg(0x0a, Buffer.from('m')), metric]))));
    for (const [metric, n] of [[Buffer.concat([gauge, sum]), 1], [Buffer.concat([sum, gauge]), 3]] as const) {
      expect(viaDecode('metrics', request(metric))).toBe(n);
      expect(viaCheck('metrics', request(metric))).toBe(n);
    }
  });

  it('fails exactly where and how decoding fails, on truncations and on random corruption', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let errors = 0;
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      for (const good of fixtures[signal]()) {
        const g = Buffer.from(good);
        for (let n = 0; n < g.length; n += Math.max(1, g.length >> 8)) {
          const cut = g.subarray(0, n);
          const want = viaDecode(signal, cut);
          if (typeof want === 'string') errors++;
          expect(viaCheck(signal, cut)).toBe(want);
        }
        for (let i = 0; i < 600; i++) {
          const b = Buffer.from(g);
          for (let k = 0; k < 1 + (i % 4); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
          const want = viaDecode(signal, b);
          if (typeof want === 'string') errors++;
          expect(viaCheck(signal, b)).toBe(want);
        }
      }
    }
    expect(errors).toBeGreaterThan(500); // the corruption did produce failures to compare
  });

  it('refuses deep AnyValue nesting as decoding does', () => {
    let v = Buffer.from([]);
    for (let i = 0; i < 200; i++) v = Buffer.concat([Buffer.from([0x2a]), lenPrefix(Buffer.concat([Buffer.from([0x0a]), lenPrefix(v)]))]);
    const kv = Buffer.concat([Buffer.from([0x0a, 1, 0x6b, 0x12]), lenPrefix(v)]);
    const r = Buffer.concat([Buffer.from([0x0a]), lenPrefix(kv)]);
    const req = Buffer.concat([Buffer.from([0x0a]), lenPrefix(Buffer.concat([Buffer.from([0x0a]), lenPrefix(r)]))]);
    expect(viaCheck('traces', req)).toMatch(/nested deeper than 100/);
    expect(viaCheck('traces', req)).toBe(viaDecode('traces', req));
  });
});

function lenPrefix(b: Buffer): Buffer {
  const out: number[] = [];
  let n = b.length;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.concat([Buffer.from(out), b]);
}

describe('OTLP JSON codec', () => {
  it('round-trips all three signals', () => {
    expect(decodeTracesJson(encodeTracesJson(tracesFixture()))).toEqual(tracesFixture());
    expect(decodeLogsJson(encodeLogsJson(logsFixture()))).toEqual(logsFixture());
    expect(decodeMetricsJson(encodeMetricsJson(metricsFixture()))).toEqual(metricsFixture());
  });

  it('accepts snake_case keys, enum names, numbers for int64 and uppercase hex', () => {
    const b = decodeTracesJson(
      JSON.stringify({
        resource_spans: [
          {
            scope_spans: [
              {
                spans: [
                  {
                    trace_id: '0102030405060708090A0B0C0D0E0F10',
                    spanId: 'A1A2A3A4A5A6A7A8',
                    kind: 'SPAN_KIND_SERVER',
                    start_time_unix_nano: 1700000000000,
                    endTimeUnixNano: '1700000000000000001',
                    status: { code: 'STATUS_CODE_ERROR' },
                    attributes: [{ key: 'n', value: { int_value: 5 } }, { key: 'd', value: { doubleValue: 'NaN' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const s = b.resourceSpans[0].scopeSpans[0].spans[0];
    expect(s).toMatchObject({ traceId: '0102030405060708090a0b0c0d0e0f10', spanId: 'a1a2a3a4a5a6a7a8', kind: 2, startTimeUnixNano: 1700000000000n, endTimeUnixNano: 1700000000000000001n, status: { code: 2 } });
    expect(s.attributes.n).toBe(5);
    expect(s.attributes.d).toBeNaN();
  });

  it('names the JSON path of bad input', () => {
    const msg = (body: unknown) => {
      try {
        decodeMetricsJson(JSON.stringify(body));
      } catch (e) {
        expect(e).toBeInstanceOf(OtlpDecodeError);
        return (e as Error).message;
      }
      return '';
    };
    expect(msg({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', sum: { dataPoints: [{ asInt: 'abc' }] } }] }] }] })).toBe(
      'invalid OTLP JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt: expected an integer (a number or a decimal string), got "abc"',
    );
    expect(msg({ resourceMetrics: {} })).toMatch(/resourceMetrics: expected an array/);
    expect(msg({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ attributes: [{ key: 'k', value: { bytesValue: '***' } }] }] } }] }] }] })).toMatch(
      /metrics\[0\]\.gauge\.dataPoints\[0\]\.attributes\[0\]\.value\.bytesValue: expected base64/,
    );
    expect(() => decodeLogsJson('[1]')).toThrow(/expected an object at the top level/);
    expect(() => decodeLogsJson('{"resourceLogs": [')).toThrow(OtlpDecodeError);
  });
});
