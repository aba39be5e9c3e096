// Schema migration 4 (exporters/postgres/identity.ts traceKeyMigration): otel_traces keeps one unique
// btree led by trace_id, which serves trace lookups and the span's identity (replays), instead of
// version 1's trace_id btree plus migration 2's (timestamp_unix_nano, span_id, trace_id) key. A store
// at version 3 with spans upgrades in place, keeping them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../core/storage/migrations.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { copyBatch } from '../../exporters/postgres/copy-batch.ts';
import factory from '../../exporters/postgres/factory.ts';
import { PgliteClient } from '../../exporters/postgres/pglite-client.ts';
import { postgresMigrations } from '../../exporters/postgres/schema.ts';
import { makeGenAiTraces } from '../core/storage-fixtures.ts';

const ctx = { id: 'postgres', logger: silentLogger, metrics: new MetricsRegistry() };

describe('row store schema migration 4: one unique key on otel_traces, led by trace_id', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentcol-pg-tracekey-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('upgrades a version-3 store in place: spans kept, one btree, lookups by trace id use it, replays still skipped', async () => {
    const path = join(dir, 'pg');
    const old = await PgliteClient.open(path);
    const stored = makeGenAiTraces(300, 11);
    try {
      const session = { transactional: true, exec: (sql: string) => old.exec(sql), query: (sql: string) => old.query(sql) };
      await runMigrations(session, postgresMigrations().filter((m) => m.version <= 3), { describe: 'test' });
      await copyBatch(old, 'traces', stored);
    } finally {
      await old.close();
    }

    const ex = factory.create({ ...ctx, config: factory.normalize!({ path, worker: false }) });
    await ex.start({} as never);
    await ex.export('traces', stored); // a replay of what version 3 stored
    await ex.export('traces', makeGenAiTraces(200, 12));
    await ex.shutdown();

    const db = await PgliteClient.open(path);
    try {
      expect((await db.query<{ version: number }>('SELECT max(version)::int AS version FROM schema_migrations'))[0].version).toBe(4);
      expect((await db.query('SELECT count(*)::int AS n, count(DISTINCT (trace_id, span_id))::int AS spans FROM otel_traces'))[0]).toEqual({ n: 500, spans: 500 });
      // Every day partition: BRIN on time and the one unique btree, nothing else.
      const idx = await db.query<{ def: string }>(
        `SELECT indexdef AS def FROM pg_indexes WHERE tablename LIKE 'otel_traces_p%' ORDER BY indexdef`,
      );
      expect(idx.map((r) => r.def.replace(/^.* USING /, ''))).toEqual(['brin (timestamp_unix_nano)', 'btree (trace_id, span_id, timestamp_unix_nano)']);
      expect(idx.find((r) => r.def.includes('btree'))!.def).toMatch(/^CREATE UNIQUE INDEX/);
      // A trace lookup is an index scan of that key.
      const traceId = stored.resourceSpans[0].scopeSpans[0].spans[0].traceId;
      await db.exec('SET enable_seqscan = off');
      const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT span_id FROM otel_traces WHERE trace_id = '${traceId}'`)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan using otel_traces_p\d+_trace_id_span_id_timestamp_unix_nano_idx|Bitmap Index Scan on otel_traces_p\d+_trace_id_span_id_timestamp_unix_nano_idx/);
      // The key is unique: a span stored again outside the exporter's skip path is refused.
      await expect(db.exec('INSERT INTO otel_traces (timestamp_unix_nano, trace_id, span_id) SELECT timestamp_unix_nano, trace_id, span_id FROM otel_traces LIMIT 1')).rejects.toThrow(/duplicate key value violates unique constraint/);
    } finally {
      await db.close();
    }
  }, 180_000);
});
