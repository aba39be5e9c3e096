// The whole product: the agentcol command with `policy` in the traces pipeline, real OpenTelemetry
// SDK spans (an HR agent's tool calls), both embedded stores read back after a clean shutdown: the
// violating span is stored flagged (policy.* attributes), the allowed one is not, and the
// policy_violation alert is a log record (severity ERROR, evidence trace/span ids, agent, rule)
// in DuckDB and in PGlite.
import { rmSync } from 'node:fs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, expect, it } from 'vitest';
import { allocatePorts, startAgentcol, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { defaultStorePaths, queryDuckDb, withPglite } from '../helpers/stores.ts';

let run: RunningAgentcol | undefined;
afterAll(() => {
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
/** Attribute maps come back as objects (PGlite jsonb) or as DuckDB MAP values: read either. */
function attrs(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return JSON.parse(v);
  if (Array.isArray(v)) return Object.fromEntries(v.map((e: { key: string; value: unknown }) => [e.key, e.value]));
  if (v && typeof v === 'object' && 'entries' in v && Array.isArray((v as { entries: unknown }).entries)) return attrs((v as { entries: unknown[] }).entries);
  return (v ?? {}) as Record<string, unknown>;
}

it('a violating tool span is stored flagged, and its alert is in both stores', async () => {
  const p = await allocatePorts();
  run = await startAgentcol(
    `
extensions: { health_check: { endpoint: 127.0.0.1:${p.health} } }
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.http} } } } }
processors:
  policy:
    default: allow
    rules:
      - name: hr-no-prod-tools
        effect: deny
        reason: HR agents cannot modify production systems
        roles: [hr]
        tools: ["prod_*"]
      - name: marketing-no-finance
        effect: deny
        reason: marketing agents cannot access financial data
        roles: [marketing]
        scopes: [finance]
  batch: { timeout: 10ms }
exporters: { duckdb: {}, postgres: {} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }
  pipelines:
    traces: { receivers: [otlp], processors: [policy, batch], exporters: [duckdb, postgres] }
    logs: { receivers: [otlp], processors: [batch], exporters: [duckdb, postgres] }
`,
    p.health,
  );
  const resource = resourceFromAttributes({ 'service.name': 'hr-agent', 'gen_ai.agent.id': 'people-bot', 'agentcol.agent.roles': ['hr'] });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` }))] });
  const t = tracer.getTracer('e2e');
  const bad = t.startSpan('execute_tool prod_db_write', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'prod_db_write' } });
  bad.end();
  const good = t.startSpan('execute_tool lookup_employee', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_employee' } });
  good.end();
  await tracer.shutdown();
  const metricsText = await (await fetch(`http://127.0.0.1:${p.metrics}/metrics`)).text();
  expect(await run.stop(), run.output()).toBe(0);
  expect(metricsText).toMatch(/agentcol_processor_policy_decisions_total\{[^}]*effect="deny"[^}]*rule="hr-no-prod-tools"[^}]*\} 1/);
  expect(metricsText).toMatch(/agentcol_alerts_total\{[^}]*class="policy_violation"[^}]*\} 1/);

  const badId = { trace: bad.spanContext().traceId, span: bad.spanContext().spanId };
  const paths = defaultStorePaths(run.dir);
  const duckSpans = await queryDuckDb(paths.duckdb, 'SELECT SpanName, SpanId, SpanAttributes FROM otel_traces ORDER BY SpanName');
  const duckLogs = await queryDuckDb(paths.duckdb, 'SELECT TraceId, SpanId, SeverityText, SeverityNumber, Body, EventName, AgentId, LogAttributes FROM otel_logs');
  const pg = await withPglite(paths.pg, async (db) => ({
    spans: (await db.query('SELECT span_name, span_id, span_attributes FROM otel_traces ORDER BY span_name')).rows as Record<string, unknown>[],
    logs: (await db.query('SELECT trace_id, span_id, severity_text, severity_number, body, event_name, agent_id, log_attributes FROM otel_logs')).rows as Record<string, unknown>[],
  }));

  const stores = {
    duckdb: {
      spans: duckSpans.map((r) => ({ name: r.SpanName, spanId: r.SpanId, attributes: attrs(r.SpanAttributes) })),
      logs: duckLogs.map((r) => ({ traceId: r.TraceId, spanId: r.SpanId, severity: r.SeverityText, number: Number(r.SeverityNumber), body: r.Body, event: r.EventName, agent: r.AgentId, attributes: attrs(r.LogAttributes) })),
    },
    postgres: {
      spans: pg.spans.map((r) => ({ name: r.span_name, spanId: r.span_id, attributes: attrs(r.span_attributes) })),
      logs: pg.logs.map((r) => ({ traceId: r.trace_id, spanId: r.span_id, severity: r.severity_text, number: Number(r.severity_number), body: r.body, event: r.event_name, agent: r.agent_id, attributes: attrs(r.log_attributes) })),
    },
  };
  for (const [name, s] of Object.entries(stores)) {
    expect(s.spans.map((x) => x.name), name).toEqual(['execute_tool lookup_employee', 'execute_tool prod_db_write']);
    const [allowed, flagged] = s.spans;
    expect(flagged.spanId, name).toBe(badId.span);
    expect(flagged.attributes, `${name}: ${json(flagged.attributes)}`).toMatchObject({
      'policy.decision': 'deny',
      'policy.rule': 'hr-no-prod-tools',
      'policy.reason': 'HR agents cannot modify production systems',
      'policy.name': 'policy',
    });
    expect(Object.keys(allowed.attributes).filter((k) => k.startsWith('policy.')), name).toEqual([]);
    expect(s.logs, `${name}: ${json(s.logs)}`).toHaveLength(1);
    const [alert] = s.logs;
    expect(alert, name).toMatchObject({ traceId: badId.trace, spanId: badId.span, severity: 'ERROR', number: 17, event: 'agentcol.alert', agent: 'people-bot' });
    expect(alert.body, name).toBe('policy policy: agent "people-bot" violated rule "hr-no-prod-tools" (tool prod_db_write): HR agents cannot modify production systems');
    expect(alert.attributes, `${name}: ${json(alert.attributes)}`).toMatchObject({
      'agentcol.alert.class': 'policy_violation',
      'agentcol.alert.source': 'policy',
      'gen_ai.agent.id': 'people-bot',
      'policy.rule': 'hr-no-prod-tools',
      'gen_ai.tool.name': 'prod_db_write',
    });
  }
});
