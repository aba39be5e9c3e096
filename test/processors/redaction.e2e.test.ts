// The whole product: the agentcol command with `redaction` in the traces and logs pipelines, real
// OpenTelemetry SDK spans and log records carrying PII and secrets, both embedded stores read back
// after a clean shutdown. No detected value is in either store; encrypted ones reveal.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, expect, it } from 'vitest';
import { revealText } from '../../processors/redaction/reveal.ts';
import { allocatePorts, startAgentcol, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { otlpLoggerProvider, otlpTracerProvider } from '../helpers/otel-sdk.ts';
import { otlpIngest, serviceWithSelfMetrics } from '../helpers/run-config.ts';
import { defaultStorePaths, queryDuckDb, withPglite } from '../helpers/stores.ts';

const KEY = randomBytes(32).toString('base64');
const PII = ['jane.doe@example.com', '4111 1111 1111 1111', '123-45-6789', 'sk-proj-abc123DEF456ghi789JKL012mno345', 'GB82WEST12345698765432', 'hunter22'];

let run: RunningAgentcol | undefined;
afterAll(() => {
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

const text = (rows: unknown[]) => JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

it('no detected PII reaches either store; counts are stored; encrypted values reveal', async () => {
  const p = await allocatePorts();
  run = await startAgentcol(
    `
${otlpIngest(p)}
processors:
  redaction:
    operators: { EMAIL_ADDRESS: encrypt }
    encryption_key: \${env:AGENTCOL_REDACTION_KEY}
  batch: { timeout: 10ms }
exporters: { duckdb: {}, postgres: {} }
${serviceWithSelfMetrics(p)}
  pipelines:
    traces: { receivers: [otlp], processors: [redaction, batch], exporters: [duckdb, postgres] }
    logs: { receivers: [otlp], processors: [redaction, batch], exporters: [duckdb, postgres] }
`,
    p.health,
    { env: { AGENTCOL_REDACTION_KEY: KEY } },
  );
  const resource = resourceFromAttributes({ 'service.name': 'redaction-e2e' });
  const tracer = otlpTracerProvider(p.http, resource);
  const span = tracer.getTracer('e2e').startSpan('chat gpt-4o', {
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: `I am jane.doe@example.com, card ${PII[1]}, SSN ${PII[2]}` }]),
      'gen_ai.tool.call.arguments': JSON.stringify({ iban: PII[4], api_key: PII[3] }),
    },
  });
  span.addEvent('tool result', { 'gen_ai.tool.result': `password: ${PII[5]}` });
  span.end();
  await tracer.shutdown();
  const logs = otlpLoggerProvider(p.http, resource);
  logs.getLogger('e2e').emit({ severityNumber: SeverityNumber.INFO, body: `user jane.doe@example.com paid with ${PII[1]}`, attributes: { 'user.ssn': PII[2] } });
  await logs.shutdown();
  expect(await run.stop(), run.output()).toBe(0);

  const paths = defaultStorePaths(run.dir);
  const duck = text([...(await queryDuckDb(paths.duckdb, 'SELECT * FROM otel_traces')), ...(await queryDuckDb(paths.duckdb, 'SELECT * FROM otel_logs'))]);
  const pg = await withPglite(paths.pg, async (db) => text([...(await db.query('SELECT * FROM otel_traces')).rows, ...(await db.query('SELECT * FROM otel_logs')).rows]));
  for (const [name, stored] of [['duckdb', duck], ['postgres', pg]] as const) {
    expect(stored, name).toContain('chat gpt-4o');
    for (const v of PII) expect(stored.includes(v), `${name} holds ${v}`).toBe(false);
    expect(stored, name).toContain('<CREDIT_CARD>');
    expect(stored, name).toContain('redaction.count.US_SSN');
    expect(stored, name).toMatch(/enc:v1:/);
    expect(revealText(stored, KEY).text, name).toContain('jane.doe@example.com');
  }
}, 180_000); // a command start, two embedded stores, reveal and a clean stop: slow on a busy 2-core machine
