// The agentcol command with a ClickHouse server as its columnar store: a real OpenTelemetry SDK
// (HTTP/protobuf) sends GenAI spans, a log record and metrics through the otlp receiver and the batch
// processor; after a clean SIGTERM shutdown every item is in ClickHouse once, agent columns filled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { allocatePorts, startAgentcol, type Ports, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { startClickHouse, type ClickHouseTestServer } from '../helpers/clickhouse-server.ts';

const SPANS = 60;

function config(p: Ports, ch: ClickHouseTestServer): string {
  return `
extensions:
  health_check:
    endpoint: 127.0.0.1:${p.health}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${p.http}
processors:
  batch: {}
exporters:
  clickhouse:
    endpoint: ${ch.url}
    database: e2e
    password: \${env:CLICKHOUSE_PASSWORD}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      address: 127.0.0.1:${p.metrics}
  pipelines:
    traces: { receivers: [otlp], processors: [batch], exporters: [clickhouse] }
    logs: { receivers: [otlp], processors: [batch], exporters: [clickhouse] }
    metrics: { receivers: [otlp], processors: [batch], exporters: [clickhouse] }
`;
}

async function send(p: Ports): Promise<void> {
  const resource = resourceFromAttributes({ 'service.name': 'support-bot', 'gen_ai.agent.id': 'bot-1' });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` }), { maxExportBatchSize: SPANS })] });
  const tr = tracer.getTracer('e2e');
  for (let i = 0; i < SPANS; i++) {
    tr.startSpan('chat gpt-4o-mini', {
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2 },
    }).end();
  }
  await tracer.forceFlush();
  await tracer.shutdown();
  const loggers = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${p.http}/v1/logs` }) })] });
  loggers.getLogger('e2e').emit({ body: 'hello clickhouse', severityText: 'INFO', severityNumber: 9 });
  await loggers.forceFlush();
  await loggers.shutdown();
  const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${p.http}/v1/metrics` }), exportIntervalMillis: 3_600_000 });
  const meters = new MeterProvider({ resource, readers: [reader] });
  meters.getMeter('e2e').createCounter('agent.requests').add(3, { 'gen_ai.operation.name': 'chat' });
  meters.getMeter('e2e').createHistogram('agent.latency', { unit: 'ms' }).record(42);
  await meters.shutdown();
}

describe('OpenTelemetry SDK -> agentcol -> ClickHouse server', () => {
  let server: ClickHouseTestServer;
  let run: RunningAgentcol | undefined;
  let exitCode: number | null;

  beforeAll(async () => {
    server = await startClickHouse();
    const ports = await allocatePorts();
    run = await startAgentcol(config(ports, server), ports.health, { env: { CLICKHOUSE_PASSWORD: server.password } });
    await send(ports);
    exitCode = await run.stop('SIGTERM');
  }, 120_000);

  afterAll(async () => {
    if (run?.child.exitCode === null) await run.stop('SIGKILL');
    if (run) rmSync(run.dir, { recursive: true, force: true });
    await server?.stop();
  });

  it('shuts down cleanly and never logs the password', () => {
    expect(exitCode, run!.output()).toBe(0);
    expect(run!.output()).not.toContain(server.password);
  });

  it('stores every item once, with the agent columns', async () => {
    const [traces] = await server.query<Record<string, string>>(
      `SELECT count() AS n, uniqExact(SpanId) AS ids, sum(InputTokens) AS input, any(AgentId) AS agent, any(GenAiProvider) AS provider, any(RequestModel) AS model
         FROM e2e.otel_traces FINAL`,
    );
    expect(traces).toEqual({ n: String(SPANS), ids: String(SPANS), input: String(SPANS * 10), agent: 'bot-1', provider: 'openai', model: 'gpt-4o-mini' });
    expect(await server.query('SELECT Body, ServiceName, AgentId FROM e2e.otel_logs')).toEqual([{ Body: 'hello clickhouse', ServiceName: 'support-bot', AgentId: 'bot-1' }]);
    expect(await server.query('SELECT MetricName, Value, GenAiOperation FROM e2e.otel_metrics_sum')).toEqual([{ MetricName: 'agent.requests', Value: 3, GenAiOperation: 'chat' }]);
    expect(await server.query('SELECT MetricName, Count, Sum FROM e2e.otel_metrics_histogram')).toEqual([{ MetricName: 'agent.latency', Count: '1', Sum: 42 }]);
  });
});
