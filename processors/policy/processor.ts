// The pipeline role: evaluates every span and log record that is about an agent operation
// (gen_ai.operation.name or gen_ai.tool.name), flags the denied ones with policy.* attributes and
// raises a policy_violation alert for each into the alerts pipeline. Nothing is ever dropped.
import { AlertEmitter, isAlertRecord, type Alert } from '../../core/alerts.ts';
import type { Consumer, Host, Logger, MetricsRegistry, Processor, Signal } from '../../core/component.ts';
import { setAttribute } from '../../core/signals/attributes.ts';
import type { Attributes, BatchBySignal, LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import type { Counter } from '../../core/telemetry/metrics.ts';
import type { CompiledPolicyConfig } from './config.ts';
import { inputFromAttributes } from './input.ts';
import { evaluate, type Decision, type PolicyInput } from './rules.ts';
import { PolicySource } from './source.ts';

/** Attributes set on a denied span or log record. */
export const FLAG = {
  decision: 'policy.decision',
  rule: 'policy.rule',
  reason: 'policy.reason',
  policy: 'policy.name',
  matched: 'policy.matched',
} as const;

export const ALERT_CLASS = 'policy_violation';

export function decisionsCounter(metrics: MetricsRegistry): Counter {
  return metrics.counter('agentcol_processor_policy_decisions_total', 'Policy decisions, by policy (processor id), effect, rule and role (guard or pipeline).');
}

export function flag(attrs: Attributes, policyId: string, d: Decision): void {
  setAttribute(attrs, FLAG.decision, d.effect);
  setAttribute(attrs, FLAG.rule, d.rule);
  setAttribute(attrs, FLAG.reason, d.reason);
  setAttribute(attrs, FLAG.policy, policyId);
  setAttribute(attrs, FLAG.matched, d.matched);
}

export function violationAlert(policyId: string, d: Decision, input: PolicyInput, at: { timeUnixNano: bigint; traceId: string; spanId: string }): Alert {
  const who = input.agent ? `agent "${input.agent}"` : 'an agent';
  const what = input.tools.length ? `tool ${input.tools.join(', ')}` : input.actions[0] || 'operation';
  const attributes: Attributes = {
    'policy.name': policyId,
    'policy.rule': d.rule,
    'policy.reason': d.reason,
    'policy.decision': d.effect,
  };
  if (input.agent) attributes['gen_ai.agent.id'] = input.agent;
  if (input.tools.length) attributes['gen_ai.tool.name'] = input.tools[0];
  if (input.roles.length) attributes['agentcol.agent.roles'] = [...input.roles];
  if (input.scopes.length) attributes['agentcol.data.scope'] = [...input.scopes];
  for (const [field, value] of Object.entries(d.evidence)) attributes[`policy.evidence.${field}`] = value;
  return {
    class: ALERT_CLASS,
    severity: 'error',
    message: `policy ${policyId}: ${who} violated rule "${d.rule}" (${what}): ${d.reason}`,
    timeUnixNano: at.timeUnixNano,
    traceId: at.traceId || undefined,
    spanId: at.spanId || undefined,
    attributes,
  };
}

export class PolicyProcessor<S extends Signal> implements Processor<S> {
  private source?: PolicySource;
  private release?: () => void;
  private alerts?: AlertEmitter;
  private readonly decisions: Counter;

  constructor(
    private readonly id: string,
    private readonly signal: S,
    private readonly cfg: CompiledPolicyConfig,
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    private readonly metrics: MetricsRegistry,
  ) {
    this.decisions = decisionsCounter(metrics);
  }

  async start(host: Host): Promise<void> {
    this.alerts = new AlertEmitter(host, this.id, this.cfg.alertsPipeline, this.logger);
    const { source, release } = PolicySource.acquire(this.id, this.cfg, this.logger, this.metrics);
    this.source = source;
    this.release = release;
  }

  async shutdown(): Promise<void> {
    this.release?.();
    this.release = undefined;
  }

  async consume(batch: BatchBySignal[S]): Promise<void> {
    let alerts: Alert[] = [];
    if (this.signal === 'traces') alerts = this.traces(batch as TracesBatch);
    else if (this.signal === 'logs') alerts = this.logs(batch as LogsBatch);
    if (alerts.length) await this.alerts?.emit(alerts);
    return this.next.consume(batch);
  }

  private decide(attrs: Attributes, resource: Attributes): { d: Decision; input: PolicyInput } | undefined {
    const input = inputFromAttributes(attrs, resource);
    if (!input) return undefined;
    const policy = this.source?.policy ?? this.cfg.policy;
    const d = evaluate(policy, input);
    this.decisions.add(1, { policy: this.id, effect: d.effect, rule: d.rule, role: 'pipeline' });
    if (d.effect !== 'deny') return undefined;
    flag(attrs, this.id, d);
    return { d, input };
  }

  traces(batch: TracesBatch): Alert[] {
    const out: Alert[] = [];
    for (const rs of batch.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const r = this.decide(span.attributes, rs.resource.attributes);
          if (r) out.push(violationAlert(this.id, r.d, r.input, { timeUnixNano: span.startTimeUnixNano, traceId: span.traceId, spanId: span.spanId }));
        }
      }
    }
    return out;
  }

  logs(batch: LogsBatch): Alert[] {
    const out: Alert[] = [];
    for (const rl of batch.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const rec of sl.logRecords) {
          if (isAlertRecord(rec)) continue;
          const r = this.decide(rec.attributes, rl.resource.attributes);
          if (r) out.push(violationAlert(this.id, r.d, r.input, { timeUnixNano: rec.timeUnixNano || rec.observedTimeUnixNano, traceId: rec.traceId, spanId: rec.spanId }));
        }
      }
    }
    return out;
  }
}
