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
  // DuckDB's appenders are single-writer.
  queueDefaults: { num_consumers: 1 },
  create: (ctx) => new DuckDBExporter(normalize(ctx.config), ctx.logger),
};

export default factory;
