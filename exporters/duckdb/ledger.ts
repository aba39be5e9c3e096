// Replays never double a row in DuckDB: a batch ledger (schema migration 2). The sending queue gives
// every batch an id that stays the same on every attempt and, with the persistent queue, across a
// crash and restart (ExportOptions.batchId). The writer records the id in `agentcol_batches` in the
// same transaction as the batch's rows, so after a crash either both are in or neither; a replayed
// batch whose id is there is skipped. Chosen over a unique index on the rows (an ART index per
// table): on a columnar store that costs memory per row and append speed, while the ledger costs one
// lookup and one row per batch (measured: see README). Batches without an id (an exporter called
// directly) are written as they are. Entries older than LEDGER_DAYS are pruned at start: a batch
// that waits longer than that in a queue whose store already has it would be written again.
import type { Migration } from '../../core/storage/migrations.ts';

export const LEDGER_TABLE = 'agentcol_batches';
export const LEDGER_DAYS = 30;

export const ledgerMigration: Migration = {
  version: 2,
  name: 'agentcol_batches: ledger of written batch ids',
  statements: [`CREATE TABLE ${LEDGER_TABLE} (batch_id VARCHAR PRIMARY KEY, rows BIGINT NOT NULL, written_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT current_timestamp)`],
};

export const SEEN_SQL = `SELECT 1 FROM ${LEDGER_TABLE} WHERE batch_id = $1`;
export const RECORD_SQL = `INSERT INTO ${LEDGER_TABLE} (batch_id, rows) VALUES ($1, $2)`;
export const PRUNE_SQL = `DELETE FROM ${LEDGER_TABLE} WHERE written_at < current_timestamp - INTERVAL ${LEDGER_DAYS} DAY`;
