// The whole product: the agentcol command with `policy` in the traces pipeline and alert_webhook in
// the logs pipeline; real OpenTelemetry SDK spans; a real local webhook receives the
// policy_violation alert as JSON with Slack text, the Authorization header from ${env:...}, and the
// repeats folded into one summary sent at shutdown.
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

it('a policy violation reaches the webhook as a Slack-compatible alert; repeats are summarised', async () => {
  hook = await startWebhookSink();
  const { received } = hook;
  const p = await allocatePorts();
  run = await startAgentcol(
    `
${otlpIngest(p)}
processors:
  policy:
    rules:
      - { name: hr-no-prod-tools, effect: deny, reason: HR agents cannot modify production systems, roles: [hr], tools: ["prod_*"] }
exporters:
  debug: {}
  alert_webhook:
    endpoint: \${env:HOOK_URL}
    headers: { Authorization: "Bearer \${env:HOOK_TOKEN}" }
    group_interval: 1h
${serviceWithSelfMetrics(p)}
  pipelines:
    traces: { receivers: [otlp], processors: [policy], exporters: [debug] }
    logs: { receivers: [otlp], exporters: [alert_webhook] }
`,
    p.health,
    { env: { HOOK_URL: hook.url('/services/T0/B0/e2e'), HOOK_TOKEN: 'e2e-token' } },
  );
  const resource = resourceFromAttributes({ 'service.name': 'hr-agent', 'gen_ai.agent.id': 'people-bot', 'agentcol.agent.roles': ['hr'] });
  const provider = otlpTracerProvider(p.http, resource);
  const t = provider.getTracer('e2e');
  const spans = [0, 1, 2].map((i) => {
    const s = t.startSpan('execute_tool prod_db_write', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'prod_db_write', i } });
    s.end();
    return s.spanContext();
  });
  await provider.shutdown();
  await hook.waitFor(1, 10_000);
  expect(received, run.output()).toHaveLength(1);
  const [first] = received;
  expect(first.headers.authorization).toBe('Bearer e2e-token');
  expect(first.body).toMatchObject({
    kind: 'alert',
    severity: 'error',
    class: 'policy_violation',
    agent: 'people-bot',
    source: 'policy',
    count: 1,
    message: 'policy policy: agent "people-bot" violated rule "hr-no-prod-tools" (tool prod_db_write): HR agents cannot modify production systems',
    evidence: [{ trace_id: spans[0].traceId, span_id: spans[0].spanId }],
  });
  expect(first.body.text).toMatch(/^:rotating_light: \*ERROR\* policy_violation alert — agent `people-bot` \(from policy\)\npolicy policy: agent "people-bot" violated rule/);

  const metricsText = await (await fetch(`http://127.0.0.1:${p.metrics}/metrics`)).text();
  expect(metricsText).toMatch(/agentcol_alert_webhook_alerts_grouped_total\{exporter="alert_webhook"\} 2/);
  // The other two were folded; the open window's summary goes out at shutdown.
  expect(await run.stop(), run.output()).toBe(0);
  expect(received.map((r) => [r.body.kind, r.body.count])).toEqual([
    ['alert', 1],
    ['summary', 2],
  ]);
  expect(received[1].body.evidence).toEqual(spans.slice(1).map((s) => ({ trace_id: s.traceId, span_id: s.spanId })));
  expect(run.output()).not.toContain('e2e-token');
});
