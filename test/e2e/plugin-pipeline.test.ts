// A third-party processor named in `plugins:` runs in a real agentcol process like a built-in: the
// example plugin package (test/fixtures/plugins/agentcol-processor-tag) tags every span, and the
// tag is in the store.
import { afterAll, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { REPO, allocatePorts, startAgentcol, type RunningAgentcol } from '../helpers/agentcol-process.ts';
import { defaultStorePaths, queryDuckDb } from '../helpers/stores.ts';

let run: RunningAgentcol | undefined;
afterAll(() => {
  if (run) rmSync(run.dir, { recursive: true, force: true });
});

it('runs a pipeline with a plugin processor loaded from a path', async () => {
  const p = await allocatePorts();
  const plugin = join(REPO, 'test/fixtures/plugins/agentcol-processor-tag');
  run = await startAgentcol(
    `
plugins: [${plugin}]
extensions: { health_check: { endpoint: 127.0.0.1:${p.health} } }
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.http} } } } }
processors:
  tag: { attributes: { team: agents } }
  batch: { timeout: 10ms }
exporters: { duckdb: {} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }
  pipelines:
    traces: { receivers: [otlp], processors: [tag, batch], exporters: [duckdb] }
`,
    p.health,
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'plugin-e2e' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${p.http}/v1/traces` }))],
  });
  provider.getTracer('t').startSpan('work').end();
  await provider.shutdown();
  expect(await run.stop(), run.output()).toBe(0);

  const rows = await queryDuckDb(defaultStorePaths(run.dir).duckdb, `SELECT SpanName, SpanAttributes['team'] AS team FROM otel_traces`);
  expect(rows).toEqual([{ SpanName: 'work', team: 'agents' }]);
}, 180_000); // a command start with two embedded stores and a clean stop: slow on a busy 2-core machine
