// Messages between the exporter (worker-client.ts) and its DuckDB worker thread (worker.ts).
import type { Signal } from '../../core/component.ts';
import type { RetentionRun } from './retention.ts';
import type { MovedTable, WriterOptions } from './writer.ts';

export type WorkerRequest =
  | { id: number; op: 'open'; options: WriterOptions }
  | { id: number; op: 'write'; signal: Signal; parts: readonly Uint8Array[]; batchId?: string }
  | { id: number; op: 'retain'; retentionMs: number; retention: string; nowMs?: number }
  | { id: number; op: 'close' };

export interface WorkerReply {
  id: number;
  ok: boolean;
  /** 'open': the migrations applied. */
  applied?: number[];
  /** 'open': the `_all` tables moved into day tables. */
  moved?: MovedTable[];
  /** 'retain': the day tables dropped, per table. */
  runs?: RetentionRun[];
  /** 'close': the flush or CHECKPOINT failed (the database was closed anyway). */
  closeError?: string;
  /** permanent: the data was refused (PermanentError); otherwise retryable. */
  error?: { message: string; permanent: boolean; name?: string };
}
