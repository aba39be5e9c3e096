// Opens the embedded stores an agentcol run left in a directory, to check what landed.
import { DuckDBInstance } from '@duckdb/node-api';
import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';

export async function queryDuckDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(file);
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export async function withPglite<T>(dir: string, fn: (pg: PGlite) => Promise<T>): Promise<T> {
  const pg = await PGlite.create(dir);
  try {
    return await fn(pg);
  } finally {
    await pg.close();
  }
}

export function defaultStorePaths(workDir: string) {
  return { duckdb: join(workDir, 'data', 'agentcol.duckdb'), pg: join(workDir, 'data', 'pg') };
}
