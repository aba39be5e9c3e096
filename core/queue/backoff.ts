// Exponential backoff with the semantics of github.com/cenkalti/backoff/v4 ExponentialBackOff, which
// the collector's exporterhelper retry sender uses:
//   delay    = current * (1 ± randomization_factor), uniformly random
//   current  = min(current * multiplier, max_interval) after each delay
//   give up when elapsed + delay > max_elapsed_time (0 = never)
import type { RetryPolicy } from './config.ts';

export class ExponentialBackoff {
  private current: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {
    this.current = policy.initialIntervalMs;
  }

  /** The next delay in ms, or null when the elapsed time (ms since the first attempt) says stop. */
  next(elapsedMs: number): number | null {
    const { randomizationFactor: rf, multiplier, maxIntervalMs, maxElapsedMs } = this.policy;
    const delta = rf * this.current;
    const delay = this.current - delta + this.random() * 2 * delta;
    this.current = this.current >= maxIntervalMs / multiplier ? maxIntervalMs : this.current * multiplier;
    if (maxElapsedMs !== 0 && elapsedMs + delay > maxElapsedMs) return null;
    return delay;
  }
}
