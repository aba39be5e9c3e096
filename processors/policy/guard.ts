// The inline role: decides on one proxy request before it reaches a provider. deny -> `block`
// (the proxy answers 403 naming the rule and its reason); allow -> `allow`, recording the rule
// when an explicit allow rule (not the default) decided. Responses are not checked.
import type { Guard, GuardVerdict, Logger, MetricsRegistry } from '../../core/component.ts';
import type { CompiledPolicyConfig } from './config.ts';
import { inputFromRequest } from './input.ts';
import { decisionsCounter } from './processor.ts';
import { evaluate } from './rules.ts';
import { PolicySource } from './source.ts';

export function createPolicyGuard(id: string, cfg: CompiledPolicyConfig, logger: Logger, metrics: MetricsRegistry): Guard {
  const { source, release } = PolicySource.acquire(id, cfg, logger, metrics);
  const decisions = decisionsCounter(metrics);
  return {
    async checkRequest(req): Promise<GuardVerdict> {
      const d = evaluate(source.policy, inputFromRequest(req));
      decisions.add(1, { policy: id, effect: d.effect, rule: d.rule, role: 'guard' });
      if (d.effect === 'deny') return { action: 'block', rule: d.rule, reason: d.reason, attributes: { decision: 'deny', rule: d.rule, matched: d.matched } };
      if (d.rule === 'default') return { action: 'allow' };
      return { action: 'allow', rule: d.rule, reason: d.reason, attributes: { decision: 'allow', rule: d.rule } };
    },
    async shutdown() {
      release();
    },
  };
}
