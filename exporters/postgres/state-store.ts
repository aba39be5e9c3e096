// The row store as a component state store (core/state.ts): one table of text values by
// (namespace, key), upserted in one transaction. Embedded PGlite and a server share the SQL.
import type { StateStore } from '../../core/state.ts';
import { inTransaction, type PgClient } from './client.ts';

export const STATE_TABLE = 'agentcol_state';

/** Created by migration 3 (schema.ts). */
export const STATE_DDL = [
  `CREATE TABLE ${STATE_TABLE} (
  namespace text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, key)
)`,
];

/** Runs fn on one session: in line with the embedded store's writes, or on one pooled connection. */
export type SessionRunner = <T>(fn: (session: PgClient) => Promise<T>) => Promise<T>;

export class PostgresStateStore implements StateStore {
  constructor(private readonly session: SessionRunner) {}

  async load(namespace: string): Promise<Map<string, string>> {
    const rows = await this.session((s) => s.query<{ key: string; value: string }>(`SELECT key, value FROM ${STATE_TABLE} WHERE namespace = $1 ORDER BY key`, [namespace]));
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  async save(namespace: string, entries: ReadonlyMap<string, string>): Promise<void> {
    if (entries.size === 0) return;
    const keys = [...entries.keys()];
    const values = keys.map((k) => entries.get(k)!);
    // One statement for every entry: unnest of two arrays, so a save is one round trip.
    await this.session((s) =>
      inTransaction(s, (tx) =>
        tx.query(
          `INSERT INTO ${STATE_TABLE} (namespace, key, value)
           SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
           ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
          [namespace, keys, values],
        ),
      ),
    );
  }

  async clear(namespace: string): Promise<void> {
    await this.session((s) => s.query(`DELETE FROM ${STATE_TABLE} WHERE namespace = $1`, [namespace]));
  }
}
