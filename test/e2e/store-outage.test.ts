// Outage of one store under steady load: a real OpenTelemetry SDK client streams spans into the
// agentcol command, which writes them into a ClickHouse server and a PostgreSQL server. The
// PostgreSQL server (a cluster of this test's own) is stopped for a while and started again:
// ClickHouse keeps receiving in real time during the outage, only the postgres sending queue grows
// (the self-metrics show it), it drains in order when the server is back, and in the end every span
// the client saw acknowledged is in both stores exactly once.
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocatePorts, startAgentcol, type Ports, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { startClickHouse, type ClickHouseTestServer } from '../helpers/clickhouse-server.ts';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';
import { otlpIngest, serviceWithSelfMetrics } from '../helpers/run-config.ts';
import { metricValue, scrape } from '../helpers/self-metrics.ts';
import { startSpanLoad, type SpanLoad } from '../helpers/span-load.ts';

const OUTAGE_MS = 6_000;

function config(p: Ports, ch: ClickHouseTestServer): string {
  const retry = 'retry_on_failure: { initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 0 }';
  return `
${otlpIngest(p)}
processors:
  batch: { timeout: 100ms }
exporters:
  clickhouse:
    endpoint: ${ch.url}
    database: outage
    password: \${env:CLICKHOUSE_PASSWORD}
    timeout: 5s
    ${retry}
  postgres:
    endpoint: \${env:PG_URL}
    connect_timeout: 2s
    sending_queue: { queue_size: 100000 }
    ${retry}
${serviceWithSelfMetrics(p)}
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [clickhouse, postgres] }
`;
}

describe('PostgreSQL server outage under load (agentcol -> ClickHouse + PostgreSQL)', () => {
  let ch: ClickHouseTestServer;
  let pgc: PostgresCluster;
  let run: RunningAgentcol | undefined;
  let load: SpanLoad | undefined;
  let ports: Ports;

  const pgQuery = async <T = Record<string, unknown>>(sql: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: pgc.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const chCount = async (where = '') => Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM outage.otel_traces FINAL ${where}`))[0].n);
  const queueSize = async (exporter: string) => metricValue(await scrape(ports.metrics), 'otelcol_exporter_queue_size', { exporter });

  beforeAll(async () => {
    [ch, pgc] = await Promise.all([startClickHouse(), startPostgresCluster()]);
    ports = await allocatePorts();
    run = await startAgentcol(config(ports, ch), ports.health, { env: { CLICKHOUSE_PASSWORD: ch.password, PG_URL: pgc.url } });
  }, 120_000);

  afterAll(async () => {
    await load?.stop().catch(() => {});
    if (run?.child.exitCode === null) await run.stop('SIGKILL');
    if (run) rmSync(run.dir, { recursive: true, force: true });
    await ch?.stop();
    pgc?.stop();
  });

  it('only the postgres queue grows; ClickHouse keeps up; the backlog drains in order; nothing lost or doubled', async () => {
    load = startSpanLoad(`http://127.0.0.1:${ports.http}`, { spansPerTick: 20, tickMs: 50 });
    // Both stores receiving before the outage.
    for (let i = 0; i < 100 && ((await chCount()) === 0 || Number((await pgQuery<{ n: string }>('SELECT count(*) AS n FROM otel_traces'))[0].n) === 0); i++) await sleep(200);

    const outageFrom = load.created();
    pgc.halt();
    const startedAt = Date.now();
    const pgQueue: number[] = [];
    const chQueue: number[] = [];
    let duringOutage: string[] = [];
    while (Date.now() - startedAt < OUTAGE_MS) {
      await sleep(500);
      pgQueue.push(await queueSize('postgres'));
      chQueue.push(await queueSize('clickhouse'));
      // Acknowledged during the outage, with two seconds to spare for the ClickHouse insert.
      if (Date.now() - startedAt <= OUTAGE_MS - 2_000) duringOutage = load.ackedSince(outageFrom);
    }
    // ClickHouse received in real time: what the client had acknowledged two seconds ago is there,
    // while PostgreSQL is still down.
    expect(duringOutage.length).toBeGreaterThan(500);
    expect(await chCount(`WHERE SpanId IN (${duringOutage.map((id) => `'${id}'`).join(',')})`)).toBe(duringOutage.length);
    const metricsText = await scrape(ports.metrics);
    expect(pgQueue.at(-1)!, `postgres queue sizes ${pgQueue}`).toBeGreaterThan(pgQueue[0]);
    expect(Math.max(...chQueue), `clickhouse queue sizes ${chQueue}`).toBeLessThan(10);
    expect(metricValue(metricsText, 'otelcol_exporter_send_failed_spans', { exporter: 'postgres' })).toBe(0);

    pgc.start();
    await sleep(2_000);
    await load.stop();
    const acked = load.acked;

    // The backlog drains.
    const deadline = Date.now() + 60_000;
    while ((await queueSize('postgres')) > 0 && Date.now() < deadline) await sleep(250);
    expect(await queueSize('postgres')).toBe(0);
    while ((await queueSize('clickhouse')) > 0 && Date.now() < deadline) await sleep(250);

    const pgRows = await pgQuery<{ span_id: string; seq: number; tx: string }>(
      `SELECT span_id, (span_attributes->>'seq')::int AS seq, xmin::text AS tx FROM otel_traces`,
    );
    const pgIds = new Set(pgRows.map((r) => r.span_id));
    expect(pgRows.length, 'rows in PostgreSQL').toBe(pgIds.size);
    expect([...acked.keys()].filter((id) => !pgIds.has(id)), 'acknowledged spans missing from PostgreSQL').toEqual([]);

    const chIds = (await ch.query<{ SpanId: string }>('SELECT SpanId FROM outage.otel_traces FINAL')).map((r) => r.SpanId);
    expect(chIds.length, 'rows in ClickHouse (FINAL)').toBe(new Set(chIds).size);
    const chSet = new Set(chIds);
    expect([...acked.keys()].filter((id) => !chSet.has(id)), 'acknowledged spans missing from ClickHouse').toEqual([]);

    // In order: the transactions that wrote the backlog (one per queued batch, one consumer) hold
    // ever later spans.
    const byTx = new Map<number, { min: number; max: number }>();
    for (const r of pgRows) {
      if (r.seq < outageFrom) continue;
      const t = byTx.get(Number(r.tx)) ?? { min: Infinity, max: -Infinity };
      byTx.set(Number(r.tx), { min: Math.min(t.min, r.seq), max: Math.max(t.max, r.seq) });
    }
    const txs = [...byTx.entries()].sort((a, b) => a[0] - b[0]).map(([, range]) => range);
    expect(txs.length).toBeGreaterThan(3);
    for (let i = 1; i < txs.length; i++) expect(txs[i].min, `batch ${i} after batch ${i - 1}`).toBeGreaterThan(txs[i - 1].max);

    const after = await scrape(ports.metrics);
    expect(metricValue(after, 'otelcol_exporter_send_failed_spans', { exporter: 'postgres' })).toBe(0);
    expect(metricValue(after, 'otelcol_exporter_sent_spans', { exporter: 'postgres' })).toBe(pgRows.length);
    expect(await run!.stop('SIGTERM'), run!.output().slice(-3000)).toBe(0);
  }, 150_000);
});
