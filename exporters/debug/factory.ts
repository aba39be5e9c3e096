import type { ExporterFactory } from '../../core/component.ts';
import { configSchema, type DebugConfig } from './config.ts';
import { DebugExporter } from './exporter.ts';

const factory: ExporterFactory<DebugConfig> = {
  kind: 'exporter',
  type: 'debug',
  description: 'Prints received spans, log records and metric data points to stdout (basic, normal or detailed).',
  stability: 'development',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  create(ctx) {
    const c = ctx.config ?? ({} as Partial<DebugConfig>);
    return new DebugExporter(ctx.id, {
      verbosity: c.verbosity ?? 'basic',
      sampling_initial: c.sampling_initial ?? 2,
      sampling_thereafter: c.sampling_thereafter ?? 1,
    });
  },
};

export default factory;
