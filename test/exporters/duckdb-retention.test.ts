// DuckDB layouts and retention (exporters/duckdb/day-tables.ts, retention.ts): without retention
// every row of a model table lands in one `<table>_all`; with retention in one table per UTC day of
// its time; both read back through views identical to the plain tables of schema 2. Turning
// retention on moves `_all` into day tables (then drops the old ones, recorded); turning it off
// keeps the day tables behind the view. A replay is still skipped; a schema-2 file migrates with
// every row, atomically.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Exporter } from '../../core/component.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { ConfigError, formatIssue } from '../../core/config/issues.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import type { LogsBatch, MetricsBatch, TracesBatch } from '../../core/signals/types.ts';
import { DAY_NS, dayTableName } from '../../core/storage/days.ts';
import { flattenBatch } from '../../core/storage/flatten.ts';
import { runMigrations } from '../../core/storage/migrations.ts';
import { TABLES } from '../../core/storage/model.ts';
import { createLogger, silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { components } from '../../distributions/agentcol/manifest.ts';
import { ChunkWriter } from '../../exporters/duckdb/chunk-writer.ts';
import { duckdbDialect } from '../../exporters/duckdb/ddl.ts';
import type { DuckDBExporter } from '../../exporters/duckdb/exporter.ts';
import factory from '../../exporters/duckdb/factory.ts';
import { plainTableMigrations } from '../../exporters/duckdb/writer.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs, T0 } from '../core/storage-fixtures.ts';
import { queryDuckDb } from '../helpers/stores.ts';

const ctx = { id: 'duckdb', logger: silentLogger, metrics: new MetricsRegistry() };
const dir = mkdtempSync(join(tmpdir(), 'agentcol-duck-days-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const today = (BigInt(Date.now()) * 1_000_000n) / DAY_NS;
/** Midnight (unix ns) starting the UTC day `daysAgo` days before today. */
const midnight = (daysAgo: number) => (today - BigInt(daysAgo)) * DAY_NS;
const dayName = (table: string, daysAgo: number) => dayTableName(table, today - BigInt(daysAgo));

/** A copy of `batch` with every time (`*UnixNano` fields above 0) moved by `by` ns. */
function moved<T>(batch: T, by: bigint): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'bigint' && k.endsWith('UnixNano') && x > 0n ? x + by : walk(x);
    return out;
  };
  return walk(batch) as T;
}

/** n spans (1 ms apart) whose first starts at `startNs`. */
const tracesAt = (startNs: bigint, n: number, seed: number): TracesBatch => moved(makeGenAiTraces(n, seed), startNs - (T0 + BigInt(seed) * 1_000_000_000_000n));
/** The odd logs fixture (12 records within a microsecond of T0) moved to `atNs`. */
const logsAt = (atNs: bigint): LogsBatch => moved(makeOddLogs(), atNs - T0);
/** One point of each metric type at `atNs`; the histogram's second point `secondNs` later. */
function metricsAt(atNs: bigint, secondNs = 1n): MetricsBatch {
  const b = moved(makeAllMetrics(), atNs - T0);
  const h = b.resourceMetrics[0].scopeMetrics[0].metrics[2].data as { dataPoints: { timeUnixNano: bigint }[] };
  h.dataPoints[1].timeUnixNano = atNs + secondNs;
  return b;
}

function exporter(config: Record<string, unknown>): DuckDBExporter {
  return factory.create({ ...ctx, config: factory.normalize!(config) }) as DuckDBExporter;
}

async function run(config: Record<string, unknown>, fn: (ex: DuckDBExporter) => Promise<void>): Promise<void> {
  const ex = exporter(config);
  await ex.start();
  try {
    await fn(ex);
  } finally {
    await ex.shutdown();
  }
}

const count = async (path: string, from: string) => Number((await queryDuckDb(path, `SELECT count(*) AS n FROM ${from}`))[0].n);

/** name -> row count of every day table in the file. */
async function dayTables(path: string): Promise<Record<string, number>> {
  const names = (await queryDuckDb(path, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'otel%\\_p________' ESCAPE '\\' ORDER BY 1`)).map((r) => String(r.table_name));
  const out: Record<string, number> = {};
  for (const n of names) out[n] = await count(path, `"${n}"`);
  return out;
}

/** name -> row count of every `_all` table in the file. */
async function allTables(path: string): Promise<Record<string, number>> {
  const names = (await queryDuckDb(path, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'otel%\\_all' ESCAPE '\\' ORDER BY 1`)).map((r) => String(r.table_name));
  const out: Record<string, number> = {};
  for (const n of names) out[n] = await count(path, `"${n}"`);
  return out;
}

/** The `_all` tables when every row of `rows` (table -> rows) is in one. */
const allOf = (rows: Record<string, number>) => Object.fromEntries(TABLES.map((t) => [`${t.name}_all`, rows[t.name] ?? 0]));

/** Long enough that nothing the tests write is dropped: rows go to day tables. */
const KEEP_ALL = '3650d';

/** Every row of every model table, in a stable order, as DuckDB returns them. */
async function everyRow(path: string): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const t of TABLES) out[t.name] = await queryDuckDb(path, `SELECT * FROM ${t.name} ORDER BY ALL`);
  return out;
}

