// The exporter's handle on its DuckDB worker thread (worker.ts).
import type { Worker } from 'node:worker_threads';
import { typescriptWorker } from '../../core/workers/typescript-worker.ts';
import { PermanentError, RetryableError } from '../../core/component.ts';
import type { Signal } from '../../core/component.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';
import type { RetentionRun } from './retention.ts';
import type { MovedTable, WriterOptions } from './writer.ts';

type Pending = { resolve: (r: WorkerReply) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

function replyError(r: WorkerReply): Error {
  const message = r.error?.message ?? 'unknown error';
  if (r.error?.permanent) return new PermanentError(message);
  if (r.error?.name === 'RetryableError') return new RetryableError(message);
  const err = new Error(message);
  if (r.error?.name) err.name = r.error.name;
  return err;
}

export class DuckDBWorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private gone?: Error;
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      p.resolve(r);
    });
    const fail = (err: Error) => {
      this.gone ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new RetryableError(`duckdb worker crashed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => {
      this.exited = true;
      fail(new RetryableError(`duckdb worker exited (code ${code})`));
    });
  }

  /** Starts the worker and opens (and migrates) the database in it. */
  static async open(options: WriterOptions): Promise<{ client: DuckDBWorkerClient; applied: number[]; moved: MovedTable[] }> {
    const worker = typescriptWorker(new URL('./worker.ts', import.meta.url));
    const client = new DuckDBWorkerClient(worker);
    try {
      const ready = await new Promise<WorkerReply>((resolve, reject) => client.pending.set(0, { resolve, reject }));
      if (!ready.ok) throw replyError(ready);
      const opened = await client.call({ op: 'open', options });
      if (!opened.ok) throw replyError(opened);
      return { client, applied: opened.applied ?? [], moved: opened.moved ?? [] };
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  get alive(): boolean {
    return !this.gone;
  }

  private call(req: Request): Promise<WorkerReply> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  /** Writes one batch, given as OTLP protobuf parts (copied to the worker, since other exporters
   * may hold the same bytes), with its ledger id (ledger.ts). Rejects with RetryableError or PermanentError. */
  async write(signal: Signal, parts: readonly Uint8Array[], batchId?: string): Promise<void> {
    const r = await this.call({ op: 'write', signal, parts, batchId });
    if (!r.ok) throw r.error?.permanent ? new PermanentError(r.error.message) : new RetryableError(r.error?.message ?? 'unknown error');
  }

  /** Drops expired day tables in the worker, between writes (retention.ts). */
  async retain(retentionMs: number, retention: string, nowMs?: number): Promise<RetentionRun[]> {
    const r = await this.call({ op: 'retain', retentionMs, retention, nowMs });
    if (!r.ok) throw replyError(r);
    return r.runs ?? [];
  }

  /** Flushes, checkpoints and closes the database, then stops the worker. Returns the flush or
   * checkpoint failure, if any. */
  async close(): Promise<string | undefined> {
    let closeError: string | undefined;
    if (!this.gone) {
      const r = await this.call({ op: 'close' }).catch((err: Error) => ({ id: -1, ok: false, error: { message: err.message, permanent: false } }) as WorkerReply);
      closeError = r.ok ? r.closeError : r.error?.message;
    }
    // The worker ends by itself once closed; stop it if it does not.
    if (!this.exited) {
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      const timer = setTimeout(() => void this.worker.terminate(), 5_000);
      if (this.gone) await this.worker.terminate();
      await exited;
      clearTimeout(timer);
    }
    return closeError;
  }
}
