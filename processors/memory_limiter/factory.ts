import type { ProcessorFactory } from '../../core/component.ts';
import { configSchema, toSettings, type MemoryLimiterConfig } from './config.ts';
import { MemoryLimiter } from './limiter.ts';
import { totalMemoryBytes } from './memory.ts';

const factory: ProcessorFactory<MemoryLimiterConfig> = {
  kind: 'processor',
  type: 'memory_limiter',
  description: 'Refuses data (429 / RESOURCE_EXHAUSTED at the receivers) while memory usage is above a soft limit.',
  stability: 'beta',
  signals: ['traces', 'logs', 'metrics'],
  mutatesData: false,
  configSchema,
  normalize(config) {
    toSettings(config, totalMemoryBytes);
    return config as MemoryLimiterConfig;
  },
  create(ctx, signal, next) {
    return new MemoryLimiter(ctx.id, signal, toSettings(ctx.config, totalMemoryBytes), next, ctx.logger, ctx.metrics);
  },
};

export default factory;
