// The lines every end-to-end config of the agentcol command shares, on the ports of one run: the
// health check the harness waits on, the OTLP/HTTP receiver the SDK clients send to, and the
// self-metrics endpoint the tests scrape. What a test is about (processors, exporters, pipelines)
// stays written out in the test.
import type { Ports } from './agentcol-process.ts';

/** Top of the config: the `health_check` extension and the `otlp` receiver (HTTP) on the run's ports. */
export function otlpIngest(p: Ports): string {
  return `extensions: { health_check: { endpoint: 127.0.0.1:${p.health} } }
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.http} } } } }`;
}

/** Start of the `service:` block (health_check on, self-metrics on the run's metrics port); the test's `  pipelines:` follow it. */
export function serviceWithSelfMetrics(p: Ports): string {
  return `service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }`;
}
