// The whole product: the agentcol command with `anomaly` in the traces pipeline; a real
// OpenTelemetry SDK replays two hours of an agent's history (event time in the past) and then one
// call to a destination it never used. Both embedded stores, read back after a clean shutdown, hold
// the annotated span and the scope alert (evidence ids, agent, baseline vs observed), and PGlite
// holds the saved baselines.
import { rmSync } from 'node:fs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, expect, it } from 'vitest';
import { allocatePorts, startAgentcol, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { defaultStorePaths, queryDuckDb, withPglite } from '../helpers/stores.ts';

let run: RunningAgentcol | undefined;
afterAll(() => {
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
/** Attribute maps come back as objects (PGlite) or as DuckDB MAP(VARCHAR, VARCHAR) values: read
 * either, every value as the text the columnar store holds. */
function attrs(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(rawAttrs(v)).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}
function rawAttrs(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return JSON.parse(v);
  if (Array.isArray(v)) return Object.fromEntries(v.map((e: { key: string; value: unknown }) => [e.key, e.value]));
  if (v && typeof v === 'object' && 'entries' in v && Array.isArray((v as { entries: unknown }).entries)) return rawAttrs((v as { entries: unknown[] }).entries);
  return (v ?? {}) as Record<string, unknown>;
}

it('an agent calling a new destination after its history: annotated span and scope alert in both stores', async () => {
  const p = await allocatePorts();
  run = await startAgentcol(
    `
extensions: { health_check: { endpoint: 127.0.0.1:${p.health} } }
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.http} } } } }
processors:
  anomaly:
    warmup: 1h
    warmup_min_events: 20
    state: { exporter: postgres }
  batch: { timeout: 10ms }
exporters: { duckdb: {}, postgres: {} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }
  pipelines:
    traces: { receivers: [otlp], processors: [anomaly, batch], exporters: [duckdb, postgres] }
    logs: { receivers: [otlp], processors: [batch], exporters: [duckdb, postgres] }
`,
    p.health,
  );
  const resource = resourceFromAttributes({ 'service.name': 'support', 'gen_ai.agent.id': 'support-bot' });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` }), { maxExportBatchSize: 100, scheduledDelayMillis: 50 })] });
  const tracer = provider.getTracer('e2e');
  // Two hours of history, one call every 3 minutes, ending 10 minutes ago: event time, not arrival.
  const now = Date.now();
  const start = now - 130 * 60_000;
  const usual = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'openai', 'server.address': 'api.openai.com', 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 80 };
  for (let t = start; t < now - 10 * 60_000; t += 3 * 60_000) tracer.startSpan('chat gpt-4o', { attributes: usual, startTime: new Date(t) }).end(new Date(t + 900));
  await provider.forceFlush();
  const exfil = tracer.startSpan('chat gpt-4o', { attributes: { ...usual, 'server.address': 'exfil.example.net' }, startTime: new Date(now - 5 * 60_000) });
  exfil.end(new Date(now - 5 * 60_000 + 700));
  await provider.shutdown();
  const id = { trace: exfil.spanContext().traceId, span: exfil.spanContext().spanId };

  const metricsText = await (await fetch(`http://127.0.0.1:${p.metrics}/metrics`)).text();
  expect(await run.stop(), run.output()).toBe(0);
  expect(metricsText).toMatch(/agentcol_processor_anomaly_alerts_total\{[^}]*class="scope"[^}]*\} 1/);
  expect(metricsText).toMatch(/agentcol_processor_anomaly_agents_tracked\{processor="anomaly"\} 1/);
  expect(metricsText).toMatch(/agentcol_processor_anomaly_detection_latency_seconds_count\{[^}]*class="scope"[^}]*\} 1/);

  const paths = defaultStorePaths(run.dir);
  const duckFlagged = await queryDuckDb(paths.duckdb, `SELECT SpanId, SpanAttributes FROM otel_traces WHERE SpanId = '${id.span}'`);
  const duckCount = await queryDuckDb(paths.duckdb, 'SELECT count(*)::INT AS n FROM otel_traces');
  const duckLogs = await queryDuckDb(paths.duckdb, 'SELECT TraceId, SpanId, SeverityText, Body, EventName, AgentId, LogAttributes FROM otel_logs');
  const pg = await withPglite(paths.pg, async (db) => ({
    flagged: (await db.query(`SELECT span_id, span_attributes FROM otel_traces WHERE span_id = '${id.span}'`)).rows as Record<string, unknown>[],
    count: ((await db.query('SELECT count(*)::int AS n FROM otel_traces')).rows[0] as { n: number }).n,
    logs: (await db.query('SELECT trace_id, span_id, severity_text, body, event_name, agent_id, log_attributes FROM otel_logs')).rows as Record<string, unknown>[],
    state: (await db.query(`SELECT key FROM agentcol_state WHERE namespace = 'anomaly/anomaly' ORDER BY key`)).rows.map((r) => (r as { key: string }).key),
  }));
  expect(pg.state).toEqual(['agent/support-bot', 'coordination', 'meta']);

  const stores = {
    duckdb: {
      count: Number(duckCount[0].n),
      flagged: duckFlagged.map((r) => attrs(r.SpanAttributes)),
      logs: duckLogs.map((r) => ({ traceId: r.TraceId, spanId: r.SpanId, severity: r.SeverityText, body: r.Body, event: r.EventName, agent: r.AgentId, attributes: attrs(r.LogAttributes) })),
    },
    postgres: {
      count: pg.count,
      flagged: pg.flagged.map((r) => attrs(r.span_attributes)),
      logs: pg.logs.map((r) => ({ traceId: r.trace_id, spanId: r.span_id, severity: r.severity_text, body: r.body, event: r.event_name, agent: r.agent_id, attributes: attrs(r.log_attributes) })),
    },
  };
  for (const [name, s] of Object.entries(stores)) {
    expect(s.count, name).toBe(41);
    expect(s.flagged, name).toHaveLength(1);
    expect(s.flagged[0], `${name}: ${json(s.flagged[0])}`).toMatchObject({ 'agentcol.anomaly.class': 'scope', 'agentcol.anomaly.score': '0.5', 'agentcol.anomaly.classes': '["scope"]' });
    expect(s.logs, `${name}: ${json(s.logs)}`).toHaveLength(1);
    const [alert] = s.logs;
    expect(alert, name).toMatchObject({ traceId: id.trace, spanId: id.span, severity: 'WARNING', event: 'agentcol.alert', agent: 'support-bot' });
    expect(String(alert.body), name).toMatch(/agent "support-bot" used what it had not used in its baseline window: destination:exfil\.example\.net/);
    expect(alert.attributes, `${name}: ${json(alert.attributes)}`).toMatchObject({
      'agentcol.alert.class': 'scope',
      'agentcol.alert.source': 'anomaly',
      'gen_ai.agent.id': 'support-bot',
      'agentcol.alert.score': '0.5',
      'agentcol.alert.metric': 'new_items',
      'agentcol.alert.baseline': '3',
      'agentcol.alert.observed': '1',
      'agentcol.alert.threshold': '1',
      'agentcol.alert.evidence.span_id': id.span,
      'agentcol.alert.evidence.trace_id': id.trace,
      'agentcol.anomaly.items': '["destination:exfil.example.net"]',
    });
  }
}, 180_000);
