// What the DuckDB exporter's views cost a reader: a query on `otel_traces` plans every branch of
// the view (the template plus one branch per table behind it), ~0.5 ms of CPU per branch. Process
// CPU of a small query, medians of 5, one DuckDB thread.
//   node --import tsx bench/duckdb-view-planning.ts [empty|written|both] [0,30,100,365]
// empty:   N empty day tables behind the view, as the exporter makes them with retention (planning
//          is all the query does).
// written: the exporter's writer (DuckDBWriter) writes 20 spans on each of N days into a file, as
//          an install does day after day; without retention (the default config) and, where the
//          writer has them, with day tables (what retention keeps); then the file is reopened and
//          queried. The query also scans the N*20 rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DAY_NS, dayTableName } from '../core/storage/days.ts';
import { flattenTraces } from '../core/storage/flatten.ts';
import { TRACES_TABLE } from '../core/storage/model.ts';
import { makeGenAiTraces } from '../test/core/storage-fixtures.ts';

const cpuMs = async (f: () => Promise<unknown>) => {
  const c = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const QUERY = `SELECT count(*) FROM otel_traces WHERE ServiceName = 'x'`;

async function queryCpu(conn: DuckDBConnection): Promise<number> {
  const query: number[] = [];
  for (let i = 0; i < 5; i++) query.push(await cpuMs(() => conn.runAndReadAll(QUERY)));
  return median(query);
}

async function tablesBehind(conn: DuckDBConnection): Promise<number> {
  const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name LIKE 'otel\\_traces\\_%' ESCAPE '\\' AND table_name <> 'otel_traces_template'`);
  return Number(r.getRowObjectsJS()[0].n);
}

async function empty(n: number): Promise<void> {
  // Imported here, so `written` also runs against a checkout whose day-tables.ts names differ.
  const { createStorageTableSql, templateName, viewSql } = await import('../exporters/duckdb/day-tables.ts');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    await conn.run(createStorageTableSql(TRACES_TABLE, templateName(TRACES_TABLE)));
    const days = Array.from({ length: n }, (_, i) => dayTableName(TRACES_TABLE.name, 20_000n + BigInt(i)));
    await conn.run('BEGIN TRANSACTION');
    for (const d of days) await conn.run(createStorageTableSql(TRACES_TABLE, d));
    await conn.run('COMMIT');
    const create = await cpuMs(() => conn.run(viewSql(TRACES_TABLE, days)));
    console.log(`empty   ${String(n).padStart(4)} day tables: CREATE OR REPLACE VIEW ${create.toFixed(1)} ms CPU, a query on the view ${(await queryCpu(conn)).toFixed(1)} ms CPU`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function written(n: number, dayTables: boolean): Promise<void> {
  const { DuckDBWriter } = await import('../exporters/duckdb/writer.ts');
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-view-bench-'));
  const path = join(dir, 'bench.duckdb');
  try {
    const { writer } = await DuckDBWriter.open({ path, threads: 1, dayTables } as Parameters<typeof DuckDBWriter.open>[0]);
    const t = flattenTraces(makeGenAiTraces(20, 1));
    const times = t.columns.Timestamp as bigint[];
    const firstDay = (BigInt(Date.now()) * 1_000_000n) / DAY_NS - BigInt(n);
    for (let i = 0; i < n; i++) {
      const base = (firstDay + BigInt(i)) * DAY_NS + 3_600_000_000_000n - times[0];
      await writer.write([{ ...t, columns: { ...t.columns, Timestamp: times.map((v) => v + base) } }]);
    }
    const failed = await writer.close();
    if (failed) throw failed;
    const db = await DuckDBInstance.create(path, { threads: '1' });
    const conn = await db.connect();
    try {
      const behind = await tablesBehind(conn);
      const label = dayTables ? 'day tables (retention)' : 'no retention';
      console.log(`written ${String(n).padStart(4)} days, ${label}: ${behind} table(s) behind otel_traces, a query on the view ${(await queryCpu(conn)).toFixed(1)} ms CPU`);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mode = process.argv[2] ?? 'both';
const counts = (process.argv[3] ?? '0,30,100,365').split(',').map(Number);
if (mode === 'empty' || mode === 'both') for (const n of counts) await empty(n);
if (mode === 'written' || mode === 'both') {
  for (const n of counts) {
    await written(n, false);
    await written(n, true);
  }
}
