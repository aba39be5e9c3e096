// The alert_webhook exporter: each alert record in a logs batch becomes a notification (or is folded
// into its agent and class's summary, grouping.ts) POSTed as JSON to the endpoint.
//
// Retry is the exporter helper's (core/queue): export() throws RetryableError and the queue calls it
// again with the same batch. What a batch will send is decided once, on its first attempt, and what
// was already delivered is remembered, so a retry neither re-sends nor re-counts anything. Summaries
// are sent when their window ends, outside any batch, with the same retry policy (exportWithRetry).
import { PermanentError, RetryableError, type Batch, type CreateContext, type Exporter, type ExportOptions, type Logger, type Signal } from '../../core/component.ts';
import { resolveExporterHelper } from '../../core/queue/config.ts';
import { exportWithRetry, type AttemptOptions } from '../../core/queue/retry.ts';
import type { LogsBatch } from '../../core/signals/types.ts';
import type { Counter } from '../../core/telemetry/metrics.ts';
import type { AlertWebhookConfig, ResolvedWebhookConfig } from './config.ts';
import { normalize } from './config.ts';
import { AlertGrouper } from './grouping.ts';
import { alertView, isAlert, payload, type Notification } from './notification.ts';
import { postJson, shownEndpoint, type PostTarget } from './post.ts';

/** What one batch sends: decided on its first attempt, advanced as POSTs succeed. */
interface BatchPlan {
  notifications: Notification[];
  next: number;
  refused: string[];
}

export class AlertWebhookExporter implements Exporter {
  private readonly cfg: ResolvedWebhookConfig;
  private readonly target: PostTarget;
  private readonly logger: Logger;
  private readonly plans = new WeakMap<Batch, BatchPlan>();
  private readonly grouper: AlertGrouper;
  private readonly stopping = new AbortController();
  private readonly detached = new Set<Promise<void>>();
  private readonly retry: ReturnType<typeof resolveExporterHelper>;
  private readonly m: { notifications: Counter; grouped: Counter; ignored: Counter };
  private readonly labels: { exporter: string };

  constructor(ctx: CreateContext<AlertWebhookConfig>) {
    this.cfg = normalize(ctx.config);
    this.retry = resolveExporterHelper(ctx.config);
    this.target = { url: this.cfg.url, headers: this.cfg.headers, timeoutMs: this.retry.timeoutMs };
    this.logger = ctx.logger;
    this.labels = { exporter: ctx.id };
    this.grouper = new AlertGrouper(this.cfg.groupIntervalMs, (n) => this.sendDetached(n));
    this.m = {
      notifications: ctx.metrics.counter('agentcol_alert_webhook_notifications_total', 'Webhook notifications, by kind (alert or summary) and outcome (sent or failed).'),
      grouped: ctx.metrics.counter('agentcol_alert_webhook_alerts_grouped_total', 'Alerts folded into a summary notification instead of being sent on their own.'),
      ignored: ctx.metrics.counter('agentcol_alert_webhook_records_ignored_total', 'Log records that are not alerts (event name other than agentcol.alert), not sent.'),
    };
  }

  async start(): Promise<void> {}

  async export(signal: Signal, batch: Batch, options?: ExportOptions): Promise<void> {
    if (signal !== 'logs') throw new PermanentError(`alert_webhook exports logs (alert records) only, got ${signal}; list it in a logs pipeline`);
    let plan = this.plans.get(batch);
    if (!plan) {
      plan = this.plan(batch as LogsBatch);
      this.plans.set(batch, plan);
    }
    for (; plan.next < plan.notifications.length; plan.next++) {
      const n = plan.notifications[plan.next];
      try {
        await this.post(n, options);
      } catch (err) {
        if (err instanceof RetryableError) throw err;
        plan.refused.push((err as Error).message);
        this.logger.error(`alert notification dropped: ${(err as Error).message}`, { class: n.latest.class, agent: n.latest.agent, alerts: n.count });
      }
    }
    if (plan.refused.length) {
      throw new PermanentError(`${plan.refused.length} of ${plan.notifications.length} alert notification(s) refused by the webhook: ${plan.refused[0]}`);
    }
  }

  async shutdown(): Promise<void> {
    // The summaries of open windows go now, one attempt each, so shutdown cannot hang on a backoff.
    this.stopping.abort(new Error('shutting down'));
    for (const n of this.grouper.flush()) this.sendDetached(n);
    await Promise.all([...this.detached]);
  }

  private plan(batch: LogsBatch): BatchPlan {
    const notifications: Notification[] = [];
    let ignored = 0;
    for (const rl of batch.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const r of sl.logRecords) {
          if (!isAlert(r)) {
            ignored++;
            continue;
          }
          const n = this.grouper.admit(alertView(r));
          if (n) notifications.push(n);
          else this.m.grouped.add(1, this.labels);
        }
    if (ignored) this.m.ignored.add(ignored, this.labels);
    return { notifications, next: 0, refused: [] };
  }

  private async post(n: Notification, options?: ExportOptions | AttemptOptions): Promise<void> {
    try {
      await postJson(this.target, JSON.stringify(payload(n, this.cfg.groupIntervalMs)), options?.abortSignal);
      this.m.notifications.add(1, { ...this.labels, kind: n.kind, outcome: 'sent' });
    } catch (err) {
      if (!(err instanceof RetryableError)) this.m.notifications.add(1, { ...this.labels, kind: n.kind, outcome: 'failed' });
      throw err;
    }
  }

  /** A summary, sent with the exporter helper's retry policy; the outcome is logged, never thrown. */
  private sendDetached(n: Notification): void {
    const p = exportWithRetry((x: Notification, o: AttemptOptions) => this.post(x, o), n, {
      policy: this.retry.retry,
      timeoutMs: this.retry.timeoutMs,
      stop: this.stopping.signal,
      onRetry: ({ delayMs, error }) => this.logger.warn(`alert summary failed, will retry in ${Math.round(delayMs)} ms: ${(error as Error)?.message ?? error}`),
    })
      .then(
        () => undefined,
        (err) => {
          this.m.notifications.add(1, { ...this.labels, kind: n.kind, outcome: 'failed' });
          this.logger.error(`alert summary to ${shownEndpoint(this.cfg.url)} dropped: ${(err as Error).message}`, { class: n.latest.class, agent: n.latest.agent, alerts: n.count });
        },
      )
      .finally(() => this.detached.delete(p));
    this.detached.add(p);
  }
}
