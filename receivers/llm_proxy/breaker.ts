// Per-provider circuit breaker and health. A provider's breaker opens after `failureThreshold`
// consecutive failures (connection error, timeout, 429, 5xx); while open the provider is skipped.
// After `cooldownMs` one probe request is let through (half-open): success closes the breaker,
// failure opens it for another cool-down. A 429 with Retry-After also parks the provider until
// that time (routing moves on to the next target instead of waiting).
export type BreakerState = 'closed' | 'open' | 'half_open';

interface ProviderHealth {
  failures: number;
  openedAt: number;
  state: BreakerState;
  probing: boolean;
  parkedUntil: number;
}

export class CircuitBreakers {
  private readonly health = new Map<string, ProviderHealth>();

  constructor(
    private readonly failureThreshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private of(provider: string): ProviderHealth {
    let h = this.health.get(provider);
    if (!h) this.health.set(provider, (h = { failures: 0, openedAt: 0, state: 'closed', probing: false, parkedUntil: 0 }));
    return h;
  }

  /** May a request go to this provider now? Claims the half-open probe slot when it is free. */
  tryAcquire(provider: string): boolean {
    const h = this.of(provider);
    const t = this.now();
    if (h.parkedUntil > t) return false;
    if (h.state === 'closed') return true;
    if (h.state === 'open' && t - h.openedAt >= this.cooldownMs) h.state = 'half_open';
    if (h.state === 'half_open' && !h.probing) {
      h.probing = true;
      return true;
    }
    return false;
  }

  success(provider: string): void {
    const h = this.of(provider);
    h.failures = 0;
    h.state = 'closed';
    h.probing = false;
  }

  failure(provider: string, retryAfterMs?: number): void {
    const h = this.of(provider);
    const t = this.now();
    if (retryAfterMs && retryAfterMs > 0) h.parkedUntil = Math.max(h.parkedUntil, t + retryAfterMs);
    h.failures++;
    if (h.state === 'half_open' || h.failures >= this.failureThreshold) {
      h.state = 'open';
      h.openedAt = t;
    }
    h.probing = false;
  }

  /** A request that neither succeeded nor failed (cancelled by the client) frees a probe slot. */
  release(provider: string): void {
    this.of(provider).probing = false;
  }

  state(provider: string): BreakerState {
    const h = this.of(provider);
    if (h.state === 'open' && this.now() - h.openedAt >= this.cooldownMs) return 'half_open';
    return h.state;
  }

  /** 1 when requests may go to the provider, else 0 (the availability metric). */
  available(provider: string): number {
    const h = this.of(provider);
    return h.parkedUntil > this.now() || this.state(provider) === 'open' ? 0 : 1;
  }
}
