// Config of the clickhouse exporter.
import type { JsonSchema } from '../../core/config/schema-types.ts';
import { checkedRetentionInterval } from '../../core/storage/days.ts';

export interface ClickHouseExporterConfig {
  /** The server's HTTP interface, http(s)://host:8123. */
  endpoint: string;
  database: string;
  username: string;
  password: string;
  /** CREATE DATABASE IF NOT EXISTS at start. */
  create_database: boolean;
  /** ON CLUSTER DDL and Replicated* engines. */
  cluster_name?: string;
  /** Server-side batching of inserts (servers from 21.11; ignored with a warning on older ones). */
  async_insert: boolean;
  /** Data older than this leaves with whole parts, e.g. "30d": a table TTL on servers with
   * ttl_only_drop_parts (20.8+), day partitions dropped by agentcol on older ones. */
  retention?: string | number;
  /** How often agentcol drops expired partitions on servers without TTL. */
  retention_check_interval?: string | number;
  /** The exporter helper's per-attempt timeout, also the HTTP request timeout. */
  timeout?: string | number;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8123';
export const DEFAULT_TIMEOUT = '30s';

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: {
      type: 'string',
      pattern: '^https?://',
      default: DEFAULT_ENDPOINT,
      examples: ['http://clickhouse.internal:8123', 'https://clickhouse.example.com:8443'],
      description: "The server's HTTP interface (http://host:8123, or https:// with TLS).",
    },
    database: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      default: 'otel',
      description: 'Database of the otel_* tables.',
    },
    username: { type: 'string', default: 'default', description: 'ClickHouse user.' },
    password: { type: 'string', default: '', 'x-secret': true, description: 'Password of the user; use ${env:CLICKHOUSE_PASSWORD}.' },
    create_database: { type: 'boolean', default: true, description: 'CREATE DATABASE IF NOT EXISTS at start (needs the right to create databases).' },
    cluster_name: {
      type: 'string',
      minLength: 1,
      description: 'A cluster from the server\'s remote_servers: DDL runs ON CLUSTER and tables use ReplicatedMergeTree (needs ZooKeeper/Keeper and the {shard}/{replica} macros).',
    },
    async_insert: {
      type: 'boolean',
      default: false,
      description: 'Let the server batch inserts (async_insert=1, wait_for_async_insert=1: a batch is confirmed once it is written). Servers from 21.11; ignored with a warning on older ones.',
    },
    retention: {
      type: ['string', 'number'],
      format: 'duration',
      examples: ['30d', '72h'],
      description:
        'Keep this much history (30d). Servers from 20.8: a table TTL set when the tables are created drops whole parts (ttl_only_drop_parts). Older servers: agentcol drops whole day partitions at start and every retention_check_interval, each run recorded in retention_runs.',
    },
    retention_check_interval: {
      type: ['string', 'number'],
      format: 'duration',
      default: '1h',
      description: 'How often expired day partitions are dropped on servers without TTL.',
    },
  },
};

export function normalize(raw: unknown): ClickHouseExporterConfig {
  const c = (raw ?? {}) as Partial<ClickHouseExporterConfig>;
  return {
    endpoint: c.endpoint ?? DEFAULT_ENDPOINT,
    database: c.database ?? 'otel',
    username: c.username ?? 'default',
    password: c.password ?? '',
    create_database: c.create_database ?? true,
    cluster_name: c.cluster_name,
    async_insert: c.async_insert ?? false,
    retention: c.retention,
    retention_check_interval: checkedRetentionInterval(c.retention, c.retention_check_interval),
    timeout: c.timeout ?? DEFAULT_TIMEOUT,
  };
}
