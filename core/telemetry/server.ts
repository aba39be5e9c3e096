// The self-telemetry endpoint: GET /metrics in the Prometheus text format (every self-metric plus
// process metrics), on service.telemetry.metrics.address (the collector's default 127.0.0.1:8888).
import type { MetricsRegistry } from './metrics.ts';
import { registerProcessMetrics, type ProcessMetricsHandle } from './process-metrics.ts';
import { HttpServer, type BoundAddress } from '../http-server.ts';

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:8888';

export class TelemetryServer {
  private readonly http: HttpServer;
  private process: ProcessMetricsHandle | null = null;

  constructor(private readonly metrics: MetricsRegistry) {
    this.http = new HttpServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      let body: string;
      try {
        body = this.metrics.render();
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`rendering metrics failed: ${(err as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  async start(address: string): Promise<BoundAddress> {
    this.process = registerProcessMetrics(this.metrics);
    try {
      return await this.http.listen(address, 'self-telemetry', 'service.telemetry.metrics.address');
    } catch (err) {
      this.process.stop();
      this.process = null;
      throw err;
    }
  }

  address(): BoundAddress | null {
    return this.http.address();
  }

  async stop(): Promise<void> {
    this.process?.stop();
    this.process = null;
    await this.http.close();
  }
}
