// PgClient over an embedded PGlite (WASM PostgreSQL) in the calling thread.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { copySql, type PgClient } from './client.ts';

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

  async transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T> {
    await this.db.exec('BEGIN');
    try {
      const out = await fn(this);
      await this.db.exec('COMMIT');
      return out;
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
