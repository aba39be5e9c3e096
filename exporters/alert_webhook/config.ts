// Config of the alert_webhook exporter. The sending queue, retry and timeout settings are merged in
// by core/config for every exporter (core/queue/config.ts).
import type { JsonSchema } from '../../core/component.ts';
import { durationMs } from '../../core/config/units.ts';

export interface AlertWebhookConfig {
  endpoint: string;
  headers: Record<string, string>;
  /** Repeated alerts for one agent and class within this period fold into one summary; 0 = off. */
  group_interval: string | number;
  /** Merged in by core/config (see core/queue/config.ts). */
  timeout?: string | number;
  retry_on_failure?: unknown;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint'],
  description: 'POSTs alert log records (event name agentcol.alert) as JSON with a Slack-compatible text field.',
  properties: {
    endpoint: {
      type: 'string',
      format: 'uri',
      minLength: 1,
      // Slack, Teams and most chat webhooks carry their credential in the URL path.
      'x-secret': true,
      description: 'The webhook URL notifications are POSTed to, e.g. a Slack incoming webhook. Masked by print-config: such URLs carry their token in the path.',
      examples: ['https://hooks.slack.com/services/T000/B000/your-token', 'http://127.0.0.1:9000/alerts'],
    },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string', 'x-secret': true },
      default: {},
      description: 'Headers sent with every POST, e.g. Authorization. Values are masked by print-config and never logged.',
    },
    group_interval: {
      type: ['string', 'number'],
      format: 'duration',
      default: '5m',
      description: 'The first alert for an agent and class is sent at once; repeats within this period are folded into one summary sent when it ends. 0 sends every alert.',
    },
  },
};

export interface ResolvedWebhookConfig {
  url: URL;
  headers: Record<string, string>;
  groupIntervalMs: number;
}

export function normalize(raw: unknown): ResolvedWebhookConfig {
  const c = (raw ?? {}) as Partial<AlertWebhookConfig>;
  if (typeof c.endpoint !== 'string' || !c.endpoint.trim()) throw new Error('alert_webhook: endpoint is required, e.g. "https://hooks.slack.com/services/T000/B000/your-token"');
  let url: URL;
  try {
    url = new URL(c.endpoint);
  } catch {
    throw new Error(`alert_webhook: endpoint is not a URL: write a full http:// or https:// URL, like "https://hooks.slack.com/services/T000/B000/your-token"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`alert_webhook: endpoint must be an http:// or https:// URL, got a ${url.protocol} URL`);
  }
  return { url, headers: c.headers ?? {}, groupIntervalMs: durationMs(c.group_interval ?? '5m') };
}
