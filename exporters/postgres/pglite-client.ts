// PgClient over an embedded PGlite (WASM PostgreSQL) in the calling thread.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { copySql, inTransaction, type PgClient } from './client.ts';

export class PgliteClient implements PgClient {
  private constructor(private readonly db: PGlite) {}

  /** Opens (creating on first use) the data directory; ':memory:' for a throwaway database. */
  static async open(dataDir: string): Promise<PgliteClient> {
    if (dataDir === ':memory:') return new PgliteClient(await PGlite.create());
    mkdirSync(dataDir, { recursive: true });
    return new PgliteClient(await PGlite.create(dataDir));
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async copyFrom(table: string, columns: string[], payload: Uint8Array): Promise<void> {
    await this.db.query(copySql(table, columns, `'/dev/blob'`), [], { blob: new Blob([payload as Uint8Array<ArrayBuffer>]) });
  }

  transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T> {
    return inTransaction(this, fn);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
