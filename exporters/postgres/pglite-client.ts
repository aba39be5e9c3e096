// PgClient over an embedded PGlite (WASM PostgreSQL) in the calling thread.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { copySql, inTransaction, type CopyFormat, type PgClient } from './client.ts';

/** Server-side COPY sources live in PGlite's /tmp (MEMFS), one file per COPY. */
let copyFiles = 0;

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

  /** COPY from a file in PGlite's in-memory file system that is the payload itself: MEMFS takes
   * ownership of the view (no copy), and PostgreSQL's reads are native copies out of it. The
   * '/dev/blob' route copies the payload twice more (into a Blob, out to an ArrayBuffer) and then
   * hands it to PostgreSQL a byte at a time in JS. */
  async copyFrom(table: string, columns: string[], payload: Uint8Array, format: CopyFormat = 'text'): Promise<void> {
    const fs = this.db.Module.FS;
    const file = `/tmp/agentcol-copy-${++copyFiles}`;
    fs.writeFile(file, payload, { canOwn: true });
    try {
      await this.db.query(copySql(table, columns, `'${file}'`, format));
    } finally {
      fs.unlink(file); // and with it MEMFS's reference to the payload
    }
  }

  transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T> {
    return inTransaction(this, fn);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
