// The postgres exporter: every span, log record and metric point into PostgreSQL (the row store,
// the system of record), in the storage contract's tables with snake_case columns.
import type { ExporterFactory } from '../../core/component.ts';
import { configSchema, normalize, type PostgresExporterConfig } from './config.ts';
import { PostgresExporter } from './exporter.ts';

const factory: ExporterFactory<PostgresExporterConfig> = {
  kind: 'exporter',
  type: 'postgres',
  description: 'Writes traces, logs and metrics into PostgreSQL (embedded PGlite), the durable row store.',
  stability: 'alpha',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  normalize,
  // One writer; no per-attempt timeout: a write cannot be cancelled once started, so timing it out
  // would only start a retry beside it (which stores nothing twice: identity.ts, but costs a write).
  queueDefaults: { num_consumers: 1, timeout: 0 },
  create: (ctx) => new PostgresExporter(normalize(ctx.config), ctx.logger),
};

export default factory;
