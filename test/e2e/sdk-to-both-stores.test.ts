// The whole product, as a user runs it: the agentcol command with the embedded default pipeline,
// real OpenTelemetry SDK exporters (gRPC, HTTP/protobuf, HTTP/JSON) for traces, logs and metrics,
// then both stores read back after a clean SIGTERM shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { allocatePorts, defaultLikeConfig, startAgentcol, type Ports, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { defaultStorePaths, queryDuckDb, withPglite } from '../helpers/stores.ts';

const SPANS_PER_TRANSPORT = 3; // agent, chat, tool

interface Transport {
  name: string;
  traces: (p: Ports) => SpanExporter;
  logs: (p: Ports) => LogRecordExporter;
  metrics: (p: Ports) => PushMetricExporter;
}

const TRANSPORTS: Transport[] = [
  {
    name: 'grpc',
    traces: (p) => new GrpcTraceExporter({ url: `http://127.0.0.1:${p.grpc}` }),
    logs: (p) => new GrpcLogExporter({ url: `http://127.0.0.1:${p.grpc}` }),
    metrics: (p) => new GrpcMetricExporter({ url: `http://127.0.0.1:${p.grpc}` }),
  },
  {
    name: 'http-proto',
    traces: (p) => new ProtoTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` }),
    logs: (p) => new ProtoLogExporter({ url: `http://127.0.0.1:${p.http}/v1/logs` }),
    metrics: (p) => new ProtoMetricExporter({ url: `http://127.0.0.1:${p.http}/v1/metrics` }),
  },
  {
    name: 'http-json',
    traces: (p) => new JsonTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` }),
    logs: (p) => new JsonLogExporter({ url: `http://127.0.0.1:${p.http}/v1/logs` }),
    metrics: (p) => new JsonMetricExporter({ url: `http://127.0.0.1:${p.http}/v1/metrics` }),
  },
];

async function sendEverything(t: Transport, ports: Ports): Promise<void> {
  const resource = resourceFromAttributes({ 'service.name': `svc-${t.name}`, 'deployment.environment': 'test' });

  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(t.traces(ports))] });
  const tr = tracer.getTracer('e2e');
  const agent = tr.startSpan('invoke_agent support-bot', {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': `bot-${t.name}` },
  });
  const chat = tr.startSpan('chat gpt-4o-mini', {
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.agent.id': `bot-${t.name}`,
      'gen_ai.system': 'openai', // deprecated name: must still fill GenAiProvider
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 45,
    },
  });
  chat.addEvent('gen_ai.choice', { index: 0 });
  chat.end();
  const tool = tr.startSpan('execute_tool lookup_order', {
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.agent.id': `bot-${t.name}`, 'gen_ai.tool.name': 'lookup_order' },
  });
  tool.end();
  agent.end();
  await tracer.forceFlush();
  await tracer.shutdown();

  const loggers = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: t.logs(ports) })] });
  loggers.getLogger('e2e').emit({ body: `hello from ${t.name}`, severityText: 'INFO', severityNumber: 9, attributes: { 'gen_ai.agent.id': `bot-${t.name}` } });
  await loggers.forceFlush();
  await loggers.shutdown();

  const reader = new PeriodicExportingMetricReader({ exporter: t.metrics(ports), exportIntervalMillis: 3_600_000 });
  const meters = new MeterProvider({ resource, readers: [reader] });
  const meter = meters.getMeter('e2e');
  meter.createCounter('agent.requests').add(3, { agent: `bot-${t.name}` });
  meter.createHistogram('agent.latency', { unit: 'ms' }).record(42, { agent: `bot-${t.name}` });
  meter.createGauge('agent.queue_depth').record(7);
  await meters.shutdown(); // collects and exports once (a forceFlush first would export the cumulative points twice)
}

