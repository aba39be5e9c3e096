// The receivers' validating walk (core/otlp/check-proto.ts) against the stores' decoder
// (core/otlp/decode-proto.ts): same item count for good requests, and for bad ones the same
// OtlpDecodeError message (what, and at which byte) that decoding gives.
import { describe, expect, it } from 'vitest';
import { checkRequestProto } from '../../core/otlp/check-proto.ts';
import { decodeProto } from '../../core/otlp/decode-proto.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { OtlpDecodeError } from '../../core/otlp/errors.ts';
import { countItems } from '../../core/signals/count.ts';
import type { Signal } from '../../core/signals/types.ts';
import { makeGenAiTracesBatch } from '../../bench/genai-payload.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs } from './storage-fixtures.ts';

const outcome = (f: () => number): number | string => {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(OtlpDecodeError);
    return (e as Error).message;
  }
};
const viaDecode = (signal: Signal, b: Uint8Array) => outcome(() => countItems(signal, (decodeProto[signal] as (b: Uint8Array) => never)(b)));
const viaCheck = (signal: Signal, b: Uint8Array) => outcome(() => checkRequestProto[signal](b));

const fixtures: Record<Signal, () => Uint8Array[]> = {
  traces: () => [encodeProto.traces(makeGenAiTracesBatch(48, 5)), encodeProto.traces(makeGenAiTraces(30, 2))],
  logs: () => [encodeProto.logs(makeOddLogs())],
  metrics: () => [encodeProto.metrics(makeAllMetrics())],
};

/** A protobuf length prefix. */
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
const field = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), lenPrefix(body)]);

describe('checkRequestProto (the receivers walk)', () => {
  it('counts what decoding counts', () => {
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      for (const good of fixtures[signal]()) {
        const n = viaCheck(signal, good);
        expect(typeof n).toBe('number');
        expect(n).toBeGreaterThan(0);
        expect(n).toBe(viaDecode(signal, good));
      }
    }
    expect(checkRequestProto.traces(new Uint8Array(0))).toBe(0);
  });

  it('fails exactly where and how decoding fails, on truncations and random corruption', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let errors = 0;
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      for (const good of fixtures[signal]()) {
        const g = Buffer.from(good);
        for (let n = 0; n < g.length; n += Math.max(1, g.length >> 9)) {
          const want = viaDecode(signal, g.subarray(0, n));
          if (typeof want === 'string') errors++;
          expect(viaCheck(signal, g.subarray(0, n))).toBe(want);
        }
        for (let i = 0; i < 1500; i++) {
          const b = Buffer.from(g);
          for (let k = 0; k < 1 + (i % 4); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
          const want = viaDecode(signal, b);
          if (typeof want === 'string') errors++;
          expect(viaCheck(signal, b)).toBe(want);
        }
      }
    }
    expect(errors).toBeGreaterThan(2000); // the corruption did produce failures to compare
  });

  it('answers hostile lengths, wrong-size ids and deep nesting as decoding does', () => {
    const span = (body: Buffer) => field(0x0a, field(0x12, field(0x12, body))); // request > resource_spans > scope_spans > span
    const cases = [
      span(Buffer.from([0x0a, 0x05, 1, 2, 3, 4, 5])), // trace_id of 5 bytes
      span(Buffer.from([0x12, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x22, 0x03, 1, 2, 3])), // parent_span_id of 3
      span(Buffer.from([0x2a, 0xff, 0xff, 0xff, 0xff, 0x0f])), // name longer than the span
      span(Buffer.from([0x2a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), // length prefix of 6 bytes
      span(Buffer.from([0x39, 1, 2, 3])), // truncated fixed64 start time
      span(Buffer.from([0x4a, 0x04, 0x12, 0x02, 0x21, 0x01])), // attribute whose double is cut
      span(Buffer.from([0x4a, 0x03, 0x12, 0x01, 0x10])), // bool value whose varint is cut
      span(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), // 11-byte varint
      span(Buffer.from([0x0f])), // wire type 7
    ];
    let v = Buffer.from([]);
    for (let i = 0; i < 150; i++) v = field(0x2a, field(0x0a, v)); // AnyValue.array_value > values > ...
    cases.push(span(field(0x4a, Buffer.concat([field(0x0a, Buffer.from('k')), field(0x12, v)]))));
    for (const c of cases) {
      const want = viaDecode('traces', c);
      expect(typeof want).toBe('string');
      expect(viaCheck('traces', c)).toBe(want);
    }
  });
});
