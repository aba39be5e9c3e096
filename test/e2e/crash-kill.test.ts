// Crash safety end to end: agentcol with persistent sending queues in front of a ClickHouse server
// and a PostgreSQL server is killed with SIGKILL at random points 10 times under a steady stream
// from a real OpenTelemetry SDK client, and restarted each time (test/helpers/crash-run.ts). Every
// span the client saw acknowledged must be in both stores exactly once: the queue replays what was
// not confirmed, the stores' idempotent writes fold what was confirmed but replayed anyway.
// Most of the time is the ten restarts of the command (about 2 s of CPU each): about a minute on an
// idle 2-core machine by that count; 220 s measured with the machine's load average at 17, hence the
// timeout. Longer soak: npm run bench -- crash-soak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseTestServer } from '../helpers/clickhouse-server.ts';
import { crashRun } from '../helpers/crash-run.ts';
import { freshDatabase, type TestDatabase } from '../helpers/postgres-server.ts';

const KILLS = 10;

describe('SIGKILL at random points (agentcol with file queues -> ClickHouse + PostgreSQL servers)', () => {
  let ch: ClickHouseTestServer;
  let db: TestDatabase;

  beforeAll(async () => {
    [ch, db] = await Promise.all([startClickHouse(), freshDatabase()]);
  }, 120_000);

  afterAll(async () => {
    await ch?.stop();
    await db?.drop();
  });

  it(`every acknowledged span is in both stores exactly once after ${KILLS} kills`, async () => {
    const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : undefined;
    const r = await crashRun({ ch, pgUrl: db.url, database: 'crash', kills: KILLS, seed });
    const summary = JSON.stringify({ ...r, missingPostgres: r.missingPostgres.length, missingClickHouse: r.missingClickHouse.length });
    expect(r.kills).toBe(KILLS);
    expect(r.acked, summary).toBeGreaterThan(1000);
    expect(r.missingPostgres, `acknowledged spans missing from PostgreSQL (CRASH_SEED=${r.seed}) ${summary}`).toEqual([]);
    expect(r.missingClickHouse, `acknowledged spans missing from ClickHouse (CRASH_SEED=${r.seed}) ${summary}`).toEqual([]);
    expect(r.doubledPostgres, summary).toBe(0);
    expect(r.doubledClickHouse, summary).toBe(0);
    console.log(`crash test: ${summary}`);
  }, 400_000);
});
