// PgClient over a PostgreSQL server (`pg` connection pool). COPY goes through pg-copy-streams
// (`COPY ... FROM STDIN`), the same payload the embedded store reads from its in-memory file.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copySql, inTransaction, type CopyFormat, type PgClient } from './client.ts';

export interface ServerOptions {
  /** postgres://user:password@host:port/database?sslmode=... */
  connectionString: string;
  /** pg's `ssl` option; undefined: what the connection string says. */
  ssl?: pg.PoolConfig['ssl'];
  maxConnections: number;
  connectTimeoutMs: number;
}

/** Runs statements on one pinned connection (transactions, migrations). */
class Session implements PgClient {
  constructor(private readonly conn: pg.PoolClient) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.conn.query(sql, params)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.conn.query(sql);
  }

  async copyFrom(table: string, columns: string[], payload: Uint8Array, format: CopyFormat = 'text'): Promise<void> {
    const stream = this.conn.query(copyFrom(copySql(table, columns, 'STDIN', format)));
    await pipeline(Readable.from([Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)]), stream);
  }

  transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T> {
    return inTransaction(this, fn);
  }

  async close(): Promise<void> {}
}

export class ServerPgClient implements PgClient {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects once, so a wrong address, password or database fails at start with pg's message. */
  static async open(o: ServerOptions): Promise<ServerPgClient> {
    const pool = new pg.Pool({ connectionString: o.connectionString, ssl: o.ssl, max: o.maxConnections, connectionTimeoutMillis: o.connectTimeoutMs });
    // An idle connection the server dropped must not crash the process; the next checkout reconnects.
    pool.on('error', () => {});
    try {
      const c = await pool.connect();
      c.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new ServerPgClient(pool);
  }

  /** Runs fn on one connection of the pool (for what must share a session). */
  async pinned<T>(fn: (session: PgClient) => Promise<T>): Promise<T> {
    const conn = await this.pool.connect();
    let broken = false;
    try {
      return await fn(new Session(conn));
    } catch (err) {
      // A connection-level failure leaves the session unusable: do not return it to the pool.
      broken = !(err as { code?: string }).code;
      throw err;
    } finally {
      conn.release(broken);
    }
  }

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.pinned((s) => s.query<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.pinned((s) => s.exec(sql));
  }

  copyFrom(table: string, columns: string[], payload: Uint8Array, format: CopyFormat = 'text'): Promise<void> {
    return this.pinned((s) => s.copyFrom(table, columns, payload, format));
  }

  transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T> {
    return this.pinned((s) => s.transaction(fn));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
