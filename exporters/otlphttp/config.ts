// Config of the otlphttp exporter (OTLP/HTTP), in the collector's shape: `endpoint` is the base
// URL and the signal paths (/v1/traces, ...) are appended, unless a per-signal URL is given.
import type { JsonSchema, Signal } from '../../core/component.ts';
import { compressionSchema, headersSchema, normalizeTls, tlsClientSchema } from '../../core/otlp/client-config.ts';
import type { ClientTlsConfig } from '../../core/otlp/client-grpc.ts';

export interface OtlpHttpExporterConfig {
  endpoint?: string;
  traces_endpoint?: string;
  logs_endpoint?: string;
  metrics_endpoint?: string;
  tls: ClientTlsConfig;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  encoding: 'proto' | 'json';
  timeout?: string | number;
  /** Resolved per-signal URLs. */
  urls: Record<Signal, string>;
}

const url = (d: string): JsonSchema => ({ type: 'string', format: 'uri', description: d });

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: { ...url('Base URL, e.g. "https://otlp.example.com:4318"; /v1/traces, /v1/logs, /v1/metrics are appended.'), examples: ['http://otel-collector:4318'] },
    traces_endpoint: url('Full URL for traces, overriding endpoint.'),
    logs_endpoint: url('Full URL for logs, overriding endpoint.'),
    metrics_endpoint: url('Full URL for metrics, overriding endpoint.'),
    tls: tlsClientSchema,
    headers: headersSchema,
    compression: compressionSchema,
    encoding: { type: 'string', enum: ['proto', 'json'], default: 'proto', description: 'Body encoding: protobuf or JSON.' },
  },
};

const PATHS: Record<Signal, string> = { traces: 'v1/traces', logs: 'v1/logs', metrics: 'v1/metrics' };

export function normalize(raw: unknown): OtlpHttpExporterConfig {
  const c = (raw ?? {}) as Partial<OtlpHttpExporterConfig> & { compression?: string };
  const urlFor = (s: Signal): string => {
    const explicit = c[`${s}_endpoint` as const];
    if (explicit) return explicit;
    if (!c.endpoint) throw new Error(`otlphttp exporter: set endpoint (e.g. "http://otel-collector:4318") or ${s}_endpoint`);
    return c.endpoint.replace(/\/*$/, '/') + PATHS[s];
  };
  let urls: Record<Signal, string>;
  urls = { traces: urlFor('traces'), logs: urlFor('logs'), metrics: urlFor('metrics') };
  for (const [s, u] of Object.entries(urls)) {
    try {
      const p = new URL(u);
      if (p.protocol !== 'http:' && p.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new Error(`otlphttp exporter: the ${s} URL ${JSON.stringify(u)} is not an http:// or https:// URL`);
    }
  }
  return {
    ...c,
    tls: normalizeTls(c.tls),
    headers: c.headers ?? {},
    compression: ['none', ''].includes(String(c.compression ?? 'gzip')) ? 'none' : 'gzip',
    encoding: c.encoding === 'json' ? 'json' : 'proto',
    urls,
  };
}
