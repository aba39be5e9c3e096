// The COPY payload bytes (copy-encoder.ts writing into copy-writer.ts): every value survives COPY's
// text format, the writer grows without corrupting what it wrote, and a log record's id is the hash
// of exactly the row's bytes before it.
import { describe, expect, it } from 'vitest';
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
