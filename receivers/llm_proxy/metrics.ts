// Self-metrics of the proxy (Prometheus names, agentcol_llm_*).
import type { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import type { Counter, Histogram, Labels } from '../../core/telemetry/metrics.ts';
import type { Exchange } from './capture.ts';

export class ProxyMetrics {
  readonly requests: Counter;
  readonly tokens: Counter;
  readonly cost: Counter;
  readonly attempts: Counter;
  readonly cacheHits: Counter;
  readonly captureRefused: Counter;
  readonly guardVerdicts: Counter;
  readonly rejected: Counter;
  private readonly duration: Histogram;

  constructor(
    m: MetricsRegistry,
    private readonly receiver: string,
  ) {
    this.requests = m.counter('agentcol_llm_requests_total', 'LLM proxy calls by agent, customer, provider, model and HTTP status.');
    this.tokens = m.counter('agentcol_llm_tokens_total', 'Tokens by agent, customer, provider, model and class (input, output, cache_read, cache_write); input includes cached tokens.');
    this.cost = m.counter('agentcol_llm_cost_usd_total', 'Provider cost in USD by agent, customer, provider and model (from the price table).');
    this.attempts = m.counter('agentcol_llm_upstream_attempts_total', 'Upstream attempts by provider and outcome (ok, connection, timeout, status).');
    this.cacheHits = m.counter('agentcol_llm_cache_hits_total', 'Calls answered from the response cache.');
    this.captureRefused = m.counter('agentcol_llm_capture_refused_total', 'Captured spans and log records the pipelines refused.');
    this.guardVerdicts = m.counter('agentcol_llm_guard_verdicts_total', 'Guardrail verdicts other than allow, by guard, phase and action.');
    this.rejected = m.counter('agentcol_llm_rejected_total', 'Requests refused before they were attributed to an agent (unknown key, address outside allowed_cidrs, unknown endpoint...), by status and code.');
    this.duration = m.histogram('agentcol_llm_request_duration_seconds', 'Time from request to the last byte answered.', [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]);
  }

  record(x: Exchange): void {
    const l = this.labelsFor(x);
    this.requests.add(1, l.requests);
    this.duration.observe(Number(x.endNs - x.startNs) / 1e9, l.duration);
    if (x.cacheHit) this.cacheHits.add(1, l.cacheHits);
    const u = x.usage;
    if (u) {
      if (u.inputTokens) this.tokens.add(u.inputTokens, l.input);
      if (u.outputTokens) this.tokens.add(u.outputTokens, l.output);
      if (u.cacheReadTokens) this.tokens.add(u.cacheReadTokens, l.cacheRead);
      if (u.cacheWriteTokens) this.tokens.add(u.cacheWriteTokens, l.cacheWrite);
    }
    if (x.costUsd) this.cost.add(x.costUsd, l.base);
    for (const v of x.verdicts) if (v.action !== 'allow') this.guardVerdicts.add(1, { receiver: this.receiver, guard: v.guard, phase: v.phase, action: v.action });
  }

  private readonly attemptLabels = new Map<string, Labels>();

  /** Counts one upstream attempt (frozen label sets per provider and outcome). */
  attempt(provider: string, outcome: string): void {
    const id = `${provider}\u0000${outcome}`;
    let l = this.attemptLabels.get(id);
    if (!l) {
      if (this.attemptLabels.size >= MAX_LABEL_SETS) this.attemptLabels.clear();
      this.attemptLabels.set(id, (l = Object.freeze({ provider, outcome })));
    }
    this.attempts.add(1, l);
  }

  // The label sets of one (agent, customer, provider, model, status), built once and frozen (the
  // registry caches the series key of a frozen set), instead of ~6 new objects per call.
  private readonly labelSets = new Map<string, LabelSets>();
  /** The last call's shape and sets: consecutive calls mostly share them, and comparing five
   * strings is cheaper than joining them into a key and hashing it. */
  private last?: { agent: string; customer: string; provider: string; model: string; status: number; sets: LabelSets };

  private labelsFor(x: Exchange): LabelSets {
    const model = x.responseModel || x.targetModel || x.requestedModel;
    const last = this.last;
    if (last && last.status === x.status && last.model === model && last.provider === x.provider && last.agent === x.agentId && last.customer === x.customer) return last.sets;
    const sets = this.labelSetsOf(x, model);
    this.last = { agent: x.agentId, customer: x.customer, provider: x.provider, model, status: x.status, sets };
    return sets;
  }

  private labelSetsOf(x: Exchange, model: string): LabelSets {
    const id = `${x.agentId}\u0000${x.customer}\u0000${x.provider}\u0000${model}\u0000${x.status}`;
    let l = this.labelSets.get(id);
    if (!l) {
      if (this.labelSets.size >= MAX_LABEL_SETS) this.labelSets.clear();
      const r = this.receiver;
      const base = { receiver: r, agent: x.agentId, customer: x.customer, provider: x.provider, model };
      const f = Object.freeze;
      l = {
        base: f(base),
        requests: f({ ...base, status: String(x.status) }),
        duration: f({ receiver: r, provider: x.provider }),
        cacheHits: f({ receiver: r, customer: x.customer }),
        input: f({ ...base, class: 'input' }),
        output: f({ ...base, class: 'output' }),
        cacheRead: f({ ...base, class: 'cache_read' }),
        cacheWrite: f({ ...base, class: 'cache_write' }),
      };
      this.labelSets.set(id, l);
    }
    return l;
  }
}

const MAX_LABEL_SETS = 4096;

interface LabelSets {
  base: Labels;
  requests: Labels;
  duration: Labels;
  cacheHits: Labels;
  input: Labels;
  output: Labels;
  cacheRead: Labels;
  cacheWrite: Labels;
}
