// The duckdb exporter's string filling (inlined short strings, repeats sharing one string_t, chunk
// boundaries) and its two modes (worker thread, in-process) store exactly the same text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../core/component.ts';
import { encodeTracesProto } from '../../core/otlp/encode-proto.ts';
import { heldBatch } from '../../core/otlp/proto-batch.ts';
import type { Attributes, Span, TracesBatch } from '../../core/signals/types.ts';
import { storableText } from '../../core/storage/text.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/duckdb/factory.ts';
import { queryDuckDb } from '../helpers/stores.ts';

const ctx = { id: 'duckdb', logger: silentLogger, metrics: new MetricsRegistry() };

const TEXTS = [
  '',
  'a',
  'twelve chars', // 12 bytes: inlined
  'thirteen char', // 13 bytes: heap
  'élan vital', // 10 characters, 11 bytes, not ASCII
  'ab\u0000cd', // U+0000 -> U+FFFD
  'lone \ud800 surrogate',
  'quote " backslash \\ newline \n tab \t',
  'unicode ✓ 日本語 🤖',
  'x'.repeat(64),
  'y'.repeat(65),
  'z'.repeat(5000),
];

const ROWS = 5000; // more than two 2048-row chunks

function text(i: number): string {
  return TEXTS[i % TEXTS.length];
}

function attrs(i: number): Attributes {
  const a: Attributes = { [text(i + 1) || 'empty-key']: text(i + 2), 'shared.key.which.is.longer.than.twelve': text(i + 3), n: i, f: 0.5, b: i % 2 === 0, l: ['a', i] };
  if (i % 5 === 0) Object.defineProperty(a, '__proto__', { value: 'proto', enumerable: true, configurable: true, writable: true });
  return a;
}

function batch(): TracesBatch {
  const spans: Span[] = [];
  for (let i = 0; i < ROWS; i++) {
    spans.push({
      traceId: i % 7 === 0 ? '' : (Math.floor(i / 3) + 1).toString(16).padStart(32, 'a'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      traceState: text(i),
      parentSpanId: '',
      flags: 0,
      name: text(i * 7),
      kind: 1,
      startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
      endTimeUnixNano: 1_700_000_000_000_000_001n + BigInt(i),
      attributes: attrs(i),
      droppedAttributesCount: 0,
      events: i % 3 ? [] : [{ timeUnixNano: 5n, name: text(i + 4), attributes: attrs(i + 1), droppedAttributesCount: 0 }],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 0, message: text(i + 5) },
    });
  }
  const resource = { 'service.name': 'svc-with-a-long-enough-name', 'res.text': text(3) };
  return {
    resourceSpans: [{ resource: { attributes: resource, droppedAttributesCount: 0 }, scopeSpans: [{ scope: { name: 'scope', version: '1', attributes: {}, droppedAttributesCount: 0 }, spans, schemaUrl: '' }], schemaUrl: '' }],
  };
}

/** As stored: U+0000 -> U+FFFD (storableText), and UTF-8 has no lone surrogates (-> U+FFFD). */
const stored = (s: string) => Buffer.from(storableText(s), 'utf8').toString('utf8');
const rendered = (v: unknown) => stored(typeof v === 'string' ? v : Array.isArray(v) ? JSON.stringify(v) : String(v));

let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentcol-duckdb-path-'));
  for (const worker of [true, false]) {
    const file = join(dir, `${worker ? 'worker' : 'inprocess'}.duckdb`);
    const ex = factory.create({ ...ctx, config: { path: file, worker } });
    await ex.start({} as never);
    await ex.export('traces', batch());
    await ex.shutdown();
    files[worker ? 'worker' : 'inprocess'] = file;
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['worker', 'inprocess'])('duckdb write path (%s)', (mode) => {
  it('stores every string exactly', async () => {
    const rows = await queryDuckDb(
      files[mode],
      `SELECT TraceId, SpanId, TraceState, SpanName, StatusMessage, ServiceName, ResourceAttributes['res.text'] AS res_text,
         map_keys(SpanAttributes) AS k, map_values(SpanAttributes) AS v, "Events.Name" AS ev, epoch_ns(Timestamp) AS ns
       FROM otel_traces ORDER BY Timestamp`,
    );
    expect(rows).toHaveLength(ROWS);
    for (let i = 0; i < ROWS; i++) {
      const r = rows[i];
      const a = attrs(i);
      const want = {
        TraceId: i % 7 === 0 ? '' : (Math.floor(i / 3) + 1).toString(16).padStart(32, 'a'),
        SpanId: (i + 1).toString(16).padStart(16, '0'),
        TraceState: stored(text(i)),
        SpanName: stored(text(i * 7)),
        StatusMessage: stored(text(i + 5)),
        ServiceName: 'svc-with-a-long-enough-name',
        res_text: stored(text(3)),
        k: Object.keys(a).map(rendered),
        v: Object.keys(a).map((key) => rendered(a[key])),
        ev: i % 3 ? [] : [stored(text(i + 4))],
        ns: 1_700_000_000_000_000_000n + BigInt(i),
      };
      expect({ ...r, ns: BigInt(r.ns as bigint) }).toEqual(want);
    }
  });
});

