// The HTTP client side: one undici keep-alive pool per provider, provider auth headers, a timeout
// to the response headers, and errors classified for routing (connection error / timeout / status).
// undici's dispatch, not node:http's http.request nor undici's request(): measured in one run
// against the same mock, agentcol CPU per proxied call was 0.80-0.87x node:http's (request():
// 0.88-0.94x), see README "Performance".
import { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
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
  /** Handed a handle on the call in flight, so the caller can cancel it when the agent goes away. */
  onRequest?: (call: Cancellable) => void;
}

export interface Cancellable {
  destroy(): void;
}

/** The response once its headers arrived: lower-case headers, the body as a stream. */
export interface UpstreamResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** A whole (non-streamed) answer: its status, lower-case headers and body. */
export interface UpstreamWhole {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

const noop = () => {};
const MAX_WHOLE_BODY = 64 * 1024 * 1024;

/** Lower-case names; a repeated header keeps its last value (only content-type and retry-after
 * are read). */
function headerRecord(raw: Buffer[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i].toString('latin1').toLowerCase()] = raw[i + 1].toString('latin1');
  return headers;
}

/** One call through undici's dispatch: resolves at the response headers with the body as a
 * Readable fed by the parser (a full Readable pauses the parser; reading resumes it). A body
 * destroyed before its end cancels the call and errors, so a reader waiting on it settles. */
class Exchange implements Dispatcher.DispatchHandlers, Cancellable {
  private abort?: (err?: Error) => void;
  private body?: Readable;
  private settled = false;
  private complete = false;
  private cancelled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (r: UpstreamResponse) => void,
    private readonly reject: (e: Error) => void,
    private readonly name: string,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(() => {
      if (this.settled) return;
      this.settled = true;
      reject(new UpstreamFailure('timeout', `${name} did not answer within ${timeoutMs} ms`));
      this.cancel();
    }, timeoutMs);
  }

  private cancel(): void {
    if (this.abort && !this.complete) this.abort(new Error('cancelled'));
    else this.cancelled = true;
  }

  destroy(): void {
    if (this.body) this.body.destroy();
    else this.cancel();
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.cancelled) abort(new Error('cancelled'));
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    clearTimeout(this.timer);
    if (this.settled) {
      this.cancel();
      return false;
    }
    const headers = headerRecord(raw);
    const ex = this;
    this.body = new Readable({
      read: resume,
      destroy(err, cb) {
        if (ex.complete) return cb(err);
        ex.cancel();
        cb(err ?? new Error('cancelled'));
      },
    });
    // Whoever reads the body has its own error listener; this one keeps the error of a body
    // destroyed after its reader let go (agent gone, stalled stream) from being uncaught.
    this.body.on('error', noop);
    this.settled = true;
    this.resolve({ statusCode, headers, body: this.body });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.body!.push(chunk);
  }

  onComplete(): void {
    this.complete = true;
    this.body?.push(null);
  }

  onError(err: NodeJS.ErrnoException): void {
    clearTimeout(this.timer);
    this.complete = true;
    if (this.body) {
      if (!this.body.destroyed) this.body.destroy(err);
      return;
    }
    if (this.settled) return;
    this.settled = true;
    this.reject(new UpstreamFailure('connection', `${this.name}: ${err.code ?? err.message}`));
  }
}

/**
 * One call whose whole answer is wanted (non-streamed calls, and their error bodies): the chunks
 * are collected straight from undici's parser, with no Readable, no reader's promise and
 * listeners, and no stream ticks per call (a third of the allocation and stream work of a
 * proxied non-streamed call). Same rules as a Readable read by readAll: a timer on the wait for
 * the headers, then on each gap in the body; a cut connection is a connection failure. An error
 * answer (>= 400) whose body is cut or stalls resolves with an empty body: its status is what
 * routing needs.
 */
