// Day partitions of the row store's tables (see schema.ts: PARTITION BY RANGE on the exact unix
// nanoseconds). Before a batch is copied, every day its rows fall on gets its partition, named
// `<table>_pYYYYMMDD` (UTC) and covering [midnight, next midnight) in nanoseconds. Retention then
// drops whole partitions. Created with IF NOT EXISTS, so several writers (agentcol instances
// sharing a server) may race for the same day; the loser's duplicate error is ignored.
import type { FlatTable } from '../../core/storage/flatten.ts';
import type { TableDef } from '../../core/storage/model.ts';
import { quoteIdent, type PgClient } from './client.ts';

const DAY_NS = 86_400_000_000_000n;

/** The model column holding a table's row time (see schema.ts timeColumn for its SQL name). */
function modelTimeColumn(table: TableDef): string {
  return table.signal === 'metrics' ? 'TimeUnix' : 'Timestamp';
}

/** Days since the epoch (floor) of every row. */
export function rowDays(t: FlatTable): Set<bigint> {
  const days = new Set<bigint>();
  let last: bigint | undefined;
  for (const v of t.columns[modelTimeColumn(t.table)] as Array<bigint | number | null>) {
    const ns = BigInt(v ?? 0);
    const day = ns >= 0n ? ns / DAY_NS : -((-ns + DAY_NS - 1n) / DAY_NS);
    if (day !== last) days.add((last = day));
  }
  return days;
}

export function partitionName(table: string, day: bigint): string {
  const d = new Date(Number(day) * 86_400_000);
  const ymd = d.toISOString().slice(0, 10).replaceAll('-', '');
  return `${table}_p${ymd}`;
}

export function createPartitionSql(table: string, day: bigint): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(partitionName(table, day))} PARTITION OF ${quoteIdent(table)} ` +
    `FOR VALUES FROM (${day * DAY_NS}) TO (${(day + 1n) * DAY_NS})`
  );
}

// Partitions known to exist, per client (one per store connection set).
const known = new WeakMap<PgClient, Set<string>>();

/** Creates the partitions the rows of `t` need; cheap when they exist (remembered per client). */
export async function ensurePartitions(client: PgClient, t: FlatTable): Promise<void> {
  let seen = known.get(client);
  if (!seen) known.set(client, (seen = new Set()));
  for (const day of rowDays(t)) {
    const name = partitionName(t.table.name, day);
    if (seen.has(name)) continue;
    try {
      await client.exec(createPartitionSql(t.table.name, day));
    } catch (err) {
      // Another writer created it between our IF NOT EXISTS check and our insert into the catalog.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    seen.add(name);
  }
}
