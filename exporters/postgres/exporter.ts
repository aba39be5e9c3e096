// The postgres exporter (the row store): one SQL layer over a PgClient. Today the client is embedded
// PGlite (in a worker thread by default); a PostgreSQL server client plugs in behind `endpoint`.
import { resolve } from 'node:path';
import { PermanentError, RetryableError, type Batch, type Exporter, type Logger, type Signal } from '../../core/component.ts';
import { protoParts } from '../../core/otlp/proto-batch.ts';
import { modelMigrations, runMigrations, type SqlSession } from '../../core/storage/migrations.ts';
import type { PgClient } from './client.ts';
import type { PostgresExporterConfig } from './config.ts';
import { copyBatch } from './copy-batch.ts';
import { classifyPgError } from './errors.ts';
import { PgliteClient } from './pglite-client.ts';
import { postgresDialect } from './schema.ts';
import { WorkerPgClient } from './worker-client.ts';

export class PostgresExporter implements Exporter {
  private client?: PgClient;
  /** Writes run one at a time: BEGIN ... COMMIT on the one connection must not interleave. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly path: string;

  constructor(
    private readonly config: PostgresExporterConfig,
    private readonly logger: Logger,
  ) {
    this.path = config.path === ':memory:' ? ':memory:' : resolve(process.cwd(), config.path);
  }

  async start(): Promise<void> {
    if (this.config.endpoint) {
      throw new Error(
        'postgres exporter: `endpoint` (a PostgreSQL server) is not supported yet; remove it to use the embedded PGlite store in `path`',
      );
    }
    this.client = await this.open();
  }

  private async open(): Promise<PgClient> {
    let client: PgClient;
    try {
      client = this.config.worker ? await WorkerPgClient.open(this.path) : await PgliteClient.open(this.path);
    } catch (err) {
      throw new Error(`postgres: cannot open PGlite data directory ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const applied = await runMigrations(sessionOf(client), modelMigrations(postgresDialect), { describe: `PGlite database ${this.path}` });
      if (applied.length) this.logger.info('postgres schema migrated', { path: this.path, versions: applied.join(',') });
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
    return client;
  }

  export(signal: Signal, batch: Batch): Promise<void> {
    const run = this.tail.then(() => this.write(signal, batch));
    this.tail = run.catch(() => {});
    return run;
  }

  private async write(signal: Signal, batch: Batch): Promise<void> {
    if (this.closed) throw new RetryableError('postgres exporter is shut down');
    if (this.client instanceof WorkerPgClient && !this.client.alive) {
      // The worker died (and took the write in flight with it): start a fresh one.
      this.logger.warn('postgres: PGlite worker is gone, restarting it', { path: this.path });
      await this.client.close().catch(() => {});
      this.client = undefined;
    }
    if (!this.client) {
      try {
        this.client = await this.open();
      } catch (err) {
        throw new RetryableError(`postgres: cannot reopen ${this.path}: ${(err as Error).message}`, { cause: err });
      }
    }
    const client = this.client;
    if (!(client instanceof WorkerPgClient)) return copyBatch(client, signal, batch);
    try {
      // protoParts throws TypeError / RangeError on a batch a processor left malformed: permanent.
      await client.exportProto(signal, protoParts(signal, batch));
    } catch (err) {
      if (err instanceof PermanentError || err instanceof RetryableError) throw err;
      throw classifyPgError(err, `a ${signal} batch`);
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }
}

function sessionOf(client: PgClient): SqlSession {
  return {
    transactional: true,
    exec: (sql) => client.exec(sql),
    query: (sql) => client.query(sql),
  };
}
