// The otlp receiver: an OTLP/gRPC and/or OTLP/HTTP server feeding the pipelines' consumers.
import type { Consumers, CreateContext, Host, Receiver } from '../../core/component.ts';
import type { OtlpReceiverConfig } from './config.ts';
import { PipelineGate } from './consume.ts';
import { OtlpGrpcServer } from './grpc-server.ts';
import { OtlpHttpServer } from './http-server.ts';

export class OtlpReceiver implements Receiver {
  private readonly grpc?: OtlpGrpcServer;
  private readonly http?: OtlpHttpServer;

  constructor(ctx: CreateContext<OtlpReceiverConfig>, next: Consumers) {
    const gate = new PipelineGate(ctx, next);
    const { grpc, http } = ctx.config.protocols;
    const logger = ctx.logger;
    if (grpc) this.grpc = new OtlpGrpcServer(grpc, gate, logger);
    if (http) this.http = new OtlpHttpServer(http, gate, logger);
  }

  async start(_host: Host): Promise<void> {
    await this.grpc?.start();
    try {
      await this.http?.start();
    } catch (err) {
      await this.grpc?.shutdown();
      throw err;
    }
  }

  /** Stops accepting, lets in-flight requests finish (bounded), closes. */
  async shutdown(): Promise<void> {
    await Promise.all([this.grpc?.shutdown(), this.http?.shutdown()]);
  }

  /** Bound addresses per protocol, once started (ports resolved when configured as 0). */
  addresses(): { grpc?: { host: string; port: number }; http?: { host: string; port: number } } {
    return { grpc: this.grpc?.address(), http: this.http?.address() };
  }

  ports(): { grpc?: number; http?: number } {
    const a = this.addresses();
    return { grpc: a.grpc?.port, http: a.http?.port };
  }
}
