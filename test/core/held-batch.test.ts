// Held batches (core/signals/encoded.ts): OTLP bytes that decode on first read, merge without
// decoding, and count without decoding.
import { describe, expect, it } from 'vitest';
import type { Batch, Consumer } from '../../core/component.ts';
import { decodeProto } from '../../core/otlp/decode-proto.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { decodeProtoParts, heldBatch, protoParts, protoRequestBatch } from '../../core/otlp/proto-batch.ts';
import { countItems } from '../../core/signals/count.ts';
import { heldEncoding, mergeHeld } from '../../core/signals/encoded.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../processors/batch/factory.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs } from './storage-fixtures.ts';

const bytesOf = (b: TracesBatch) => encodeProto.traces(b);
const canonical = (b: unknown) => JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));

describe('held OTLP batches', () => {
  it('count without decoding and decode to what was sent on first read', () => {
    const sent = makeGenAiTraces(40, 3);
    const batch = protoRequestBatch('traces', bytesOf(sent));
    expect(heldEncoding(batch)?.items).toBe(40);
    expect(countItems('traces', batch)).toBe(40);
    expect(canonical(batch.resourceSpans)).toBe(canonical(decodeProto.traces(bytesOf(sent)).resourceSpans));
    // Read once: the reader may mutate, so the bytes are gone and exporters re-encode.
    expect(heldEncoding(batch)).toBeUndefined();
    batch.resourceSpans[0].scopeSpans[0].spans[0].name = 'changed';
    const [again] = protoParts('traces', batch);
    expect(decodeProto.traces(again).resourceSpans[0].scopeSpans[0].spans[0].name).toBe('changed');
  });

  it('hand out their own bytes while unread', () => {
    const body = bytesOf(makeGenAiTraces(5));
    const batch = protoRequestBatch('traces', body);
    expect(protoParts('traces', batch)).toEqual([body]);
    expect(protoParts('traces', batch)[0]).toBe(body);
  });

  it('are copied in full by JSON, spreading and structuredClone (the pipelines fan-out copy)', () => {
    const sent = makeGenAiTraces(7, 9);
    const want = canonical(decodeProto.traces(bytesOf(sent)));
    expect(canonical(structuredClone(protoRequestBatch('traces', bytesOf(sent))))).toBe(want);
    expect(canonical({ ...protoRequestBatch('traces', bytesOf(sent)) })).toBe(want);
    expect(JSON.parse(JSON.stringify(protoRequestBatch('traces', bytesOf(sent)), (_k, v) => (typeof v === 'bigint' ? String(v) : v))).resourceSpans).toHaveLength(
      sent.resourceSpans.length,
    );
  });

  it('take an assigned value and drop their bytes', () => {
    const batch = protoRequestBatch('traces', bytesOf(makeGenAiTraces(3)));
    batch.resourceSpans = [];
    expect(heldEncoding(batch)).toBeUndefined();
    expect(countItems('traces', batch)).toBe(0);
  });

  it('merge by appending parts, and the parts decode to the concatenation', () => {
    const a = makeGenAiTraces(10, 1, 'svc-a');
    const b = makeGenAiTraces(6, 2, 'svc-b');
    const merged = mergeHeld('traces', [protoRequestBatch('traces', bytesOf(a)), protoRequestBatch('traces', bytesOf(b))])!;
    expect(heldEncoding(merged)?.parts).toHaveLength(2);
    expect(countItems('traces', merged)).toBe(16);
    expect(merged.resourceSpans.map((r) => r.resource.attributes['service.name'])).toEqual([
      ...a.resourceSpans.map(() => 'svc-a'),
      ...b.resourceSpans.map(() => 'svc-b'),
    ]);
    // A batch something already read does not merge as bytes.
    const read = protoRequestBatch('traces', bytesOf(a));
    void read.resourceSpans;
    expect(mergeHeld('traces', [read, protoRequestBatch('traces', bytesOf(b))])).toBeUndefined();
  });

  it('work for logs and metrics', () => {
    const logs = makeOddLogs();
    const heldLogs = protoRequestBatch('logs', encodeProto.logs(logs));
    expect(countItems('logs', heldLogs)).toBe(countItems('logs', logs));
    const metrics = makeAllMetrics();
    const parts = [encodeProto.metrics(metrics), encodeProto.metrics(metrics)];
    const heldMetrics = heldBatch('metrics', parts, 2 * countItems('metrics', metrics));
    expect(heldMetrics.resourceMetrics).toHaveLength(2 * metrics.resourceMetrics.length);
    expect(decodeProtoParts('metrics', parts).resourceMetrics).toHaveLength(2 * metrics.resourceMetrics.length);
  });

  it('throw the decoder error for malformed bytes (the receiver answers 400)', () => {
    expect(() => protoRequestBatch('traces', Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow();
  });

  it('pass through the batch processor merged, still undecoded', async () => {
    const got: Batch[] = [];
    const next: Consumer<'traces'> = { consume: async (b) => void got.push(b) };
    const cfg = factory.normalize!({ send_batch_size: 30, timeout: '10s' });
    const p = factory.create({ id: 'batch', config: cfg, logger: silentLogger, metrics: new MetricsRegistry() }, 'traces', next);
    await p.start({} as never);
    const sends = [1, 2].map((seed) => p.consume(protoRequestBatch('traces', bytesOf(makeGenAiTraces(15, seed)))));
    await Promise.all(sends);
    expect(got).toHaveLength(1);
    expect(heldEncoding(got[0])?.parts).toHaveLength(2);
    expect(countItems('traces', got[0])).toBe(30);
    await p.shutdown();
  });
});
