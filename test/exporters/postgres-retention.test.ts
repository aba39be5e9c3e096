// Retention in the row store: whole day partitions older than `retention` are dropped at start (and
// every retention_check_interval), each run recorded; recent days stay. Embedded and server mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import factory from '../../exporters/postgres/factory.ts';
import { partitionDayMs } from '../../exporters/postgres/retention.ts';
import { makeGenAiTraces, T0 } from '../core/storage-fixtures.ts';
import { freshDatabase, type TestDatabase } from '../helpers/postgres-server.ts';

const ctx = { id: 'postgres', logger: silentLogger, metrics: new MetricsRegistry() };
const DAY_NS = 86_400_000_000_000n;
const nowNs = BigInt(Date.now()) * 1_000_000n;

/** n spans `daysAgo` days before now (the fixture's spans, moved in time). */
function tracesAt(daysAgo: number, n: number, seed: number): TracesBatch {
  const b = makeGenAiTraces(n, seed);
  const shift = nowNs - BigInt(daysAgo) * DAY_NS - T0;
  for (const rs of b.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) {
        s.startTimeUnixNano += shift;
        s.endTimeUnixNano += shift;
        for (const e of s.events) e.timeUnixNano += shift;
      }
  return b;
}

const exporter = (config: Record<string, unknown>) => factory.create({ ...ctx, config: factory.normalize!(config) });

async function fill(config: Record<string, unknown>): Promise<void> {
  const ex = exporter(config);
  await ex.start({} as never);
  await ex.export('traces', tracesAt(90, 300, 1));
  await ex.export('traces', tracesAt(45, 300, 2));
  await ex.export('traces', tracesAt(3, 300, 3));
  await ex.export('traces', tracesAt(0, 300, 4));
  await ex.shutdown();
}

type Query = <T = Record<string, unknown>>(sql: string) => Promise<T[]>;

async function expectRetained(query: Query): Promise<void> {
  const parts = (await query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'otel_traces'`)).map((r) => r.name);
  const oldest = Math.min(...parts.map((p) => partitionDayMs(p)!));
  expect(oldest).toBeGreaterThan(Date.now() - 31 * 86_400_000);
  // The spans of 3 days ago and today stay (a span near midnight may sit on the day after).
  const [{ n }] = await query<{ n: number }>('SELECT count(*)::int AS n FROM otel_traces');
  expect(n).toBe(600);
  const runs = await query<{ table_name: string; dropped: string[]; retention: string }>('SELECT table_name, partitions_dropped AS dropped, retention FROM retention_runs');
  expect(runs.map((r) => r.table_name)).toEqual(['otel_traces']);
  expect(runs[0].retention).toBe('30d');
  expect(runs[0].dropped.length).toBeGreaterThanOrEqual(2);
  for (const p of runs[0].dropped) expect(partitionDayMs(p)!).toBeLessThan(Date.now() - 30 * 86_400_000);
}

describe('postgres retention', () => {
  const dirs: string[] = [];
  let db: TestDatabase | undefined;
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  it('embedded: drops whole day partitions older than retention at start and records the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentcol-pg-retention-'));
    dirs.push(dir);
    const path = join(dir, 'pg');
    await fill({ path });
    const ex = exporter({ path, retention: '30d' });
    await ex.start({} as never);
    await ex.shutdown();
    const pg = await PGlite.create(path);
    try {
      await expectRetained(async (sql) => (await pg.query(sql)).rows as never);
    } finally {
      await pg.close();
    }
  });

  it('server: the same, and a second run finds nothing more to drop', async () => {
    db = await freshDatabase();
    await fill({ endpoint: db.url });
    const ex = exporter({ endpoint: db.url, retention: '30d' });
    await ex.start({} as never);
    expect(await (ex as unknown as { retain(ms: number): Promise<unknown[]> }).retain(30 * 86_400_000)).toEqual([]);
    await ex.shutdown();
    await expectRetained(db.query as Query);
  });
});
