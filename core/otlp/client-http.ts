// OTLP/HTTP client (the otlphttp exporter): POSTs protobuf or JSON, gzip by default.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { RetryableError, type Signal } from '../component.ts';
import type { Batch } from '../signals/types.ts';
import { encodeProto } from './encode-proto.ts';
import { encodeJson } from './encode-json.ts';
import { decodeStatus, parseRetryAfter } from './status.ts';
import { httpFailure } from './client-errors.ts';
import type { ClientTlsConfig } from './client-grpc.ts';

const gzip = promisify(zlib.gzip);

export interface HttpClientOptions {
  /** Full URL per signal, e.g. http://host:4318/v1/traces. */
  urls: Record<Signal, string>;
  tls: ClientTlsConfig;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  encoding: 'proto' | 'json';
}

export class OtlpHttpClient {
  private readonly agent: { http: http.Agent; https: https.Agent };

  constructor(private readonly opts: HttpClientOptions) {
    const t = opts.tls;
    this.agent = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({
        keepAlive: true,
        ca: t.ca_file ? fs.readFileSync(t.ca_file) : undefined,
        cert: t.cert_file ? fs.readFileSync(t.cert_file) : undefined,
        key: t.key_file ? fs.readFileSync(t.key_file) : undefined,
        rejectUnauthorized: !t.insecure_skip_verify,
        servername: t.server_name_override,
      }),
    };
  }

  async export(signal: Signal, batch: Batch, timeoutMs: number, abortSignal?: AbortSignal): Promise<void> {
    const json = this.opts.encoding === 'json';
    let body = Buffer.from(json ? encodeJson[signal](batch as never) : encodeProto[signal](batch as never));
    const headers: Record<string, string | number> = {
      ...this.opts.headers,
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
    };
    if (this.opts.compression === 'gzip') {
      body = await gzip(body);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = body.length;
    const url = new URL(this.opts.urls[signal]);
    const target = url.toString();
    const mod = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.agent.https : this.agent.http;
    await new Promise<void>((resolve, reject) => {
      const req = mod.request(url, { method: 'POST', headers, agent, signal: abortSignal, timeout: timeoutMs > 0 ? timeoutMs : undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new RetryableError(`OTLP/HTTP export to ${target} failed reading the response: ${err.message}`, { cause: err })));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const text = Buffer.concat(chunks);
          reject(httpFailure(target, status, errorDetails(text, String(res.headers['content-type'] ?? '')), parseRetryAfter(res.headers['retry-after'] as string | undefined)));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(new RetryableError(`OTLP/HTTP export to ${target} failed: ${err.message}`, { cause: err })));
      req.end(body);
    });
  }

  close(): void {
    this.agent.http.destroy();
    this.agent.https.destroy();
  }
}

/** The message of an error answer: a google.rpc.Status in JSON or protobuf, else the text. */
function errorDetails(body: Buffer, contentType: string): string {
  if (body.length === 0) return '';
  if (contentType.includes('protobuf')) return decodeStatus(body).message;
  const text = body.toString('utf8');
  try {
    const o = JSON.parse(text) as { message?: unknown };
    if (typeof o?.message === 'string') return o.message;
  } catch {
    /* plain text */
  }
  return text.slice(0, 500);
}
