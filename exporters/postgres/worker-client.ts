// PgClient whose PGlite lives in a worker thread owned by the exporter (see README: PGlite's
// per-batch CPU time would otherwise stall the main event loop).
import type { Worker } from 'node:worker_threads';
import { typescriptWorker } from '../../core/workers/typescript-worker.ts';
import { PermanentError, RetryableError, type Signal } from '../../core/component.ts';
import { inTransaction, type CopyFormat, type PgClient } from './client.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';

type Pending = { resolve: (rows: unknown[]) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** An error PostgreSQL reported, carrying its SQLSTATE across the thread boundary. */
export class PgWorkerError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'PgWorkerError';
  }
}

/** The worker is gone (crashed or closed): what was in flight may or may not have been written. */
export class PgWorkerGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgWorkerGoneError';
  }
}

function replyError(r: WorkerReply): Error {
  const message = r.error?.message ?? 'unknown error';
  if (r.error?.permanent) return new PermanentError(message);
  if (r.error?.retryable) return new RetryableError(message);
  return new PgWorkerError(message, r.error?.code);
}

export class WorkerPgClient implements PgClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private gone?: Error;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.rows ?? []);
      else p.reject(replyError(r));
    });
    const fail = (err: Error) => {
      this.gone ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new PgWorkerGoneError(`PGlite worker crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(new PgWorkerGoneError(`PGlite worker exited (code ${code})`)));
  }

  static async open(dataDir: string): Promise<WorkerPgClient> {
    const worker = typescriptWorker(new URL('./pglite-worker.ts', import.meta.url), { workerData: { dataDir } });
    const client = new WorkerPgClient(worker);
    await new Promise<unknown[]>((resolve, reject) => client.pending.set(0, { resolve, reject })).catch(async (err) => {
      await worker.terminate();
      throw err;
    });
    return client;
  }

  get alive(): boolean {
    return !this.gone;
  }

  private call(req: Request, transfer: ArrayBuffer[] = []): Promise<unknown[]> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.call({ op: 'query', sql, params })) as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.call({ op: 'exec', sql });
  }

  async copyFrom(table: string, columns: string[], payload: Uint8Array, format: CopyFormat = 'text'): Promise<void> {
    // Transfer, not copy: the payload is megabytes. Only a buffer the payload owns can move.
    const own = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : payload.slice();
    const buf = own.buffer as ArrayBuffer;
    await this.call({ op: 'copy', table, columns, payload: buf, format }, [buf]);
  }

  /** Writes one batch, given as OTLP protobuf parts (copied: other exporters may hold the same
   * bytes); the worker decodes it and runs copyBatch. Rejects with PermanentError or RetryableError
   * (classified there), or PgWorkerGoneError. */
  async exportProto(signal: Signal, parts: readonly Uint8Array[]): Promise<void> {
    await this.call({ op: 'export', signal, parts });
  }

  transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T> {
    return inTransaction(this, fn);
  }

  async close(): Promise<void> {
    if (!this.gone) await this.call({ op: 'close' }).catch(() => {});
    await this.worker.terminate();
  }
}
