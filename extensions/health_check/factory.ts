import type { ExtensionFactory } from '../../core/component.ts';
import { configSchema, type HealthCheckConfig } from './config.ts';
import { HealthCheck } from './health.ts';

const factory: ExtensionFactory<HealthCheckConfig> = {
  kind: 'extension',
  type: 'health_check',
  description: 'HTTP endpoint answering 200 while the service is ready and 503 while it starts or stops.',
  stability: 'beta',
  configSchema,
  create(ctx) {
    return new HealthCheck(ctx.id, { endpoint: ctx.config?.endpoint ?? '127.0.0.1:13133', path: ctx.config?.path ?? '/' }, ctx.logger);
  },
};

export default factory;
