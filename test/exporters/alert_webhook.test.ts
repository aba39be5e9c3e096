// The alert_webhook exporter against a real local HTTP server: payload and Slack text, retry through
// the exporter helper (503 with Retry-After, then success; nothing re-sent), a permanent 400, a dead
// endpoint, grouping of repeats per agent and class, shutdown flushing summaries, bad config at
// FILE:LINE:COL and secrets masked by print-config.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertsBatch, type Alert } from '../../core/alerts.ts';
import type { Exporter } from '../../core/component.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { printConfigYaml } from '../../core/config/print.ts';
import { resolveExporterHelper } from '../../core/queue/config.ts';
import { SendingQueue } from '../../core/queue/sending-queue.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import type { LogsBatch } from '../../core/signals/types.ts';
import { createLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { components } from '../../distributions/agentcol/manifest.ts';
import factory from '../../exporters/alert_webhook/factory.ts';
import { freePort } from '../helpers/ports.ts';

interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

/** A webhook receiver: records every POST and answers from `script` (then 200). */
class Webhook {
  readonly received: Received[] = [];
  script: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];
  private server!: Server;
  url = '';

  async start(port = 0): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        this.received.push({ at: Date.now(), headers: req.headers, body: JSON.parse(text) });
        const answer = this.script.shift() ?? { status: 200, body: 'ok' };
        res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
      });
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T0/B0/s3cr3t`;
    return this;
  }

  async waitFor(n: number, ms = 5000): Promise<Received[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} POSTs within ${ms} ms, got ${this.received.length}: ${JSON.stringify(this.received.map((r) => r.body.text))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const T0 = 1_790_000_000_000n * 1_000_000n;
function alert(o: Partial<Alert> & { agent?: string; score?: number; i?: number } = {}): Alert {
  const i = o.i ?? 0;
  return {
    class: o.class ?? 'volume',
    severity: o.severity ?? 'warning',
    message: o.message ?? `agent "${o.agent ?? 'support-bot'}" sent 130 requests in 1 min, 10.8× its baseline`,
    timeUnixNano: T0 + BigInt(i) * 1_000_000_000n,
    traceId: (0x0af7651916cd43dd8448eb211c80319cn + BigInt(i)).toString(16).padStart(32, '0'),
    spanId: (0xb7ad6b7169203331n + BigInt(i)).toString(16).padStart(16, '0'),
    attributes: {
      'gen_ai.agent.id': o.agent ?? 'support-bot',
      'agentcol.alert.score': o.score ?? 7.25,
      'agentcol.alert.baseline': 12,
      'agentcol.alert.observed': 130,
      ...o.attributes,
    },
  };
}
const batchOf = (...alerts: Alert[]): LogsBatch => alertsBatch('anomaly', alerts);

interface Rig {
  exporter: Exporter;
  queue: SendingQueue;
  metrics: MetricsRegistry;
  logs: string[];
}
const rigs: Rig[] = [];
const hooks: Webhook[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.queue.drain(2000);
    await r.exporter.shutdown();
  }
  for (const h of hooks.splice(0)) await h.stop();
});

async function webhook(): Promise<Webhook> {
  const h = await new Webhook().start();
  hooks.push(h);
  return h;
}

/** The exporter behind the real exporter helper (sending queue, retry, timeout). */
async function rig(config: Record<string, unknown>): Promise<Rig> {
  const metrics = new MetricsRegistry();
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const full = { retry_on_failure: { initial_interval: '20ms', max_interval: '100ms', max_elapsed_time: '10s' }, timeout: '2s', ...config };
  const exporter = factory.create({ id: 'alert_webhook', config: factory.normalize!(full), logger, metrics });
  await exporter.start(undefined as never);
  const queue = new SendingQueue({ id: 'alert_webhook', exporter, settings: resolveExporterHelper(full, factory.queueDefaults), logger, metrics });
  queue.start();
  const r = { exporter, queue, metrics, logs };
  rigs.push(r);
  return r;
}

describe('alert_webhook exporter', () => {
  it('POSTs one JSON notification per alert: Slack text plus plain fields, with the configured headers; other records are ignored and counted', async () => {
    const h = await webhook();
    const r = await rig({ endpoint: h.url, headers: { Authorization: 'Bearer t0k3n' } });
    const batch = batchOf(alert({ i: 0 }));
    batch.resourceLogs[0].scopeLogs[0].logRecords.push({ ...batch.resourceLogs[0].scopeLogs[0].logRecords[0], eventName: '', body: 'an ordinary log line' });
    await r.queue.enqueue('logs', batch);
    const [got] = await h.waitFor(1);
    await r.queue.whenIdle();
    expect(h.received).toHaveLength(1);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers.authorization).toBe('Bearer t0k3n');
    expect(got.body).toEqual({
      text: expect.any(String),
      kind: 'alert',
      severity: 'warning',
      class: 'volume',
      agent: 'support-bot',
      score: 7.25,
      baseline: 12,
      observed: 130,
      message: 'agent "support-bot" sent 130 requests in 1 min, 10.8× its baseline',
      source: 'anomaly',
      time: '2026-09-21T14:13:20.000Z',
      count: 1,
      first_time: '2026-09-21T14:13:20.000Z',
      last_time: '2026-09-21T14:13:20.000Z',
      evidence: [{ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' }],
      attributes: expect.objectContaining({ 'agentcol.alert.class': 'volume', 'gen_ai.agent.id': 'support-bot' }),
    });
    expect(got.body.text).toBe(
      [
        ':warning: *WARNING* volume alert — agent `support-bot` (score 7.25, baseline 12 → observed 130, from anomaly)',
        'agent "support-bot" sent 130 requests in 1 min, 10.8× its baseline',
        'at 2026-09-21T14:13:20.000Z · trace 0af7651916cd43dd8448eb211c80319c span b7ad6b7169203331',
      ].join('\n'),
    );
    expect(r.metrics.counter('agentcol_alert_webhook_records_ignored_total', '').get({ exporter: 'alert_webhook' })).toBe(1);
    expect(r.metrics.counter('agentcol_alert_webhook_notifications_total', '').get({ exporter: 'alert_webhook', kind: 'alert', outcome: 'sent' })).toBe(1);
  });

  it('escapes Slack control characters in the text (no mention injection through alert values); plain fields keep the raw value', async () => {
    const h = await webhook();
    const r = await rig({ endpoint: h.url });
    await r.queue.enqueue('logs', batchOf(alert({ message: 'agent called tool "<!channel> ping" & <http://evil.example|docs>', agent: 'a<b>' })));
    const [got] = await h.waitFor(1);
    expect(got.body.text).toContain('tool "&lt;!channel&gt; ping" &amp; &lt;http://evil.example|docs&gt;');
    expect(got.body.text).toContain('agent `a&lt;b&gt;`');
    expect(got.body.text).not.toMatch(/<|>/);
    expect(got.body.message).toBe('agent called tool "<!channel> ping" & <http://evil.example|docs>');
    expect(got.body.agent).toBe('a<b>');
  });

  it('retries a 503 after its Retry-After, then succeeds; what was delivered is not sent again', async () => {
    const h = await webhook();
    const r = await rig({ endpoint: h.url, group_interval: 0 });
    h.script = [{ status: 200 }, { status: 503, headers: { 'retry-after': '1' }, body: 'maintenance' }];
    await r.queue.enqueue('logs', batchOf(alert({ i: 0, class: 'volume' }), alert({ i: 1, class: 'scope' })));
    const got = await h.waitFor(3);
    await r.queue.whenIdle();
    expect(got.map((x) => x.body.class)).toEqual(['volume', 'scope', 'scope']);
    expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(950);
    expect(got[2].body).toEqual(got[1].body);
    expect(r.logs.join('\n')).toMatch(/export failed, will retry in 1000 ms: alert webhook http:\/\/127\.0\.0\.1:\d+\/… answered HTTP 503 \("maintenance"\); will retry/);
    expect(r.logs.join('\n')).not.toContain('s3cr3t');
    expect(r.metrics.counter('otelcol_exporter_sent_log_records', '').get({ exporter: 'alert_webhook' })).toBe(2);
  });

  it('a 400 is permanent: not retried, dropped with a log that says why and what to check', async () => {
    const h = await webhook();
    const r = await rig({ endpoint: h.url });
    h.script = [{ status: 400, body: 'invalid_payload' }];
    await r.queue.enqueue('logs', batchOf(alert()));
    await h.waitFor(1);
    await r.queue.whenIdle();
    await new Promise((res) => setTimeout(res, 200));
    expect(h.received).toHaveLength(1);
    const log = r.logs.join('\n');
    expect(log).toMatch(/alert notification dropped: alert webhook http:\/\/127\.0\.0\.1:\d+\/… refused the notification: HTTP 400 \("invalid_payload"\); not retried: the endpoint rejects the payload/);
    expect(log).toMatch(/exporting failed, dropping 1 log_records: permanent error: 1 of 1 alert notification\(s\) refused/);
    expect(r.metrics.counter('otelcol_exporter_send_failed_log_records', '').get({ exporter: 'alert_webhook' })).toBe(1);
    expect(r.metrics.counter('agentcol_alert_webhook_notifications_total', '').get({ exporter: 'alert_webhook', kind: 'alert', outcome: 'failed' })).toBe(1);
  });

  it('a webhook that is not listening is a retryable error; the alert arrives once it listens', async () => {
    const port = await freePort();
    const r = await rig({ endpoint: `http://127.0.0.1:${port}/hook` });
    await expect(r.exporter.export('logs', batchOf(alert({ class: 'temporal' })))).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringMatching(/POST failed: ECONNREFUSED/) });
    await r.queue.enqueue('logs', batchOf(alert({ class: 'escalation' })));
    await new Promise((res) => setTimeout(res, 100));
    // Listen on the very port the exporter keeps retrying.
    const h = await new Webhook().start(port);
    hooks.push(h);
    const [got] = await h.waitFor(1);
    expect(got.body.class).toBe('escalation');
  });

  it('groups repeats per agent and class: the first at once, the rest as one summary when the interval ends', async () => {
    const h = await webhook();
    const r = await rig({ endpoint: h.url, group_interval: '1500ms' });
    const t0 = Date.now();
    await r.queue.enqueue('logs', batchOf(alert({ i: 0, score: 5 }), alert({ i: 1, score: 9.5 }), alert({ i: 2, class: 'scope' }), alert({ i: 3, agent: 'billing-bot' })));
    await r.queue.enqueue('logs', batchOf(alert({ i: 4, score: 6 }), alert({ i: 5, score: 8, severity: 'error' })));
    const first = await h.waitFor(3);
    expect(first.map((x) => [x.body.kind, x.body.agent, x.body.class, x.body.count])).toEqual([
      ['alert', 'support-bot', 'volume', 1],
      ['alert', 'support-bot', 'scope', 1],
      ['alert', 'billing-bot', 'volume', 1],
    ]);
    const all = await h.waitFor(4);
    const summary = all[3].body;
    expect(all[3].at - t0).toBeGreaterThanOrEqual(1480);
    expect(summary).toMatchObject({ kind: 'summary', agent: 'support-bot', class: 'volume', count: 3, score: 9.5, severity: 'error', first_time: '2026-09-21T14:13:21.000Z', last_time: '2026-09-21T14:13:25.000Z' });
    expect(summary.evidence.map((e: { span_id: string }) => e.span_id)).toEqual(['b7ad6b7169203332', 'b7ad6b7169203335', 'b7ad6b7169203336']);
    expect(summary.text).toMatch(/^:rotating_light: \*ERROR\* volume alert — agent `support-bot` \(max score 9\.5, baseline 12 → observed 130, from anomaly\)\n3 more volume alerts for this agent in the last 1500 ms/);
    expect(r.metrics.counter('agentcol_alert_webhook_alerts_grouped_total', '').get({ exporter: 'alert_webhook' })).toBe(3);
    // The window after the summary folded nothing, so it closes; the next alert goes at once.
    await new Promise((res) => setTimeout(res, 1700));
    expect(h.received).toHaveLength(4);
    await r.queue.enqueue('logs', batchOf(alert({ i: 6 })));
    const again = await h.waitFor(5);
    expect(again[4].body).toMatchObject({ kind: 'alert', count: 1 });
  });

  it('shutdown sends the summaries of open windows', async () => {
    const h = await webhook();
    const r = await rig({ endpoint: h.url, group_interval: '1h' });
    await r.queue.enqueue('logs', batchOf(alert({ i: 0 }), alert({ i: 1 }), alert({ i: 2 })));
    await h.waitFor(1);
    await r.queue.whenIdle();
    rigs.splice(rigs.indexOf(r), 1);
    await r.queue.drain(1000);
    await r.exporter.shutdown();
    expect(h.received.map((x) => [x.body.kind, x.body.count])).toEqual([
      ['alert', 1],
      ['summary', 2],
    ]);
    expect(h.received[1].body.text).toContain('2 more volume alerts for this agent in the last 60 min');
  });
});

