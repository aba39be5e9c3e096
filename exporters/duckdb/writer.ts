// The DuckDB side of the exporter: one database, one connection, one appender per table written
// (`<table>_all`, or a day table with retention: day-tables.ts), and retention on the same connection. Runs in the exporter's worker thread
// (worker.ts) or, with `worker: false`, on the calling thread.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance, listValue } from '@duckdb/node-api';
import { dayTableName } from '../../core/storage/days.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { modelMigrations, runMigrations, type Migration, type SqlSession } from '../../core/storage/migrations.ts';
import { TABLES, type TableDef } from '../../core/storage/model.ts';
import { ChunkWriter } from './chunk-writer.ts';
import { allTableName, createStorageTableSql, dayTablesMigration, moveToDayTables, splitByDay, StorageTables, viewSql } from './day-tables.ts';
import { duckdbDialect, quoteIdent } from './ddl.ts';
import { ledgerMigration, PRUNE_SQL, RECORD_SQL, SEEN_SQL } from './ledger.ts';
import { classifyDuckDBError } from './errors.ts';
import { PermanentError, RetryableError } from '../../core/component.ts';
import { expiredDayTables, RECORD_RUN_SQL, type RetentionRun } from './retention.ts';

export interface WriterOptions {
  /** Absolute path or ':memory:'. */
  path: string;
  threads?: number;
  memory_limit?: string;
  checkpoint_threshold?: string;
  /** Rows go into day tables (retention is set; `_all` rows are moved into them at open), not into
   * one `<table>_all` per model table. */
  dayTables?: boolean;
}

/** `_all` rows moved into day tables at open (with retention). */
export interface MovedTable {
  table: string;
  rows: number;
  dayTables: number;
}

/** Appenders kept open (one per table written recently); the least recently used closes past
 * this, so a backfill over many days does not hold a DataChunk per day. */
const MAX_APPENDERS = 32;

/** The migrations before day tables (schema 2): the model's tables, then the batch ledger. */
export function plainTableMigrations(): Migration[] {
  const model = modelMigrations(duckdbDialect);
  if (model.length >= ledgerMigration.version) throw new Error("the model has a schema version 2: renumber the duckdb store's own migrations after it");
  return [...model, ledgerMigration];
}

/** Every migration. */
export function duckdbMigrations(): Migration[] {
  return [...plainTableMigrations(), dayTablesMigration];
}

export class DuckDBWriter {
  /** By table name, least recently used first. */
  private readonly writers = new Map<string, ChunkWriter>();
  private closed = false;

  private constructor(
    readonly path: string,
    private instance: DuckDBInstance,
    private conn: DuckDBConnection,
    private readonly tables: StorageTables,
    private readonly byDay: boolean,
  ) {}

