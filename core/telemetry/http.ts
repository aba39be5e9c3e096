// A small loopback-friendly HTTP server helper shared by the telemetry server and extensions'
// endpoints (via core): listen on "host:port", report the bound address, close promptly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEndpoint } from '../config/units.ts';

export interface BoundAddress {
  host: string;
  port: number;
}

export class SimpleHttpServer {
  private server: Server | null = null;

  constructor(private readonly handler: (req: IncomingMessage, res: ServerResponse) => void) {}

  /** Listens on `endpoint` ("host:port"; port 0 picks a free one); rejects with a clear message. */
  async listen(endpoint: string, what: string): Promise<BoundAddress> {
    const ep = parseEndpoint(endpoint);
    if (!ep) throw new Error(`${what}: invalid endpoint ${JSON.stringify(endpoint)}; use "host:port", e.g. "127.0.0.1:8888"`);
    const server = createServer(this.handler);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const hint = err.code === 'EADDRINUSE' ? ' (the port is in use: pick another or stop what uses it)' : '';
        reject(new Error(`${what}: cannot listen on ${endpoint}: ${err.message}${hint}`, { cause: err }));
      };
      server.once('error', onError);
      server.listen(ep.port, ep.host || undefined, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    return this.address()!;
  }

  address(): BoundAddress | null {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : null;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    });
  }
}
