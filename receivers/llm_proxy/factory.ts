// The llm_proxy receiver factory: an authenticated OpenAI- and Anthropic-compatible endpoint in
// front of model providers, feeding every call into the traces and logs pipelines.
import type { ReceiverFactory } from '../../core/component.ts';
import { configSchema, ensureNormalized, normalize, type LlmProxyConfig } from './config.ts';
import { LlmProxyReceiver } from './receiver.ts';

const factory: ReceiverFactory<LlmProxyConfig> = {
  kind: 'receiver',
  type: 'llm_proxy',
  description: 'LLM proxy: agents call it with the OpenAI or Anthropic SDK; it authenticates, guards, routes, meters and captures every call.',
  stability: 'alpha',
  signals: ['traces', 'logs'],
  configSchema,
  normalize,
  create: (ctx, next) => new LlmProxyReceiver({ ...ctx, config: ensureNormalized(ctx.config) }, next),
};

export default factory;
export { LlmProxyReceiver };
