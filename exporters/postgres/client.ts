// The one interface the postgres exporter's SQL layer talks to. Implemented by embedded PGlite
// (in this thread or in a worker thread); a `pg`-backed client for a PostgreSQL server slots in later.

export interface PgClient {
  /** One statement with $1.. parameters; rows as objects. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Statements without parameters or results (may be several, separated by ';'). */
  exec(sql: string): Promise<void>;
  /** COPY table (columns) FROM STDIN; `payload` is a whole COPY payload in `format` (text: rows,
   * '\n'-terminated; binary: header, tuples, trailer; copy-encoder.ts). */
  copyFrom(table: string, columns: string[], payload: Uint8Array, format?: CopyFormat): Promise<void>;
  /** Runs fn inside BEGIN / COMMIT (ROLLBACK when it throws). Callers do not interleave. */
  transaction<T>(fn: (tx: PgClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** An error from PostgreSQL, with its SQLSTATE when known. */
export interface PgErrorLike {
  message: string;
  code?: string;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export type CopyFormat = 'text' | 'binary';

export function copySql(table: string, columns: string[], source: string, format: CopyFormat = 'text'): string {
  return `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source}${format === 'binary' ? ' WITH (FORMAT binary)' : ''}`;
}

/** fn inside BEGIN / COMMIT on `client` (one session), ROLLBACK when it throws. */
export async function inTransaction<T>(client: PgClient, fn: (tx: PgClient) => Promise<T>): Promise<T> {
  await client.exec('BEGIN');
  try {
    const out = await fn(client);
    await client.exec('COMMIT');
    return out;
  } catch (err) {
    await client.exec('ROLLBACK').catch(() => {});
    throw err;
  }
}
