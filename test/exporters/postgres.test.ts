import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { RetryableError } from '../../core/component.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/postgres/factory.ts';
import { postgresMigrations } from '../../exporters/postgres/schema.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs, T0 } from '../core/storage-fixtures.ts';

const ctx = { id: 'postgres', logger: silentLogger, metrics: new MetricsRegistry() };
let dir: string;
let pgDir: string;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await PGlite.create(pgDir);
  try {
    return (await db.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentcol-pg-'));
  pgDir = join(dir, 'pg');
  const ex = factory.create({ ...ctx, config: { path: pgDir, worker: true } });
  await ex.start({} as never);
  await ex.export('traces', makeGenAiTraces(3000, 1));
  await ex.export('logs', makeOddLogs());
  await ex.export('metrics', makeAllMetrics());
  await ex.shutdown();
  await expect(ex.export('traces', makeGenAiTraces(1))).rejects.toBeInstanceOf(RetryableError);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('postgres exporter (PGlite)', () => {
  it('declares a single-writer queue', () => {
    expect(factory.queueDefaults).toEqual({ num_consumers: 1, timeout: 0 });
  });

  it('partitions every table by day', async () => {
    const parts = await query(`SELECT c.relname AS part FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'otel_traces' ORDER BY 1`);
    expect(parts.length).toBeGreaterThan(0);
    for (const r of parts) expect(r.part).toMatch(/^otel_traces_p\d{8}$/);
  });

  it('stores every span with snake_case columns, json attributes and exact nanoseconds', async () => {
    expect(await query('SELECT count(*)::int AS n FROM otel_traces')).toEqual([{ n: 3000 }]);
    const rows = await query(`SELECT span_name, span_kind, status_code, duration, agent_id, gen_ai_operation, gen_ai_provider, request_model, response_model,
        input_tokens, output_tokens, tool_name, service_name, timestamp_unix_nano, timestamp, span_attributes->>'gen_ai.tool.name' AS tool_attr,
        resource_attributes->>'service.name' AS svc_attr, events, links, parent_span_id
      FROM otel_traces ORDER BY timestamp_unix_nano LIMIT 3`);
    const by = (p: string) => rows.find((r) => (r.span_name as string).startsWith(p))!;
    const chat = by('chat'), tool = by('execute_tool'), agent = by('invoke_agent');
    expect(chat).toMatchObject({ span_kind: 'Client', status_code: 'Unset', gen_ai_operation: 'chat', gen_ai_provider: 'openai', request_model: 'gpt-4o-mini', response_model: 'gpt-4o-mini-2024-07-18', tool_name: '', svc_attr: 'support-bot' });
    expect(chat.timestamp_unix_nano).toBe(T0 + 1_000_000n * 1_000_000n);
    expect((chat.timestamp as Date).getTime()).toBe(Number((T0 + 1_000_000n * 1_000_000n) / 1_000_000n));
    expect(Number(chat.input_tokens)).toBeGreaterThanOrEqual(100);
    expect(chat.events).toEqual([
      { timestamp_unix_nano: Number(T0 + 1_000_000n * 1_000_000n + 1000n), name: 'gen_ai.user.message', attributes: { 'gen_ai.system': 'openai', content: 'where is order 1000000?' } },
      { timestamp_unix_nano: Number(T0 + 1_000_000n * 1_000_000n + 2000n), name: 'gen_ai.choice', attributes: { index: 0, finish_reason: 'stop' } },
    ]);
    expect(tool).toMatchObject({ tool_name: 'lookup_order', tool_attr: 'lookup_order', input_tokens: null });
    expect((tool.links as Array<Record<string, unknown>>)[0]).toMatchObject({ trace_state: 'vendor=1', attributes: { 'link.kind': 'follows' } });
    expect(agent).toMatchObject({ span_kind: 'Internal', parent_span_id: '' });
    // the exact nanoseconds of an event survive json, read as text
    const [ev] = await query(`SELECT (events->0->>'timestamp_unix_nano') AS ns FROM otel_traces WHERE span_name LIKE 'chat%' ORDER BY timestamp_unix_nano LIMIT 1`);
    expect(BigInt(ev.ns as string)).toBe(T0 + 1_000_000n * 1_000_000n + 1000n);
    expect(await query(`SELECT DISTINCT status_code, status_message FROM otel_traces ORDER BY 1`)).toEqual([
      { status_code: 'Error', status_message: 'tool timed out' }, { status_code: 'Unset', status_message: '' },
    ]);
  });

  it('stores logs with every body kind; U+0000 becomes U+FFFD', async () => {
    const rows = await query(`SELECT body, agent_id, gen_ai_provider, trace_flags, trace_id, log_attributes, timestamp_unix_nano FROM otel_logs ORDER BY timestamp_unix_nano`);
    expect(rows.map((r) => r.body)).toEqual(expect.arrayContaining(['plain text', '42', '4611686018427387904', '-1.5', 'true', '', 'AAEC/w==', '["x",1,{"y":"z"}]',
      '{"message":"structured","level":3,"tags":["a","b"]}', 'nul\uFFFDinside', 'unicode ✓ 日本語 🤖', 'tab\tnewline\nback\\slash']));
    const first = rows.find((r) => r.body === 'plain text')!;
    expect(first).toMatchObject({ agent_id: 'logger-agent', gen_ai_provider: 'anthropic', trace_flags: 1, trace_id: '' });
    const attrs = first.log_attributes as Record<string, unknown>;
    expect(attrs.big).toBe('9223372036854775807');
    expect(attrs.bytes).toBe('aGk=');
    expect(attrs.nul).toBe('a\uFFFDb');
    expect(attrs['key\uFFFDwith nul']).toBe('v');
    expect(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value).toBe('proto-value');
    expect(rows.find((r) => r.body === '42')!.timestamp_unix_nano).toBe(T0 + 999n);
  });

  it('stores the five metric types', async () => {
    expect(await query(`SELECT metric_name, value, exemplars, agent_id FROM otel_metrics_gauge`)).toEqual([
      { metric_name: 'queue.depth', value: 7.5, agent_id: 'res-agent', exemplars: [{ filtered_attributes: { 'ex.a': 'b' }, time_unix_nano: Number(T0 + 5n), value: 1.25, span_id: '0000000700000007', trace_id: '00000008000000080000000800000008' }] },
    ]);
    expect(await query(`SELECT value, is_monotonic, aggregation_temporality, gen_ai_operation FROM otel_metrics_sum`)).toEqual([{ value: 3, is_monotonic: true, aggregation_temporality: 2, gen_ai_operation: 'chat' }]);
    expect(await query(`SELECT count, sum, bucket_counts, explicit_bounds, min, max FROM otel_metrics_histogram ORDER BY time_unix_nano`)).toEqual([
      { count: 4, sum: 420, bucket_counts: [1, 2, 1], explicit_bounds: [100, 1000], min: 10, max: 300 },
      { count: 0, sum: null, bucket_counts: [], explicit_bounds: [], min: null, max: null },
    ]);
    expect(await query(`SELECT scale, zero_count, positive_offset, positive_bucket_counts, negative_bucket_counts FROM otel_metrics_exponential_histogram`)).toEqual([
      { scale: 3, zero_count: 1, positive_offset: -2, positive_bucket_counts: [1, 2, 2], negative_bucket_counts: [] },
    ]);
    expect(await query(`SELECT count, sum, value_at_quantiles FROM otel_metrics_summary`)).toEqual([{ count: 10, sum: 55, value_at_quantiles: [{ quantile: 0.5, value: 5 }, { quantile: 0.99, value: 9.9 }] }]);
  });

  it('reopens in-thread too: migrations idempotent, data stays', async () => {
    const ex = factory.create({ ...ctx, config: { path: pgDir, worker: false } });
    await ex.start({} as never);
    await ex.export('traces', makeGenAiTraces(10, 2));
    await ex.shutdown();
    expect(await query('SELECT count(*)::int AS n FROM otel_traces')).toEqual([{ n: 3010 }]);
    expect(await query('SELECT version, name FROM schema_migrations')).toEqual(postgresMigrations().map((m) => ({ version: m.version, name: m.name })));
  }, 60_000);

  it('refuses a database with a newer schema version, unchanged', async () => {
    await query(`INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')`);
    const ex = factory.create({ ...ctx, config: { path: pgDir, worker: true } });
    await expect(ex.start({} as never)).rejects.toThrow(/schema version 99 .*newer than this agentcol knows/);
    await ex.shutdown();
    expect(await query('SELECT count(*)::int AS n FROM otel_traces')).toEqual([{ n: 3010 }]);
  }, 60_000);
});
