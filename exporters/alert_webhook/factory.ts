// The alert_webhook exporter factory: alert log records to a JSON webhook (Slack-compatible).
import type { ExporterFactory } from '../../core/component.ts';
import { configSchema, type AlertWebhookConfig } from './config.ts';
import { normalize } from './config.ts';
import { AlertWebhookExporter } from './exporter.ts';

const factory: ExporterFactory<AlertWebhookConfig> = {
  kind: 'exporter',
  type: 'alert_webhook',
  description: 'POSTs alerts (log records with event name agentcol.alert) as JSON with a Slack-compatible text field; repeats for one agent and class are grouped.',
  stability: 'alpha',
  signals: ['logs'],
  configSchema,
  // One consumer keeps notifications in the order the alerts were raised.
  queueDefaults: { num_consumers: 1 },
  normalize: (raw) => {
    normalize(raw);
    return raw as AlertWebhookConfig;
  },
  create: (ctx) => new AlertWebhookExporter(ctx),
};

export default factory;
