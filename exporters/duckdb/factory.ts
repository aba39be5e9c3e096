// The duckdb exporter: every span, log record and metric point into an embedded DuckDB file, in
// the OpenTelemetry Collector ClickHouse exporter's tables plus the agent columns.
import type { ExporterFactory } from '../../core/component.ts';
import { configSchema, normalize, type DuckDBExporterConfig } from './config.ts';
import { DuckDBExporter } from './exporter.ts';

const factory: ExporterFactory<DuckDBExporterConfig> = {
  kind: 'exporter',
  type: 'duckdb',
  description: 'Writes traces, logs and metrics into an embedded DuckDB database (the columnar store).',
  stability: 'alpha',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  normalize,
  // One writer; no per-attempt timeout: a write to the embedded store cannot be cancelled once
  // started, so timing it out would only retry it and store the batch twice.
  queueDefaults: { num_consumers: 1, timeout: 0 },
  create: (ctx) => new DuckDBExporter(normalize(ctx.config), ctx.logger),
};

export default factory;
