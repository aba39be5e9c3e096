// The duckdb exporter: one embedded DuckDB database, written through appenders, one per table.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { RetryableError, type Batch, type Exporter, type Logger, type Signal } from '../../core/component.ts';
import { flattenBatch } from '../../core/storage/flatten.ts';
import { modelMigrations, runMigrations, type SqlSession } from '../../core/storage/migrations.ts';
import type { TableDef } from '../../core/storage/model.ts';
import { ChunkWriter } from './chunk-writer.ts';
import type { DuckDBExporterConfig } from './config.ts';
import { duckdbDialect } from './ddl.ts';
import { classifyDuckDBError } from './errors.ts';

export class DuckDBExporter implements Exporter {
  private instance?: DuckDBInstance;
  private conn?: DuckDBConnection;
  private readonly writers = new Map<string, ChunkWriter>();
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

  async start(): Promise<void> {
    const options: Record<string, string> = {};
    if (this.config.threads) options.threads = String(this.config.threads);
    if (this.config.memory_limit) options.memory_limit = this.config.memory_limit;
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    try {
      this.instance = await DuckDBInstance.create(this.path, options);
      this.conn = await this.instance.connect();
    } catch (err) {
      throw new Error(`duckdb: cannot open ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    const applied = await runMigrations(sessionOf(this.conn), modelMigrations(duckdbDialect), { describe: `DuckDB database ${this.path}` });
    if (applied.length) this.logger.info('duckdb schema migrated', { path: this.path, versions: applied.join(',') });
  }

  export(_signal: Signal, batch: Batch): Promise<void> {
    const run = this.tail.then(() => this.write(_signal, batch));
    this.tail = run.catch(() => {});
    return run;
  }

  private async write(signal: Signal, batch: Batch): Promise<void> {
    const conn = this.conn;
    if (this.closed || !conn) throw new RetryableError('duckdb exporter is not running');
    const tables = flattenBatch(signal, batch);
    if (tables.length === 0) return;
    // One table: the appender's flush is one commit. Several (metrics): one transaction, so a retry
    // after a failure never duplicates the tables that went through.
    const multi = tables.length > 1;
    const touched: ChunkWriter[] = [];
    try {
      if (multi) await conn.run('BEGIN TRANSACTION');
      for (const t of tables) {
        const w = await this.writer(conn, t.table);
        touched.push(w);
        w.append(t);
        w.flush();
      }
      if (multi) await conn.run('COMMIT');
    } catch (err) {
      for (const w of touched) this.dropWriter(w);
      if (multi) await conn.run('ROLLBACK').catch(() => {});
      throw classifyDuckDBError(err, `${tables.reduce((n, t) => n + t.rowCount, 0)} ${signal} rows`);
    }
  }

  private async writer(conn: DuckDBConnection, table: TableDef): Promise<ChunkWriter> {
    let w = this.writers.get(table.name);
    if (!w) {
      w = new ChunkWriter(table, await conn.createAppender(table.name));
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

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const conn = this.conn;
    const instance = this.instance;
    this.conn = undefined;
    this.instance = undefined;
    try {
      for (const w of this.writers.values()) {
        w.flush();
        w.close();
      }
      this.writers.clear();
      if (conn) await conn.run('CHECKPOINT');
    } catch (err) {
      this.logger.error('duckdb shutdown: flush failed', { path: this.path, error: err });
    } finally {
      conn?.closeSync();
      instance?.closeSync();
    }
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

