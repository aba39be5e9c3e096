// The duckdb exporter: one embedded DuckDB database, written through appenders into one table per
// model table, or with retention one per UTC day (day-tables.ts). By default the database lives in a
// worker thread (worker.ts): the main thread posts the batch's OTLP protobuf bytes
// (core/signals/encoded.ts) and everything else runs there.
// Retention (retention.ts) runs through the same queue of work as the writes, so never alongside one.
import { resolve } from 'node:path';
import { durationMs } from '../../core/config/units.ts';
import { RetryableError, type Batch, type Exporter, type ExportOptions, type Logger, type Signal } from '../../core/component.ts';
import { protoParts } from '../../core/otlp/proto-batch.ts';
import { heldEncoding } from '../../core/signals/encoded.ts';
import { flatten, flattenPart } from './rows.ts';
import type { DuckDBExporterConfig } from './config.ts';
import { classifyDuckDBError } from './errors.ts';
import type { RetentionRun } from './retention.ts';
import { DuckDBWorkerClient } from './worker-client.ts';
import { DuckDBWriter, type MovedTable, type WriterOptions } from './writer.ts';

interface Backend {
  /** batchId: ExportOptions.batchId, for the batch ledger (ledger.ts). */
  write(signal: Signal, batch: Batch, batchId?: string): Promise<void>;
  /** Drops day tables older than retentionMs (retention.ts). */
  retain(retentionMs: number, retention: string): Promise<RetentionRun[]>;
  /** Returns the flush / CHECKPOINT failure message, if any. */
  close(): Promise<string | undefined>;
  readonly alive: boolean;
}

export class DuckDBExporter implements Exporter {
  private backend?: Backend;
  /** Appenders are single-writer: exports run one at a time even with several queue consumers. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private retentionTimer?: NodeJS.Timeout;
  readonly path: string;

  constructor(
    private readonly config: DuckDBExporterConfig,
    private readonly logger: Logger,
  ) {
    this.path = config.path === ':memory:' ? ':memory:' : resolve(process.cwd(), config.path);
  }

  private get options(): WriterOptions {
    return {
      path: this.path,
      threads: this.config.threads ?? 1,
      memory_limit: this.config.memory_limit,
      checkpoint_threshold: this.config.checkpoint_threshold,
      dayTables: this.retentionMs() > 0,
    };
  }

  /** 0: no retention (unset or 0), rows go to one table per model table. */
  private retentionMs(): number {
    return this.config.retention ? durationMs(this.config.retention) : 0;
  }

  private async open(): Promise<Backend> {
    let backend: Backend;
    let applied: number[];
    let moved: MovedTable[];
    if (this.config.worker !== false) {
      const opened = await DuckDBWorkerClient.open(this.options);
      const client = opened.client;
      backend = {
        write: (signal, batch, batchId) => client.write(signal, encode(signal, batch), batchId),
        retain: (ms, text) => client.retain(ms, text),
        close: () => client.close(),
        get alive() {
          return client.alive;
        },
      };
      applied = opened.applied;
      moved = opened.moved;
    } else {
      const opened = await DuckDBWriter.open(this.options);
      const w = opened.writer;
      backend = {
        write: async (signal, batch, batchId) => {
          // A batch still held as the request bytes is decoded part by part as it is written.
          const held = heldEncoding(batch);
          if (held) await w.writeParts(held.parts.length, (i) => flattenPart(signal, held.parts[i]), batchId);
          else await w.write(flatten(signal, batch), batchId);
        },
        retain: (ms, text) => w.retain(ms, text),
        close: async () => (await w.close())?.message,
        alive: true,
      };
      applied = opened.applied;
      moved = opened.moved;
    }
    if (applied.length) this.logger.info('duckdb schema migrated', { path: this.path, versions: applied.join(',') });
    for (const m of moved) this.logger.info('duckdb moved rows into day tables (retention is set)', { path: this.path, table: m.table, rows: m.rows, day_tables: m.dayTables });
    return backend;
  }

  async start(): Promise<void> {
    const retentionMs = this.retentionMs();
    // normalize (config.ts) has refused an interval of 0 with retention set.
    const intervalMs = durationMs(this.config.retention_check_interval ?? '1h');
    this.backend = await this.open();
    if (retentionMs > 0) {
      await this.retain(retentionMs);
      this.retentionTimer = setInterval(() => void this.retain(retentionMs), intervalMs);
      this.retentionTimer.unref();
    }
  }

  /** One retention run, queued behind the writes before it: logged, never thrown (the next run
   * tries again). Returns what it dropped. */
  async retain(retentionMs: number): Promise<RetentionRun[]> {
    if (this.closed || !this.backend) return [];
    const text = String(this.config.retention ?? `${retentionMs}ms`);
    const run = this.tail.then(() => {
      const backend = this.backend;
      // A dead worker is restarted by the next write; retention waits for the next interval.
      if (this.closed || !backend?.alive) return [];
      return backend.retain(retentionMs, text);
    });
    this.tail = run.catch(() => {});
    try {
      const runs = await run;
      for (const r of runs) this.logger.info('duckdb retention dropped day tables', { path: this.path, table: r.table, tables: r.dropped.join(','), retention: text });
      return runs;
    } catch (err) {
      this.logger.error('duckdb retention failed; it runs again at the next interval', { path: this.path, error: (err as Error).message });
      return [];
    }
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
    clearInterval(this.retentionTimer);
    await this.tail;
    const backend = this.backend;
    this.backend = undefined;
    const failure = await backend?.close();
    if (failure) this.logger.error('duckdb shutdown: flush failed', { path: this.path, error: failure });
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
