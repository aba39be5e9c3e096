import type { ProcessorFactory } from '../../core/component.ts';
import { BatchProcessor } from './batcher.ts';
import { configSchema, toSettings, type BatchConfig } from './config.ts';

const factory: ProcessorFactory<BatchConfig> = {
  kind: 'processor',
  type: 'batch',
  description: 'Groups spans, log records and metric data points into larger batches (by size or timeout); acknowledges only once the batch was handed downstream.',
  stability: 'beta',
  signals: ['traces', 'logs', 'metrics'],
  mutatesData: false,
  configSchema,
  normalize(config) {
    toSettings(config); // throws what the schema cannot express
    return config as BatchConfig;
  },
  create(ctx, signal, next) {
    return new BatchProcessor(ctx.id, signal, toSettings(ctx.config), next, ctx.logger, ctx.metrics);
  },
};

export default factory;
