// OTLP/gRPC client (the otlp exporter): sends Export requests encoded by encode-proto.ts.
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { RetryableError, type Signal } from '../component.ts';
import { OTLP_SERVICES } from './grpc.ts';
import { decodeStatus } from './status.ts';
import { grpcFailure } from './client-errors.ts';

export interface ClientTlsConfig {
  insecure: boolean;
  insecure_skip_verify?: boolean;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  server_name_override?: string;
}

export interface GrpcClientOptions {
  /** "host:port", or a URL whose scheme picks TLS (https) or plaintext (http). */
  endpoint: string;
  tls: ClientTlsConfig;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
}

export class OtlpGrpcClient {
  private readonly client: grpc.Client;
  readonly target: string;

  constructor(private readonly opts: GrpcClientOptions) {
    let target = opts.endpoint.trim();
    let insecure = opts.tls.insecure;
    const scheme = /^(https?):\/\//i.exec(target);
    if (scheme) {
      insecure = scheme[1].toLowerCase() === 'http' ? true : insecure;
      target = target.slice(scheme[0].length).replace(/\/+$/, '');
    }
    this.target = target;
    const channelOptions: grpc.ChannelOptions = {};
    if (opts.compression === 'gzip') channelOptions['grpc.default_compression_algorithm'] = 2; // gzip
    if (opts.tls.server_name_override) channelOptions['grpc.ssl_target_name_override'] = opts.tls.server_name_override;
    const creds = insecure
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(
          opts.tls.ca_file ? fs.readFileSync(opts.tls.ca_file) : null,
          opts.tls.key_file ? fs.readFileSync(opts.tls.key_file) : null,
          opts.tls.cert_file ? fs.readFileSync(opts.tls.cert_file) : null,
          opts.tls.insecure_skip_verify ? { checkServerIdentity: () => undefined, rejectUnauthorized: false } : undefined,
        );
    this.client = new grpc.Client(target, creds, channelOptions);
  }

  export(signal: Signal, body: Uint8Array, timeoutMs: number, abortSignal?: AbortSignal): Promise<void> {
    const method = OTLP_SERVICES[signal].Export;
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.opts.headers)) metadata.set(k.toLowerCase(), v);
    const callOptions: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, body, metadata, callOptions, (err) => {
        abortSignal?.removeEventListener('abort', onAbort);
        if (!err) return resolve();
        const details = err.metadata?.get('grpc-status-details-bin')?.[0];
        const retryAfterMs = Buffer.isBuffer(details) ? decodeStatus(details).retryDelayMs : undefined;
        reject(grpcFailure(this.target, err.code, err.details || err.message, retryAfterMs));
      });
      const onAbort = () => call.cancel();
      if (abortSignal?.aborted) {
        call.cancel();
        reject(new RetryableError(`OTLP/gRPC export to ${this.target} aborted`));
      } else abortSignal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.client.close();
  }
}
