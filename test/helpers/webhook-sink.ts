// A real local HTTP endpoint for the alert_webhook tests: it answers 200 and keeps each request's
// headers and JSON body, in arrival order.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookSink {
  /** Requests received so far. */
  received: Array<{ headers: IncomingHttpHeaders; body: Record<string, any> }>;
  /** The sink's URL with `path` (e.g. `/hooks/anomaly`). */
  url(path: string): string;
  /** Waits up to `timeoutMs` until `n` requests have arrived (the test then asserts the count). */
  waitFor(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a webhook sink on a free port of 127.0.0.1. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const received: WebhookSink['received'] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async waitFor(n, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
