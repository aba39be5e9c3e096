import { describe, expect, it } from 'vitest';
import { flattenLogs, flattenMetrics, flattenTraces } from '../../core/storage/flatten.ts';
import { TABLES, rowName, unixNanoName } from '../../core/storage/model.ts';
import { agentValues, spanKindName, statusCodeName } from '../../core/storage/renderings.ts';
import { storableJson, storableText } from '../../core/storage/text.ts';
import { runMigrations, SchemaVersionError, type SqlSession } from '../../core/storage/migrations.ts';
import { makeAllMetrics, makeGenAiTraces, makeOddLogs } from './storage-fixtures.ts';

describe('storage model', () => {
  it('derives snake_case row-store names from the columnar ones', () => {
    expect(rowName('ParentSpanId')).toBe('parent_span_id');
    expect(rowName('GenAiOperation')).toBe('gen_ai_operation');
    expect(rowName('ScopeDroppedAttrCount')).toBe('scope_dropped_attr_count');
    expect(unixNanoName('timestamp')).toBe('timestamp_unix_nano');
    expect(unixNanoName('time_unix')).toBe('time_unix_nano');
    expect(TABLES.map((t) => t.name)).toEqual([
      'otel_traces', 'otel_logs', 'otel_metrics_gauge', 'otel_metrics_sum', 'otel_metrics_histogram',
      'otel_metrics_exponential_histogram', 'otel_metrics_summary',
    ]);
  });

  it('renders kinds and status codes as the collector does', () => {
    expect([0, 1, 2, 3, 4, 5].map(spanKindName)).toEqual(['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer']);
    expect([0, 1, 2].map(statusCodeName)).toEqual(['Unset', 'Ok', 'Error']);
  });

  it('extracts agent values, deprecated names and resource fallback', () => {
    const res = agentValues({ 'gen_ai.agent.id': 'res-agent', 'gen_ai.system': 'openai' });
    const a = agentValues({ 'gen_ai.usage.prompt_tokens': 7, 'gen_ai.usage.completion_tokens': '9', 'gen_ai.tool.name': 'x' }, res);
    expect(a).toEqual({ agentId: 'res-agent', operation: '', provider: 'openai', requestModel: '', responseModel: '', inputTokens: 7, outputTokens: 9, toolName: 'x' });
  });

  it('flattens every signal with one value per row and column', () => {
    const t = flattenTraces(makeGenAiTraces(30));
    const l = flattenLogs(makeOddLogs());
    for (const f of [t, l, ...flattenMetrics(makeAllMetrics())]) {
      for (const [k, v] of Object.entries(f.columns)) expect(v.length, `${f.table.name}.${k}`).toBe(f.rowCount);
    }
    expect(t.rowCount).toBe(30);
    expect(flattenMetrics(makeAllMetrics()).map((f) => [f.table.name, f.rowCount])).toEqual([
      ['otel_metrics_gauge', 1], ['otel_metrics_sum', 1], ['otel_metrics_histogram', 2], ['otel_metrics_exponential_histogram', 1], ['otel_metrics_summary', 1],
    ]);
  });

  it('makes NUL and lone surrogates storable without touching escaped backslashes', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableJson(JSON.stringify({ k: 'a\u0000b', lit: '\\u0000', s: '\uD800' }))).toBe('{"k":"a\\ufffdb","lit":"\\\\u0000","s":"\\ufffd"}');
  });
});

describe('migration runner', () => {
  function fakeSession(applied: Array<{ version: number; name: string }>): SqlSession & { log: string[] } {
    const log: string[] = [];
    return {
      log,
      transactional: true,
      exec: async (sql) => void log.push(sql),
      query: async () => applied,
    };
  }
  it('applies pending migrations in order inside transactions', async () => {
    const s = fakeSession([{ version: 1, name: 'one' }]);
    const ran = await runMigrations(s, [{ version: 1, name: 'one', statements: ['A'] }, { version: 2, name: 'two', statements: ['B'] }], { describe: 'db' });
    expect(ran).toEqual([2]);
    expect(s.log.slice(1)).toEqual(['BEGIN TRANSACTION', 'B', "INSERT INTO schema_migrations (version, name) VALUES (2, 'two')", 'COMMIT']);
  });
  it('refuses a database from a newer agentcol', async () => {
    const s = fakeSession([{ version: 1, name: 'one' }, { version: 9, name: 'future' }]);
    await expect(runMigrations(s, [{ version: 1, name: 'one', statements: [] }], { describe: 'db' })).rejects.toThrow(SchemaVersionError);
    expect(s.log.some((l) => l.startsWith('BEGIN'))).toBe(false);
  });
});
