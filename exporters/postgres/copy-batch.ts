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
import { ensurePartitions } from './partitions.ts';

/** Rejects with PermanentError or RetryableError. */
export function copyBatch(client: PgClient, signal: Signal, batch: Batch): Promise<void> {
  return copyPieces(client, signal, [() => flattenBatch(signal, batch)]);
}

/**
 * A batch held as OTLP protobuf parts (core/signals/encoded.ts), as copyBatch would write it
 * decoded. Each part is decoded, flattened and encoded in turn, so only one part's objects are
 * alive at a time and they die young (cheap for the GC), while the COPY payloads grow in byte
 * buffers outside the JS heap. Malformed protobuf rejects with OtlpDecodeError (permanent).
 */
export function copyProtoParts(client: PgClient, signal: Signal, parts: readonly Uint8Array[]): Promise<void> {
  const decode = decodeProto[signal] as (b: Uint8Array) => Batch;
  return copyPieces(client, signal, parts.map((p) => () => flattenBatch(signal, decode(p))));
}

interface Payload {
  table: string;
  columns: string[];
  format: CopyFormat;
  /** The table's rows from every piece, one after the other. */
  writer: CopyWriter;
  rows: number;
}

async function copyPieces(client: PgClient, signal: Signal, pieces: Array<() => FlatTable[]>): Promise<void> {
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
async function encodePieces(client: PgClient, signal: Signal, pieces: Array<() => FlatTable[]>, payloads: Map<string, Payload>): Promise<void> {
  for (const piece of pieces) {
    let tables: FlatTable[];
    try {
      tables = piece();
      for (const t of tables) {
        let p = payloads.get(t.table.name);
        if (!p) {
          const format = copyFormat(t.table);
          payloads.set(t.table.name, (p = { table: t.table.name, columns: [], format, writer: takeWriter(), rows: 0 }));
          beginCopy(format, p.writer);
        }
        p.columns = encodeCopy(t, p.writer).columns;
        p.rows += t.rowCount;
      }
    } catch (err) {
      throw err instanceof PermanentError ? err : classifyPgError(err, `${signal} batch`);
    }
    try {
      for (const t of tables) await ensurePartitions(client, t);
    } catch (err) {
      throw classifyPgError(err, `${tables.reduce((n, t) => n + t.rowCount, 0)} ${signal} rows`);
    }
  }
}
