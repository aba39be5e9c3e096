// The COPY payload bytes (copy-encoder.ts writing into copy-writer.ts): every value survives COPY's
// text format, the writer grows without corrupting what it wrote, and a log record's id is the hash
// of exactly the row's bytes before it. And the PGlite worker's part-at-a-time write of a held batch.
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
import { makeGenAiTraces, makeOddLogs } from '../core/storage-fixtures.ts';

/** COPY text format's decoding of one field (what PostgreSQL does with it). */
function unescape(field: string): string | null {
  if (field === '\\N') return null;
  return field.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
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
    const nameAt = p.columns.indexOf('span_name');
    const got = rows(p.bytes).map((r) => unescape(r[nameAt]));
    const want = spans.map((s) => s.name.replaceAll('\u0000', '\uFFFD').replace(/[\ud800-\udbff](?![\udc00-\udfff])/g, '\uFFFD'));
    expect(got).toEqual(want);
    // Attribute maps: the typed JSON, whole.
    const attrsAt = p.columns.indexOf('span_attributes');
    expect(rows(p.bytes).map((r) => unescape(r[attrsAt]))).toEqual(spans.map((s) => attributesJson(s.attributes)));
  });

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
      expect(rows(a.bytes)).toHaveLength(logs.rowCount);
      expect(rows(b.bytes)).toHaveLength(traces.rowCount);
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
