import type { ProcessorFactory } from '../../core/component.ts';
import { compileConfig, configSchema, type CompiledRedaction } from './config.ts';
import { createRedactionGuard } from './guard.ts';
import { RedactionProcessor } from './processor.ts';
import { revealCommand } from './reveal.ts';

const factory: ProcessorFactory<CompiledRedaction> = {
  kind: 'processor',
  type: 'redaction',
  description:
    'Detects PII and secrets (e-mail, phone, cards, IBAN, national ids, addresses, names, API keys, tokens...) in span and log data and proxy messages, and masks, tags, hashes, encrypts or drops them.',
  stability: 'alpha',
  signals: ['traces', 'logs'],
  mutatesData: true,
  commands: [revealCommand],
  configSchema,
  normalize(config) {
    return compileConfig(config);
  },
  create(ctx, signal, next) {
    return new RedactionProcessor(ctx.id, signal, ctx.config, next, ctx.logger, ctx.metrics);
  },
  createGuard(ctx) {
    return createRedactionGuard(ctx.config);
  },
};

export default factory;
