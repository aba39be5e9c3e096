import type { ProcessorFactory } from '../../core/component.ts';
import { compileConfig, configSchema, type CompiledPolicyConfig } from './config.ts';
import { createPolicyGuard } from './guard.ts';
import { PolicyProcessor } from './processor.ts';

const factory: ProcessorFactory<CompiledPolicyConfig> = {
  kind: 'processor',
  type: 'policy',
  description:
    'Allow/deny rules on agents, roles, customers, providers, models, tools, data scopes and actions: blocks denied proxy requests with 403 naming the rule, flags violating spans and log records and raises policy_violation alerts.',
  stability: 'alpha',
  signals: ['traces', 'logs'],
  mutatesData: true,
  configSchema,
  normalize(config) {
    return compileConfig(config);
  },
  create(ctx, signal, next) {
    return new PolicyProcessor(ctx.id, signal, compileConfig(ctx.config), next, ctx.logger, ctx.metrics);
  },
  createGuard(ctx) {
    return createPolicyGuard(ctx.id, compileConfig(ctx.config), ctx.logger, ctx.metrics);
  },
};

export default factory;
