// Requests and tokens per minute, per agent and per customer, as token buckets: each bucket holds
// up to one minute's allowance and refills continuously. A request takes one request token and
// needs its estimated input tokens to be available; after the response the real token count is
// charged (the bucket may go negative, which holds back later requests until it refills).
import type { AgentConfig, LimitsConfig } from './config.ts';
import { ProxyError } from './errors.ts';

class Bucket {
  private level: number;
  private at: number;

  constructor(
    private readonly perMinute: number,
    now: number,
  ) {
    this.level = perMinute;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.level = Math.min(this.perMinute, this.level + ((now - this.at) * this.perMinute) / 60_000);
      this.at = now;
    }
  }

  /** Milliseconds until `n` is available (0 = available now). */
  waitFor(n: number, now: number): number {
    this.refill(now);
    const need = Math.min(n, this.perMinute) - this.level;
    return need <= 0 ? 0 : Math.ceil((need * 60_000) / this.perMinute);
  }

  take(n: number, now: number): void {
    this.refill(now);
    this.level -= n;
  }
}

interface Buckets {
  requests?: Bucket;
  tokens?: Bucket;
}

export class RateLimiter {
  private readonly agents = new Map<string, Buckets>();
  private readonly customers = new Map<string, Buckets>();

  constructor(
    private readonly customerLimits: Map<string, LimitsConfig>,
    private readonly now: () => number = Date.now,
  ) {}

  private buckets(map: Map<string, Buckets>, key: string, l: LimitsConfig): Buckets {
    let b = map.get(key);
    if (!b) {
      const t = this.now();
      b = {
        requests: l.requests_per_minute > 0 ? new Bucket(l.requests_per_minute, t) : undefined,
        tokens: l.tokens_per_minute > 0 ? new Bucket(l.tokens_per_minute, t) : undefined,
      };
      map.set(key, b);
    }
    return b;
  }

  private scopes(agent: AgentConfig): Array<{ what: string; b: Buckets }> {
    const out = [{ what: `agent "${agent.id}"`, b: this.buckets(this.agents, agent.id, agent.limits) }];
    const cl = this.customerLimits.get(agent.customer);
    if (cl) out.push({ what: `customer "${agent.customer}"`, b: this.buckets(this.customers, agent.customer, cl) });
    return out;
  }

  /** Admits one request with its estimated input tokens, or throws 429 with Retry-After. */
  admit(agent: AgentConfig, estimatedTokens: number): void {
    const t = this.now();
    const scopes = this.scopes(agent);
    for (const { what, b } of scopes) {
      const reqWait = b.requests?.waitFor(1, t) ?? 0;
      if (reqWait > 0) throw tooMany(`${what} is over its requests_per_minute limit`, reqWait);
      const tokWait = b.tokens?.waitFor(estimatedTokens, t) ?? 0;
      if (tokWait > 0) throw tooMany(`${what} is over its tokens_per_minute limit`, tokWait);
    }
    for (const { b } of scopes) {
      b.requests?.take(1, t);
      b.tokens?.take(estimatedTokens, t);
    }
  }

  /** Replaces the estimate taken at admission by the real count. */
  settle(agent: AgentConfig, estimatedTokens: number, actualTokens: number): void {
    const t = this.now();
    for (const { b } of this.scopes(agent)) b.tokens?.take(actualTokens - estimatedTokens, t);
  }
}

function tooMany(message: string, waitMs: number): ProxyError {
  const s = Math.max(1, Math.ceil(waitMs / 1000));
  return new ProxyError(429, 'rate_limit_error', 'rate_limit_exceeded', `${message}: retry in ${s} s`, { 'Retry-After': String(s) });
}
