// The postgres exporter (the row store): one SQL layer (schema.ts, partitions.ts, copy-batch.ts)
// over a PgClient: embedded PGlite (in a worker thread by default) or, with `endpoint`, a
// PostgreSQL server through a connection pool.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type pg from 'pg';
import { durationMs } from '../../core/config/units.ts';
import { redactInlineSecrets } from '../../core/config/print.ts';
import { PermanentError, RetryableError, type Batch, type Exporter, type Logger, type Signal } from '../../core/component.ts';
import { protoParts } from '../../core/otlp/proto-batch.ts';
import { runMigrations, type SqlSession } from '../../core/storage/migrations.ts';
import type { PgClient } from './client.ts';
import type { PostgresExporterConfig, TlsConfig } from './config.ts';
import { copyBatch } from './copy-batch.ts';
import { classifyPgError } from './errors.ts';
import { PgliteClient } from './pglite-client.ts';
import { applyRetention, type RetentionRun } from './retention.ts';
import { postgresMigrations } from './schema.ts';
import { ServerPgClient } from './server-client.ts';
import { PostgresStateStore } from './state-store.ts';
import type { StateStore, StateStoreProvider } from '../../core/state.ts';
import { WorkerPgClient } from './worker-client.ts';

/** pg_advisory_lock key held while migrating a server, so instances starting together migrate once. */
const MIGRATION_LOCK = 0x61676e74636f6c; // 'agntcol' in ASCII
/** Held by the one instance running retention on a server at a time. */
const RETENTION_LOCK = MIGRATION_LOCK + 1;

const MIGRATIONS = postgresMigrations();

export class PostgresExporter implements Exporter, StateStoreProvider {
  private client?: PgClient;
  /** Embedded: writes run one at a time (BEGIN ... COMMIT on the one connection must not
   * interleave). A server's pool takes them concurrently. */
  private tail: Promise<unknown> = Promise.resolve();
  private retentionTimer?: NodeJS.Timeout;
  private closed = false;
  private state?: PostgresStateStore;
  readonly path: string;

  constructor(
    private readonly config: PostgresExporterConfig,
    private readonly logger: Logger,
  ) {
    this.path = config.path === ':memory:' ? ':memory:' : resolve(process.cwd(), config.path);
  }

  async start(): Promise<void> {
    this.client = this.config.endpoint ? await this.openServer(this.config.endpoint) : await this.open();
    const retentionMs = this.config.retention ? durationMs(this.config.retention) : 0;
    if (retentionMs > 0) {
      await this.retain(retentionMs);
      this.retentionTimer = setInterval(() => void this.retain(retentionMs), durationMs(this.config.retention_check_interval ?? '1h'));
      this.retentionTimer.unref();
    }
  }

  /** One retention run: logged, never thrown (the next run tries again). Returns what it dropped. */
  async retain(retentionMs: number): Promise<RetentionRun[]> {
    const client = this.client;
    if (!client || this.closed) return [];
    const text = String(this.config.retention);
    try {
      let runs: RetentionRun[];
      if (client instanceof ServerPgClient) {
        // Several instances share a server: one runs retention, the others skip this round.
        runs = await client.pinned(async (s) => {
          const [{ ok }] = await s.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${RETENTION_LOCK}) AS ok`);
          if (!ok) return [];
          try {
            return await applyRetention(s, retentionMs, text);
          } finally {
            await s.exec(`SELECT pg_advisory_unlock(${RETENTION_LOCK})`);
          }
        });
      } else {
        // Embedded: in line with the writes, which share the one connection.
        const run = this.tail.then(() => applyRetention(client, retentionMs, text));
        this.tail = run.catch(() => {});
        runs = await run;
      }
      for (const r of runs) this.logger.info('postgres retention dropped partitions', { table: r.table, partitions: r.dropped.join(','), retention: text });
      return runs;
    } catch (err) {
      this.logger.error('postgres retention failed; it runs again at the next interval', { error: (err as Error).message });
      return [];
    }
  }

  private async openServer(endpoint: string): Promise<PgClient> {
    const where = redactInlineSecrets(endpoint);
    let client: ServerPgClient;
    try {
      client = await ServerPgClient.open({
        connectionString: endpoint,
        ssl: tlsOptions(this.config.tls),
        maxConnections: this.config.max_connections ?? 4,
        connectTimeoutMs: durationMs(this.config.connect_timeout ?? '10s'),
      });
    } catch (err) {
      throw new Error(`postgres: cannot connect to ${where}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const applied = await client.pinned(async (s) => {
        await s.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
        try {
          return await runMigrations(sessionOf(s), MIGRATIONS, { describe: `PostgreSQL database ${where}` });
        } finally {
          await s.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
        }
      });
      if (applied.length) this.logger.info('postgres schema migrated', { endpoint: where, versions: applied.join(',') });
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
    return client;
  }

  private async open(): Promise<PgClient> {
    let client: PgClient;
    try {
      client = this.config.worker ? await WorkerPgClient.open(this.path) : await PgliteClient.open(this.path);
    } catch (err) {
      throw new Error(`postgres: cannot open PGlite data directory ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const applied = await runMigrations(sessionOf(client), MIGRATIONS, { describe: `PGlite database ${this.path}` });
      if (applied.length) this.logger.info('postgres schema migrated', { path: this.path, versions: applied.join(',') });
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
    return client;
  }

  /** Component state (core/state.ts) in the agentcol_state table of this database. */
  stateStore(): StateStore {
    this.state ??= new PostgresStateStore(<T>(fn: (s: PgClient) => Promise<T>) => {
      const client = this.client;
      if (!client || this.closed) return Promise.reject(new Error('postgres exporter is not running: its state store is unavailable'));
      if (client instanceof ServerPgClient) return client.pinned(fn);
      // Embedded: one connection, in line with the writes.
      const run = this.tail.then(() => fn(this.client ?? client));
      this.tail = run.catch(() => {});
      return run;
    });
    return this.state;
  }

  export(signal: Signal, batch: Batch): Promise<void> {
    if (this.client instanceof ServerPgClient) {
      return this.closed ? Promise.reject(new RetryableError('postgres exporter is shut down')) : copyBatch(this.client, signal, batch);
    }
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
    clearInterval(this.retentionTimer);
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

/** pg's `ssl` option from the `tls` block; undefined leaves it to the connection string. */
function tlsOptions(tls: TlsConfig | undefined): pg.PoolConfig['ssl'] {
  if (!tls) return undefined;
  const read = (f: string | undefined) => (f ? readFileSync(f, 'utf8') : undefined);
  return { rejectUnauthorized: !tls.insecure_skip_verify, ca: read(tls.ca_file), cert: read(tls.cert_file), key: read(tls.key_file) };
}
