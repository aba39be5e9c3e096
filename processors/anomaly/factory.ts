import type { Consumer, ProcessorFactory } from '../../core/component.ts';
import { compileConfig, configSchema, type CompiledAnomaly } from './config.ts';
import { AnomalyProcessor } from './processor.ts';

const factory: ProcessorFactory<CompiledAnomaly> = {
  kind: 'processor',
  type: 'anomaly',
  description: 'Per-agent behavioural baselines on event time (volume, scope, operating hours, sensitive-action drift) and cross-agent coordination; findings annotate spans and raise agentcol.alert records.',
  stability: 'alpha',
  signals: ['traces'],
  mutatesData: true,
  configSchema,
  normalize(config) {
    return compileConfig(config);
  },
  create(ctx, _signal, next) {
    return new AnomalyProcessor(ctx.id, compileConfig(ctx.config), next as Consumer<'traces'>, ctx.logger, ctx.metrics) as never;
  },
};

export default factory;
