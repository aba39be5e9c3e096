// The otlphttp exporter factory (OTLP/HTTP), as the collector's `otlphttp` exporter.
import type { Batch, ExporterFactory, ExportOptions, Signal } from '../../core/component.ts';
import { OtlpHttpClient } from '../../core/otlp/client-http.ts';
import { timeoutOf } from '../../core/otlp/client-config.ts';
import { configSchema, normalize, type OtlpHttpExporterConfig } from './config.ts';

const factory: ExporterFactory<OtlpHttpExporterConfig> = {
  kind: 'exporter',
  type: 'otlphttp',
  description: 'Sends traces, logs and metrics to an OTLP/HTTP endpoint (protobuf or JSON, gzip).',
  stability: 'beta',
  signals: ['traces', 'logs', 'metrics'],
  configSchema,
  normalize,
  create(ctx) {
    const config = normalize(ctx.config);
    const timeoutMs = timeoutOf(config);
    let client: OtlpHttpClient | undefined;
    return {
      async start() {
        client = new OtlpHttpClient({ urls: config.urls, tls: config.tls, headers: config.headers, compression: config.compression, encoding: config.encoding });
      },
      async export(signal: Signal, batch: Batch, options?: ExportOptions) {
        if (!client) throw new Error(`exporter ${ctx.id} used before start()`);
        await client.export(signal, batch, timeoutMs, options?.abortSignal);
      },
      async shutdown() {
        client?.close();
        client = undefined;
      },
    };
  },
};

export default factory;
