// Alerts (core/alerts.ts): a processor raises them into the logs pipeline its alerts_pipeline names;
// they arrive as agentcol.alert log records at that pipeline's exporters.
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEmitter, ALERT_EVENT_NAME, alertsPipelineOption, isAlertRecord } from '../../core/alerts.ts';
import { BackpressureError, type ProcessorFactory } from '../../core/component.ts';
import { countItems } from '../../core/signals/count.ts';
import type { LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import type { Service } from '../../core/pipeline/service.ts';
import { World, helper, makeConfig, spans, until } from './pipeline.fixtures.ts';

/** Raises a warning alert for every span named "span-1". */
const alerter: ProcessorFactory<{ alerts_pipeline: string }> = {
  kind: 'processor',
  type: 'alerter',
  description: 'test: alerts on span-1',
  stability: 'development',
  signals: ['traces'],
  configSchema: { type: 'object', additionalProperties: false, properties: { alerts_pipeline: alertsPipelineOption } },
  create(ctx, _signal, next) {
    let alerts: AlertEmitter;
    return {
      async start(host) {
        alerts = new AlertEmitter(host, ctx.id, ctx.config.alerts_pipeline ?? 'logs', ctx.logger);
      },
      async shutdown() {},
      async consume(batch) {
        const found = (batch as TracesBatch).resourceSpans.flatMap((rs) =>
          rs.scopeSpans.flatMap((ss) => ss.spans.filter((s) => s.name === 'span-1')),
        );
        await alerts.emit(
          found.map((s) => ({
            class: 'test',
            severity: 'warning' as const,
            message: `span ${s.name} looked wrong`,
            timeUnixNano: s.startTimeUnixNano,
            traceId: s.traceId,
            spanId: s.spanId,
            attributes: { 'gen_ai.agent.id': 'agent-7', 'agentcol.alert.score': 0.9 },
          })),
        );
        return next.consume(batch);
      },
    };
  },
};

const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.shutdown().catch(() => {})));
});

function world(): World {
  const w = new World();
  w.registry.register(alerter);
  return w;
}

const config = (alertsPipeline?: string, logsHelper = helper()) =>
  makeConfig({
    receivers: { test: {} },
    processors: { alerter: alertsPipeline ? { alerts_pipeline: alertsPipeline } : {} },
    exporters: { 'test/spans': helper(), 'test/alerts': logsHelper },
    pipelines: [
      { id: 'traces', receivers: ['test'], processors: ['alerter'], exporters: ['test/spans'] },
      { id: 'logs/alerts', receivers: ['test'], exporters: ['test/alerts'] },
    ],
  });

describe('alerts', () => {
  it('arrive as agentcol.alert log records at the named logs pipeline, with evidence', async () => {
    const w = world();
    const svc = w.service(config('logs/alerts'));
    running.push(svc);
    await svc.start();
    const batch = spans(3);
    await w.push('test', batch);
    await until(() => (w.exported.get('test/alerts')?.length ?? 0) === 1 && (w.exported.get('test/spans')?.length ?? 0) === 1);
    const logs = w.exported.get('test/alerts')![0] as LogsBatch;
    expect(countItems('logs', logs)).toBe(1);
    const r = logs.resourceLogs[0].scopeLogs[0].logRecords[0];
    const span = batch.resourceSpans[0].scopeSpans[0].spans[1];
    expect(isAlertRecord(r)).toBe(true);
    expect(r).toMatchObject({ eventName: ALERT_EVENT_NAME, severityNumber: 13, severityText: 'WARNING', body: 'span span-1 looked wrong', traceId: span.traceId, spanId: span.spanId });
    expect(r.timeUnixNano).toBe(span.startTimeUnixNano);
    expect(r.attributes).toMatchObject({ 'agentcol.alert.class': 'test', 'agentcol.alert.source': 'alerter', 'gen_ai.agent.id': 'agent-7', 'agentcol.alert.score': 0.9 });
    expect(w.metrics.counter('agentcol_alerts_total', '').get({ source: 'alerter', class: 'test', severity: 'warning' })).toBe(1);
  });

  it('fail the start, saying how to fix it, when alerts_pipeline is not a logs pipeline', async () => {
    for (const [id, why] of [['logs', /no such pipeline/], ['traces', /it is a traces pipeline/]] as const) {
      const w = world();
      const svc = w.service(config(id));
      running.push(svc);
      await expect(svc.start()).rejects.toThrow(new RegExp(`alerter: alerts_pipeline "${id}" is not a logs pipeline of this service: .*${why.source}.*add a logs pipeline`));
    }
  });

  it('a refused alert is counted and logged; the span still goes through', async () => {
    const w = world();
    w.behaviors.set('test/alerts', () => Promise.reject(new BackpressureError('full')));
    // Synchronous exporter: its refusal reaches the emitter.
    const svc = w.service(config('logs/alerts', { ...helper({ retry: false }), sending_queue: { enabled: false, queue_size: 1, num_consumers: 1 } }));
    running.push(svc);
    await svc.start();
    await w.push('test', spans(2));
    await until(() => (w.exported.get('test/spans')?.length ?? 0) === 1);
    expect(w.metrics.counter('agentcol_alerts_refused_total', '').get({ source: 'alerter' })).toBe(1);
    expect(w.logLines.some((l) => l.includes('alerts refused by the alerts pipeline'))).toBe(true);
  });
});
