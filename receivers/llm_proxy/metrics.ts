// Self-metrics of the proxy (Prometheus names, agentcol_llm_*).
import type { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import type { Counter, Histogram } from '../../core/telemetry/metrics.ts';
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
    const base = { receiver: this.receiver, agent: x.agentId, customer: x.customer, provider: x.provider, model: x.responseModel || x.targetModel || x.requestedModel };
    this.requests.add(1, { ...base, status: String(x.status) });
    this.duration.observe(Number(x.endNs - x.startNs) / 1e9, { receiver: this.receiver, provider: x.provider });
    if (x.cacheHit) this.cacheHits.add(1, { receiver: this.receiver, customer: x.customer });
    const u = x.usage;
    if (u) {
      if (u.inputTokens) this.tokens.add(u.inputTokens, { ...base, class: 'input' });
      if (u.outputTokens) this.tokens.add(u.outputTokens, { ...base, class: 'output' });
      if (u.cacheReadTokens) this.tokens.add(u.cacheReadTokens, { ...base, class: 'cache_read' });
      if (u.cacheWriteTokens) this.tokens.add(u.cacheWriteTokens, { ...base, class: 'cache_write' });
    }
    if (x.costUsd) this.cost.add(x.costUsd, base);
    for (const v of x.verdicts) if (v.action !== 'allow') this.guardVerdicts.add(1, { receiver: this.receiver, guard: v.guard, phase: v.phase, action: v.action });
  }
}
