// The otlp exporter factory (OTLP/gRPC), as the collector's `otlp` exporter.
import type { ExporterFactory } from '../../core/component.ts';
import { configSchema, normalize, type OtlpExporterConfig } from './config.ts';
import { OtlpExporter } from './exporter.ts';

const factory: ExporterFactory<OtlpExporterConfig> = {
  kind: 'exporter',
  type: 'otlp',
  description: 'Sends traces, logs and metrics to an OTLP/gRPC endpoint (another collector or agentcol).',
  stability: 'beta',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  normalize,
  create: (ctx) => new OtlpExporter({ ...ctx, config: normalize(ctx.config) }),
};

export default factory;
export { OtlpExporter };
