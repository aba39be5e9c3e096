// The otlp receiver factory: OTLP over gRPC and HTTP (protobuf and JSON), as in the collector.
import type { ReceiverFactory } from '../../core/component.ts';
import { configSchema, normalize, type OtlpReceiverConfig } from './config.ts';
import { OtlpReceiver } from './receiver.ts';

const factory: ReceiverFactory<OtlpReceiverConfig> = {
  kind: 'receiver',
  type: 'otlp',
  description: 'Receives traces, logs and metrics over OTLP/gRPC and OTLP/HTTP (protobuf or JSON, gzip).',
  stability: 'beta',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  normalize,
  // normalize() is idempotent: applying it again accepts configs built in code, too.
  create: (ctx, next) => new OtlpReceiver({ ...ctx, config: normalize(ctx.config) }, next),
};

export default factory;
export { OtlpReceiver };
