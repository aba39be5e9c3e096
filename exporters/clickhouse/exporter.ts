// The clickhouse exporter: at start it reads the server version, creates the database and applies
// the schema migrations in the DDL that server supports (capabilities.ts, ddl.ts); each batch is
// flattened once (core/storage/flatten.ts) and written as one JSONEachRow INSERT per table.
import { Readable } from 'node:stream';
import { createClient, drainStream, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { RetryableError, type Batch, type Exporter, type ExportOptions, type Logger, type Signal } from '../../core/component.ts';
import { durationMs } from '../../core/config/units.ts';
import { redactInlineSecrets } from '../../core/config/print.ts';
import { flattenBatch, type FlatTable } from '../../core/storage/flatten.ts';
import { runMigrations, SchemaVersionError } from '../../core/storage/migrations.ts';
import { TABLES, type TableDef } from '../../core/storage/model.ts';
import { capabilitiesOf, restrictToTables, type Capabilities } from './capabilities.ts';
import { chColumns, type ChColumn } from './columns.ts';
import type { ClickHouseExporterConfig } from './config.ts';
import { createDatabaseSql, hasRecordId, migrationsTableSql, quoteIdent, quoteString, RECORD_ID, type DdlOptions } from './ddl.ts';
import { clickhouseMigrations } from './dedup.ts';
import { classifyClickHouseError, firstLine } from './errors.ts';
import { clickhouseSession } from './session.ts';
import { jsonEachRow } from './rows.ts';
import { applyRetention, type RetentionRun } from './retention.ts';

export class ClickHouseExporter implements Exporter {
  private client?: ClickHouseClient;
  private closed = false;
  /** Physical columns per table, for the tables as they exist. */
  private columns = new Map<TableDef, ChColumn[]>();
  private insertSettings: Record<string, 0 | 1> = {};
  /** Exports under way: shutdown lets them finish before closing the connections. */
  private readonly inFlight = new Set<Promise<void>>();
  caps?: Capabilities;
  /** The DDL options of the running exporter (for retention). */
  private ddl?: DdlOptions;
  private retentionTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: ClickHouseExporterConfig,
    private readonly logger: Logger,
  ) {}

  /** The endpoint as messages show it: never the password. */
  get where(): string {
    return `${redactInlineSecrets(this.config.endpoint)} (user ${this.config.username}, database ${this.config.database})`;
  }

  private newClient(database?: string): ClickHouseClient {
    const timeout = durationMs(this.config.timeout ?? 0);
    // Credentials in the endpoint (http://user:pass@host) count as username / password.
    const url = new URL(this.config.endpoint);
    const username = url.username ? decodeURIComponent(url.username) : this.config.username;
    const password = url.password ? decodeURIComponent(url.password) : this.config.password;
    url.username = '';
    url.password = '';
    return createClient({
      url: url.toString().replace(/\/$/, ''),
      username,
      password,
      ...(database ? { database } : {}),
      request_timeout: timeout > 0 ? timeout : 300_000,
      application: 'agentcol',
      // The client logs every failed request; ours are classified and reported by the pipeline.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  async start(): Promise<void> {
    const { config } = this;
    let version: string;
    const admin = this.newClient();
    try {
      try {
        version = await queryVersion(admin);
      } catch (err) {
        throw new Error(`clickhouse: cannot connect to ${this.where}: ${firstLine((err as Error).message)}`, { cause: err });
      }
      if (config.create_database) {
        await admin.command({ query: createDatabaseSql({ database: config.database, caps: capabilitiesOf(version), cluster: config.cluster_name }) }).catch((err: Error) => {
          throw new Error(`clickhouse: cannot create database ${config.database} on ${this.where} (set create_database: false if it exists): ${firstLine(err.message)}`, { cause: err });
        });
      }
    } finally {
      await admin.close();
    }

    const client = this.newClient(config.database);
    try {
      const existing = await client.query({
        query: `SELECT name, type FROM system.columns WHERE database = ${quoteString(config.database)} AND table IN ('otel_traces', 'otel_metrics_sum', 'otel_traces_mergetree', 'otel_metrics_sum_mergetree')`,
        format: 'JSONEachRow',
      });
      const caps = restrictToTables(capabilitiesOf(version), await existing.json<{ name: string; type: string }>());
      const retentionSeconds = config.retention !== undefined ? durationMs(config.retention) / 1000 : undefined;
      if (config.async_insert && !caps.asyncInsert) {
        this.logger.warn('clickhouse: this server has no async_insert (needs 21.11+); inserts are synchronous', { version });
      }
      this.insertSettings = config.async_insert && caps.asyncInsert ? { async_insert: 1, wait_for_async_insert: 1 } : {};
      const ddl: DdlOptions = { database: config.database, caps, cluster: config.cluster_name, retentionSeconds };
      const applied = await runMigrations(
        clickhouseSession(client),
        clickhouseMigrations(ddl),
        { describe: `ClickHouse database ${this.where}`, migrationsTableSql: migrationsTableSql(ddl) },
      );
      if (applied.length) this.logger.info('clickhouse schema migrated', { endpoint: this.where, server: version, versions: applied.join(',') });
      for (const t of TABLES) this.columns.set(t, chColumns(t.columns, caps));
      this.caps = caps;
      this.client = client;
      this.ddl = ddl;
    } catch (err) {
      await client.close().catch(() => {});
      if (err instanceof SchemaVersionError) throw err;
      throw new Error(`clickhouse: cannot prepare the tables in ${this.where}: ${firstLine((err as Error).message)}`, { cause: err });
    }
    // Servers without TTL ... ttl_only_drop_parts: agentcol drops expired day partitions itself.
    if (this.ddl?.retentionSeconds && !this.caps?.ttlOnlyDropParts) {
      const retentionMs = this.ddl.retentionSeconds * 1000;
      this.logger.info('clickhouse: this server has no TTL with ttl_only_drop_parts; agentcol drops expired day partitions', { retention: String(config.retention) });
      await this.retain(retentionMs);
      this.retentionTimer = setInterval(() => void this.retain(retentionMs), durationMs(config.retention_check_interval ?? '1h'));
      this.retentionTimer.unref();
    }
  }

  /** One retention run: logged, never thrown (the next run tries again). Returns what it dropped. */
  async retain(retentionMs: number, nowMs = Date.now()): Promise<RetentionRun[]> {
    const { client, ddl } = this;
    if (!client || !ddl || this.closed) return [];
    try {
      const runs = await applyRetention(client, ddl, retentionMs, String(this.config.retention), nowMs);
      for (const r of runs) this.logger.info('clickhouse retention dropped partitions', { table: r.table, partitions: r.dropped.join(','), retention: String(this.config.retention) });
      return runs;
    } catch (err) {
      this.logger.error('clickhouse retention failed; it runs again at the next interval', { error: firstLine((err as Error).message) });
      return [];
    }
  }

  export(signal: Signal, batch: Batch, options: ExportOptions = {}): Promise<void> {
    const client = this.client;
    if (this.closed || !client) return Promise.reject(new RetryableError('clickhouse exporter is not running'));
    const run = this.write(client, signal, batch, options);
    this.inFlight.add(run);
    const forget = () => this.inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async write(client: ClickHouseClient, signal: Signal, batch: Batch, options: ExportOptions): Promise<void> {
    let tables: FlatTable[];
    let inserts: { table: string; columns: string[]; rows: number; text: string }[];
    try {
      tables = flattenBatch(signal, batch);
      inserts = tables.map((t) => {
        const cols = this.columns.get(t.table)!;
        const withId = hasRecordId(t.table);
        const names = cols.map((c) => c.name);
        return { table: t.table.name, columns: withId ? [...names, RECORD_ID] : names, rows: t.rowCount, text: jsonEachRow(t, cols, withId) };
      });
    } catch (err) {
      throw classifyClickHouseError(err, `a ${signal} batch`);
    }
    // Metrics may touch several tables: each its own INSERT (ClickHouse has no multi-table atomicity).
    for (const ins of inserts) {
      try {
        // exec sends the stream as it is (insert() would serialize row objects itself).
        const res = await client.exec({
          query: `INSERT INTO ${quoteIdent(ins.table)} (${ins.columns.map(quoteIdent).join(', ')}) FORMAT JSONEachRow`,
          values: Readable.from([Buffer.from(ins.text)], { objectMode: false }),
          clickhouse_settings: this.insertSettings,
          abort_signal: options.abortSignal,
        });
        await drainStream(res.stream);
      } catch (err) {
        throw classifyClickHouseError(err, `${ins.rows} rows into ${ins.table}`);
      }
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    await Promise.allSettled(this.inFlight);
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }
}

async function queryVersion(client: ClickHouseClient): Promise<string> {
  const rs = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
  const [row] = await rs.json<{ version: string }>();
  return row.version;
}