describe('OpenTelemetry SDK -> agentcol (default pipeline) -> DuckDB and PGlite', () => {
  let ports: Ports;
  let run: RunningAgentcol;
  let exitCode: number | null;

  beforeAll(async () => {
    ports = await allocatePorts();
    run = await startAgentcol(defaultLikeConfig(ports), ports.health);
    for (const t of TRANSPORTS) await sendEverything(t, ports);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    expect(metrics).toMatch(/otelcol_receiver_accepted_spans\{[^}]*\} \d+/);
    exitCode = await run.stop('SIGTERM');
  }, 120_000);

  afterAll(() => {
    if (run) rmSync(run.dir, { recursive: true, force: true });
  });

  it('shuts down cleanly on SIGTERM', () => {
    expect(exitCode, run.output()).toBe(0);
  });

  it('stores every span once in DuckDB, with the agent columns', async () => {
    const { duckdb } = defaultStorePaths(run.dir);
    const rows = await queryDuckDb(
      duckdb,
      `SELECT ServiceName, SpanName, AgentId, GenAiOperation, GenAiProvider, RequestModel, ResponseModel,
              InputTokens, OutputTokens, ToolName, SpanAttributes['gen_ai.agent.id'] AS attr_agent
         FROM otel_traces ORDER BY ServiceName, SpanName`,
    );
    expect(rows).toHaveLength(SPANS_PER_TRANSPORT * TRANSPORTS.length);
    for (const t of TRANSPORTS) {
      const mine = rows.filter((r) => r.ServiceName === `svc-${t.name}`);
      expect(mine.map((r) => r.SpanName).sort()).toEqual(['chat gpt-4o-mini', 'execute_tool lookup_order', 'invoke_agent support-bot']);
      const chat = mine.find((r) => r.SpanName === 'chat gpt-4o-mini')!;
      expect(chat).toMatchObject({
        AgentId: `bot-${t.name}`,
        GenAiOperation: 'chat',
        GenAiProvider: 'openai',
        RequestModel: 'gpt-4o-mini',
        ResponseModel: 'gpt-4o-mini-2024-07-18',
        ToolName: '',
      });
      expect(Number(chat.InputTokens)).toBe(120);
      expect(Number(chat.OutputTokens)).toBe(45);
      expect(mine.find((r) => r.SpanName === 'execute_tool lookup_order')!.ToolName).toBe('lookup_order');
    }
  });

  it('stores every span once in PostgreSQL, with the agent columns', async () => {
    const { pg } = defaultStorePaths(run.dir);
    await withPglite(pg, async (db) => {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT service_name, span_name, agent_id, gen_ai_operation, gen_ai_provider, request_model, input_tokens, output_tokens, tool_name,
                span_attributes->>'gen_ai.agent.id' AS attr_agent
           FROM otel_traces ORDER BY service_name, span_name`,
      );
      expect(rows).toHaveLength(SPANS_PER_TRANSPORT * TRANSPORTS.length);
      for (const t of TRANSPORTS) {
        const chat = rows.find((r) => r.service_name === `svc-${t.name}` && r.span_name === 'chat gpt-4o-mini')!;
        expect(chat).toMatchObject({ agent_id: `bot-${t.name}`, gen_ai_operation: 'chat', gen_ai_provider: 'openai', request_model: 'gpt-4o-mini', attr_agent: `bot-${t.name}` });
        expect(Number(chat.input_tokens)).toBe(120);
        expect(Number(chat.output_tokens)).toBe(45);
      }
    });
  });

  it('stores every log record in both stores', async () => {
    const { duckdb, pg } = defaultStorePaths(run.dir);
    const duck = await queryDuckDb(duckdb, `SELECT ServiceName, Body, SeverityText, AgentId FROM otel_logs ORDER BY ServiceName`);
    expect(duck.map((r) => r.Body).sort()).toEqual(TRANSPORTS.map((t) => `hello from ${t.name}`).sort());
    expect(duck.every((r) => r.SeverityText === 'INFO' && String(r.AgentId).startsWith('bot-'))).toBe(true);
    await withPglite(pg, async (db) => {
      const { rows } = await db.query<Record<string, unknown>>(`SELECT service_name, agent_id FROM otel_logs ORDER BY service_name`);
      expect(rows.map((r) => r.service_name)).toEqual(TRANSPORTS.map((t) => `svc-${t.name}`).sort());
    });
  });

  it('stores every metric point in both stores', async () => {
    const { duckdb, pg } = defaultStorePaths(run.dir);
    const sums = await queryDuckDb(duckdb, `SELECT ServiceName, MetricName, Value FROM otel_metrics_sum ORDER BY ServiceName`);
    expect(sums).toHaveLength(TRANSPORTS.length);
    expect(sums.every((r) => r.MetricName === 'agent.requests' && Number(r.Value) === 3)).toBe(true);
    const hist = await queryDuckDb(duckdb, `SELECT MetricName, Count, Sum FROM otel_metrics_histogram`);
    expect(hist).toHaveLength(TRANSPORTS.length);
    expect(hist.every((r) => Number(r.Count) === 1 && Number(r.Sum) === 42)).toBe(true);
    const gauges = await queryDuckDb(duckdb, `SELECT MetricName, Value FROM otel_metrics_gauge`);
    expect(gauges).toHaveLength(TRANSPORTS.length);
    await withPglite(pg, async (db) => {
      for (const table of ['otel_metrics_sum', 'otel_metrics_histogram', 'otel_metrics_gauge']) {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(TRANSPORTS.length);
      }
    });
  });
});
