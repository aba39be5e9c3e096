// Alerts: what a processor raises when it finds something (a policy violation, a prompt injection,
// an anomaly). An alert is a log record with event name `agentcol.alert`, so it travels a logs
// pipeline like any other record and lands in both stores. Every processor that raises alerts uses
// this one mechanism: an `alerts_pipeline` option (default `logs`) names the logs pipeline, and an
// AlertEmitter feeds it.
//
// Alerts never break the data path: a pipeline that refuses them (full queue) costs the alert, not
// the span that caused it; the refusal is logged and counted (agentcol_alerts_refused_total).
// Processors must not raise alerts about alert records (isAlertRecord), or an alert about an alert
// in the same pipeline would loop.
import type { Host, Logger } from './component.ts';
import type { JsonSchema } from './config/schema-types.ts';
import type { Attributes, LogRecord, LogsBatch } from './signals/types.ts';
import type { Counter } from './telemetry/metrics.ts';

export const ALERT_EVENT_NAME = 'agentcol.alert';

export type AlertSeverity = 'info' | 'warning' | 'error' | 'critical';

/** OpenTelemetry SeverityNumber of each level (INFO, WARN, ERROR, FATAL). */
export const SEVERITY_NUMBER: Record<AlertSeverity, number> = { info: 9, warning: 13, error: 17, critical: 21 };

export interface Alert {
  /** What kind of finding: e.g. a policy rule class, 'prompt_injection', or an anomaly class. */
  class: string;
  severity: AlertSeverity;
  /** One line for people: what happened and why it matters. */
  message: string;
  /** Event time of the finding (the span's or record's time), unix nanoseconds. */
  timeUnixNano: bigint;
  /** Evidence: the span (or record) that triggered it. */
  traceId?: string;
  spanId?: string;
  /** More evidence and context (`gen_ai.agent.id`, rule, score...), never secrets or PII values. */
  attributes?: Attributes;
}

/** The `alerts_pipeline` option, for the config schema of processors that raise alerts. */
export const alertsPipelineOption: JsonSchema = {
  type: 'string',
  default: 'logs',
  description: 'The logs pipeline (service.pipelines id, e.g. logs or logs/alerts) that receives this processor\'s alerts, so they land in the stores.',
};

export function isAlertRecord(r: LogRecord): boolean {
  return r.eventName === ALERT_EVENT_NAME;
}

/** The alerts as one logs batch: resource service.name=agentcol, scope = the raising processor. */
export function alertsBatch(source: string, alerts: Alert[]): LogsBatch {
  const observed = BigInt(Date.now()) * 1_000_000n;
  const logRecords: LogRecord[] = alerts.map((a) => ({
    timeUnixNano: a.timeUnixNano,
    observedTimeUnixNano: observed,
    severityNumber: SEVERITY_NUMBER[a.severity],
    severityText: a.severity.toUpperCase(),
    body: a.message,
    attributes: { ...a.attributes, 'agentcol.alert.class': a.class, 'agentcol.alert.source': source },
    droppedAttributesCount: 0,
    flags: 0,
    traceId: a.traceId ?? '',
    spanId: a.spanId ?? '',
    eventName: ALERT_EVENT_NAME,
  }));
  return {
    resourceLogs: [
      {
        resource: { attributes: { 'service.name': 'agentcol' }, droppedAttributesCount: 0 },
        scopeLogs: [{ scope: { name: 'agentcol.alerts', version: '', attributes: { 'agentcol.alert.source': source }, droppedAttributesCount: 0 }, logRecords, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/** Feeds one processor's alerts into its alerts pipeline. Create it in the processor's start(). */
export class AlertEmitter {
  private readonly consumer;
  private readonly refused: Counter;
  private readonly raised: Counter;

  /** Throws, with how to fix it, when the pipeline does not exist or is not a logs pipeline. */
  constructor(
    host: Host,
    private readonly source: string,
    pipelineId: string,
    private readonly logger: Logger,
  ) {
    const p = host.getPipeline(pipelineId);
    if (!p || p.signal !== 'logs') {
      throw new Error(
        `${source}: alerts_pipeline "${pipelineId}" is not a logs pipeline of this service: ` +
          (p ? `it is a ${p.signal} pipeline` : 'there is no such pipeline') +
          '; add a logs pipeline with that id under service.pipelines (its exporters store the alerts), or set alerts_pipeline to one',
      );
    }
    this.consumer = p.consumer;
    this.raised = host.metrics.counter('agentcol_alerts_total', 'Alerts raised, by source processor, class and severity.');
    this.refused = host.metrics.counter('agentcol_alerts_refused_total', 'Alerts the alerts pipeline refused (lost), by source processor.');
  }

  /** Sends the alerts; resolves when the pipeline took them or refused them (never rejects). */
  async emit(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    for (const a of alerts) this.raised.add(1, { source: this.source, class: a.class, severity: a.severity });
    try {
      await this.consumer.consume(alertsBatch(this.source, alerts));
    } catch (err) {
      this.refused.add(alerts.length, { source: this.source });
      this.logger.error('alerts refused by the alerts pipeline', { source: this.source, alerts: alerts.length, error: (err as Error)?.message ?? String(err) });
    }
  }
}
