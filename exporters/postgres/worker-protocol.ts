// Messages between WorkerPgClient and pglite-worker.ts. Reply id 0 is the worker's "ready".
import type { Signal } from '../../core/component.ts';
import type { CopyFormat } from './client.ts';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'copy'; table: string; columns: string[]; payload: ArrayBuffer; format: CopyFormat }
  | { id: number; op: 'export'; signal: Signal; parts: readonly Uint8Array[] }
  | { id: number; op: 'close' };

export interface WorkerReply {
  id: number;
  ok: boolean;
  rows?: unknown[];
  /** permanent / retryable: an error already classified by copyBatch. */
  error?: { message: string; code?: string; name?: string; permanent?: boolean; retryable?: boolean };
}
