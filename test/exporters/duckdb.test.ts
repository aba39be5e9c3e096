import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { RetryableError } from '../../core/component.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/duckdb/factory.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs, T0 } from '../core/storage-fixtures.ts';

const ctx = { id: 'duckdb', logger: silentLogger, metrics: new MetricsRegistry() };
let dir: string;
let file: string;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(file);
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentcol-duckdb-'));
  file = join(dir, 'nested', 'agentcol.duckdb');
  const ex = factory.create({ ...ctx, config: { path: file } });
  await ex.start({} as never);
  await ex.export('traces', makeGenAiTraces(3000, 1));
  await ex.export('logs', makeOddLogs());
  await ex.export('metrics', makeAllMetrics());
  await ex.shutdown();
  await expect(ex.export('traces', makeGenAiTraces(1))).rejects.toBeInstanceOf(RetryableError);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duckdb exporter', () => {
  it('declares a single-writer queue', () => {
    expect(factory.type).toBe('duckdb');
    expect(factory.queueDefaults).toEqual({ num_consumers: 1, timeout: 0 });
  });

  it('stores every span with collector renderings and agent columns', async () => {
    const [{ n }] = await query('SELECT count(*)::INTEGER AS n FROM otel_traces');
    expect(n).toBe(3000);
    const rows = await query(`SELECT SpanName, SpanKind, StatusCode, StatusMessage, Duration, AgentId, GenAiOperation, GenAiProvider, RequestModel,
        ResponseModel, InputTokens, OutputTokens, ToolName, ServiceName, ScopeName, ScopeVersion, TraceId, ParentSpanId,
        SpanAttributes['gen_ai.tool.name'] AS tool_attr, ResourceAttributes['service.name'] AS svc_attr,
        "Events.Name" AS ev_names, "Events.Timestamp" AS ev_ts, "Events.Attributes"[1]['content'] AS ev_content,
        "Links.TraceId" AS lk_trace, "Links.Attributes"[1]['link.kind'] AS lk_kind, epoch_ns(Timestamp) AS ts_ns
      FROM otel_traces ORDER BY Timestamp LIMIT 3`);
    const by = (prefix: string) => rows.find((r) => (r.SpanName as string).startsWith(prefix))!;
    const [agent, chat, tool] = [by('invoke_agent'), by('chat'), by('execute_tool')];
    expect(agent).toMatchObject({ SpanName: 'invoke_agent support-bot', SpanKind: 'Internal', GenAiOperation: 'invoke_agent', ToolName: '', InputTokens: null, ParentSpanId: '', ServiceName: 'support-bot', svc_attr: 'support-bot', ScopeName: 'openinference.openai', ScopeVersion: '0.9.1' });
    expect(chat).toMatchObject({ SpanKind: 'Client', GenAiProvider: 'openai', RequestModel: 'gpt-4o-mini', ResponseModel: 'gpt-4o-mini-2024-07-18', ev_names: ['gen_ai.user.message', 'gen_ai.choice'] });
    expect(Number(chat.InputTokens)).toBeGreaterThanOrEqual(100);
    expect(chat.ev_content).toMatch(/^where is order/);
    expect(tool).toMatchObject({ ToolName: 'lookup_order', tool_attr: 'lookup_order', lk_kind: 'follows' });
    expect((tool.lk_trace as string[])[0]).toHaveLength(32);
    expect(typeof agent.TraceId).toBe('string');
    expect(BigInt(chat.ts_ns as bigint)).toBe(T0 + 1_000_000n * 1_000_000n); // the first span of seed 1
    expect(typeof agent.Duration).toBe('bigint');
    const status = await query(`SELECT DISTINCT StatusCode, StatusMessage FROM otel_traces ORDER BY 1`);
    expect(status).toEqual([{ StatusCode: 'Error', StatusMessage: 'tool timed out' }, { StatusCode: 'Unset', StatusMessage: '' }]);
  });

  it('stores logs with every body kind and odd values', async () => {
    const rows = await query(`SELECT Body, AgentId, GenAiProvider, TraceFlags, TraceId, EventName, epoch_ns(Timestamp) AS ns,
        LogAttributes['big'] AS big, LogAttributes['bytes'] AS bytes, LogAttributes['__proto__'] AS proto, LogAttributes['nul'] AS nul,
        LogAttributes['nested'] AS nested, ScopeAttributes['scope.attr'] AS sa FROM otel_logs ORDER BY Timestamp`);
    expect(rows).toHaveLength(12);
    const bodies = rows.map((r) => r.Body);
    expect(bodies).toEqual(expect.arrayContaining(['plain text', '42', '4611686018427387904', '-1.5', 'true', '', 'AAEC/w==', '["x",1,{"y":"z"}]',
      '{"message":"structured","level":3,"tags":["a","b"]}', 'nul\uFFFDinside', 'unicode ✓ 日本語 🤖', 'tab\tnewline\nback\\slash']));
    const first = rows.find((r) => r.Body === 'plain text')!;
    expect(first).toMatchObject({ AgentId: 'logger-agent', GenAiProvider: 'anthropic', TraceFlags: 1, TraceId: '', big: '9223372036854775807', bytes: 'aGk=', proto: 'proto-value', nul: 'a\uFFFDb', sa: 'yes' });
    expect(first.nested).toBe('{"a":{"b":{"c":[1,"two",true,null]}},"__proto__":"not a prototype"}');
    // timeUnixNano 0 falls back to the observed time
    expect(rows.some((r) => r.Body === '42' && BigInt(r.ns as bigint) === T0 + 999n)).toBe(true);
  });

  it('stores the five metric types', async () => {
    expect(await query(`SELECT MetricName, Value, "Exemplars.Value" AS ev, AgentId FROM otel_metrics_gauge`)).toEqual([{ MetricName: 'queue.depth', Value: 7.5, ev: [1.25], AgentId: 'res-agent' }]);
    expect(await query(`SELECT Value, IsMonotonic, AggregationTemporality, GenAiOperation FROM otel_metrics_sum`)).toEqual([{ Value: 3, IsMonotonic: true, AggregationTemporality: 2, GenAiOperation: 'chat' }]);
    const h = await query(`SELECT Count, Sum, BucketCounts, ExplicitBounds, Min, Max, RequestModel FROM otel_metrics_histogram ORDER BY TimeUnix`);
    expect(h).toEqual([
      { Count: 4n, Sum: 420, BucketCounts: [1n, 2n, 1n], ExplicitBounds: [100, 1000], Min: 10, Max: 300, RequestModel: 'gpt-4o-mini' },
      { Count: 0n, Sum: null, BucketCounts: [], ExplicitBounds: [], Min: null, Max: null, RequestModel: '' },
    ]);
    expect(await query(`SELECT Scale, ZeroCount, PositiveOffset, PositiveBucketCounts, NegativeOffset, NegativeBucketCounts FROM otel_metrics_exponential_histogram`)).toEqual([
      { Scale: 3, ZeroCount: 1n, PositiveOffset: -2, PositiveBucketCounts: [1n, 2n, 2n], NegativeOffset: 1, NegativeBucketCounts: [] },
    ]);
    expect(await query(`SELECT Count, Sum, "ValueAtQuantiles.Quantile" AS q, "ValueAtQuantiles.Value" AS v FROM otel_metrics_summary`)).toEqual([{ Count: 10n, Sum: 55, q: [0.5, 0.99], v: [5, 9.9] }]);
  });

  it('reopens: migrations are idempotent and data stays', async () => {
    const ex = factory.create({ ...ctx, config: { path: file } });
    await ex.start({} as never);
    await ex.export('traces', makeGenAiTraces(10, 2));
    await ex.shutdown();
    expect(await query('SELECT count(*)::INTEGER AS n FROM otel_traces')).toEqual([{ n: 3010 }]);
    expect(await query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: 'create otel tables' },
      { version: 2, name: 'agentcol_batches: ledger of written batch ids' },
      { version: 3, name: 'day tables: otel tables become views over one table per UTC day; retention_runs' },
    ]);
  });

  it('refuses a database with a newer schema version, unchanged', async () => {
    const db = await DuckDBInstance.create(file);
    const conn = await db.connect();
    await conn.run(`INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')`);
    conn.closeSync();
    db.closeSync();
    const ex = factory.create({ ...ctx, config: { path: file } });
    await expect(ex.start({} as never)).rejects.toThrow(/schema version 99 .*newer than this agentcol knows/);
    await ex.shutdown();
    expect(await query('SELECT count(*)::INTEGER AS n FROM otel_traces')).toEqual([{ n: 3010 }]);
  });
});