describe('duckdb write path errors', () => {
  it('reports data DuckDB refuses as permanent, from the worker too', async () => {
    const ex = factory.create({ ...ctx, config: { path: join(dir, 'errors.duckdb') } });
    await ex.start({} as never);
    // Malformed spans can never be written: permanent. A number where a bigint belongs fails while
    // flattening (main thread); a number where a string belongs fails filling chunks (worker).
    const bad = batch();
    (bad.resourceSpans[0].scopeSpans[0].spans[0] as { startTimeUnixNano: unknown }).startTimeUnixNano = 1.5;
    await expect(ex.export('traces', bad)).rejects.toBeInstanceOf(PermanentError);
    const bad2 = batch();
    (bad2.resourceSpans[0].scopeSpans[0].spans[4000] as { name: unknown }).name = 42;
    await expect(ex.export('traces', bad2)).rejects.toThrow(PermanentError);
    await expect(ex.export('traces', bad2)).rejects.toThrow(/duckdb rejected (5000 traces rows|a traces batch)/);
    await ex.export('traces', batch()); // the exporter keeps working
    await ex.shutdown();
    const [{ n }] = await queryDuckDb(join(dir, 'errors.duckdb'), 'SELECT count(*)::INTEGER AS n FROM otel_traces');
    expect(n).toBe(ROWS);
  });
});

describe('duckdb write path errors (calling thread)', () => {
  it('names the rows DuckDB or the chunk filling refused, and keeps working', async () => {
    const file = join(dir, 'errors-inprocess.duckdb');
    const ex = factory.create({ ...ctx, config: { path: file, worker: false } });
    await ex.start({} as never);
    const bad = batch();
    (bad.resourceSpans[0].scopeSpans[0].spans[4000] as { name: unknown }).name = 42;
    await expect(ex.export('traces', bad)).rejects.toThrow(PermanentError);
    await expect(ex.export('traces', bad, { batchId: 'x' })).rejects.toThrow(/duckdb rejected 5000 traces rows/);
    await ex.export('traces', batch(), { batchId: 'x' });
    await ex.shutdown();
    const [{ n }] = await queryDuckDb(file, 'SELECT count(*)::INTEGER AS n FROM otel_traces');
    expect(n).toBe(ROWS);
  });
});

describe('duckdb int64 columns', () => {
  // Token counts arrive as numbers (or bigints past 2^53) and are written as two 32-bit halves
  // without a BigInt per value: every sign and magnitude must come back exact.
  const TOKENS: Array<number | bigint> = [0, 1, 7.9, -1, -5.5, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, -(2 ** 32) - 1, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2n ** 62n, -(2n ** 62n)];

  it.each([true, false])('stores token counts and durations exactly (worker: %s)', async (worker) => {
    const file = join(dir, `int64-${worker}.duckdb`);
    const ex = factory.create({ ...ctx, config: { path: file, worker } });
    await ex.start({} as never);
    const b = batch();
    const spans = b.resourceSpans[0].scopeSpans[0].spans.slice(0, 3000);
    b.resourceSpans[0].scopeSpans[0].spans = spans;
    spans.forEach((s, i) => {
      s.attributes = { 'gen_ai.usage.input_tokens': TOKENS[i % TOKENS.length] };
      s.endTimeUnixNano = s.startTimeUnixNano + BigInt(i) * 4_294_967_311n; // past 2^32 ns
    });
    await ex.export('traces', b);
    await ex.shutdown();
    const rows = await queryDuckDb(file, 'SELECT InputTokens::VARCHAR AS t, Duration::VARCHAR AS d FROM otel_traces ORDER BY Timestamp');
    expect(rows).toHaveLength(3000);
    rows.forEach((r, i) => {
      const v = TOKENS[i % TOKENS.length];
      const want = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
      expect(r).toEqual({ t: String(want), d: String(BigInt(i) * 4_294_967_311n) });
    });
  });
});

describe('duckdb held batches (request bytes a batch processor merged)', () => {
  /** batch() as three protobuf parts, the third on the next UTC day. */
  function parts(): Uint8Array[] {
    const b = batch();
    const spans = b.resourceSpans[0].scopeSpans[0].spans;
    const nextDay = spans.slice(4000).map((s) => ({ ...s, startTimeUnixNano: s.startTimeUnixNano + 86_400_000_000_000n, endTimeUnixNano: s.endTimeUnixNano + 86_400_000_000_000n }));
    return [spans.slice(0, 1500), spans.slice(1500, 4000), nextDay].map((part) => {
      const one = structuredClone(b);
      one.resourceSpans[0].scopeSpans[0].spans = part;
      return encodeTracesProto(one);
    });
  }

  it.each([
    [true, undefined],
    [false, undefined],
    [true, '3650d'],
    [false, '3650d'],
  ])('are decoded part by part into one commit; a part that fails leaves nothing (worker: %s, retention: %s)', async (worker, retention) => {
    const file = join(dir, `held-${worker}-${retention}.duckdb`);
    const ex = factory.create({ ...ctx, config: { path: file, worker, retention } });
    await ex.start({} as never);
    const good = parts();
    const truncated = [good[0], good[1], good[2].subarray(0, good[2].length - 3)];
    await expect(ex.export('traces', heldBatch('traces', truncated, ROWS), { batchId: 'b1' })).rejects.toThrow(PermanentError);
    await ex.export('traces', heldBatch('traces', good, ROWS), { batchId: 'b1' });
    await ex.export('traces', heldBatch('traces', good, ROWS), { batchId: 'b1' }); // a replay: skipped
    await ex.export('traces', heldBatch('traces', good.slice(0, 1), 1500)); // one part, no id: no transaction
    await ex.shutdown();
    const rows = await queryDuckDb(file, 'SELECT SpanId, count(*)::INTEGER AS n, min(SpanName) AS name FROM otel_traces GROUP BY SpanId ORDER BY SpanId');
    expect(rows).toHaveLength(ROWS);
    rows.forEach((r, i) => expect(r).toEqual({ SpanId: (i + 1).toString(16).padStart(16, '0'), n: i < 1500 ? 2 : 1, name: stored(text(i * 7)) }));
    expect(await queryDuckDb(file, 'SELECT batch_id, rows::INTEGER AS rows FROM agentcol_batches')).toEqual([{ batch_id: 'b1', rows: ROWS }]);
  });
});
