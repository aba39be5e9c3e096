// Config of the postgres exporter.
import type { JsonSchema } from '../../core/config/schema-types.ts';
import { checkedRetentionInterval } from '../../core/storage/days.ts';

export interface TlsConfig {
  /** PEM files, read at start. */
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  /** Accept any server certificate (testing only). */
  insecure_skip_verify?: boolean;
}

export interface PostgresExporterConfig {
  /** A PostgreSQL server, postgres://user:password@host:port/database; absent: embedded PGlite in `path`. */
  endpoint?: string;
  /** TLS to the server; absent: what the connection string's sslmode says. */
  tls?: TlsConfig;
  /** Drop day partitions older than this (e.g. '30d'); unset or 0: keep everything. */
  retention?: string | number;
  /** How often retention runs (and once at start). */
  retention_check_interval?: string | number;
  /** Server mode: connections in the pool. */
  max_connections?: number;
  /** Server mode: how long to wait for a connection. */
  connect_timeout?: string | number;
  /** PGlite data directory, relative to the working directory; ':memory:' keeps nothing. */
  path: string;
  /** Run PGlite in a worker thread (default) rather than on the main event loop. */
  worker: boolean;
}

export const DEFAULT_PATH = 'data/pg';

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: {
      type: 'string',
      pattern: '^postgres(ql)?://',
      examples: ['postgres://agentcol:${env:PG_PASSWORD}@db.internal:5432/telemetry?sslmode=require'],
      description: 'A PostgreSQL server (postgres://user:password@host:port/database, libpq sslmode accepted). Unset: the embedded PGlite store in `path`.',
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      description: 'TLS to the server (server mode). Unset: as the connection string says (sslmode).',
      properties: {
        ca_file: { type: 'string', description: 'PEM file of the CA that signed the server certificate.' },
        cert_file: { type: 'string', description: 'PEM client certificate (with key_file).' },
        key_file: { type: 'string', description: 'PEM client key.' },
        insecure_skip_verify: { type: 'boolean', default: false, description: 'Accept any server certificate (testing only).' },
      },
    },
    retention: {
      type: ['string', 'number'],
      format: 'duration',
      examples: ['30d', '365d'],
      description: 'Keep this much history: whole day partitions older than it are dropped (never rows deleted), each run recorded in retention_runs. Unset or 0: keep everything.',
    },
    retention_check_interval: { type: ['string', 'number'], format: 'duration', default: '1h', description: 'How often retention runs (and once at start).' },
    max_connections: { type: 'integer', minimum: 1, default: 4, description: 'Server mode: connections in the pool.' },
    connect_timeout: { type: ['string', 'number'], format: 'duration', default: '10s', description: 'Server mode: how long to wait for a connection.' },
    path: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_PATH,
      description: "PGlite data directory, relative to the working directory (created on first start); ':memory:' keeps nothing.",
    },
    worker: {
      type: 'boolean',
      default: true,
      description: "Run PGlite in a worker thread so its CPU time does not stall the pipeline's event loop.",
    },
  },
};

export function normalize(raw: unknown): PostgresExporterConfig {
  const c = (raw ?? {}) as Partial<PostgresExporterConfig>;
  return {
    endpoint: c.endpoint,
    tls: c.tls,
    retention: c.retention,
    retention_check_interval: checkedRetentionInterval(c.retention, c.retention_check_interval),
    max_connections: c.max_connections ?? 4,
    connect_timeout: c.connect_timeout ?? '10s',
    path: c.path ?? DEFAULT_PATH,
    worker: c.worker ?? true,
  };
}