  /** Opens (creating the directory) and migrates the database; `applied` lists the migrations run.
   * With `dayTables`, then moves the rows of every `_all` table into day tables (`moved`). */
  static async open(opts: WriterOptions): Promise<{ writer: DuckDBWriter; applied: number[]; moved: MovedTable[] }> {
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
      const session = sessionOf(conn);
      const applied = await runMigrations(session, duckdbMigrations(), { describe: `DuckDB database ${opts.path}` });
      await conn.run(PRUNE_SQL);
      const tables = await StorageTables.load(session);
      const moved = opts.dayTables ? await moveAllToDays(session, tables, opts.path) : [];
      return { writer: new DuckDBWriter(opts.path, instance, conn, tables, opts.dayTables === true), applied, moved };
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  /**
   * Writes the tables of one batch into their `_all` tables, or with day tables into the table of
   * each row's day. One table: filled into DataChunks, appended and flushed (one commit). Several
   * (metrics, a batch across midnight with day tables), a new table, or a batch with an id: one
   * transaction, so a retry after a failure never duplicates the tables that went through, a new
   * table and its view come with the rows, and the id is in the ledger (ledger.ts) exactly when the
   * rows are. A batch whose id the ledger holds is skipped: returns false. Failures are
   * RetryableError or PermanentError.
   */
  async write(tables: FlatTable[], batchId?: string): Promise<boolean> {
    return this.writeParts(tables.length === 0 ? 0 : 1, () => tables, batchId);
  }

  /**
   * write() for a batch that comes as `count` parts (the OTLP requests a batch processor merged),
   * whose tables part(i) makes (decodes) on demand: each part is filled and appended before the
   * next is decoded, so the objects of a part die before the next garbage collection rather than
   * the whole batch surviving (and being copied by) every scavenge while it is decoded (measured
   * in the README). All parts go into one commit: with more than one part, in one transaction.
   * part() may throw a PermanentError or RetryableError, passed on as it is (after a rollback).
   */
  async writeParts(count: number, part: (i: number) => FlatTable[], batchId?: string): Promise<boolean> {
    if (this.closed) throw classifyDuckDBError(new Error('the database is closed'), 'rows');
    if (count === 0) return true;
    const conn = this.conn;
    const created = new Map<string, TableDef>();
    const touched: ChunkWriter[] = [];
    const touchedNames = new Set<string>();
    let tx = false;
    let rows = 0;
    let signal = '';
    try {
      if (batchId !== undefined && (await conn.runAndReadAll(SEEN_SQL, [batchId])).currentRowCount > 0) return false;
      for (let i = 0; i < count; i++) {
        const tables = part(i);
        const fresh = new Map<string, TableDef>();
        const parts = this.route(tables, created, fresh);
        if (i === 0) {
          tx = count > 1 || parts.length > 1 || fresh.size > 0 || batchId !== undefined;
          if (tx) await conn.run('BEGIN TRANSACTION');
        }
        if (fresh.size) {
          for (const [name, table] of fresh) created.set(name, table);
          await this.createTables(fresh);
        }
        for (const p of parts) {
          const w = await this.writer(p.name, p.rows.table);
          if (!touchedNames.has(p.name)) {
            touchedNames.add(p.name);
            touched.push(w);
          }
          rows += p.rows.rowCount;
          signal ||= p.rows.table.signal;
          w.append(p.rows);
        }
      }
      for (const w of touched) w.flush();
      if (batchId !== undefined) await conn.run(RECORD_SQL, [batchId, rows]);
      if (tx) await conn.run('COMMIT');
    } catch (err) {
      for (const name of touchedNames) this.dropWriter(name);
      if (tx) await conn.run('ROLLBACK').catch(() => {});
      for (const [name, table] of created) this.tables.delete(table.name, name);
      if (err instanceof PermanentError || err instanceof RetryableError) throw err;
      throw classifyDuckDBError(err, count > 1 ? `a ${signal || 'batch'} batch of ${count} parts` : `${rows} ${signal || 'batch'} rows`);
    }
    this.closeIdleWriters();
    return true;
  }

  /** The tables to append `tables`' rows to (each row's day table with retention, else `_all`);
   * adds to `fresh` the ones that do not exist yet (nor are in `created`). */
  private route(tables: FlatTable[], created: Map<string, TableDef>, fresh: Map<string, TableDef>): Array<{ name: string; rows: FlatTable }> {
    const parts: Array<{ name: string; rows: FlatTable }> = [];
    const add = (name: string, rows: FlatTable) => {
      parts.push({ name, rows });
      if (!this.tables.has(name) && !created.has(name)) fresh.set(name, rows.table);
    };
    for (const t of tables) {
      if (t.rowCount === 0) continue;
      if (!this.byDay) add(allTableName(t.table), t);
      else for (const d of splitByDay(t)) add(dayTableName(t.table.name, d.day), d.rows);
    }
    return parts;
  }

  /** Creates day or `_all` tables and recreates the views over them, in the caller's transaction;
   * the set knows them at once (the caller forgets them again if the transaction fails). */
  private async createTables(created: Map<string, TableDef>): Promise<void> {
    const views = new Map<string, TableDef>();
    for (const [name, table] of created) {
      await this.conn.run(createStorageTableSql(table, name));
      this.tables.add(table.name, name);
      views.set(table.name, table);
    }
    for (const table of views.values()) await this.conn.run(viewSql(table, this.tables.of(table.name)));
  }

  /**
   * Drops, per model table, the day tables whose whole day ended `retentionMs` before `nowMs`, and
   * records each table's run in retention_runs, in one transaction per table with the view's
   * new definition. Never deletes rows, never drops an `_all` table (its name is no day's). Runs
   * between writes on the writing connection.
   */
  async retain(retentionMs: number, retention: string, nowMs = Date.now()): Promise<RetentionRun[]> {
    if (this.closed) throw classifyDuckDBError(new Error('the database is closed'), 'retention');
    const cutoffMs = nowMs - retentionMs;
    const runs: RetentionRun[] = [];
    for (const table of TABLES) {
      const expired = expiredDayTables(this.tables.of(table.name), cutoffMs);
      if (!expired.length) continue;
      for (const name of expired) this.dropWriter(name);
      const kept = this.tables.of(table.name).filter((n) => !expired.includes(n));
      await this.conn.run('BEGIN TRANSACTION');
      try {
        await this.conn.run(viewSql(table, kept));
        for (const name of expired) await this.conn.run(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
        await this.conn.run(RECORD_RUN_SQL, [table.name, new Date(cutoffMs).toISOString(), listValue(expired), retention]);
        await this.conn.run('COMMIT');
      } catch (err) {
        await this.conn.run('ROLLBACK').catch(() => {});
        throw err;
      }
      for (const name of expired) this.tables.delete(table.name, name);
      runs.push({ table: table.name, dropped: expired });
    }
    return runs;
  }

  private async writer(name: string, table: TableDef): Promise<ChunkWriter> {
    let w = this.writers.get(name);
    if (w) {
      // Most recently used goes last.
      this.writers.delete(name);
    } else {
      w = new ChunkWriter(table, await this.conn.createAppender(name));
    }
    this.writers.set(name, w);
    return w;
  }

  private closeIdleWriters(): void {
    for (const name of this.writers.keys()) {
      if (this.writers.size <= MAX_APPENDERS) return;
      this.dropWriter(name);
    }
  }

  /** After a failure an appender may hold half a chunk: discard it, a fresh one is made next time.
   * Also closes the appender of a table about to be dropped, or idle. */
  private dropWriter(name: string): void {
    const w = this.writers.get(name);
    if (!w) return;
    this.writers.delete(name);
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

/**
 * With retention: the rows of each model table's `<table>_all` (written while no retention was set,
 * or renamed from a schema-2 table by migration 3) go into day tables, `_all` is dropped and the
 * view recreated: one transaction per model table (moveToDayTables), so a start that fails or dies
 * half-way leaves the tables not yet done as they were, whole, and the next start moves them.
 */
async function moveAllToDays(session: SqlSession, tables: StorageTables, path: string): Promise<MovedTable[]> {
  const moved: MovedTable[] = [];
  for (const table of TABLES) {
    const source = allTableName(table);
    if (!tables.has(source)) continue;
    await session.exec('BEGIN TRANSACTION');
    let move;
    try {
      move = await moveToDayTables(session, table, source, tables.of(table.name));
      for (const sql of move.statements) await session.exec(sql);
      await session.exec('COMMIT');
    } catch (err) {
      await session.exec('ROLLBACK').catch(() => {});
      throw new Error(
        `duckdb: ${path}: moving the rows of ${source} into day tables (retention is set) failed: ${(err as Error).message}. ` +
          `Nothing of ${source} was changed; the next start tries again (without retention the file is used as it is).`,
        { cause: err },
      );
    }
    tables.delete(table.name, source);
    for (const name of move.created) tables.add(table.name, name);
    if (move.rows > 0) moved.push({ table: source, rows: move.rows, dayTables: move.days.length });
  }
  return moved;
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
