// Baselines survive restarts: the anomaly processor snapshots them into the postgres exporter's
// state store (real PGlite, table agentcol_state) and reloads them at start, so a run stopped and
// restarted in the middle of a stream raises exactly the alerts an uninterrupted run raises.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord, LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import { closeSharedPool } from '../../core/workers/pool.ts';
import postgres from '../../exporters/postgres/factory.ts';
import anomaly from '../../processors/anomaly/factory.ts';
import { makeConfig, World } from '../core/pipeline.fixtures.ts';
import { freshDatabase } from '../helpers/postgres-server.ts';
import { withPglite } from '../helpers/stores.ts';
import pg from 'pg';
import { prng } from '../helpers/random.ts';
import { batches, byTime, cls, DAY, HOUR, MIN, normalEvent, normalTraffic, summary, T0, type Ev } from './anomaly.fixtures.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'anomaly-state-'));
afterAll(async () => {
  await closeSharedPool();
  rmSync(tmp, { recursive: true, force: true });
});

const at = (d: number, h: number, m = 0) => T0 + d * DAY + h * HOUR + m * MIN;

function inject(agent: string, from: number, n: number, spanMs: number, seed: number, patch: Record<string, unknown> = {}): Ev[] {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const e = normalEvent(agent, from + Math.floor((i * spanMs) / n), r);
    return { ...e, attrs: { ...e.attrs, ...patch } as Ev['attrs'] };
  });
}

/** Three agents, five days; anomalies on day 3 afternoon and day 4, after the restart point. */
function stream(): TracesBatch[] {
  const evs = ['a', 'b', 'c'].flatMap((x, i) => normalTraffic(x, 5, 50 + i, { sensitive: 0.01 }));
  evs.push(...inject('a', at(3, 15), 180, 15 * MIN, 1));
  evs.push(...inject('b', at(4, 3), 6, 10 * MIN, 2));
  evs.push(...inject('c', at(4, 11), 1, MIN, 3, { 'server.address': 'exfil.example.net' }));
  for (const [i, x] of ['a', 'b', 'c'].entries()) evs.push(...inject(x, at(4, 16, 2 * i), 1, MIN, 4 + i, { 'agentcol.data.scope': 'payroll' }));
  evs.push(...inject('b', at(4, 12), 60, 2 * HOUR, 9, { 'gen_ai.tool.name': 'export_table', 'gen_ai.operation.name': 'execute_tool' }));
  return batches(byTime(evs), 200);
}

/** Runs the stream through a Service; with `dir` (a PGlite directory, or a postgres:// URL of a
 * server), baselines are kept there (and alerts stored there too). */
async function runService(dir: string | undefined, input: TracesBatch[], workers: boolean): Promise<LogRecord[]> {
  const w = new World();
  w.registry.register(anomaly);
  w.registry.register(postgres);
  const config = makeConfig({
    receivers: { test: {} },
    processors: { anomaly: { workers, escalation: { sensitive_tools: { export_table: 3 } }, ...(dir ? { state: { exporter: 'postgres', interval: '1s' } } : {}) } },
    exporters: { ...(dir ? { postgres: dir.startsWith('postgres://') ? { endpoint: dir } : { path: dir } } : {}), test: {} },
    pipelines: [
      { id: 'traces', receivers: ['test'], processors: ['anomaly'], exporters: ['test'] },
      { id: 'logs', receivers: ['test'], exporters: dir ? ['test', 'postgres'] : ['test'] },
    ],
  });
  const service = w.service(config);
  await service.start();
  // Saves every second of wall clock meanwhile (only changed agents): at arbitrary points of the
  // stream, which must not change a thing.
  for (const b of input) await w.push('test', structuredClone(b));
  await service.shutdown();
  return ((w.exported.get('test') ?? []) as LogsBatch[]).flatMap((b) => (b.resourceLogs ? b.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)) : []));
}

/** Cut in the middle of day 3's office hours: intervals are open, baselines warm. */
const cutOf = (input: TracesBatch[]) => input.findIndex((b) => Number(b.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano / 1_000_000n) >= at(3, 12));

describe('restart with restored baselines (PGlite, PostgreSQL server)', () => {
  it('gives the same subsequent alerts as an uninterrupted run (saved from the event loop, restored into the worker pool)', async () => {
    const input = stream();
    const cut = cutOf(input);
    const whole = await runService(undefined, input, false);
    const dir = path.join(tmp, 'restarted');
    const first = await runService(dir, input.slice(0, cut), false);
    const second = await runService(dir, input.slice(cut), true);

    expect(new Set(whole.map(cls))).toEqual(new Set(['volume', 'scope', 'temporal', 'escalation', 'coordination']));
    expect([...first, ...second].map(summary)).toEqual(whole.map(summary));
    expect(second.length).toBeGreaterThan(4);

    const rows = await withPglite(dir, (pg) => pg.query<{ key: string; value: string }>(`SELECT key, value FROM agentcol_state WHERE namespace = 'anomaly/anomaly' ORDER BY key`));
    expect(rows.rows.map((r) => r.key)).toEqual(['agent/a', 'agent/b', 'agent/c', 'coordination', 'meta']);
    expect(JSON.parse(rows.rows[0].value)).toMatchObject({ agent: 'a', v: 1 });
    // The alerts are in the row store too (the logs pipeline lists postgres).
    const stored = await withPglite(dir, (pg) => pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM otel_logs WHERE event_name = 'agentcol.alert'`));
    expect(stored.rows[0].n).toBe(first.length + second.length);
  }, 300_000);

  it('the same on a PostgreSQL server (endpoint): the store\'s SQL is shared', async () => {
    const db = await freshDatabase();
    try {
      const input = stream();
      const cut = cutOf(input);
      const whole = await runService(undefined, input, true);
      const first = await runService(db.url, input.slice(0, cut), true);
      const second = await runService(db.url, input.slice(cut), false);
      expect([...first, ...second].map(summary)).toEqual(whole.map(summary));
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const rows = await c.query(`SELECT key FROM agentcol_state WHERE namespace = 'anomaly/anomaly' ORDER BY key`);
        expect(rows.rows.map((r) => r.key)).toEqual(['agent/a', 'agent/b', 'agent/c', 'coordination', 'meta']);
      } finally {
        await c.end();
      }
    } finally {
      await db.drop();
    }
  }, 300_000);

  it('without the state store a restart forgets: the restarted run differs', async () => {
    // The control for the test above (it can fail): without state, warm-up starts again after the
    // restart, so the anomalies right after the cut are missed.
    const input = stream();
    const cut = cutOf(input);
    const whole = (await runService(undefined, input, false)).map(summary);
    const restarted = [...(await runService(undefined, input.slice(0, cut), false)), ...(await runService(undefined, input.slice(cut), false))].map(summary);
    expect(restarted).not.toEqual(whole);
    expect(restarted.length).toBeLessThan(whole.length);
  });

  it('a state exporter that keeps no state fails the start, saying how to fix it', async () => {
    const w = new World();
    w.registry.register(anomaly);
    const service = w.service(
      makeConfig({
        receivers: { test: {} },
        processors: { anomaly: { workers: false, state: { exporter: 'test' } } },
        exporters: { test: {} },
        pipelines: [
          { id: 'traces', receivers: ['test'], processors: ['anomaly'], exporters: ['test'] },
          { id: 'logs', receivers: ['test'], exporters: ['test'] },
        ],
      }),
    );
    await expect(service.start()).rejects.toThrow(/state\.exporter "test" has no state store: name an exporter that keeps state \(postgres\)/);
  });
});
