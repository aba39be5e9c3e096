// Config of the otlp exporter (OTLP/gRPC), in the collector's shape. The sending queue, retry and
// timeout settings are merged in by core/config for every exporter.
import type { JsonSchema } from '../../core/component.ts';
import { compressionSchema, headersSchema, normalizeTls, tlsClientSchema } from '../../core/otlp/client-config.ts';
import type { ClientTlsConfig } from '../../core/otlp/client-grpc.ts';

export interface OtlpExporterConfig {
  endpoint: string;
  tls: ClientTlsConfig;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  /** Merged in by core/config (see core/queue/config.ts). */
  timeout?: string | number;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint'],
  properties: {
    endpoint: {
      type: 'string',
      minLength: 1,
      description: 'Destination "host:port" (e.g. "otel-collector:4317"); an https:// or http:// prefix picks TLS or plaintext.',
      examples: ['otel-collector:4317', 'https://otlp.example.com:4317'],
    },
    tls: tlsClientSchema,
    headers: headersSchema,
    compression: compressionSchema,
  },
};

export function normalize(raw: unknown): OtlpExporterConfig {
  const c = (raw ?? {}) as Partial<OtlpExporterConfig> & { compression?: string };
  if (typeof c.endpoint !== 'string' || !c.endpoint.trim()) throw new Error('otlp exporter: endpoint is required, e.g. "otel-collector:4317"');
  return {
    ...c,
    endpoint: c.endpoint,
    tls: normalizeTls(c.tls),
    headers: c.headers ?? {},
    compression: ['none', ''].includes(String(c.compression ?? 'gzip')) ? 'none' : 'gzip',
  };
}
