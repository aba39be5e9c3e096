// The clickhouse exporter against a real ClickHouse server the file starts itself
// (test/helpers/clickhouse-server.ts; Debian's 18.16 on CI, which gets the legacy layout), plus the
// DDL of current servers, which no server here can run, checked clause by clause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError, type Exporter } from '../../core/component.ts';
import { createLogger, silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { countItems } from '../../core/signals/count.ts';
import { LOGS_TABLE, METRICS_SUM_TABLE, TRACES_TABLE } from '../../core/storage/model.ts';
import { modelMigrations, runMigrations } from '../../core/storage/migrations.ts';
import { clickhouseMigrations, dedupStatements } from '../../exporters/clickhouse/dedup.ts';
import { recordId } from '../../core/storage/record-id.ts';
import factory from '../../exporters/clickhouse/factory.ts';
import type { ClickHouseExporter } from '../../exporters/clickhouse/exporter.ts';
import { capabilitiesOf } from '../../exporters/clickhouse/capabilities.ts';
import { clickhouseDialect, createTableSql, migrationsTableSql } from '../../exporters/clickhouse/ddl.ts';
import { dateTime64Text, jsonEachRow } from '../../exporters/clickhouse/rows.ts';
import { chColumns } from '../../exporters/clickhouse/columns.ts';
import { flattenBatch } from '../../core/storage/flatten.ts';
import { clickhouseSession } from '../../exporters/clickhouse/session.ts';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { classifyClickHouseError } from '../../exporters/clickhouse/errors.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { ConfigError, formatIssue } from '../../core/config/issues.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import { components } from '../../distributions/agentcol/manifest.ts';
import { T0, makeAllMetrics, makeGenAiTraces, makeOddLogs } from '../core/storage-fixtures.ts';
import { startClickHouse, type ClickHouseTestServer } from '../helpers/clickhouse-server.ts';

const ctx = { id: 'clickhouse', logger: silentLogger, metrics: new MetricsRegistry() };
let server: ClickHouseTestServer;

function exporter(extra: Record<string, unknown> = {}): ClickHouseExporter {
  const config = factory.normalize!({ endpoint: server.url, username: server.username, password: server.password, ...extra });
  return factory.create({ ...ctx, config }) as ClickHouseExporter;
}

beforeAll(async () => {
  server = await startClickHouse();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('clickhouse exporter (real server)', () => {
  it('detects the server version and picks the legacy layout on 18.16', async () => {
    const ex = exporter({ database: 'layout' });
    await ex.start();
    await ex.shutdown();
    const [{ version }] = await server.query<{ version: string }>('SELECT version() AS version');
    const legacy = !capabilitiesOf(version).dateTime64;
    expect(ex.caps!.dateTime64).toBe(!legacy);
    const cols = Object.fromEntries(
      (await server.query<{ name: string; type: string }>("SELECT name, type FROM system.columns WHERE database = 'layout' AND table = 'otel_traces'")).map((c) => [c.name, c.type]),
    );
    if (legacy) {
      expect(cols).toMatchObject({
        Timestamp: "DateTime('UTC')",
        TimestampUnixNano: 'UInt64',
        'SpanAttributes.keys': 'Array(String)',
        'SpanAttributes.values': 'Array(String)',
        'Events.Timestamp': "Array(DateTime('UTC'))",
        'Events.TimestampUnixNano': 'Array(UInt64)',
        'Events.Attributes.keys': 'Array(Array(String))',
        InputTokens: 'Nullable(Int64)',
        AgentId: 'String',
      });
    } else {
      expect(cols.Timestamp).toMatch(/^DateTime64\(9/);
    }
    const [engine] = await server.query<{ engine: string; partition_key: string; sorting_key: string }>(
      "SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = 'layout' AND name = 'otel_traces'",
    );
    expect(engine.engine).toBe('ReplacingMergeTree');
    expect(engine.partition_key).toBe('toDate(Timestamp)');
    expect(engine.sorting_key).toMatch(/, TraceId, SpanId$/);
  });

  it('applies the migrations once; they are idempotent across restarts (of agentcol and of the server)', async () => {
    const db = 'migrations';
    const first = exporter({ database: db });
    await first.start();
    await first.shutdown();
    const tables = await server.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`);
    expect(tables.map((t) => t.name)).toEqual([
      'otel_logs', 'otel_metrics_exponential_histogram', 'otel_metrics_gauge', 'otel_metrics_histogram',
      'otel_metrics_sum', 'otel_metrics_summary', 'otel_traces', 'retention_runs', 'schema_migrations',
    ]);
    await server.halt();
    await server.start();
    const again = exporter({ database: db });
    await again.start();
    await again.shutdown();
    const rows = await server.query<{ version: number; name: string }>(`SELECT version, name FROM ${db}.schema_migrations ORDER BY version`);
    expect(rows).toEqual(clickhouseMigrations({ database: db, caps: again.caps! }).map((m) => ({ version: m.version, name: m.name })));
  }, 120_000);

  it('migrates once when several instances start together; later column migrations are idempotent', async () => {
    const db = 'together';
    const exs = [exporter({ database: db }), exporter({ database: db }), exporter({ database: db })];
    await Promise.all(exs.map((e) => e.start()));
    await Promise.all(exs.map((e) => e.shutdown()));
    const versions = await server.query<{ version: number }>(`SELECT DISTINCT version FROM ${db}.schema_migrations ORDER BY version`);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    // What a schema version 2 adding a column would run, twice (a migration cut short is re-run).
    const alter = clickhouseDialect({ database: db, caps: exs[0].caps! }).addColumns(TRACES_TABLE, [
      { name: 'RecordId', type: 'string' },
      { name: 'Seen', type: 'timestamp_ns' },
    ]);
    const client = createClient({ url: server.url, username: server.username, password: server.password, log: { level: ClickHouseLogLevel.OFF } });
    try {
      for (let i = 0; i < 2; i++) for (const sql of alter) await clickhouseSession(client).exec(sql);
    } finally {
      await client.close();
    }
    const cols = await server.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = '${db}' AND table = 'otel_traces' AND name IN ('RecordId', 'Seen', 'SeenUnixNano')`);
    expect(cols.length).toBe(exs[0].caps!.dateTime64 ? 2 : 3);
  });

  it('stores traces, logs and metrics: exact counts, attributes, agent columns, nanosecond timestamps', async () => {
    const ex = exporter({ database: 'data' });
    await ex.start();
    const traces = makeGenAiTraces(3000, 7);
    const logs = makeOddLogs();
    const metrics = makeAllMetrics();
    await Promise.all([ex.export('traces', traces), ex.export('traces', makeGenAiTraces(500, 8)), ex.export('logs', logs), ex.export('metrics', metrics)]);
    await ex.shutdown();
    await expect(ex.export('traces', traces)).rejects.toBeInstanceOf(RetryableError);

    const count = async (table: string) => Number((await server.query<{ n: string }>(`SELECT count() AS n FROM data.${table}`))[0].n);
    expect(await count('otel_traces')).toBe(3500);
    expect(await count('otel_logs')).toBe(countItems('logs', logs));
    const perTable = await Promise.all(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'].map((k) => count(`otel_metrics_${k}`)));
    expect(perTable).toEqual([1, 1, 2, 1, 1]);

    const legacy = !ex.caps!.dateTime64;
    const attr = (col: string, key: string) => (ex.caps!.map ? `${col}['${key}']` : `${col}.values[indexOf(${col}.keys, '${key}')]`);
    const nanos = legacy ? 'toString(TimestampUnixNano)' : 'toString(toUnixTimestamp64Nano(Timestamp))';

    // The first span of seed 7 (a chat span) starts at T0 + 7e6 ms.
    const first = T0 + 7_000_000n * 1_000_000n;
    const [span] = await server.query<Record<string, string | number | null>>(
      `SELECT ${nanos} AS ns, toString(Timestamp) AS ts, SpanName, SpanKind, ServiceName, AgentId, GenAiOperation, GenAiProvider, RequestModel, OutputTokens,
              ${attr('SpanAttributes', 'gen_ai.agent.id')} AS attrAgent, ${attr('ResourceAttributes', 'service.version')} AS version
         FROM data.otel_traces ORDER BY ns LIMIT 1`,
    );
    expect(span.ns).toBe(first.toString());
    expect(span.ts).toBe(dateTime64Text(first).slice(0, legacy ? 19 : 29));
    expect(span).toMatchObject({
      SpanName: 'chat gpt-4o-mini', SpanKind: 'Client', ServiceName: 'support-bot', GenAiOperation: 'chat', GenAiProvider: 'openai',
      RequestModel: 'gpt-4o-mini', OutputTokens: String(20 + (7_000_000 % 30)), version: '1.4.2',
    });
    expect(span.AgentId).toBe(span.attrAgent);

    const [chat] = await server.query<Record<string, unknown>>(
      `SELECT count() AS n, sum(InputTokens) AS input, countIf(ResponseModel = 'gpt-4o-mini-2024-07-18') AS models, sum(length(Events.Name)) AS events
         FROM data.otel_traces WHERE GenAiOperation = 'chat'`,
    );
    const chatSpans = [...makeGenAiTraces(3000, 7).resourceSpans, ...makeGenAiTraces(500, 8).resourceSpans]
      .flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))
      .filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(Number(chat.n)).toBe(chatSpans.length);
    expect(Number(chat.models)).toBe(chatSpans.length);
    expect(Number(chat.events)).toBe(chatSpans.length * 2);
    expect(Number(chat.input)).toBe(chatSpans.reduce((n, s) => n + Number(s.attributes['gen_ai.usage.input_tokens']), 0));

    const [tool] = await server.query<Record<string, unknown>>(
      `SELECT ToolName, InputTokens, Links.TraceState AS states FROM data.otel_traces WHERE GenAiOperation = 'execute_tool' LIMIT 1`,
    );
    expect(tool).toEqual({ ToolName: 'lookup_order', InputTokens: null, states: ['vendor=1'] });

    const logRows = await server.query<Record<string, unknown>>(
      `SELECT Body, ${legacy ? 'toString(TimestampUnixNano)' : 'toString(toUnixTimestamp64Nano(Timestamp))'} AS ns, AgentId, GenAiProvider, TraceFlags,
              ${attr('LogAttributes', 'big')} AS big, ${attr('LogAttributes', '__proto__')} AS proto, ${attr('ScopeAttributes', 'scope.attr')} AS scope
         FROM data.otel_logs ORDER BY ns`,
    );
    const byBody = new Map(logRows.map((r) => [r.Body, r]));
    expect(byBody.get('plain text')).toMatchObject({ ns: (T0).toString(), AgentId: 'logger-agent', GenAiProvider: 'anthropic', TraceFlags: 1, big: '9223372036854775807', proto: 'proto-value', scope: 'yes' });
    expect(byBody.get('nul\u0000inside')).toBeDefined();
    expect(byBody.get('unicode ✓ 日本語 🤖')).toBeDefined();
    expect(byBody.get('tab\tnewline\nback\\slash')).toBeDefined();
    expect(byBody.get('4611686018427387904')).toBeDefined();

    const [hist] = await server.query<Record<string, unknown>>(
      `SELECT BucketCounts, ExplicitBounds, Sum, Min, Max, AgentId, RequestModel, Exemplars.Value AS ev, ${legacy ? 'toString(TimeUnixNano)' : 'toString(toUnixTimestamp64Nano(TimeUnix))'} AS ns
         FROM data.otel_metrics_histogram WHERE Count = 4`,
    );
    expect(hist).toEqual({ BucketCounts: ['1', '2', '1'], ExplicitBounds: [100, 1000], Sum: 420, Min: 10, Max: 300, AgentId: 'res-agent', RequestModel: 'gpt-4o-mini', ev: [1.25], ns: T0.toString() });
    const [empty] = await server.query<Record<string, unknown>>('SELECT Sum, Min, Max FROM data.otel_metrics_histogram WHERE Count = 0');
    expect(empty).toEqual({ Sum: null, Min: null, Max: null });
    const [sum] = await server.query<Record<string, unknown>>('SELECT IsMonotonic, AggregationTemporality, Value FROM data.otel_metrics_sum');
    expect(sum).toEqual({ IsMonotonic: legacy ? 1 : true, AggregationTemporality: 2, Value: 3 });
    const [summary] = await server.query<Record<string, unknown>>('SELECT ValueAtQuantiles.Quantile AS q, ValueAtQuantiles.Value AS v FROM data.otel_metrics_summary');
    expect(summary).toEqual({ q: [0.5, 0.99], v: [5, 9.9] });
  });

  it('counts each event once with FINAL however often a batch is written (ReplacingMergeTree by identity)', async () => {
    const ex = exporter({ database: 'dedup' });
    await ex.start();
    const traces = makeGenAiTraces(1000, 21);
    const logs = makeOddLogs();
    const metrics = makeAllMetrics();
    for (let i = 0; i < 3; i++) await Promise.all([ex.export('traces', traces), ex.export('logs', logs), ex.export('metrics', metrics)]);
    await ex.shutdown();
    const count = async (table: string, final = 'FINAL') => Number((await server.query<{ n: string }>(`SELECT count() AS n FROM dedup.${table} ${final}`))[0].n);
    // Stored three times (until parts merge); FINAL, as dashboards query, sees each once.
    expect(await count('otel_traces', '')).toBe(3000);
    expect(await count('otel_traces')).toBe(1000);
    expect(await count('otel_logs')).toBe(countItems('logs', logs));
    const perTable = await Promise.all(['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'].map((k) => count(`otel_metrics_${k}`)));
    expect(perTable).toEqual([1, 1, 2, 1, 1]);
    expect(await server.query('SELECT uniqExact(TraceId, SpanId) AS n FROM dedup.otel_traces')).toEqual([{ n: '1000' }]);
    // Merging removes the copies for good.
    for (const t of ['otel_traces', 'otel_logs']) await server.query(`OPTIMIZE TABLE dedup.${t} FINAL`);
    expect(await count('otel_traces', '')).toBe(1000);
    expect(await count('otel_logs', '')).toBe(countItems('logs', logs));
    const ids = await server.query<{ RecordId: string }>('SELECT RecordId FROM dedup.otel_logs');
    for (const r of ids) expect(r.RecordId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('upgrades version-1 tables in place (rows copied into the deduplicating tables), and a re-run changes nothing', async () => {
    const db = 'upgrade';
    await server.query(`CREATE DATABASE ${db}`);
    const client = createClient({ url: server.url, username: server.username, password: server.password, database: db, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const [{ version }] = await server.query<{ version: string }>('SELECT version() AS version');
      const caps = capabilitiesOf(version);
      const o = { database: db, caps };
      await runMigrations(clickhouseSession(client), modelMigrations(clickhouseDialect(o)), { describe: 'test', migrationsTableSql: migrationsTableSql(o) });
      // What version 1 wrote: no RecordId.
      for (const t of [...flattenBatch('logs', makeOddLogs()), ...flattenBatch('traces', makeGenAiTraces(200, 31))]) {
        const cols = chColumns(t.table.columns, caps);
        await server.query(`INSERT INTO ${db}.${t.table.name} (${cols.map((c) => '`' + c.name + '`').join(', ')}) FORMAT JSONEachRow\n${jsonEachRow(t, cols)}`);
      }
      const ex = exporter({ database: db });
      await ex.start();
      await ex.export('traces', makeGenAiTraces(200, 31)); // a replay after the upgrade
      await ex.shutdown();
      const tables = await server.query<{ name: string; engine: string }>(`SELECT name, engine FROM system.tables WHERE database = '${db}' AND name LIKE 'otel_%' ORDER BY name`);
      expect(tables.length).toBe(7);
      for (const t of tables) expect(t.engine).toBe('ReplacingMergeTree');
      const check = async () => {
        expect(await server.query(`SELECT count() AS n FROM ${db}.otel_traces FINAL`)).toEqual([{ n: '200' }]);
        const logs = await server.query<{ n: string; ids: string }>(`SELECT count() AS n, uniqExact(RecordId) AS ids FROM ${db}.otel_logs FINAL WHERE RecordId != ''`);
        expect(logs).toEqual([{ n: String(countItems('logs', makeOddLogs())), ids: String(countItems('logs', makeOddLogs())) }]);
      };
      await check();
      // Migration 2 cut short and run again (ClickHouse has no transactions): the same data.
      for (const t of [LOGS_TABLE, TRACES_TABLE]) for (const sql of dedupStatements(t, o)) await clickhouseSession(client).exec(sql);
      await check();
      expect(await server.query(`SELECT version FROM ${db}.schema_migrations ORDER BY version`)).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('warns about options this server cannot honour (async_insert, retention) and still writes', async () => {
    const warnings: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => warnings.push(line) });
    const config = factory.normalize!({ endpoint: server.url, password: server.password, database: 'warned', async_insert: true, retention: '30d' });
    const ex = factory.create({ ...ctx, logger, config }) as ClickHouseExporter;
    await ex.start();
    await ex.export('traces', makeGenAiTraces(3, 4));
    await ex.shutdown();
    if (!ex.caps!.asyncInsert) expect(warnings.join('\n')).toContain('no async_insert');
    expect(await server.query('SELECT count() AS n FROM warned.otel_traces')).toEqual([{ n: '3' }]);
  });

  it('retention: whole day partitions older than the setting are dropped (TTL on new servers, agentcol on old ones), each run recorded', async () => {
    const config = factory.normalize!({ endpoint: server.url, password: server.password, database: 'retained', retention: '30d' });
    const ex = factory.create({ ...ctx, config }) as ClickHouseExporter;
    await ex.start();
    const old = makeGenAiTraces(4, 7); // at T0, November 2023
    const recent = makeGenAiTraces(2, 8);
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const rs of recent.resourceSpans) for (const ss of rs.scopeSpans) for (const sp of ss.spans) [sp.startTimeUnixNano, sp.endTimeUnixNano] = [now - 1_000_000n, now];
    await ex.export('traces', old);
    await ex.export('traces', recent);
    await ex.export('logs', makeOddLogs());
    if (ex.caps!.ttlOnlyDropParts) {
      // The server's TTL does it; nothing for agentcol to run.
      expect(await ex.retain(30 * 86_400_000)).toEqual([]);
    } else {
      const runs = await ex.retain(30 * 86_400_000);
      expect(runs.map((r) => r.table)).toEqual(['otel_logs', 'otel_traces']);
      const cutoffDay = new Date(Date.now() - 31 * 86_400_000).toISOString().slice(0, 10);
      for (const r of runs) for (const day of r.dropped) expect(day < cutoffDay, day).toBe(true);
      expect(await server.query('SELECT count() AS n FROM retained.otel_traces FINAL')).toEqual([{ n: '2' }]);
      expect(await server.query('SELECT count() AS n FROM retained.otel_logs')).toEqual([{ n: '0' }]);
      expect(await server.query('SELECT table_name, partitions_dropped, retention FROM retained.retention_runs ORDER BY table_name')).toEqual(
        runs.map((r) => ({ table_name: r.table, partitions_dropped: r.dropped, retention: '30d' })),
      );
      expect(await ex.retain(30 * 86_400_000)).toEqual([]); // nothing left to drop, nothing recorded
      expect(await server.query('SELECT count() AS n FROM retained.retention_runs')).toEqual([{ n: '2' }]);
    }
    await ex.shutdown();
  });

  it('data the server refuses is a permanent failure, naming the table', async () => {
    const ex = exporter({ database: 'refuse' });
    await ex.start();
    // A column whose type no longer fits what agentcol writes (as after a manual ALTER).
    await server.query('ALTER TABLE refuse.otel_traces MODIFY COLUMN AgentId UInt32');
    const err = await ex.export('traces', makeGenAiTraces(5, 2)).then(() => undefined, (e: Error) => e);
    await ex.shutdown();
    expect(err).toBeInstanceOf(PermanentError);
    expect(err?.message).toMatch(/^clickhouse rejected 5 rows into otel_traces: .*\(code \d+\)$/);
  });

  it('says which server it cannot reach, without the password', async () => {
    const closed = exporter({ endpoint: 'http://default:hunter2@127.0.0.1:1', password: 'hunter2', timeout: '2s' });
    const err = await closed.start().then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^clickhouse: cannot connect to http:\/\/default:\[REDACTED\]@127\.0\.0\.1:1 \(user default, database otel\): /);
    expect(err?.message).not.toContain('hunter2');

    const wrong = exporter({ password: 'not-the-password' });
    const authErr = await wrong.start().then(() => undefined, (e: Error) => e);
    expect(authErr?.message).toContain(`cannot connect to ${server.url}`);
    expect(authErr?.message).toMatch(/password|authenticat/i);
    expect(authErr?.message).not.toContain('not-the-password');
  });

  it('refuses a database written by a newer agentcol, and says when the database is missing', async () => {
    const ex = exporter({ database: 'newer' });
    await ex.start();
    await ex.shutdown();
    await server.query("INSERT INTO newer.schema_migrations (version, name) VALUES (99, 'from the future')");
    await expect(exporter({ database: 'newer' }).start()).rejects.toThrow(/schema version 99 .*newer than this agentcol knows/);
    await expect(exporter({ database: 'absent', create_database: false }).start()).rejects.toThrow(/^clickhouse: cannot prepare the tables in .* database absent\): .*absent/);
  });

  it('a server that goes down (crashes) makes exports fail retryably; they succeed once it is back', async () => {
    const ex = exporter({ database: 'outage', timeout: '3s' });
    await ex.start();
    await server.halt('SIGKILL');
    try {
      await expect(ex.export('traces', makeGenAiTraces(10, 3))).rejects.toBeInstanceOf(RetryableError);
    } finally {
      await server.start();
    }
    await ex.export('traces', makeGenAiTraces(10, 3));
    await ex.shutdown();
    expect(await server.query('SELECT count() AS n FROM outage.otel_traces')).toEqual([{ n: '10' }]);
  }, 120_000);
});

describe('clickhouse exporter (DDL and errors, no server)', () => {
  const modern = capabilitiesOf('24.8.4.13');
  const legacy = capabilitiesOf('18.16.1');

  it('maps versions to capabilities', () => {
    expect(legacy).toMatchObject({ lowCardinality: false, dateTime64: false, map: false, codecs: false, ttlOnlyDropParts: false, bloomFilterIndex: false, asyncInsert: false });
    expect(modern).toMatchObject({ lowCardinality: true, dateTime64: true, map: true, codecs: true, ttlOnlyDropParts: true, bloomFilterIndex: true, asyncInsert: true, bool: true });
    expect(capabilitiesOf('21.3.20.1')).toMatchObject({ dateTime64: true, map: false, asyncInsert: false });
  });

  it('writes the collector schema on current servers', () => {
    const sql = createTableSql(TRACES_TABLE, TRACES_TABLE.columns, { database: 'otel', caps: modern, retentionSeconds: 30 * 86_400 });
    expect(sql).toMatch(/^CREATE TABLE IF NOT EXISTS `otel`.`otel_traces` \(/);
    expect(sql).toContain("`Timestamp` DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))");
    expect(sql).toContain('`SpanName` LowCardinality(String) CODEC(ZSTD(1))');
    expect(sql).toContain('`TraceId` String CODEC(ZSTD(1))');
    expect(sql).toContain('`SpanAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1))');
    expect(sql).toContain('`Duration` UInt64 CODEC(ZSTD(1))');
    expect(sql).toContain('`InputTokens` Nullable(Int64) CODEC(ZSTD(1))');
    expect(sql).toMatch(/`Events` Nested\(\n\s+`Timestamp` DateTime64\(9, 'UTC'\),\n\s+`Name` LowCardinality\(String\),\n\s+`Attributes` Map\(LowCardinality\(String\), String\)\n\s+\) CODEC\(ZSTD\(1\)\)/);
    expect(sql).toContain('INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1');
    expect(sql).toContain('INDEX idx_span_attr_key mapKeys(`SpanAttributes`) TYPE bloom_filter(0.01) GRANULARITY 1');
    expect(sql).toContain('ENGINE = MergeTree()\nPARTITION BY toDate(Timestamp)\nORDER BY (ServiceName, SpanName, toDateTime(Timestamp))\nTTL toDateTime(Timestamp) + toIntervalDay(30)');
    expect(sql).toContain('SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1');

    const logs = createTableSql(LOGS_TABLE, LOGS_TABLE.columns, { database: 'otel', caps: modern });
    expect(logs).toContain("PARTITION BY toDate(TimestampTime)\nORDER BY (ServiceName, TimestampTime, Timestamp)\nSETTINGS index_granularity = 8192");
    expect(logs).not.toContain('TTL');
    const sum = createTableSql(METRICS_SUM_TABLE, METRICS_SUM_TABLE.columns, { database: 'otel', caps: modern, retentionSeconds: 3600 });
    expect(sum).toContain('`IsMonotonic` Bool');
    expect(sum).toContain('ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))\nTTL toDateTime(TimeUnix) + toIntervalSecond(3600)');
  });

  it('orders the deduplicating tables by the collector key plus the identity', () => {
    const traces = createTableSql(TRACES_TABLE, TRACES_TABLE.columns, { database: 'otel', caps: modern }, true);
    expect(traces).toContain('ENGINE = ReplacingMergeTree()\nPARTITION BY toDate(Timestamp)\nORDER BY (ServiceName, SpanName, toDateTime(Timestamp), TraceId, SpanId)');
    expect(traces).not.toContain('RecordId');
    const logs = createTableSql(LOGS_TABLE, LOGS_TABLE.columns, { database: 'otel', caps: legacy }, true);
    expect(logs).toContain('`RecordId` String\n)');
    expect(logs).toContain('ORDER BY (ServiceName, TimestampTime, Timestamp, RecordId)');
    const sum = createTableSql(METRICS_SUM_TABLE, METRICS_SUM_TABLE.columns, { database: 'otel', caps: modern, cluster: 'prod' }, true);
    expect(sum).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/otel/otel_metrics_sum_dedup', '{replica}')");
    expect(sum).toContain('ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix), RecordId)');
    expect(dedupStatements(METRICS_SUM_TABLE, { database: 'otel', caps: modern, cluster: 'prod' })[0]).toBe('RENAME TABLE `otel`.`otel_metrics_sum` TO `otel`.`otel_metrics_sum_mergetree` ON CLUSTER `prod`');
  });

  it('gives a log record the hash of its row text as RecordId', () => {
    const [logs] = flattenBatch('logs', makeOddLogs());
    const cols = chColumns(LOGS_TABLE.columns, modern);
    const plain = jsonEachRow(logs, cols).trimEnd().split('\n');
    const withId = jsonEachRow(logs, cols, true).trimEnd().split('\n');
    expect(withId[0]).toBe(`${plain[0].slice(0, -1)},"RecordId":"${recordId(plain[0].slice(0, -1))}"}`);
    expect(new Set(withId.map((l) => JSON.parse(l).RecordId)).size).toBe(plain.length);
  });

  it('runs DDL ON CLUSTER with replicated engines', () => {
    const o = { database: 'otel', caps: modern, cluster: 'prod' };
    const sql = createTableSql(TRACES_TABLE, TRACES_TABLE.columns, o);
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS `otel`.`otel_traces` ON CLUSTER `prod` (');
    expect(sql).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/otel/otel_traces', '{replica}')");
    expect(migrationsTableSql(o)).toContain('ON CLUSTER `prod`');
    expect(clickhouseDialect(o).addColumns(TRACES_TABLE, [{ name: 'RecordId', type: 'string' }])).toEqual([
      'ALTER TABLE `otel`.`otel_traces` ON CLUSTER `prod` ADD COLUMN IF NOT EXISTS `RecordId` String CODEC(ZSTD(1))',
    ]);
  });

  it('falls back to types 18.16 has', () => {
    const sql = createTableSql(TRACES_TABLE, TRACES_TABLE.columns, { database: 'otel', caps: legacy, retentionSeconds: 86_400 });
    for (const absent of ['LowCardinality', 'DateTime64', 'Map(', 'CODEC', 'TTL', 'INDEX', 'Nested']) expect(sql).not.toContain(absent);
    expect(sql).toContain("`Timestamp` DateTime('UTC'),\n  `TimestampUnixNano` UInt64");
    expect(sql).toContain('`SpanAttributes.keys` Array(String),\n  `SpanAttributes.values` Array(String)');
    expect(sql).toContain('ORDER BY (ServiceName, SpanName, Timestamp)');
  });

  it('writes JSONEachRow in the collector layout for current servers', () => {
    const [logs] = flattenBatch('logs', makeOddLogs());
    const lines = jsonEachRow(logs, chColumns(LOGS_TABLE.columns, modern)).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(12);
    expect(lines[0]).toMatchObject({ Timestamp: '2023-11-14 22:13:20.123456789', TimestampTime: '2023-11-14 22:13:20', TraceFlags: 1, AgentId: 'logger-agent', InputTokens: null });
    expect(Object.hasOwn(lines[0].LogAttributes, '__proto__')).toBe(true);
    expect(lines[0].LogAttributes.big).toBe('9223372036854775807');
    const [hist] = flattenBatch('metrics', makeAllMetrics()).filter((t) => t.table.name === 'otel_metrics_histogram');
    const h = jsonEachRow(hist, chColumns(hist.table.columns, modern)).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(h[0]).toMatchObject({ Count: 4, BucketCounts: [1, 2, 1], 'Exemplars.TimeUnix': ['2023-11-14 22:13:20.123456794'], 'Exemplars.FilteredAttributes': [{ 'ex.a': 'b' }] });
    expect(h[1]).toMatchObject({ Sum: null, Min: null, Max: null, Flags: 1 });
  });

  it('renders nanosecond timestamps exactly and classifies errors', () => {
    expect(dateTime64Text(T0)).toBe('2023-11-14 22:13:20.123456789');
    expect(dateTime64Text(5n)).toBe('1970-01-01 00:00:00.000000005');
    const parse = Object.assign(new Error('Cannot parse input: expected , before: x'), { code: '27' });
    expect(classifyClickHouseError(parse, 'rows')).toBeInstanceOf(PermanentError);
    // 18.16's wording, which the client leaves without a code.
    const old = new Error('Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected { before: x, e.what() = DB::Exception\n');
    const classified = classifyClickHouseError(old, '3 rows into otel_traces');
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified.message).toBe('clickhouse rejected 3 rows into otel_traces: Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected { before: x (code 27)');
    expect(classifyClickHouseError(Object.assign(new Error('Memory limit exceeded'), { code: '241' }), 'rows')).toBeInstanceOf(RetryableError);
    expect(classifyClickHouseError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'rows')).toBeInstanceOf(RetryableError);
  });

  it('is part of the agentcol distribution; config errors name the key', async () => {
    const registry = new FactoryRegistry();
    for (const f of components) registry.register(f);
    const yaml = (ch: string) =>
      `receivers:\n  otlp:\n    protocols: { http: { endpoint: 127.0.0.1:4318 } }\nexporters:\n  clickhouse:\n${ch}service:\n  pipelines:\n    traces: { receivers: [otlp], exporters: [clickhouse] }\n`;
    const ok = await loadConfigText(yaml('    endpoint: http://ch:8123\n    password: pw\n    retention: 30d\n'), 'agentcol.yaml', { registry, env: {} });
    expect(ok.config).toBeDefined();
    const err = (await loadConfigText(yaml('    endpoint: ch:8123\n    pasword: pw\n'), 'agentcol.yaml', { registry, env: {} }).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    const text = err.errors.map((e) => formatIssue(e, '.')).join('\n');
    expect(text).toMatch(/agentcol\.yaml:6.*endpoint/);
    expect(text).toMatch(/pasword.*did you mean "password"/);
    expect(factory.configSchema.properties!.password['x-secret']).toBe(true);
  });
});
