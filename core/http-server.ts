// The one HTTP server every component that serves HTTP stands on (the OTLP receiver, the LLM proxy,
// the self-metrics endpoint, health_check): listens on "host:port" with an error that says what to
// change, reports the bound address (port 0 picks a free one), and closes gracefully: it stops
// accepting, lets requests in flight (streams included) finish within a grace period, then cuts
// what is left.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEndpoint } from './config/units.ts';

export interface BoundAddress {
  host: string;
  port: number;
}

/** Answers one request; a request is in flight until the returned promise settles. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  /** How long an idle keep-alive connection stays open (node's default is 5 s). */
  keepAliveTimeoutMs?: number;
  /** Errors of the server after it listens, and handlers that throw (they should answer instead). */
  onError?: (err: Error) => void;
}

export class HttpServer {
  private server: Server | null = null;
  private inFlight = 0;
  private idle?: () => void;

  constructor(
    private readonly handler: HttpHandler,
    private readonly options: HttpServerOptions = {},
  ) {}

  /**
   * Listens on `endpoint`. `what` names the component in errors ("otlp receiver"), `option` the
   * config key to change ("protocols.http.endpoint").
   */
  async listen(endpoint: string, what: string, option: string): Promise<BoundAddress> {
    const ep = parseEndpoint(endpoint);
    if (!ep) throw new Error(`${what}: invalid endpoint ${JSON.stringify(endpoint)} — change ${option} to "host:port", e.g. "127.0.0.1:8080"`);
    const server = createServer((req, res) => this.handle(req, res));
    if (this.options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = this.options.keepAliveTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(listenError(err, endpoint, what, option));
      server.once('error', onError);
      server.listen({ host: ep.host || undefined, port: ep.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.options.onError?.(err));
    this.server = server;
    return this.address()!;
  }

  address(): BoundAddress | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  /** Stops accepting; requests in flight get `graceMs` to finish before their connections are cut. */
  async close(graceMs = 0): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlight > 0 && graceMs > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    }
    server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    let answered: void | Promise<void>;
    try {
      answered = this.handler(req, res);
    } catch (err) {
      answered = Promise.reject(err);
    }
    Promise.resolve(answered)
      .catch((err: unknown) => {
        this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        else res.destroy();
      })
      .finally(() => {
        if (--this.inFlight === 0 && this.idle) this.idle();
      });
  }
}

/** Why listen() failed, in words that say what to change. */
export function listenError(err: unknown, endpoint: string, what: string, option: string): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string })?.code;
  const say = (why: string, fix = 'change') => new Error(`${what}: cannot listen on ${endpoint}: ${why} — ${fix} ${option}`, { cause: err });
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(msg)) return say('address already in use');
  if (code === 'EACCES' || /EACCES|permission denied/i.test(msg)) return say('permission denied (ports below 1024 need privileges)');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || /EADDRNOTAVAIL|ENOTFOUND/.test(msg)) return say('no such local address');
  return say(msg, 'check');
}
