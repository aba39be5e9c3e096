// The DuckDB side of the exporter: one database, one connection, one appender per table. Runs in
// the exporter's worker thread (worker.ts) or, with `worker: false`, on the calling thread.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { modelMigrations, runMigrations, type SqlSession } from '../../core/storage/migrations.ts';
import type { TableDef } from '../../core/storage/model.ts';
import { ChunkWriter } from './chunk-writer.ts';
import { duckdbDialect } from './ddl.ts';
import { ledgerMigration, PRUNE_SQL, RECORD_SQL, SEEN_SQL } from './ledger.ts';
import { classifyDuckDBError } from './errors.ts';

export interface WriterOptions {
  /** Absolute path or ':memory:'. */
  path: string;
  threads?: number;
  memory_limit?: string;
  checkpoint_threshold?: string;
}

export class DuckDBWriter {
  private readonly writers = new Map<string, ChunkWriter>();
  private closed = false;

  private constructor(
    readonly path: string,
    private instance: DuckDBInstance,
    private conn: DuckDBConnection,
  ) {}

  /** Opens (creating the directory) and migrates the database; `applied` lists the migrations run. */
  static async open(opts: WriterOptions): Promise<{ writer: DuckDBWriter; applied: number[] }> {
    const options: Record<string, string> = {};
    if (opts.threads) options.threads = String(opts.threads);
    if (opts.memory_limit) options.memory_limit = opts.memory_limit;
    if (opts.checkpoint_threshold) options.checkpoint_threshold = opts.checkpoint_threshold;
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    let instance: DuckDBInstance;
    let conn: DuckDBConnection;
    try {
      instance = await DuckDBInstance.create(opts.path, options);
      conn = await instance.connect();
    } catch (err) {
      throw new Error(`duckdb: cannot open ${opts.path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const model = modelMigrations(duckdbDialect);
      if (model.length >= ledgerMigration.version) throw new Error("the model has a schema version 2: renumber the duckdb store's own migrations after it");
      const applied = await runMigrations(sessionOf(conn), [...model, ledgerMigration], { describe: `DuckDB database ${opts.path}` });
      await conn.run(PRUNE_SQL);
      return { writer: new DuckDBWriter(opts.path, instance, conn), applied };
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  /**
   * Writes the tables of one batch. One table: filled into DataChunks, appended and flushed (one
   * commit). Several (metrics), or a batch with an id: one transaction, so a retry after a failure
   * never duplicates the tables that went through, and the id is in the ledger (ledger.ts) exactly
   * when the rows are. A batch whose id the ledger holds is skipped: returns false. Failures are
   * RetryableError or PermanentError.
   */
  async write(tables: FlatTable[], batchId?: string): Promise<boolean> {
    if (this.closed) throw classifyDuckDBError(new Error('the database is closed'), 'rows');
    if (tables.length === 0) return true;
    const conn = this.conn;
    const tx = tables.length > 1 || batchId !== undefined;
    const touched: ChunkWriter[] = [];
    try {
      if (batchId !== undefined && (await conn.runAndReadAll(SEEN_SQL, [batchId])).currentRowCount > 0) return false;
      if (tx) await conn.run('BEGIN TRANSACTION');
      for (const t of tables) {
        const w = await this.writer(t.table);
        touched.push(w);
        w.append(t);
        w.flush();
      }
      if (batchId !== undefined) await conn.run(RECORD_SQL, [batchId, tables.reduce((n, t) => n + t.rowCount, 0)]);
      if (tx) await conn.run('COMMIT');
      return true;
    } catch (err) {
      for (const w of touched) this.dropWriter(w);
      if (tx) await conn.run('ROLLBACK').catch(() => {});
      throw classifyDuckDBError(err, `${tables.reduce((n, t) => n + t.rowCount, 0)} ${tables[0].table.signal} rows`);
    }
  }

  private async writer(table: TableDef): Promise<ChunkWriter> {
    let w = this.writers.get(table.name);
    if (!w) {
      w = new ChunkWriter(table, await this.conn.createAppender(table.name));
      this.writers.set(table.name, w);
    }
    return w;
  }

  /** After a failure an appender may hold half a chunk: discard it, a fresh one is made next time. */
  private dropWriter(w: ChunkWriter): void {
    this.writers.delete(w.table.name);
    try {
      w.clear();
      w.close();
    } catch {
      // already unusable
    }
  }

  /** Flushes and closes the appenders, runs CHECKPOINT (the WAL goes into the file) and closes.
   * Returns the error of the flush or checkpoint, if any; the database is closed either way. */
  async close(): Promise<Error | undefined> {
    if (this.closed) return undefined;
    this.closed = true;
    let failure: Error | undefined;
    try {
      for (const w of this.writers.values()) {
        w.flush();
        w.close();
      }
      this.writers.clear();
      await this.conn.run('CHECKPOINT');
    } catch (err) {
      failure = err as Error;
    } finally {
      this.conn.closeSync();
      this.instance.closeSync();
    }
    return failure;
  }
}

function sessionOf(conn: DuckDBConnection): SqlSession {
  return {
    transactional: true,
    exec: async (sql) => {
      await conn.run(sql);
    },
    query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
  };
}
