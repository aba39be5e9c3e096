// The COPY payload bytes (copy-encoder.ts writing into copy-writer.ts): every value survives COPY's
// binary format (spans) and text format (log records, metric points), the writer grows without
// corrupting what it wrote, and a log record's id is the hash of exactly the row's text before it.
// Spans written in binary read back from PGlite as they were. And the PGlite worker's part-at-a-time
// write of a held batch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../core/component.ts';
import { encodeTracesProto } from '../../core/otlp/encode-proto.ts';
import { heldBatch } from '../../core/otlp/proto-batch.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/postgres/factory.ts';
import { flattenLogs, flattenTraces } from '../../core/storage/flatten.ts';
import { recordId } from '../../core/storage/record-id.ts';
import { attributesJson, encodeCopy } from '../../exporters/postgres/copy-encoder.ts';
import { CopyWriter, releaseWriter, takeWriter } from '../../exporters/postgres/copy-writer.ts';
import { copyBatch } from '../../exporters/postgres/copy-batch.ts';
import { PgliteClient } from '../../exporters/postgres/pglite-client.ts';
import { postgresMigrations } from '../../exporters/postgres/schema.ts';
import { runMigrations } from '../../core/storage/migrations.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs } from '../core/storage-fixtures.ts';

/** COPY text format's decoding of one field (what PostgreSQL does with it). */
function unescape(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** COPY binary format's tuples (without header and trailer): each field's bytes, null for NULL. */
function binaryRows(bytes: Uint8Array): Array<Array<Buffer | null>> {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<Array<Buffer | null>> = [];
  let p = 0;
  while (p < b.length) {
    const n = b.readInt16BE(p);
    p += 2;
    const row: Array<Buffer | null> = [];
    for (let i = 0; i < n; i++) {
      const len = b.readInt32BE(p);
      p += 4;
      row.push(len < 0 ? null : b.subarray(p, p + len));
      if (len > 0) p += len;
    }
    out.push(row);
  }
  return out;
}

function rows(bytes: Uint8Array): string[][] {
  const text = Buffer.from(bytes).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => line.split('\t'));
}

