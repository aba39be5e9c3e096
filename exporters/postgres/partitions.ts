// Day partitions of the row store's tables (see schema.ts: PARTITION BY RANGE on the exact unix
// nanoseconds). Before a batch is copied, every day its rows fall on gets its partition, named
// `<table>_pYYYYMMDD` (UTC) and covering [midnight, next midnight) in nanoseconds. Retention then
// drops whole partitions. Created with IF NOT EXISTS, so several writers (agentcol instances
// sharing a server) may race for the same day; the loser's duplicate error is ignored.
import { DAY_NS, dayTableName, rowDays } from '../../core/storage/days.ts';
import { quoteIdent, type PgClient } from './client.ts';

export { rowDays };
/** `<table>_pYYYYMMDD` (the day rule shared with DuckDB's day tables: core/storage/days.ts). */
export const partitionName = dayTableName;

export function createPartitionSql(table: string, day: bigint): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(partitionName(table, day))} PARTITION OF ${quoteIdent(table)} ` +
    `FOR VALUES FROM (${day * DAY_NS}) TO (${(day + 1n) * DAY_NS})`
  );
}

// Partitions known to exist, per client (one per store connection set).
const known = new WeakMap<PgClient, Set<string>>();

/** Creates the partitions of `table` for these days (since the epoch, UTC; rowDays gives a
 * FlatTable's); cheap when they exist (remembered per client). */
export async function ensurePartitions(client: PgClient, table: string, days: Iterable<bigint>): Promise<void> {
  let seen = known.get(client);
  if (!seen) known.set(client, (seen = new Set()));
  for (const day of days) {
    const name = partitionName(table, day);
    if (seen.has(name)) continue;
    try {
      await client.exec(createPartitionSql(table, day));
    } catch (err) {
      // Another writer created it between our IF NOT EXISTS check and our insert into the catalog.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    seen.add(name);
  }
}
