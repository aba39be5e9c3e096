// Config of the postgres exporter.
import type { JsonSchema } from '../../core/config/schema-types.ts';

export interface PostgresExporterConfig {
  /** A PostgreSQL server (a later release); absent: embedded PGlite in `path`. */
  endpoint?: string;
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
      description: 'PostgreSQL server connection string (not supported yet: leave unset for the embedded PGlite store).',
    },
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
  return { endpoint: c.endpoint, path: c.path ?? DEFAULT_PATH, worker: c.worker ?? true };
}
