// The postgres exporter against a real PostgreSQL server (endpoint): the same schema, partitions
// and COPY path as the embedded store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableError } from '../../core/component.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/postgres/factory.ts';
import { postgresMigrations } from '../../exporters/postgres/schema.ts';
import { countItems } from '../../core/signals/count.ts';
import { protoRequestBatch } from '../../core/otlp/proto-batch.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs } from '../core/storage-fixtures.ts';
import { freshDatabase, type TestDatabase } from '../helpers/postgres-server.ts';
import { ConfigError, formatIssue } from '../../core/config/issues.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import { components } from '../../distributions/agentcol/manifest.ts';

const ctx = { id: 'postgres', logger: silentLogger, metrics: new MetricsRegistry() };
const exporter = (endpoint: string, extra: Record<string, unknown> = {}) => factory.create({ ...ctx, config: factory.normalize!({ endpoint, ...extra }) });

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

describe('postgres exporter (PostgreSQL server)', () => {
  it('migrates once when several instances start together', async () => {
    const exs = [exporter(db.url), exporter(db.url), exporter(db.url)];
    await Promise.all(exs.map((e) => e.start({} as never)));
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(postgresMigrations().map((m) => m.version));
    await Promise.all(exs.map((e) => e.shutdown()));
  });

  it('stores traces, logs and metrics, concurrently, into day partitions', async () => {
    const ex = exporter(db.url);
    await ex.start({} as never);
    const traces = makeGenAiTraces(3000, 7);
    const logs = makeOddLogs();
    const metrics = makeAllMetrics();
    await Promise.all([
      ex.export('traces', traces),
      // As the receiver hands it over: protobuf bytes, never decoded on this thread.
      ex.export('traces', protoRequestBatch('traces', encodeProto.traces(makeGenAiTraces(500, 8)))),
      ex.export('logs', logs),
      ex.export('metrics', metrics),
    ]);
    await ex.shutdown();
    await expect(ex.export('traces', traces)).rejects.toBeInstanceOf(RetryableError);

    expect(await db.query('SELECT count(*)::int AS n FROM otel_traces')).toEqual([{ n: 3500 }]);
    expect(await db.query('SELECT count(*)::int AS n FROM otel_logs')).toEqual([{ n: countItems('logs', logs) }]);
    const points = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM otel_metrics_gauge) + (SELECT count(*) FROM otel_metrics_sum) + (SELECT count(*) FROM otel_metrics_histogram)
        + (SELECT count(*) FROM otel_metrics_exponential_histogram) + (SELECT count(*) FROM otel_metrics_summary) AS n`,
    );
    expect(Number(points[0].n)).toBe(countItems('metrics', metrics));

    const [row] = await db.query(
      `SELECT agent_id, gen_ai_operation, span_attributes->>'gen_ai.agent.id' AS attr_agent, timestamp_unix_nano::text AS ns, timestamp
         FROM otel_traces WHERE agent_id <> '' ORDER BY timestamp_unix_nano LIMIT 1`,
    );
    expect(row.agent_id).toBe(row.attr_agent);
    expect(new Date(row.timestamp as Date).getTime()).toBe(Math.floor(Number(BigInt(row.ns as string) / 1000000n)));

    const parts = await db.query<{ part: string }>(
      `SELECT c.relname AS part FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'otel_traces'`,
    );
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) expect(p.part).toMatch(/^otel_traces_p\d{8}$/);
  });

  it('says which server it cannot reach, without the password', async () => {
    const u = new URL(db.url);
    u.password = 'not-the-password';
    const ex = exporter(u.toString(), { connect_timeout: '3s' });
    const err = (await ex.start({} as never).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/postgres: cannot connect to postgres:\/\/agentcol:\[REDACTED\]@127\.0\.0\.1:\d+\/agentcol_test_\w+: password authentication failed/);
    expect(err.message).not.toContain('not-the-password');
  });

  it('refuses an endpoint that is not a postgres:// URL at config time, naming the key', async () => {
    const registry = new FactoryRegistry();
    for (const f of components) registry.register(f);
    const yaml = `receivers:\n  otlp:\n    protocols: { http: { endpoint: 127.0.0.1:4318 } }\nexporters:\n  postgres:\n    endpoint: db.internal:5432\nservice:\n  pipelines:\n    traces: { receivers: [otlp], exporters: [postgres] }\n`;
    const err = (await loadConfigText(yaml, 'agentcol.yaml', { registry, env: {} }).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.errors.map((e) => formatIssue(e, '.')).join('\n')).toMatch(/agentcol\.yaml:6.*endpoint/);
  });
});
