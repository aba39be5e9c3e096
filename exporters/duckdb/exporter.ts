// The duckdb exporter: one embedded DuckDB database, written through appenders, one per table.
// By default the database lives in a worker thread (worker.ts): the main thread posts the batch's
// OTLP protobuf bytes (core/signals/encoded.ts) and everything else runs there.
import { resolve } from 'node:path';
import { RetryableError, type Batch, type Exporter, type ExportOptions, type Logger, type Signal } from '../../core/component.ts';
import { protoParts } from '../../core/otlp/proto-batch.ts';
import { flattenBatch, type FlatTable } from '../../core/storage/flatten.ts';
import type { DuckDBExporterConfig } from './config.ts';
import { classifyDuckDBError } from './errors.ts';
import { DuckDBWorkerClient } from './worker-client.ts';
import { DuckDBWriter, type WriterOptions } from './writer.ts';

interface Backend {
  /** batchId: ExportOptions.batchId, for the batch ledger (ledger.ts). */
  write(signal: Signal, batch: Batch, batchId?: string): Promise<void>;
  /** Returns the flush / CHECKPOINT failure message, if any. */
  close(): Promise<string | undefined>;
  readonly alive: boolean;
}

export class DuckDBExporter implements Exporter {
  private backend?: Backend;
  /** Appenders are single-writer: exports run one at a time even with several queue consumers. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly path: string;

  constructor(
    private readonly config: DuckDBExporterConfig,
    private readonly logger: Logger,
  ) {
    this.path = config.path === ':memory:' ? ':memory:' : resolve(process.cwd(), config.path);
  }

  private get options(): WriterOptions {
    return { path: this.path, threads: this.config.threads ?? 1, memory_limit: this.config.memory_limit, checkpoint_threshold: this.config.checkpoint_threshold };
  }

  private async open(): Promise<Backend> {
    let backend: Backend;
    let applied: number[];
    if (this.config.worker !== false) {
      const opened = await DuckDBWorkerClient.open(this.options);
      const client = opened.client;
      backend = {
        write: (signal, batch, batchId) => client.write(signal, encode(signal, batch), batchId),
        close: () => client.close(),
        get alive() {
          return client.alive;
        },
      };
      applied = opened.applied;
    } else {
      const opened = await DuckDBWriter.open(this.options);
      const w = opened.writer;
      backend = { write: async (signal, batch, batchId) => void (await w.write(flatten(signal, batch), batchId)), close: async () => (await w.close())?.message, alive: true };
      applied = opened.applied;
    }
    if (applied.length) this.logger.info('duckdb schema migrated', { path: this.path, versions: applied.join(',') });
    return backend;
  }

  async start(): Promise<void> {
    this.backend = await this.open();
  }

  export(signal: Signal, batch: Batch, options: ExportOptions = {}): Promise<void> {
    const run = this.tail.then(() => this.write(signal, batch, options.batchId));
    this.tail = run.catch(() => {});
    return run;
  }

  private async write(signal: Signal, batch: Batch, batchId: string | undefined): Promise<void> {
    if (this.closed || !this.backend) throw new RetryableError('duckdb exporter is not running');
    if (!this.backend.alive) {
      // The worker died (what it was writing may or may not be in): start a new one.
      this.logger.warn('duckdb worker is gone; restarting it', { path: this.path });
      const old = this.backend;
      this.backend = undefined;
      await old.close().catch(() => undefined);
      try {
        this.backend = await this.open();
      } catch (err) {
        throw new RetryableError(`duckdb: cannot reopen ${this.path}: ${(err as Error).message}`, { cause: err });
      }
    }
    await this.backend.write(signal, batch, batchId);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const backend = this.backend;
    this.backend = undefined;
    const failure = await backend?.close();
    if (failure) this.logger.error('duckdb shutdown: flush failed', { path: this.path, error: failure });
  }
}

function flatten(signal: Signal, batch: Batch): FlatTable[] {
  try {
    return flattenBatch(signal, batch);
  } catch (err) {
    // A malformed batch: retrying cannot help (TypeError / RangeError are permanent).
    throw classifyDuckDBError(err, `a ${signal} batch`);
  }
}

/** The batch's OTLP bytes; a batch a processor left malformed (non-hex ids, ints beyond int64) is permanent. */
function encode(signal: Signal, batch: Batch): readonly Uint8Array[] {
  try {
    return protoParts(signal, batch);
  } catch (err) {
    throw classifyDuckDBError(err, `a ${signal} batch`);
  }
}
