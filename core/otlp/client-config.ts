// Config schema parts the otlp and otlphttp exporters share (collector names and defaults).
import type { JsonSchema } from '../config/schema-types.ts';
import { durationMs } from '../config/units.ts';
import type { ClientTlsConfig } from './client-grpc.ts';

export const tlsClientSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'TLS to the destination. insecure: true sends plaintext.',
  properties: {
    insecure: { type: 'boolean', default: false, description: 'Plaintext (no TLS). An http:// endpoint implies it.' },
    insecure_skip_verify: { type: 'boolean', default: false, description: 'TLS without verifying the server certificate.' },
    ca_file: { type: 'string', description: 'PEM CA bundle to verify the server with.' },
    cert_file: { type: 'string', description: 'PEM client certificate (mTLS).' },
    key_file: { type: 'string', description: 'PEM client key (mTLS).' },
    server_name_override: { type: 'string', description: 'Server name to verify instead of the endpoint host.' },
  },
};

export const headersSchema: JsonSchema = {
  type: 'object',
  additionalProperties: { type: 'string', 'x-secret': true },
  default: {},
  description: 'Headers (gRPC metadata) sent with every request, e.g. an API key.',
};

export const compressionSchema: JsonSchema = {
  type: 'string',
  enum: ['gzip', 'none', ''],
  default: 'gzip',
  description: 'Request compression.',
};

export function normalizeTls(t: Partial<ClientTlsConfig> | null | undefined): ClientTlsConfig {
  return { insecure: false, insecure_skip_verify: false, ...(t ?? {}) };
}

/** The per-attempt timeout core/config merged in (milliseconds; 0 = none). */
export function timeoutOf(config: { timeout?: string | number }): number {
  return config.timeout === undefined ? 5000 : durationMs(config.timeout);
}
