// OTLP/gRPC server (@grpc/grpc-js). Requests arrive as raw bytes (see core/otlp/grpc.ts) and are
// decoded here, so malformed input is answered INVALID_ARGUMENT with the decoder's message.
import * as grpc from '@grpc/grpc-js';
import { SIGNALS, type Signal } from '../../core/signals/types.ts';
import type { Logger } from '../../core/telemetry/logger.ts';
import { parseEndpoint } from '../../core/config/units.ts';
import { protoRequestBatch } from '../../core/otlp/proto-batch.ts';
import { sharedBytes } from '../../core/signals/encoded.ts';
import { OTLP_SERVICES } from '../../core/otlp/grpc.ts';
import { encodeStatus, GrpcCode } from '../../core/otlp/status.ts';
import type { GrpcProtocolConfig } from './config.ts';
import type { PipelineGate } from './consume.ts';
import { listenError } from '../../core/http-server.ts';

const SHUTDOWN_GRACE_MS = 5000;
const EMPTY = Buffer.alloc(0);

export class OtlpGrpcServer {
  private server?: grpc.Server;
  private port?: number;
  private host = '';

  constructor(
    private readonly cfg: GrpcProtocolConfig,
    private readonly gate: PipelineGate,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { host, port } = parseEndpoint(this.cfg.endpoint)!;
    const maxBytes = Math.floor(this.cfg.max_recv_msg_size_mib * 1024 * 1024);
    const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes });
    for (const signal of SIGNALS) {
      server.addService(OTLP_SERVICES[signal], {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          this.export(signal, call.request, callback).catch((err) => {
            this.logger.error('otlp receiver: grpc handler failed', { error: err });
            callback({ code: GrpcCode.INTERNAL, details: `internal error: ${(err as Error).message}` });
          });
        },
      });
    }
    // grpc-js wants an explicit address: "" (all interfaces) -> 0.0.0.0; IPv6 keeps its brackets.
    this.host = host === '' ? '0.0.0.0' : host;
    const address = `${host.includes(':') ? `[${host}]` : this.host}:${port}`;
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err) reject(listenError(err, this.cfg.endpoint, 'otlp receiver', 'protocols.grpc.endpoint'));
        else resolve(bound);
      });
    });
    this.server = server;
  }

  address(): { host: string; port: number } | undefined {
    return this.server && this.port !== undefined ? { host: this.host, port: this.port } : undefined;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // tryShutdown stops accepting and waits for in-flight calls; force after the grace period.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async export(signal: Signal, request: Buffer, callback: grpc.sendUnaryData<Buffer>): Promise<void> {
    if (!this.gate.hasConsumer(signal)) {
      callback({ code: GrpcCode.UNIMPLEMENTED, details: this.gate.noPipelineMessage(signal) });
      return;
    }
    let batch;
    try {
      batch = protoRequestBatch(signal, sharedBytes(request));
    } catch (err) {
      callback({ code: GrpcCode.INVALID_ARGUMENT, details: (err as Error).message });
      return;
    }
    const o = await this.gate.consume(signal, batch, 'grpc');
    switch (o.kind) {
      case 'ok':
        callback(null, EMPTY);
        return;
      case 'no_pipeline':
        callback({ code: GrpcCode.UNIMPLEMENTED, details: o.message });
        return;
      case 'permanent':
        callback({ code: GrpcCode.INVALID_ARGUMENT, details: `data rejected: ${o.message}` });
        return;
      case 'backpressure':
      case 'retryable': {
        const code = o.kind === 'backpressure' ? GrpcCode.RESOURCE_EXHAUSTED : GrpcCode.UNAVAILABLE;
        const details = o.kind === 'backpressure' ? `pipeline is full, retry later: ${o.message}` : `pipeline could not take the data now, retry later: ${o.message}`;
        // RetryInfo tells OTLP clients that RESOURCE_EXHAUSTED is retryable, and when.
        const metadata = new grpc.Metadata();
        metadata.set('grpc-status-details-bin', Buffer.from(encodeStatus({ code, message: details, retryDelayMs: o.retryAfterMs })));
        callback({ code, details, metadata });
        return;
      }
    }
  }
}