/** [column, type] of each model table as DuckDB describes it (a view's or a table's). */
async function shapes(conn: DuckDBConnection): Promise<Record<string, string[][]>> {
  const out: Record<string, string[][]> = {};
  for (const t of TABLES) out[t.name] = (await conn.runAndReadAll(`DESCRIBE ${t.name}`)).getRowObjectsJS().map((r) => [String(r.column_name), String(r.column_type)]);
  return out;
}

/** The shapes of the plain tables schema 2 created. */
async function plainShapes(): Promise<Record<string, string[][]>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const t of TABLES) for (const sql of duckdbDialect.createTable(t, t.columns)) await conn.run(sql);
    return await shapes(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function withFile<T>(path: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** What the layout tests write: traces on four days, one batch across midnight, logs, metrics on
 * two days (the histogram's second point after midnight). */
const BATCHES: Array<['traces' | 'logs' | 'metrics', TracesBatch | LogsBatch | MetricsBatch]> = [
  ['traces', tracesAt(midnight(10) + 3_600_000_000_000n, 300, 1)],
  ['traces', tracesAt(midnight(1) - 200_000_000n, 400, 2)], // 200 spans on day -2, 200 on day -1
  ['traces', tracesAt(midnight(0) + 1_000_000n, 300, 3)],
  ['logs', logsAt(midnight(5) + 42n)],
  ['metrics', metricsAt(midnight(0) - 5n, 10n)],
];

describe('duckdb layouts', () => {
  for (const retention of [undefined, KEEP_ALL]) {
    it(`a new database${retention ? ' with retention' : ''}: the model names are views with the plain tables\u2019 columns and types, empty`, async () => {
      const path = join(dir, `empty-${retention}.duckdb`);
      await run({ path, worker: false, retention }, async () => {});
      const want = await plainShapes();
      await withFile(path, async (conn) => {
        expect(await shapes(conn)).toEqual(want);
        const views = (await conn.runAndReadAll(`SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`)).getRowObjectsJS().map((r) => r.view_name);
        expect(views).toEqual(TABLES.map((t) => t.name).sort());
      });
      expect(await dayTables(path)).toEqual({});
      expect(await allTables(path)).toEqual(retention ? {} : allOf({}));
      for (const t of TABLES) expect(await count(path, t.name)).toBe(0);
    });
  }

  for (const worker of [false, true]) {
    it(`without retention every row of a model table lands in its one _all table, whatever its day (${worker ? 'worker thread' : 'calling thread'})`, async () => {
      const path = join(dir, `flat-${worker}.duckdb`);
      await run({ path, worker }, async (ex) => {
        for (const [signal, batch] of BATCHES) await ex.export(signal, batch);
      });
      expect(await dayTables(path)).toEqual({});
      expect(await allTables(path)).toEqual(allOf({ otel_traces: 1000, otel_logs: 12, otel_metrics_gauge: 1, otel_metrics_sum: 1, otel_metrics_histogram: 2, otel_metrics_exponential_histogram: 1, otel_metrics_summary: 1 }));
      // The view is the template and _all: one branch to plan, whatever the number of days.
      const [{ sql }] = await queryDuckDb(path, `SELECT sql FROM duckdb_views() WHERE view_name = 'otel_traces'`);
      expect(String(sql).split(/\bUNION ALL\b/i).map((branch) => /otel_traces_(template|all)\b/.exec(branch)?.[0])).toEqual(['otel_traces_template', 'otel_traces_all']);
      await withFile(path, async (conn) => expect(await shapes(conn)).toEqual(await plainShapes()));
    }, 60_000);
  }

  for (const worker of [false, true]) {
    it(`with retention rows land in the table of their UTC day and read back through the views (${worker ? 'worker thread' : 'calling thread'})`, async () => {
      const path = join(dir, `layout-${worker}.duckdb`);
      await run({ path, worker, retention: KEEP_ALL }, async (ex) => {
        for (const [signal, batch] of BATCHES) await ex.export(signal, batch);
      });
      expect(await dayTables(path)).toEqual({
        [dayName('otel_traces', 10)]: 300,
        [dayName('otel_traces', 2)]: 200,
        [dayName('otel_traces', 1)]: 200,
        [dayName('otel_traces', 0)]: 300,
        [dayName('otel_logs', 5)]: 12,
        [dayName('otel_metrics_gauge', 1)]: 1,
        [dayName('otel_metrics_sum', 1)]: 1,
        [dayName('otel_metrics_histogram', 1)]: 1,
        [dayName('otel_metrics_histogram', 0)]: 1,
        [dayName('otel_metrics_exponential_histogram', 1)]: 1,
        [dayName('otel_metrics_summary', 1)]: 1,
      });
      // Each day table holds only its day.
      for (const [name, days] of [[dayName('otel_traces', 2), 2], [dayName('otel_traces', 1), 1], [dayName('otel_metrics_histogram', 0), 0]] as const) {
        const time = name.includes('metrics') ? 'TimeUnix' : 'Timestamp';
        const [{ lo, hi }] = await queryDuckDb(path, `SELECT min(epoch_ns(${time})) AS lo, max(epoch_ns(${time})) AS hi FROM "${name}"`);
        expect(BigInt(lo as bigint) >= midnight(days) && BigInt(hi as bigint) < midnight(days - 1)).toBe(true);
      }
      expect(await count(path, 'otel_traces')).toBe(1000);
      expect(await allTables(path)).toEqual({});
      // The same rows as the _all layout holds.
      expect(await everyRow(path)).toEqual(await everyRow(join(dir, `flat-${worker}.duckdb`)));
      await withFile(path, async (conn) => expect(await shapes(conn)).toEqual(await plainShapes()));
    }, 60_000);
  }

  for (const retention of [KEEP_ALL, undefined]) {
    it(`a replayed batch across midnight is still skipped, also after a restart (${retention ? 'day tables' : '_all'})`, async () => {
      const path = join(dir, `replay-${retention}.duckdb`);
      const batch = tracesAt(midnight(0) - 100_000_000n, 250, 4);
      for (let i = 0; i < 2; i++) {
        await run({ path, worker: i === 0, retention }, async (ex) => {
          await ex.export('traces', batch, { batchId: 'q:seg:7' });
          await ex.export('traces', batch, { batchId: 'q:seg:7' });
        });
      }
      if (retention) expect(await dayTables(path)).toEqual({ [dayName('otel_traces', 1)]: 100, [dayName('otel_traces', 0)]: 150 });
      else expect(await allTables(path)).toEqual(allOf({ otel_traces: 250 }));
      expect(await count(path, 'otel_traces')).toBe(250);
      expect(await queryDuckDb(path, 'SELECT batch_id, rows::INTEGER AS rows FROM agentcol_batches')).toEqual([{ batch_id: 'q:seg:7', rows: 250 }]);
    }, 60_000);
  }
});

describe('duckdb retention', () => {
  /** Traces on days 90, 45, 3, 0 ago, logs 60 days ago and today, metrics 40 days ago; without
   * retention (into _all) or with a retention that keeps them all (into day tables). */
  async function fill(path: string, retention?: string): Promise<void> {
    await run({ path, worker: false, retention }, async (ex) => {
      await ex.export('traces', tracesAt(midnight(90) + 1n, 300, 1));
      await ex.export('traces', tracesAt(midnight(45) + 1n, 300, 2));
      await ex.export('traces', tracesAt(midnight(3) + 1n, 300, 3));
      await ex.export('traces', tracesAt(midnight(0) + 1n, 300, 4));
      await ex.export('logs', logsAt(midnight(60) + 7n));
      await ex.export('logs', logsAt(midnight(0) + 7n));
      await ex.export('metrics', metricsAt(midnight(40) + 7n));
    });
  }

  for (const [worker, layout] of [
    [true, '_all'],
    [false, 'day tables'],
  ] as const) {
    it(`drops whole day tables older than retention at start, records each run, keeps every row of the other days (${worker ? 'worker thread' : 'calling thread'}, a file written with ${layout})`, async () => {
      const path = join(dir, `retention-${worker}.duckdb`);
      await fill(path, layout === '_all' ? undefined : KEEP_ALL);
      if (layout === '_all') {
        expect(await dayTables(path)).toEqual({});
        expect(await allTables(path)).toEqual(allOf({ otel_traces: 1200, otel_logs: 24, otel_metrics_gauge: 1, otel_metrics_sum: 1, otel_metrics_histogram: 2, otel_metrics_exponential_histogram: 1, otel_metrics_summary: 1 }));
      } else {
        expect(Object.keys(await dayTables(path))).toHaveLength(11);
        expect(await allTables(path)).toEqual({});
      }
      const keptDays = { [dayName('otel_traces', 3)]: 300, [dayName('otel_traces', 0)]: 300, [dayName('otel_logs', 0)]: 12 };
      const keptRows = await queryDuckDb(path, `SELECT * FROM otel_traces WHERE Timestamp >= make_timestamp_ns(${midnight(29)}) ORDER BY ALL`);
      expect(keptRows).toHaveLength(600);
      const keptLogs = await queryDuckDb(path, `SELECT * FROM otel_logs WHERE Timestamp >= make_timestamp_ns(${midnight(29)}) ORDER BY ALL`);
      const started = Date.now();
      const logs: string[] = [];
      const logger = createLogger({ level: 'info', write: (line) => void logs.push(line) });
      const ex = factory.create({ ...ctx, logger, config: factory.normalize!({ path, worker, retention: '30d', retention_check_interval: '1h' }) }) as DuckDBExporter;
      await ex.start();
      // A second run finds nothing more.
      expect(await ex.retain(30 * 86_400_000)).toEqual([]);
      await ex.shutdown();
      // _all rows went into day tables first (and were logged), then retention dropped the old days.
      expect(logs.filter((l) => l.includes('duckdb moved rows into day tables')).length).toBe(layout === '_all' ? 7 : 0);
      expect(await allTables(path)).toEqual({});
      expect(await dayTables(path)).toEqual(keptDays);
      expect(await queryDuckDb(path, `SELECT * FROM otel_logs ORDER BY ALL`)).toEqual(keptLogs);
      expect(await queryDuckDb(path, `SELECT * FROM otel_traces ORDER BY ALL`)).toEqual(keptRows);
      expect(await count(path, 'otel_logs')).toBe(12);
      for (const k of ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']) expect(await count(path, `otel_metrics_${k}`)).toBe(0);

      const runs = await queryDuckDb(path, 'SELECT table_name, partitions_dropped, retention, epoch_ms(cutoff) AS cutoff, epoch_ms(run_at) AS run_at FROM retention_runs ORDER BY table_name');
      const metricTables = ['exponential_histogram', 'gauge', 'histogram', 'sum', 'summary'].map((k) => `otel_metrics_${k}`);
      expect(runs.map((r) => [r.table_name, r.partitions_dropped, r.retention])).toEqual([
        ['otel_logs', [dayName('otel_logs', 60)], '30d'],
        ...metricTables.map((t) => [t, [dayName(t, 40)], '30d']),
        ['otel_traces', [dayName('otel_traces', 90), dayName('otel_traces', 45)], '30d'],
      ]);
      for (const r of runs) {
        expect(Number(r.cutoff)).toBeGreaterThanOrEqual(started - 30 * 86_400_000 - 1);
        expect(Number(r.cutoff)).toBeLessThanOrEqual(Date.now() - 30 * 86_400_000);
        expect(Number(r.run_at)).toBeGreaterThanOrEqual(started - 1000);
      }
    }, 60_000);
  }

  it('runs in line with the writes: a day table written just before a run is dropped with its open appender, and written again after', async () => {
    const path = join(dir, 'inline.duckdb');
    await run({ path, worker: true, retention: '30d' }, async (ex) => {
      const old = tracesAt(midnight(50) + 1n, 100, 5);
      // Not awaited one by one: the exporter orders them (write, retention, write, write).
      const work = [ex.export('traces', old), ex.retain(30 * 86_400_000), ex.export('traces', old), ex.export('traces', tracesAt(midnight(0) + 1n, 100, 6))];
      const results = await Promise.all(work);
      expect(results[1]).toEqual([{ table: 'otel_traces', dropped: [dayName('otel_traces', 50)] }]);
      expect(await ex.retain(30 * 86_400_000)).toEqual([{ table: 'otel_traces', dropped: [dayName('otel_traces', 50)] }]);
      await ex.export('traces', tracesAt(midnight(0) + 1_000_000_000n, 100, 7));
    });
    expect(await dayTables(path)).toEqual({ [dayName('otel_traces', 0)]: 200 });
    expect(await count(path, 'retention_runs')).toBe(2);
  }, 60_000);

  it('runs again every retention_check_interval', async () => {
    const path = join(dir, 'interval.duckdb');
    await run({ path, worker: true, retention: '30d', retention_check_interval: '200ms' }, async (ex) => {
      await ex.export('traces', tracesAt(midnight(0) + 1n, 50, 8));
      await ex.export('traces', tracesAt(midnight(31) + 1n, 50, 9)); // after the run at start
      const deadline = Date.now() + 20_000;
      // The timer's run drops it: retain() then finds nothing left.
      while (Date.now() < deadline && (await new Promise((r) => setTimeout(r, 250)), true)) {
        if ((await ex.retain(30 * 86_400_000)).length === 0) break;
      }
    });
    expect(await dayTables(path)).toEqual({ [dayName('otel_traces', 0)]: 50 });
    expect(await queryDuckDb(path, 'SELECT table_name, partitions_dropped FROM retention_runs')).toEqual([{ table_name: 'otel_traces', partitions_dropped: [dayName('otel_traces', 31)] }]);
  }, 60_000);

  it('unset or 0 keeps everything, in _all', async () => {
    const path = join(dir, 'keep.duckdb');
    await fill(path);
    const before = await allTables(path);
    const rows = await everyRow(path);
    await run({ path, worker: false, retention: 0 }, async () => {});
    await run({ path, worker: true }, async () => {});
    expect(await allTables(path)).toEqual(before);
    expect(await dayTables(path)).toEqual({});
    expect(await everyRow(path)).toEqual(rows);
    expect(await count(path, 'retention_runs')).toBe(0);
  }, 60_000);

  it('turned off: the day tables stay behind the view, new rows go to _all; turned on again: _all joins the day tables, old days dropped', async () => {
    const path = join(dir, 'off-on.duckdb');
    await fill(path, KEEP_ALL);
    const days = await dayTables(path);
    expect(Object.keys(days)).toHaveLength(11);
    const old = await everyRow(path);
    // Off: nothing dropped or moved; new rows, on a day that has a day table and on one that has none.
    for (const worker of [false, true]) {
      await run({ path, worker }, async (ex) => {
        await ex.export('traces', tracesAt(midnight(0) + 3_600_000_000_000n + BigInt(worker ? 1 : 0), 100, 11));
        await ex.export('traces', tracesAt(midnight(45) + 3_600_000_000_000n + BigInt(worker ? 1 : 0), 50, 12));
      });
      expect(await dayTables(path)).toEqual(days);
    }
    expect(await allTables(path)).toEqual({ otel_traces_all: 300 }); // made by the first write
    expect(await count(path, 'otel_traces')).toBe(1200 + 300);
    const rows = await everyRow(path);
    expect({ ...rows, otel_traces: [] }).toEqual({ ...old, otel_traces: [] });
    expect(await count(path, 'retention_runs')).toBe(0);
    const kept = await queryDuckDb(path, `SELECT * FROM otel_traces WHERE Timestamp >= make_timestamp_ns(${midnight(29)}) ORDER BY ALL`);
    expect(kept).toHaveLength(600 + 200);

    // On again: today's _all rows join today's day table, day 45's make one that retention drops.
    await run({ path, worker: true, retention: '30d' }, async () => {});
    expect(await allTables(path)).toEqual({});
    expect(await dayTables(path)).toEqual({ [dayName('otel_traces', 3)]: 300, [dayName('otel_traces', 0)]: 500, [dayName('otel_logs', 0)]: 12 });
    expect(await queryDuckDb(path, `SELECT * FROM otel_traces ORDER BY ALL`)).toEqual(kept);
    const runs = await queryDuckDb(path, `SELECT partitions_dropped FROM retention_runs WHERE table_name = 'otel_traces'`);
    expect(runs).toEqual([{ partitions_dropped: [dayName('otel_traces', 90), dayName('otel_traces', 45)] }]);
  }, 120_000);

  it('bad values are config errors at the key, as for the row store', async () => {
    const registry = new FactoryRegistry();
    for (const f of components) registry.register(f);
    const yaml = (d: string) =>
      `receivers:\n  otlp:\n    protocols: { http: { endpoint: 127.0.0.1:4318 } }\nexporters:\n  duckdb:\n${d}  postgres:\n${d.replace('    path: x.duckdb\n', '')}service:\n  pipelines:\n    traces: { receivers: [otlp], exporters: [duckdb, postgres] }\n`;
    const ok = await loadConfigText(yaml('    path: x.duckdb\n    retention: 30d\n    retention_check_interval: 10m\n'), 'agentcol.yaml', { registry, env: {} });
    expect(ok.config).toBeDefined();
    const err = (await loadConfigText(yaml('    path: x.duckdb\n    retention: 30 days\n    retention_check_interval: hourly\n'), 'agentcol.yaml', { registry, env: {} }).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    const lines = err.errors.map((e) => formatIssue(e, '.'));
    // The same messages for both stores, each at its own line.
    expect(lines.filter((l) => l.includes('exporters.duckdb.'))).toEqual([
      'agentcol.yaml:7:16: exporters.duckdb.retention: invalid duration "30 days": use a number and a unit (ns, us, ms, s, m, h, d), like "200ms", "5s", "1m30s" or "30d"',
      'agentcol.yaml:8:31: exporters.duckdb.retention_check_interval: invalid duration "hourly": use a number and a unit (ns, us, ms, s, m, h, d), like "200ms", "5s", "1m30s" or "30d"',
    ]);
    expect(lines.filter((l) => l.includes('exporters.postgres.')).map((l) => l.replace(/^agentcol\.yaml:\d+:\d+: exporters\.postgres\./, ''))).toEqual(
      lines.filter((l) => l.includes('exporters.duckdb.')).map((l) => l.replace(/^agentcol\.yaml:\d+:\d+: exporters\.duckdb\./, '')),
    );
    // A check interval of 0 would spin: refused with the config (agentcol validate says so), before any database is opened.
    expect(() => factory.normalize!({ path: join(dir, 'never.duckdb'), retention: '30d', retention_check_interval: '0' })).toThrow(
      /^retention_check_interval must be longer than 0 \(got "0"\)/,
    );
  });
});

describe('duckdb schema migration 3 (plain tables -> views over _all, then day tables with retention)', () => {
  /** A file as the previous agentcol wrote it: schema 2, plain tables filled through the appender. */
  async function schema2File(path: string): Promise<void> {
    await withFile(path, async (conn) => {
      const session = { transactional: true, exec: async (sql: string) => void (await conn.run(sql)), query: async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[] };
      expect(await runMigrations(session, plainTableMigrations(), { describe: 'test' })).toEqual([1, 2]);
      const writers = new Map<string, ChunkWriter>();
      for (const [signal, batch] of BATCHES) {
        for (const t of flattenBatch(signal, batch)) {
          let w = writers.get(t.table.name);
          if (!w) writers.set(t.table.name, (w = new ChunkWriter(t.table, await conn.createAppender(t.table.name))));
          w.append(t);
          w.flush();
        }
      }
      for (const w of writers.values()) w.close();
      await conn.run(`INSERT INTO agentcol_batches (batch_id, rows) VALUES ('q:old:1', 300)`);
    });
  }

  it('renames the plain tables of a schema-2 file to _all in one transaction; with retention their rows move into day tables, one transaction per table, re-run after an interrupted attempt', async () => {
    const path = join(dir, 'v2.duckdb');
    await schema2File(path);
    const before = await everyRow(path);
    expect(before.otel_traces).toHaveLength(1000);
    const plainTables = `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name IN (${TABLES.map((t) => `'${t.name}'`).join(', ')})`;

    // A migration that fails half-way (otel_logs_all is taken) changes nothing.
    await withFile(path, (conn) => conn.run(`CREATE TABLE otel_logs_all (x INTEGER)`));
    const failed = exporter({ path, worker: false });
    await expect(failed.start()).rejects.toThrow(/schema migration 3 .*failed/);
    await failed.shutdown();
    expect(await queryDuckDb(path, 'SELECT max(version)::INTEGER AS v FROM schema_migrations')).toEqual([{ v: 2 }]);
    expect(await queryDuckDb(path, plainTables)).toEqual([{ n: 7 }]);
    expect(await everyRow(path)).toEqual(before);
    await withFile(path, (conn) => conn.run(`DROP TABLE otel_logs_all`));

    // Without retention: every row in its table's _all, nothing copied; the views return exactly
    // what the tables held; a batch stored before the migration is still known to the ledger.
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => void logs.push(line) });
    const ex = factory.create({ ...ctx, logger, config: factory.normalize!({ path, worker: true }) });
    await ex.start({} as never);
    await ex.export('traces', BATCHES[0][1], { batchId: 'q:old:1' });
    await ex.shutdown();
    expect(logs.filter((l) => l.includes('duckdb schema migrated'))).toEqual([expect.stringMatching(/versions=3\b/)]);
    expect(await everyRow(path)).toEqual(before);
    expect(await queryDuckDb(path, plainTables)).toEqual([{ n: 0 }]);
    expect(await dayTables(path)).toEqual({});
    expect(await allTables(path)).toEqual(await allTables(join(dir, 'flat-false.duckdb')));
    await withFile(path, async (conn) => expect(await shapes(conn)).toEqual(await plainShapes()));

    // With retention: a move that fails (a day table of otel_logs is taken, with other columns)
    // leaves otel_logs_all whole; the tables moved before it stay moved; every row still reads back.
    const blocker = dayName('otel_logs', 5);
    await withFile(path, (conn) => conn.run(`CREATE TABLE "${blocker}" (x INTEGER)`));
    const interrupted = exporter({ path, worker: false, retention: KEEP_ALL });
    await expect(interrupted.start()).rejects.toThrow(/duckdb: .*moving the rows of otel_logs_all into day tables \(retention is set\) failed: .*otel_logs_p\d{8}.*Nothing of otel_logs_all was changed; the next start tries again/s);
    await interrupted.shutdown();
    expect((await allTables(path)).otel_logs_all).toBe(12);
    expect((await allTables(path)).otel_traces_all).toBeUndefined();
    expect(await everyRow(path)).toEqual(before);
    await withFile(path, (conn) => conn.run(`DROP TABLE "${blocker}"`));

    // The next start moves the rest; the day tables are those this agentcol writes with retention.
    await run({ path, worker: true, retention: KEEP_ALL }, async () => {});
    expect(await allTables(path)).toEqual({});
    expect(await everyRow(path)).toEqual(before);
    expect(await dayTables(path)).toEqual(await dayTables(join(dir, 'layout-false.duckdb')));
    await withFile(path, async (conn) => expect(await shapes(conn)).toEqual(await plainShapes()));
    expect(await count(path, 'retention_runs')).toBe(0);

    // And a file written by this agentcol from the start holds the same rows.
    expect(await everyRow(join(dir, 'layout-true.duckdb'))).toEqual(before);
  }, 120_000);
});
