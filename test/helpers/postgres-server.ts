// The PostgreSQL server the tests use: the run's own (test/global-postgres.ts) or AGENTCOL_TEST_PG.
// Each test file works in a database of its own, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

const adminUrl = () => inject('pgUrl');

export interface TestDatabase {
  url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(
      `cannot reach the test PostgreSQL server at ${url.replace(/:[^:@/]*@/, ':***@')} (${(err as Error).message}): ` +
        'see test/global-postgres.ts (it starts one for the run), or set AGENTCOL_TEST_PG',
      { cause: err },
    );
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new, empty database. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `agentcol_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl(), (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    query: (sql, params = []) => withClient(url, async (c) => (await c.query(sql, params)).rows),
    drop: () => withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