class WholeExchange implements Dispatcher.DispatchHandlers, Cancellable {
  private abort?: (err?: Error) => void;
  private settled = false;
  private cancelled = false;
  /** undici is done with the call (answer complete or failed): nothing left to abort. */
  private done = false;
  private statusCode = 0;
  private headers?: Record<string, string>;
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (r: UpstreamWhole) => void,
    private readonly reject: (e: Error) => void,
    private readonly name: string,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.fail(this.headers ? new UpstreamFailure('timeout', `the response stalled for ${timeoutMs} ms`) : new UpstreamFailure('timeout', `${name} did not answer within ${timeoutMs} ms`)), timeoutMs);
  }

  /** Settles with `err` (or, for an error answer whose body failed, with the status and no body) and cancels the call. */
  private fail(err: UpstreamFailure): void {
    clearTimeout(this.timer);
    if (this.settled) return;
    this.settled = true;
    if (this.headers && this.statusCode >= 400) this.resolve({ statusCode: this.statusCode, headers: this.headers, body: Buffer.alloc(0) });
    else this.reject(err);
    this.destroy();
  }

  destroy(): void {
    if (!this.abort) this.cancelled = true;
    else if (!this.done) this.abort(new Error('cancelled'));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
    if (this.cancelled || this.settled) abort(new Error('cancelled'));
  }

  onHeaders(statusCode: number, raw: Buffer[], _resume: () => void): boolean {
    if (this.settled) return false;
    this.statusCode = statusCode;
    this.headers = headerRecord(raw);
    this.timer.refresh(); // from now on: the longest gap in the body
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > MAX_WHOLE_BODY) {
      this.fail(new UpstreamFailure('connection', `the response is larger than ${MAX_WHOLE_BODY} bytes`));
      return false;
    }
    this.chunks.push(chunk);
    this.timer.refresh();
    return true;
  }

  onComplete(): void {
    this.done = true;
    clearTimeout(this.timer);
    if (this.settled) return;
    this.settled = true;
    const c = this.chunks;
    this.resolve({ statusCode: this.statusCode, headers: this.headers!, body: c.length === 1 ? c[0] : Buffer.concat(c, this.size) });
  }

  onError(err: NodeJS.ErrnoException): void {
    this.done = true;
    this.fail(new UpstreamFailure('connection', this.headers ? `the response was cut: ${err.code ?? err.message}` : `${this.name}: ${err.code ?? err.message}`));
  }
}

export class ProviderClient {
  private readonly pool: Pool;
  private readonly url: URL;
  private readonly basePath: string;

  constructor(readonly cfg: ProviderConfig) {
    this.url = new URL(cfg.base_url);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    // One keep-alive pool per provider origin (http or https), one request per connection at a
    // time (no pipelining: a slow answer must not hold back the next). undici's own timeouts are
    // off: the Exchange's timer bounds the wait for headers (queueing and connecting included),
    // the reader bounds the gaps in the body.
    this.pool = new Pool(this.url.origin, { connections: 256, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
  }

  /** Sends one request; resolves with the response once its headers arrived (any status). */
  send(call: UpstreamCall, key: string): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const x = new Exchange(resolve, reject, this.cfg.name, this.cfg.timeoutMs);
      call.onRequest?.(x);
      this.pool.dispatch(this.request(call, key), x);
    });
  }

  /** Sends one request; resolves with the whole answer (any status) once it has arrived. */
  sendWhole(call: UpstreamCall, key: string): Promise<UpstreamWhole> {
    return new Promise((resolve, reject) => {
      const x = new WholeExchange(resolve, reject, this.cfg.name, this.cfg.timeoutMs);
      call.onRequest?.(x);
      this.pool.dispatch(this.request(call, key), x);
    });
  }

  private request(call: UpstreamCall, key: string): Dispatcher.DispatchOptions {
    // Flat header pairs, written as given; undici adds Host.
    const headers: string[] = [
      'content-type',
      'application/json',
      'content-length',
      String(typeof call.body === 'string' ? Buffer.byteLength(call.body) : call.body.length),
      'accept',
      'application/json, text/event-stream',
    ];
    if (call.headers) for (const k in call.headers) headers.push(k, call.headers[k]);
    if (this.cfg.kind === 'anthropic') headers.push('x-api-key', key, 'anthropic-version', this.cfg.anthropic_version);
    else headers.push('authorization', this.bearer(key));
    return { path: this.basePath + call.path, method: 'POST', headers, body: call.body };
  }

  private lastKey?: string;
  private lastBearer = '';

  /** `Bearer <key>`, made once per key (keys change only on reload), not concatenated per call. */
  private bearer(key: string): string {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastBearer = `Bearer ${key}`;
    }
    return this.lastBearer;
  }

  close(): void {
    void this.pool.destroy().catch(noop);
  }
}

/** Reads a whole (non-streamed) upstream body; an idle gap longer than `idleMs` or a cut
 * connection is a failure. */
export function readAll(res: Readable, idleMs: number, limit = 64 * 1024 * 1024): Promise<Buffer> {
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
