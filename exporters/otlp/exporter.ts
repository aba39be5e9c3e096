// The otlp exporter: forwards batches to another collector (or agentcol) over OTLP/gRPC.
// Queueing and retry are the pipeline's (core/queue); this only classifies failures.
import type { Batch, CreateContext, Exporter, ExportOptions, Signal } from '../../core/component.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { OtlpGrpcClient } from '../../core/otlp/client-grpc.ts';
import { timeoutOf } from '../../core/otlp/client-config.ts';
import type { OtlpExporterConfig } from './config.ts';

export class OtlpExporter implements Exporter {
  private client?: OtlpGrpcClient;
  private readonly timeoutMs: number;

  constructor(private readonly ctx: CreateContext<OtlpExporterConfig>) {
    this.timeoutMs = timeoutOf(ctx.config);
  }

  async start(): Promise<void> {
    const c = this.ctx.config;
    this.client = new OtlpGrpcClient({ endpoint: c.endpoint, tls: c.tls, headers: c.headers, compression: c.compression });
  }

  async export(signal: Signal, batch: Batch, options?: ExportOptions): Promise<void> {
    if (!this.client) throw new Error(`exporter ${this.ctx.id} used before start()`);
    const body = encodeProto[signal](batch as never);
    await this.client.export(signal, body, this.timeoutMs, options?.abortSignal);
  }

  async shutdown(): Promise<void> {
    this.client?.close();
    this.client = undefined;
  }
}
