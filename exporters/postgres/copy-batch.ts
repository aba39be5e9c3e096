// One batch into the row store: its rows by table (core/storage/flatten.ts), the day partitions they
// need (partitions.ts), each table one COPY into a staging table and one INSERT that skips rows
// already stored (identity.ts), all tables of the batch (metrics) in one transaction.
// Runs wherever the client is: in the PGlite worker thread, or with the client on this thread.
import type { Batch, Signal } from '../../core/component.ts';
import { flattenBatch } from '../../core/storage/flatten.ts';
import type { PgClient } from './client.ts';
import { encodeCopy } from './copy-encoder.ts';
import { releaseWriter, takeWriter, type CopyWriter } from './copy-writer.ts';
import { classifyPgError } from './errors.ts';
import { createStagingSql, insertStagedSql, stagingTable } from './identity.ts';
import { ensurePartitions } from './partitions.ts';

/** Rejects with PermanentError or RetryableError. */
export async function copyBatch(client: PgClient, signal: Signal, batch: Batch): Promise<void> {
  // Every table's payload is written into one pooled buffer, kept until the COPYs are done.
  const writer = takeWriter();
  try {
    await copyTables(client, signal, batch, writer);
  } finally {
    releaseWriter(writer);
  }
}

async function copyTables(client: PgClient, signal: Signal, batch: Batch, writer: CopyWriter): Promise<void> {
  let tables;
  let payloads;
  try {
    tables = flattenBatch(signal, batch);
    payloads = tables.map((t) => ({ ...encodeCopy(t, writer), rows: t.rowCount }));
  } catch (err) {
    throw classifyPgError(err, `${signal} batch`);
  }
  if (payloads.length === 0) return;
  try {
    // Outside the transaction below: a failed CREATE must not abort it, and partitions are kept.
    for (const t of tables) await ensurePartitions(client, t);
    // COPY cannot skip rows already stored: it fills the session's staging table, and the
    // INSERT ... ON CONFLICT DO NOTHING keeps what is new (identity.ts). One transaction, so a batch
    // is in whole or not at all, and the staging table is empty again at COMMIT.
    await client.transaction(async (tx) => {
      for (const p of payloads) {
        await tx.exec(createStagingSql(p.table));
        await tx.copyFrom(stagingTable(p.table), p.columns, p.bytes);
        await tx.exec(insertStagedSql(p.table, p.columns));
      }
    });
  } catch (err) {
    throw classifyPgError(err, `${payloads.reduce((n, p) => n + p.rows, 0)} ${signal} rows`);
  }
}
