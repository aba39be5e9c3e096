// What idempotent writes cost, measured in one run with rounds interleaved (so machine noise hits
// both sides alike): each store's write path now against the same store without it.
//   row store (PGlite in this thread, or a PostgreSQL server): schema version 2's write (COPY under
//     the unique keys; staging table + INSERT ... ON CONFLICT DO NOTHING only when a batch hits
//     them) against schema version 1's plain COPY (copyBatch with the staging steps turned into a
//     COPY into the table, so everything else is the same code), and the replay of a stored batch;
//   DuckDB: batches with a batchId (ledger lookup + row, one transaction) against batches without.
// Figures: process CPU (all threads of this process) per span and wall time per batch, medians.
import type { Batch, Exporter, ExportOptions } from '../core/component.ts';
import { runMigrations } from '../core/storage/migrations.ts';
import type { PgClient } from '../exporters/postgres/client.ts';
import { copyBatch } from '../exporters/postgres/copy-batch.ts';
import { postgresMigrations } from '../exporters/postgres/schema.ts';

export interface PathCost {
  cpuUsPerSpan: number;
  wallMsPerBatch: number;
  spansPerSecond: number;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** Schema version 1's write path over the same client: the staging table steps of copyBatch become
 * a COPY straight into the table. */
export function withoutStaging(client: PgClient): PgClient {
  const direct: PgClient = {
    query: (sql, params) => client.query(sql, params),
    exec: async (sql) => {
      if (/^(CREATE TEMP TABLE|INSERT INTO \S+ \(.*\) SELECT .* FROM "agentcol_stage_)/s.test(sql)) return;
      await client.exec(sql);
    },
    copyFrom: (table, columns, payload, format) => client.copyFrom(table.replace(/^agentcol_stage_/, ''), columns, payload, format),
    transaction: (fn) => client.transaction((tx) => fn(withoutStaging(tx))),
    close: () => client.close(),
  };
  return direct;
}

/** Migrates `client` to schema version 1 only (`v1`) or to the latest. */
export async function migrateRowStore(client: PgClient, v1: boolean): Promise<void> {
  const all = postgresMigrations();
  await runMigrations({ transactional: true, exec: (s) => client.exec(s), query: (s) => client.query(s) }, v1 ? all.slice(0, 1) : all, { describe: 'bench' });
}

export type Writer = (batch: Batch, n: number) => Promise<void>;

/** Interleaved rounds of each writer, in the order given; every writer writes batches[0] (warm-up),
 * then each of the others once, so a writer into its own store always writes new rows, and one into
 * the store of the writer before it replays what that one just stored. `spans` per batch. */
export async function comparePaths(writers: Record<string, Writer>, batches: Batch[], spans: number, rounds: number, perRound: number): Promise<Record<string, PathCost>> {
  if (batches.length < rounds * perRound + 1) throw new Error(`comparePaths needs ${rounds * perRound + 1} distinct batches`);
  const names = Object.keys(writers);
  const samples = new Map(names.map((n) => [n, { cpu: [] as number[], wall: [] as number[] }]));
  let n = 0;
  for (const name of names) await writers[name](batches[0], n++); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const s = samples.get(name)!;
      for (let k = 0; k < perRound; k++) {
        const batch = batches[1 + r * perRound + k];
        const cpu = process.cpuUsage();
        const t = performance.now();
        await writers[name](batch, n++);
        s.wall.push(performance.now() - t);
        const c = process.cpuUsage(cpu);
        s.cpu.push((c.user + c.system) / spans);
      }
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const s = samples.get(name)!;
      const wall = median(s.wall);
      return [name, { cpuUsPerSpan: median(s.cpu), wallMsPerBatch: wall, spansPerSecond: (spans / wall) * 1000 }];
    }),
  );
}

/** Row store writer: copyBatch, through the v1 path or the current one. */
export function rowStoreWriter(client: PgClient): Writer {
  return (batch) => copyBatch(client, 'traces', batch);
}


/** DuckDB writer with or without batch ids. Distinct ids: every batch is new data. */
export function duckdbWriter(ex: Exporter, ids: boolean): Writer {
  return (batch, n) => ex.export('traces', batch, ids ? ({ batchId: `bench:${process.pid}:${n}` } as ExportOptions) : {});
}

export function ratio(cost: Record<string, PathCost>, now: string, before: string): number {
  return cost[now].cpuUsPerSpan / cost[before].cpuUsPerSpan;
}
