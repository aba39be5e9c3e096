import type { ProcessorFactory } from '../../core/component.ts';
import { compileConfig, configSchema, type CompiledInjectionScan } from './config.ts';
import { createInjectionGuard } from './guard.ts';
import { InjectionScanProcessor } from './processor.ts';

const factory: ProcessorFactory<CompiledInjectionScan> = {
  kind: 'processor',
  type: 'injection_scan',
  description:
    'Scores user messages, tool results and retrieved documents for prompt injection (override phrases, jailbreaks, prompt extraction, delimiter injection, markdown exfiltration, tool hijacking; obfuscated and non-English too); flags, alerts or blocks.',
  stability: 'alpha',
  signals: ['traces', 'logs'],
  mutatesData: true,
  configSchema,
  normalize(config) {
    return compileConfig(config);
  },
  create(ctx, signal, next) {
    return new InjectionScanProcessor(ctx.id, signal, ctx.config, next, ctx.logger, ctx.metrics);
  },
  createGuard(ctx) {
    return createInjectionGuard(ctx.config);
  },
};

export default factory;
