// The HTTP client side: one keep-alive agent per provider, provider auth headers, a timeout to the
// response headers, and errors classified for routing (connection error / timeout / status).
import http from 'node:http';
import https from 'node:https';
import type { ProviderConfig } from './config.ts';

export type FailureKind = 'connection' | 'timeout' | 'status';

/** An attempt that routing may move on from (or that ends a call when no target is left). */
export class UpstreamFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status = 0,
    readonly retryAfterMs?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

export interface UpstreamCall {
  path: string;
  body: string | Buffer;
  /** Extra headers (e.g. anthropic-beta passed on from the client). */
  headers?: Record<string, string>;
  /** Handed the outgoing request, so the caller can destroy it when the agent goes away. */
  onRequest?: (req: http.ClientRequest) => void;
}

export class ProviderClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly basePath: string;
  private readonly request: typeof http.request;

  constructor(readonly cfg: ProviderConfig) {
    this.url = new URL(cfg.base_url);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    const secure = this.url.protocol === 'https:';
    // Keep-alive pool per provider. LIFO reuses the most recently freed (warm) socket; Nagle is
    // off: each request leaves in one write, waiting for an ACK only adds latency.
    const opts = { keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' as const, noDelay: true };
    this.agent = secure ? new https.Agent(opts) : new http.Agent(opts);
    this.request = secure ? https.request : http.request;
  }

  /** Sends one request; resolves with the response once its headers arrived (any status). */
  send(call: UpstreamCall, key: string): Promise<http.IncomingMessage> {
    // Raw header pairs: node:http writes them as given instead of a setHeader (validate,
    // lower-case, store) per header; Host, which it then does not add, is ours to send.
    const headers: string[] = [
      'host',
      this.url.host,
      'content-type',
      'application/json',
      'content-length',
      String(typeof call.body === 'string' ? Buffer.byteLength(call.body) : call.body.length),
      'accept',
      'application/json, text/event-stream',
    ];
    if (call.headers) for (const k in call.headers) headers.push(k, call.headers[k]);
    if (this.cfg.kind === 'anthropic') headers.push('x-api-key', key, 'anthropic-version', this.cfg.anthropic_version);
    else headers.push('authorization', `Bearer ${key}`);
    return new Promise((resolve, reject) => {
      let done = false;
      const req = this.request({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port || undefined,
        path: this.basePath + call.path,
        method: 'POST',
        headers,
        agent: this.agent,
      });
      call.onRequest?.(req);
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        reject(new UpstreamFailure('timeout', `${this.cfg.name} did not answer within ${this.cfg.timeoutMs} ms`));
        req.destroy();
      }, this.cfg.timeoutMs);
      req.once('response', (res) => {
        clearTimeout(timer);
        if (done) return res.resume();
        done = true;
        resolve(res);
      });
      req.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (done) return;
        done = true;
        reject(new UpstreamFailure('connection', `${this.cfg.name}: ${err.code ?? err.message}`));
      });
      req.end(call.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Reads a whole (non-streamed) upstream body; an idle gap longer than `idleMs` or a cut
 * connection is a failure. */
export function readAll(res: http.IncomingMessage, idleMs: number, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer = setTimeout(onIdle, idleMs);
    function onIdle() {
      res.destroy();
      reject(new UpstreamFailure('timeout', `the response stalled for ${idleMs} ms`));
    }
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        clearTimeout(timer);
        res.destroy();
        return reject(new UpstreamFailure('connection', `the response is larger than ${limit} bytes`));
      }
      chunks.push(c);
      timer.refresh();
    });
    res.once('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    res.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new UpstreamFailure('connection', `the response was cut: ${err.code ?? err.message}`));
    });
    res.once('aborted', () => {
      clearTimeout(timer);
      reject(new UpstreamFailure('connection', 'the response was cut (connection closed)'));
    });
  });
}

/** Retry-After (seconds or an HTTP date) in milliseconds. */
export function retryAfterMs(v: string | string[] | undefined): number | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}