describe('alert_webhook config', () => {
  const registry = new FactoryRegistry();
  for (const f of components) registry.register(f);
  const config = (exporter: string) => `
receivers: { otlp: { protocols: { http: {} } } }
exporters:
  alert_webhook:
${exporter}
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [alert_webhook] }
`;
  const load = (exporter: string) => loadConfigText(config(exporter), '/etc/agentcol/alerts.yaml', { registry, env: { SLACK_HOOK: 'https://hooks.slack.com/services/T1/B1/xyz', TOKEN: 'Bearer abc' } });
  const error = (exporter: string) => load(exporter).then(() => 'ok', (e) => String(e.message));

  it('bad config fails at FILE:LINE:COL with the key and how to fix it', async () => {
    expect(await error('    endpoint: http://127.0.0.1:9/x\n    group_interval: 5 minutes')).toMatch(/alerts\.yaml:6:21: exporters\.alert_webhook\.group_interval: invalid duration "5 minutes": use a number and a unit/);
    expect(await error('    endpoint: http://127.0.0.1:9/x\n    grouping: 5m')).toMatch(/alerts\.yaml:6:5: exporters\.alert_webhook\.grouping: unknown key "grouping"/);
    expect(await error('    headers: { Authorization: x }')).toMatch(/alerts\.yaml:\d+:\d+: exporters\.alert_webhook: .*endpoint/);
    expect(await error('    endpoint: not a url')).toMatch(/alerts\.yaml:5:15: exporters\.alert_webhook\.endpoint: invalid URL "not a url": write a full URL/);
    expect(await error('    endpoint: ftp://files.example.com/hook')).toMatch(/alerts\.yaml:5:5: exporters\.alert_webhook: alert_webhook: endpoint must be an http:\/\/ or https:\/\/ URL, got a ftp: URL/);
    expect(await error('    endpoint: ${env:SLACK_HOOK}')).toBe('ok');
  });

  it('print-config masks the endpoint (webhook URLs carry a token) and every header value', async () => {
    const { config: resolved } = await load('    endpoint: ${env:SLACK_HOOK}\n    headers: { Authorization: "${env:TOKEN}", x-team: sec }');
    const printed = parse(printConfigYaml(resolved, registry)).exporters.alert_webhook;
    expect(printed).toMatchObject({ endpoint: '[REDACTED]', headers: { Authorization: '[REDACTED]', 'x-team': '[REDACTED]' }, group_interval: '5m', sending_queue: { num_consumers: 1 } });
    expect(printConfigYaml(resolved, registry)).not.toMatch(/xyz|abc/);
  });
});
