// The migration runner's SqlSession over a ClickHouse client. ClickHouse has no transactions, so
// every DDL statement must be safe to run again (a migration cut short is re-run at the next start)
// and safe to race (instances starting together): ddl.ts writes IF NOT EXISTS where the server has
// it, and the "already exists" answers of a lost race or an older server are taken as done.
import type { ClickHouseClient } from '@clickhouse/client';
import type { SqlSession } from '../../core/storage/migrations.ts';
import { serverErrorCode } from './errors.ts';

/** ILLEGAL_COLUMN (a duplicate column), TABLE_ALREADY_EXISTS, DATABASE_ALREADY_EXISTS. */
const ALREADY_DONE = new Set([44, 57, 82]);

/** UNKNOWN_TABLE */
const UNKNOWN_TABLE = 60;
/** TABLE_IS_DROPPED: the table went away while our statement read it. */
const TABLE_IS_DROPPED = 218;

function isAlreadyDone(err: unknown, sql: string): boolean {
  const code = serverErrorCode(err);
  // dedup.ts: a rename already made (the target exists, or the source is gone), and a copy out of a
  // retired table that a finished run already dropped, before our copy or during it (an instance
  // drops the retired table only after its own copy of every row completed).
  if (/^\s*RENAME TABLE\b/i.test(sql)) return code === 57 || code === UNKNOWN_TABLE;
  if ((code === UNKNOWN_TABLE || code === TABLE_IS_DROPPED) && /^\s*INSERT INTO\b.*\bSELECT\b.*\bFROM `[^`]*`\.`[^`]*_mergetree`$/is.test(sql)) return true;
  if (code === undefined || !ALREADY_DONE.has(code)) return false;
  return /^\s*CREATE\b[^(]*\bIF NOT EXISTS\b/i.test(sql) || (code === 44 && /^\s*ALTER TABLE\b.*\bADD COLUMN\b/is.test(sql) && /already exists/i.test((err as Error).message));
}

export async function execIdempotent(client: ClickHouseClient, sql: string): Promise<void> {
  try {
    await client.command({ query: sql });
  } catch (err) {
    if (!isAlreadyDone(err, sql)) throw err;
  }
}

export function clickhouseSession(client: ClickHouseClient): SqlSession {
  return {
    transactional: false,
    exec: (sql) => execIdempotent(client, sql),
    query: async (sql) => (await client.query({ query: sql, format: 'JSONEachRow' })).json(),
  };
}
