// The whole product with the anomaly processor: the agentcol command (anomaly in the traces
// pipeline, alert_webhook in the logs pipeline), real OpenTelemetry SDK spans with event times in the
// past (an agent's habitual tool, then a data scope it never used), and a real
// local webhook that receives the scope alert as JSON with Slack text.
import { rmSync } from 'node:fs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, expect, it } from 'vitest';
import { allocatePorts, startAgentcol, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { otlpTracerProvider } from '../helpers/otel-sdk.ts';
import { otlpIngest, serviceWithSelfMetrics } from '../helpers/run-config.ts';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.ts';

let run: RunningAgentcol | undefined;
let hook: WebhookSink | undefined;
afterAll(async () => {
  if (run) {
    await run.stop('SIGKILL');
    rmSync(run.dir, { recursive: true, force: true });
  }
  await hook?.close();
});

it('an anomaly (a data scope the agent never used) reaches the webhook', async () => {
  hook = await startWebhookSink();
  const p = await allocatePorts();
  run = await startAgentcol(
    `
${otlpIngest(p)}
processors:
  anomaly: { warmup: 1m, warmup_min_events: 5, workers: true }
exporters:
  debug: {}
  alert_webhook: { endpoint: "${hook.url('/hooks/anomaly')}" }
${serviceWithSelfMetrics(p)}
  pipelines:
    traces: { receivers: [otlp], processors: [anomaly], exporters: [debug] }
    logs: { receivers: [otlp], exporters: [alert_webhook] }
`,
    p.health,
  );
  const resource = resourceFromAttributes({ 'service.name': 'support-bot', 'gen_ai.agent.id': 'support-bot' });
  const provider = otlpTracerProvider(p.http, resource);
  const tracer = provider.getTracer('e2e');
  const t0 = Date.UTC(2026, 10, 2, 9, 0, 0);
  const toolSpan = (at: number, scope: string, host: string) => {
    const s = tracer.startSpan('execute_tool search_docs', {
      startTime: new Date(at),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_docs', 'agentcol.data.scope': [scope], 'server.address': host },
    });
    s.end(new Date(at + 300));
    return s.spanContext();
  };
  // Two hours of habitual use (past the warm-up), then one call reading a data scope it never read.
  for (let i = 0; i < 24; i++) toolSpan(t0 + i * 5 * 60_000, 'kb', 'docs.internal');
  const evidence = toolSpan(t0 + 2 * 3_600_000 + 60_000, 'secrets.vault', 'docs.internal');
  await provider.shutdown();

  await hook.waitFor(1, 15_000);
  expect(hook.received, run.output()).toHaveLength(1);
  const [{ body: alert }] = hook.received;
  expect(alert).toMatchObject({
    kind: 'alert',
    class: 'scope',
    agent: 'support-bot',
    source: 'anomaly',
    count: 1,
    evidence: [{ trace_id: evidence.traceId, span_id: evidence.spanId }],
    time: new Date(t0 + 2 * 3_600_000 + 60_000).toISOString(),
  });
  expect(['warning', 'error', 'critical']).toContain(alert.severity);
  expect(alert.score).toBeGreaterThanOrEqual(0.5);
  expect(alert.message).toMatch(/data_scope:secrets\.vault/);
  expect(alert.text).toMatch(/^:\w+: \*(WARNING|ERROR|CRITICAL)\* scope alert — agent `support-bot` \(score [\d.]+, baseline [\d.]+ → observed [\d.]+, from anomaly\)\n/);
  expect(await run.stop(), run.output()).toBe(0);
  expect(hook.received).toHaveLength(1);
});
