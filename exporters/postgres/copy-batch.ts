// One batch into the row store: its rows by table (core/storage/flatten.ts), the day partitions they
// need (partitions.ts), each table one COPY that skips rows already stored (identity.ts), all
// tables of the batch (metrics) in one transaction.
// Runs wherever the client is: in the PGlite worker thread, or with the client on this thread.
import { PermanentError, type Batch, type Signal } from '../../core/component.ts';
import { decodeProto } from '../../core/otlp/decode-proto.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { flattenBatch } from '../../core/storage/flatten.ts';
import type { CopyFormat, PgClient } from './client.ts';
import { beginCopy, copyFormat, encodeCopy, endCopy } from './copy-encoder.ts';
import { releaseWriter, takeWriter, type CopyWriter } from './copy-writer.ts';
import { classifyPgError } from './errors.ts';
import { copyIdempotent } from './identity.ts';
import { ensurePartitions, rowDays } from './partitions.ts';
import { SPAN_COPY_COLUMNS, transcodeSpans } from './span-copy.ts';
import { TRACES_TABLE, type TableDef } from '../../core/storage/model.ts';

/** Rejects with PermanentError or RetryableError. */
export function copyBatch(client: PgClient, signal: Signal, batch: Batch): Promise<void> {
  return copyPieces(client, signal, [{ flat: () => flattenBatch(signal, batch) }]);
}

/**
 * A batch held as OTLP protobuf parts (core/signals/encoded.ts), as copyBatch would write it
 * decoded. Spans go straight from protobuf to COPY rows (span-copy.ts) when the part allows; other
 * parts are decoded, flattened and encoded in turn, so only one part's objects are alive at a time
 * and they die young (cheap for the GC), while the COPY payloads grow in byte buffers outside the
 * JS heap. Malformed protobuf rejects with OtlpDecodeError (permanent).
 */
export function copyProtoParts(client: PgClient, signal: Signal, parts: readonly Uint8Array[]): Promise<void> {
  const decode = decodeProto[signal] as (b: Uint8Array) => Batch;
  return copyPieces(
    client,
    signal,
    parts.map((p) => ({ spans: signal === 'traces' ? p : undefined, flat: () => flattenBatch(signal, decode(p)) })),
  );
}

/** Part of a batch: its rows as FlatTables, or first try as protobuf spans (span-copy.ts). */
interface Piece {
  spans?: Uint8Array;
  flat: () => FlatTable[];
}

interface Payload {
  table: string;
  columns: string[];
  format: CopyFormat;
  /** The table's rows from every piece, one after the other. */
  writer: CopyWriter;
  rows: number;
}

async function copyPieces(client: PgClient, signal: Signal, pieces: Piece[]): Promise<void> {
  const payloads = new Map<string, Payload>();
  try {
    await encodePieces(client, signal, pieces, payloads);
    if (payloads.size === 0) return;
    for (const p of payloads.values()) endCopy(p.format, p.writer);
    const rows = () => [...payloads.values()].reduce((n, p) => n + p.rows, 0);
    try {
      // Rows already stored (a replay) are skipped: identity.ts. One transaction, so a batch is in
      // whole or not at all.
      await client.transaction(async (tx) => {
        for (const p of payloads.values()) await copyIdempotent(tx, p.table, p.columns, p.writer.bytes(), p.format);
      });
    } catch (err) {
      throw classifyPgError(err, `${rows()} ${signal} rows`);
    }
  } finally {
    for (const p of payloads.values()) releaseWriter(p.writer);
  }
}

/** Each piece's tables appended to their table's payload (a pooled writer each), and their day
 * partitions created: outside the transaction, so a failed CREATE cannot abort it, and partitions
 * are kept. */
async function encodePieces(client: PgClient, signal: Signal, pieces: Piece[], payloads: Map<string, Payload>): Promise<void> {
  const payload = (table: TableDef): Payload => {
    let p = payloads.get(table.name);
    if (!p) {
      const format = copyFormat(table);
      payloads.set(table.name, (p = { table: table.name, columns: [], format, writer: takeWriter(), rows: 0 }));
      beginCopy(format, p.writer);
    }
    return p;
  };
  for (const piece of pieces) {
    const days = new Map<string, Iterable<bigint>>();
    let rows = 0;
    try {
      const spans = piece.spans && payload(TRACES_TABLE);
      const spanDays = new Set<bigint>();
      const n = spans ? transcodeSpans(piece.spans!, spans.writer, spanDays) : -1;
      if (n >= 0) {
        spans!.columns = SPAN_COPY_COLUMNS;
        spans!.rows += rows = n;
        days.set(TRACES_TABLE.name, spanDays);
      } else {
        for (const t of piece.flat()) {
          const p = payload(t.table);
          p.columns = encodeCopy(t, p.writer).columns;
          p.rows += t.rowCount;
          rows += t.rowCount;
          days.set(t.table.name, rowDays(t));
        }
      }
    } catch (err) {
      throw err instanceof PermanentError ? err : classifyPgError(err, `${signal} batch`);
    }
    try {
      for (const [table, d] of days) await ensurePartitions(client, table, d);
    } catch (err) {
      throw classifyPgError(err, `${rows} ${signal} rows`);
    }
  }
}
