// The whole product: the agentcol command with `policy` in the traces pipeline, real OpenTelemetry
// SDK spans (an HR agent's tool calls), both embedded stores read back after a clean shutdown: the
// violating span is stored flagged (policy.* attributes), the allowed one is not, and the
// policy_violation alert is a log record (severity ERROR, evidence trace/span ids, agent, rule)
// in DuckDB and in PGlite.
import { rmSync } from 'node:fs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, expect, it } from 'vitest';
import { allocatePorts, startAgentcol, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { otlpTracerProvider } from '../helpers/otel-sdk.ts';
import { otlpIngest, serviceWithSelfMetrics } from '../helpers/run-config.ts';
import { readStoredTelemetry, toJson } from '../helpers/stored-telemetry.ts';

let run: RunningAgentcol | undefined;
afterAll(() => {
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

it('a violating tool span is stored flagged, and its alert is in both stores', async () => {
  const p = await allocatePorts();
  run = await startAgentcol(
    `
${otlpIngest(p)}
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
${serviceWithSelfMetrics(p)}
  pipelines:
    traces: { receivers: [otlp], processors: [policy, batch], exporters: [duckdb, postgres] }
    logs: { receivers: [otlp], processors: [batch], exporters: [duckdb, postgres] }
`,
    p.health,
  );
  const resource = resourceFromAttributes({ 'service.name': 'hr-agent', 'gen_ai.agent.id': 'people-bot', 'agentcol.agent.roles': ['hr'] });
  const tracer = otlpTracerProvider(p.http, resource);
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
  const stores = await readStoredTelemetry(run.dir);
  for (const [name, s] of Object.entries(stores)) {
    expect(s.spans.map((x) => x.name), name).toEqual(['execute_tool lookup_employee', 'execute_tool prod_db_write']);
    const [allowed, flagged] = s.spans;
    expect(flagged.spanId, name).toBe(badId.span);
    expect(flagged.attributes, `${name}: ${toJson(flagged.attributes)}`).toMatchObject({
      'policy.decision': 'deny',
      'policy.rule': 'hr-no-prod-tools',
      'policy.reason': 'HR agents cannot modify production systems',
      'policy.name': 'policy',
    });
    expect(Object.keys(allowed.attributes).filter((k) => k.startsWith('policy.')), name).toEqual([]);
    expect(s.logs, `${name}: ${toJson(s.logs)}`).toHaveLength(1);
    const [alert] = s.logs;
    expect(alert, name).toMatchObject({ traceId: badId.trace, spanId: badId.span, severity: 'ERROR', severityNumber: 17, event: 'agentcol.alert', agent: 'people-bot' });
    expect(alert.body, name).toBe('policy policy: agent "people-bot" violated rule "hr-no-prod-tools" (tool prod_db_write): HR agents cannot modify production systems');
    expect(alert.attributes, `${name}: ${toJson(alert.attributes)}`).toMatchObject({
      'agentcol.alert.class': 'policy_violation',
      'agentcol.alert.source': 'policy',
      'gen_ai.agent.id': 'people-bot',
      'policy.rule': 'hr-no-prod-tools',
      'gen_ai.tool.name': 'prod_db_write',
    });
  }
}, 180_000); // a command start with two embedded stores and a clean stop: slow on a busy 2-core machine
