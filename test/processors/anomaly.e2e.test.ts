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
import { otlpIngest, serviceWithSelfMetrics } from '../helpers/run-config.ts';
import { readStoredTelemetry, toJson } from '../helpers/stored-telemetry.ts';
import { defaultStorePaths, withPglite } from '../helpers/stores.ts';

let run: RunningAgentcol | undefined;
afterAll(() => {
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

it('an agent calling a new destination after its history: annotated span and scope alert in both stores', async () => {
  const p = await allocatePorts();
  run = await startAgentcol(
    `
${otlpIngest(p)}
processors:
  anomaly:
    warmup: 1h
    warmup_min_events: 20
    state: { exporter: postgres }
  batch: { timeout: 10ms }
exporters: { duckdb: {}, postgres: {} }
${serviceWithSelfMetrics(p)}
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

  const state = await withPglite(defaultStorePaths(run.dir).pg, async (db) => (await db.query(`SELECT key FROM agentcol_state WHERE namespace = 'anomaly/anomaly' ORDER BY key`)).rows.map((r) => (r as { key: string }).key));
  expect(state).toEqual(['agent/support-bot', 'coordination', 'meta']);

  const stores = await readStoredTelemetry(run.dir);
  for (const [name, s] of Object.entries(stores)) {
    expect(s.spans.length, name).toBe(41);
    const flagged = s.spans.filter((x) => x.spanId === id.span).map((x) => x.attributes);
    expect(flagged, name).toHaveLength(1);
    expect(flagged[0], `${name}: ${toJson(flagged[0])}`).toMatchObject({ 'agentcol.anomaly.class': 'scope', 'agentcol.anomaly.score': '0.5', 'agentcol.anomaly.classes': '["scope"]' });
    expect(s.logs, `${name}: ${toJson(s.logs)}`).toHaveLength(1);
    const [alert] = s.logs;
    expect(alert, name).toMatchObject({ traceId: id.trace, spanId: id.span, severity: 'WARNING', event: 'agentcol.alert', agent: 'support-bot' });
    expect(String(alert.body), name).toMatch(/agent "support-bot" used what it had not used in its baseline window: destination:exfil\.example\.net/);
    expect(alert.attributes, `${name}: ${toJson(alert.attributes)}`).toMatchObject({
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
