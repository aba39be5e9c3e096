// Replays never double a row in the row store (exporters/postgres/identity.ts), embedded and server:
// the same batch written twice, once as objects and once replayed from its protobuf bytes (as the
// persistent queue and the PGlite worker see it), a batch overlapping one already stored, and a
// database created at schema version 1 (with a span stored twice) upgraded in place.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch, Exporter, Signal } from '../../core/component.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { protoRequestBatch } from '../../core/otlp/proto-batch.ts';
import { countItems } from '../../core/signals/count.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import { runMigrations } from '../../core/storage/migrations.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/postgres/factory.ts';
import { postgresMigrations } from '../../exporters/postgres/schema.ts';
import { createPartitionSql } from '../../exporters/postgres/partitions.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs, T0 } from '../core/storage-fixtures.ts';
import { freshDatabase, type TestDatabase } from '../helpers/postgres-server.ts';

const ctx = { id: 'postgres', logger: silentLogger, metrics: new MetricsRegistry() };
const METRIC_TABLES = ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'].map((k) => `otel_metrics_${k}`);

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

async function counts(query: Query): Promise<Record<Signal, number>> {
  const n = (t: string) => `(SELECT count(*) FROM ${t})`;
  const [r] = await query(`SELECT ${n('otel_traces')}::int AS traces, ${n('otel_logs')}::int AS logs, (${METRIC_TABLES.map(n).join(' + ')})::int AS metrics`);
  return r as Record<Signal, number>;
}

/** A batch as the receiver holds it and the queue replays it: protobuf bytes, decoded in the store. */
function replayed(signal: Signal, batch: Batch): Batch {
  return protoRequestBatch(signal, (encodeProto[signal] as (b: Batch) => Uint8Array)(batch));
}

function idempotenceSuite(name: string, open: () => Promise<{ exporter: () => Exporter; query: Query; done: () => Promise<void> }>) {
  describe(name, () => {
    let store: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => {
      store = await open();
    }, 120_000);
    afterAll(async () => store?.done());

    it('stores each span, log record and metric point once however often a batch is written', async () => {
      const traces = makeGenAiTraces(2000, 3);
      const logs = makeOddLogs();
      const metrics = makeAllMetrics();
      const ex = store.exporter();
      await ex.start({} as never);
      for (const [signal, batch] of [['traces', traces], ['logs', logs], ['metrics', metrics]] as const) {
        await ex.export(signal, batch);
        await ex.export(signal, batch);
        await ex.export(signal, replayed(signal, batch));
      }
      await ex.shutdown();
      // A restarted agentcol replays again (the persistent queue after a crash).
      const again = store.exporter();
      await again.start({} as never);
      await again.export('logs', replayed('logs', logs));
      await again.export('metrics', replayed('metrics', metrics));
      await again.shutdown();
      expect(await counts(store.query)).toEqual({ traces: 2000, logs: countItems('logs', logs), metrics: countItems('metrics', metrics) });
      const [ids] = await store.query('SELECT count(DISTINCT record_id)::int AS n, count(*) FILTER (WHERE record_id IS NULL)::int AS missing FROM otel_logs');
      expect(ids).toEqual({ n: countItems('logs', logs), missing: 0 });
    }, 180_000); // embedded: three PGlite starts in a worker each, slow on a loaded machine

    it('keeps the new rows of a batch that overlaps rows already stored', async () => {
      const ex = store.exporter();
      await ex.start({} as never);
      const before = (await counts(store.query)).traces;
      const old = makeGenAiTraces(300, 11);
      const fresh = makeGenAiTraces(200, 12);
      await ex.export('traces', old);
      const overlap: TracesBatch = { resourceSpans: [...old.resourceSpans, ...fresh.resourceSpans] };
      await ex.export('traces', overlap);
      await ex.shutdown();
      expect((await counts(store.query)).traces).toBe(before + 500);
    }, 180_000);
  });
}

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await freshDatabase();
  dir = mkdtempSync(join(tmpdir(), 'agentcol-pg-idem-'));
}, 60_000);

afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

idempotenceSuite('postgres exporter, embedded PGlite in its worker', async () => {
  const path = join(dir, 'pg');
  const { PGlite } = await import('@electric-sql/pglite');
  return {
    exporter: () => factory.create({ ...ctx, config: factory.normalize!({ path }) }),
    query: async (sql) => {
      const p = await PGlite.create(path);
      try {
        return (await p.query<Record<string, unknown>>(sql)).rows;
      } finally {
        await p.close();
      }
    },
    done: async () => {},
  };
});

idempotenceSuite('postgres exporter, PostgreSQL server', async () => ({
  exporter: () => factory.create({ ...ctx, config: factory.normalize!({ endpoint: db.url, max_connections: 2 }) }),
  query: (sql) => db.query(sql),
  done: async () => {},
}));

describe('a row store created at schema version 1', () => {
  let old: TestDatabase;
  beforeAll(async () => {
    old = await freshDatabase();
  });
  afterAll(async () => old?.drop());

  it('upgrades in place: one copy of a span it held twice, and no more duplicates after', async () => {
    const c = new pg.Client({ connectionString: old.url });
    await c.connect();
    try {
      const session = { transactional: true, exec: async (sql: string) => void (await c.query(sql)), query: async (sql: string) => (await c.query(sql)).rows };
      await runMigrations(session, postgresMigrations().slice(0, 1), { describe: 'test' });
      const ns = T0;
      await c.query(createPartitionSql('otel_traces', ns / 86_400_000_000_000n));
      // What a retry after a lost acknowledgement left behind before this version.
      for (let i = 0; i < 2; i++) {
        await c.query(
          `INSERT INTO otel_traces (timestamp_unix_nano, trace_id, span_id, parent_span_id, trace_state, span_name, span_kind, service_name,
             resource_attributes, scope_name, scope_version, span_attributes, duration, status_code, status_message, events, links,
             agent_id, gen_ai_operation, gen_ai_provider, request_model, response_model, tool_name)
           VALUES ($1, 'aa', 'bb', '', '', 'old', 'Internal', 'svc', '{}', '', '', '{}', 1, 'Unset', '', '[]', '[]', '', '', '', '', '', '')`,
          [ns.toString()],
        );
      }
      await c.query(`INSERT INTO otel_logs (timestamp_unix_nano, timestamp_time, body) VALUES ($1, now(), 'old log')`, [ns.toString()]).catch(async () => {
        await c.query(createPartitionSql('otel_logs', ns / 86_400_000_000_000n));
        await c.query(`INSERT INTO otel_logs (timestamp_unix_nano, timestamp_time, body) VALUES ($1, now(), 'old log')`, [ns.toString()]);
      });
    } finally {
      await c.end();
    }

    const ex = factory.create({ ...ctx, config: factory.normalize!({ endpoint: old.url }) });
    await ex.start({} as never);
    const traces = makeGenAiTraces(100, 5);
    await ex.export('traces', traces);
    await ex.export('traces', traces);
    await ex.shutdown();

    expect(await old.query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(postgresMigrations().map((m) => ({ version: m.version, name: m.name })));
    expect(await old.query(`SELECT count(*)::int AS n FROM otel_traces WHERE span_name = 'old'`)).toEqual([{ n: 1 }]);
    expect(await old.query(`SELECT count(*)::int AS n FROM otel_traces`)).toEqual([{ n: 101 }]);
    expect(await old.query(`SELECT body, record_id FROM otel_logs`)).toEqual([{ body: 'old log', record_id: null }]);
  });
});
