// The clickhouse exporter: every span, log record and metric point into a ClickHouse server, in
// the OpenTelemetry Collector ClickHouse exporter's tables plus the agent columns.
import type { ExporterFactory } from '../../core/component.ts';
import { configSchema, DEFAULT_TIMEOUT, normalize, type ClickHouseExporterConfig } from './config.ts';
import { ClickHouseExporter } from './exporter.ts';

const factory: ExporterFactory<ClickHouseExporterConfig> = {
  kind: 'exporter',
  type: 'clickhouse',
  description: 'Writes traces, logs and metrics into a ClickHouse server (the columnar store), one INSERT per batch and table.',
  stability: 'alpha',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  normalize,
  // Few, large inserts suit ClickHouse (each insert makes a part); a large batch may take a while.
  queueDefaults: { num_consumers: 4, timeout: DEFAULT_TIMEOUT },
  create: (ctx) => new ClickHouseExporter(normalize(ctx.config), ctx.logger),
};

export default factory;
