// Config of the duckdb exporter.
import type { JsonSchema } from '../../core/config/schema-types.ts';

export interface DuckDBExporterConfig {
  /** Database file, relative to the working directory; ':memory:' for a throwaway database. */
  path: string;
  /** DuckDB worker threads; unset: DuckDB's default (one per core). */
  threads?: number;
  /** DuckDB's memory_limit, e.g. "1GB"; unset: DuckDB's default (80% of RAM). */
  memory_limit?: string;
}

export const DEFAULT_PATH = 'data/agentcol.duckdb';

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_PATH,
      description: "Database file, relative to the working directory (its directory is created); ':memory:' keeps nothing.",
    },
    threads: { type: 'integer', minimum: 1, description: "DuckDB worker threads (DuckDB's default: one per core)." },
    memory_limit: {
      type: 'string',
      pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtT]i?[bB]|[bB])\\s*$',
      examples: ['512MB', '2GB'],
      description: "DuckDB's memory_limit (DuckDB's default: 80% of RAM).",
    },
  },
};

export function normalize(raw: unknown): DuckDBExporterConfig {
  const c = (raw ?? {}) as Partial<DuckDBExporterConfig>;
  return { path: c.path ?? DEFAULT_PATH, threads: c.threads, memory_limit: c.memory_limit };
}
