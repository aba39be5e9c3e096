// What the DuckDB exporter's day-table views cost a reader: a query on `otel_traces` plans every
// branch of the view (one per day table). Creates N empty day tables behind the view, as the
// exporter does, and measures the process CPU of a small query (planning dominates: the tables are
// empty), medians of 5, one DuckDB thread.
//   node --import tsx bench/duckdb-view-planning.ts [0,30,100,365]
import { DuckDBInstance } from '@duckdb/node-api';
import { dayTableName } from '../core/storage/days.ts';
import { TRACES_TABLE } from '../core/storage/model.ts';
import { createDayTableSql, templateName, viewSql } from '../exporters/duckdb/day-tables.ts';

const cpuMs = async (f: () => Promise<unknown>) => {
  const c = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

for (const n of (process.argv[2] ?? '0,30,100,365').split(',').map(Number)) {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    await conn.run(createDayTableSql(TRACES_TABLE, templateName(TRACES_TABLE)));
    const days = Array.from({ length: n }, (_, i) => dayTableName(TRACES_TABLE.name, 20_000n + BigInt(i)));
    await conn.run('BEGIN TRANSACTION');
    for (const d of days) await conn.run(createDayTableSql(TRACES_TABLE, d));
    await conn.run('COMMIT');
    const create = await cpuMs(() => conn.run(viewSql(TRACES_TABLE, days)));
    const query: number[] = [];
    for (let i = 0; i < 5; i++) query.push(await cpuMs(() => conn.runAndReadAll(`SELECT count(*) FROM otel_traces WHERE ServiceName = 'x'`)));
    console.log(`${String(n).padStart(4)} day tables: CREATE OR REPLACE VIEW ${create.toFixed(1)} ms CPU, a query on the view ${median(query).toFixed(1)} ms CPU`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