describe('COPY payload bytes', () => {
  it('holds every awkward string as it was (U+0000 as U+FFFD), in a writer that grew many times', () => {
    const batch = makeGenAiTraces(40, 5);
    const odd = ['tab\there', 'new\nline\r\n', 'back\\slash\\\\', 'nul\u0000byte', 'é ü 中文 🙂', 'lone \ud800 surrogate', 'x'.repeat(5000)];
    const spans = batch.resourceSpans[0].scopeSpans[0].spans;
    spans.forEach((s, i) => (s.name = odd[i % odd.length]));
    const flat = flattenTraces(batch);
    const w = new CopyWriter(16); // grows from 16 bytes
    const before = w.pos;
    const p = encodeCopy(flat, w);
    expect(before).toBe(0);
    expect(p.format).toBe('binary');
    const tuples = binaryRows(p.bytes);
    expect(tuples.every((t) => t.length === p.columns.length)).toBe(true);
    const nameAt = p.columns.indexOf('span_name');
    const got = tuples.map((r) => r[nameAt]!.toString('utf8'));
    const want = spans.map((s) => s.name.replaceAll('\u0000', '\uFFFD').replace(/[\ud800-\udbff](?![\udc00-\udfff])/g, '\uFFFD'));
    expect(got).toEqual(want);
    // Attribute maps: the typed JSON, whole.
    const attrsAt = p.columns.indexOf('span_attributes');
    expect(tuples.map((r) => r[attrsAt]!.toString('utf8'))).toEqual(spans.map((s) => attributesJson(s.attributes)));
    // Integers: 8 bytes, big-endian; an absent token count is NULL.
    const timeAt = p.columns.indexOf('timestamp_unix_nano');
    expect(tuples.map((r) => r[timeAt]!.readBigInt64BE())).toEqual(spans.map((s) => s.startTimeUnixNano));
    expect(tuples.some((r) => r[p.columns.indexOf('input_tokens')] === null)).toBe(true);
  });

  it('refuses an integer beyond bigint by naming the column (a permanent error, as PostgreSQL would)', () => {
    const batch = makeGenAiTraces(3, 1);
    batch.resourceSpans[0].scopeSpans[0].spans[1].attributes['gen_ai.usage.input_tokens'] = 1n << 63n;
    const w = new CopyWriter();
    expect(() => encodeCopy(flattenTraces(batch), w)).toThrow(/otel_traces\.input_tokens = 9223372036854775808: .*out of range for PostgreSQL's bigint/);
  });

  it('round-trips spans through binary COPY into PGlite: awkward text, json, int64 extremes, NULLs', async () => {
    const batch = makeGenAiTraces(30, 9);
    const spans = batch.resourceSpans[0].scopeSpans[0].spans;
    const odd = ['tab\there', 'new\nline\r\n', 'back\\slash', 'nul\u0000byte', 'é ü 中文 🙂', 'lone \ud800 surrogate', 'x'.repeat(70_000), ''];
    spans.forEach((s, i) => {
      s.name = odd[i % odd.length];
      s.attributes['note'] = odd[(i + 3) % odd.length];
    });
    spans[0].attributes['gen_ai.usage.input_tokens'] = (1n << 63n) - 1n;
    spans[1].attributes['gen_ai.usage.input_tokens'] = -(1n << 63n);
    spans[2].attributes['gen_ai.usage.input_tokens'] = -5;
    spans[3].attributes['gen_ai.usage.input_tokens'] = 2 ** 53 - 1;
    const client = await PgliteClient.open(':memory:');
    try {
      await runMigrations({ transactional: true, exec: (q) => client.exec(q), query: (q) => client.query(q) }, postgresMigrations(), { describe: 'test' });
      await copyBatch(client, 'traces', batch);
      const got = await client.query<{ span_id: string; span_name: string; note: string; input_tokens: string | null; t: string }>(
        `SELECT span_id, span_name, span_attributes->>'note' AS note, input_tokens::text, timestamp_unix_nano::text AS t FROM otel_traces`,
      );
      const byId = new Map(got.map((r) => [r.span_id, r]));
      const clean = (s: string) => s.replaceAll('\u0000', '\uFFFD').replace(/[\ud800-\udbff](?![\udc00-\udfff])/g, '\uFFFD');
      expect(got).toHaveLength(30);
      spans.forEach((s, i) => {
        const r = byId.get(s.spanId)!;
        expect(r.span_name).toBe(clean(s.name));
        expect(r.note).toBe(clean(s.attributes['note'] as string));
        expect(r.t).toBe(String(s.startTimeUnixNano));
        const tokens = s.attributes['gen_ai.usage.input_tokens'];
        expect(r.input_tokens).toBe(tokens === undefined ? null : String(typeof tokens === 'number' ? Math.trunc(tokens) : tokens));
        if (i < 4) expect(r.input_tokens).toBe(String(s.attributes['gen_ai.usage.input_tokens']));
      });
      // The generated timestamptz is computed from the binary nanoseconds as before.
      const [{ ok }] = await client.query<{ ok: boolean }>(`SELECT bool_and("timestamp" = to_timestamp((timestamp_unix_nano / 1000)::float8 / 1000000)) AS ok FROM otel_traces`);
      expect(ok).toBe(true);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('stores a uint64 beyond bigint (a duration, histogram counts) as bigint\'s top instead of failing the batch', async () => {
    const U64_MAX = (1n << 64n) - 1n;
    const TOP = String((1n << 63n) - 1n);
    const traces = makeGenAiTraces(3, 4);
    const span = traces.resourceSpans[0].scopeSpans[0].spans[0];
    span.startTimeUnixNano = 1n;
    span.endTimeUnixNano = U64_MAX; // duration 2^64 - 2
    const metrics = makeAllMetrics();
    const data = metrics.resourceMetrics[0].scopeMetrics[0].metrics.map((m) => m.data).find((d) => d?.type === 'histogram');
    if (data?.type !== 'histogram') throw new Error('fixture has no histogram');
    // The decoder reads a fixed64 count as a number (above 2^53 an inexact one).
    data.dataPoints[0].count = Number(U64_MAX);
    data.dataPoints[0].bucketCounts = [1, Number(U64_MAX), 2];
    const client = await PgliteClient.open(':memory:');
    try {
      await runMigrations({ transactional: true, exec: (q) => client.exec(q), query: (q) => client.query(q) }, postgresMigrations(), { describe: 'test' });
      await copyBatch(client, 'traces', traces);
      await copyBatch(client, 'metrics', metrics);
      const spans = await client.query<{ d: string }>(`SELECT duration::text AS d FROM otel_traces WHERE span_id = '${span.spanId}'`);
      expect(spans).toEqual([{ d: TOP }]);
      expect((await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM otel_traces`))[0].n).toBe(3);
      const [h] = await client.query<{ c: string; b: string }>(`SELECT count::text AS c, bucket_counts::text AS b FROM otel_metrics_histogram ORDER BY time_unix_nano LIMIT 1`);
      expect(h).toEqual({ c: TOP, b: `{1,${TOP},2}` });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('gives a log record the id of its row bytes, and two tables in one writer their own bytes', () => {
    const logs = flattenLogs(makeOddLogs());
    const traces = flattenTraces(makeGenAiTraces(10, 2));
    const w = takeWriter();
    try {
      const a = encodeCopy(logs, w);
      const b = encodeCopy(traces, w);
      expect(a.columns.at(-1)).toBe('record_id');
      for (const line of Buffer.from(a.bytes).toString('utf8').slice(0, -1).split('\n')) {
        const cut = line.lastIndexOf('\t');
        expect(line.slice(cut + 1)).toBe(recordId(line.slice(0, cut)));
      }
      expect(a.format).toBe('text');
      expect(rows(a.bytes)).toHaveLength(logs.rowCount);
      expect(binaryRows(b.bytes)).toHaveLength(traces.rowCount);
      expect(b.columns).not.toContain('record_id');
    } finally {
      releaseWriter(w);
    }
  });
});

describe('PGlite worker, a held batch of several protobuf parts', () => {
  it('writes every part in one transaction, and nothing when a part is malformed (permanent)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentcol-pg-parts-'));
    try {
      const ex = factory.create({ id: 'postgres', logger: silentLogger, metrics: new MetricsRegistry(), config: factory.normalize!({ path: join(dir, 'pg') }) });
      await ex.start({} as never);
      const parts = [1, 2, 3, 4, 5, 6].map((seed) => Buffer.from(encodeTracesProto(makeGenAiTraces(300, seed))));
      const bad = Buffer.from(parts[2].subarray(0, parts[2].length - 7));
      // Spans 1 and 2 are fine, 3 is cut short: none of them may be stored.
      const err = await ex.export('traces', heldBatch('traces', [parts[0], parts[1], bad], 900)).catch((e) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.message).toMatch(/truncated/);
      await ex.export('traces', heldBatch('traces', parts.slice(3), 900));
      await ex.shutdown();
      const db = await PGlite.create(join(dir, 'pg'));
      try {
        const { rows } = await db.query<{ n: number; names: number }>('SELECT count(*)::int AS n, count(DISTINCT span_id)::int AS names FROM otel_traces');
        expect(rows[0]).toEqual({ n: 900, names: 900 });
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
