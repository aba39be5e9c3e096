// Answers GET <path> with 200 {"status":"Server available",...} while the service is ready and
// 503 {"status":"Server not available",...} otherwise (starting or shutting down), like the
// collector's health_check extension.
import type { Extension, Host, Logger } from '../../core/component.ts';
import { HttpServer, type BoundAddress } from '../../core/http-server.ts';
import type { HealthCheckConfig } from './config.ts';

export class HealthCheck implements Extension {
  private readonly http: HttpServer;
  private host: Host | null = null;
  private readonly upSince = new Date();

  constructor(
    private readonly id: string,
    private readonly config: HealthCheckConfig,
    private readonly logger: Logger,
  ) {
    this.http = new HttpServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.config.path) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the health check is at ${this.config.path}\n`);
        return;
      }
      const ok = this.host?.ready() ?? false;
      const body = JSON.stringify({
        status: ok ? 'Server available' : 'Server not available',
        upSince: this.upSince.toISOString(),
        uptime: formatUptime(Date.now() - this.upSince.getTime()),
      });
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  async start(host: Host): Promise<void> {
    this.host = host;
    const a = await this.http.listen(this.config.endpoint ?? '127.0.0.1:13133', `extension "${this.id}"`, `extensions.${this.id}.endpoint`);
    this.logger.info(`health check at http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}${this.config.path}`);
  }

  /** The bound address (useful with port 0). */
  address(): BoundAddress | null {
    return this.http.address();
  }

  async shutdown(): Promise<void> {
    await this.http.close();
  }
}

/** Go-style duration text, like the collector's: "1h2m3.5s". */
function formatUptime(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s.toFixed(3).replace(/\.?0+$/, '')}s`;
}
