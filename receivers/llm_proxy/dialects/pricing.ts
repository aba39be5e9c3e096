// Cost of one call in USD from a price table entry (USD per million tokens, the way providers
// publish prices). Usage is in the OpenTelemetry GenAI meaning (input includes cached tokens, see
// usage.ts), so each token class is priced exactly once:
//   uncached input = input - cacheRead - cacheWrite   at `input`
//   cacheRead                                          at `cache_read`  (default: `input`)
//   cacheWrite                                         at `cache_write` (default: `input`)
//   output                                             at `output`
// An unknown price gives null, never 0: "we do not know" must not read as "free".
import type { Usage } from './usage.ts';

export interface Price {
  input: number;
  output: number;
  cache_read?: number;
  cache_write?: number;
}

export function costUsd(usage: Usage, price: Price | null | undefined): number | null {
  if (!price || !Number.isFinite(price.input) || !Number.isFinite(price.output)) return null;
  const read = Math.max(0, usage.cacheReadTokens);
  const write = Math.max(0, usage.cacheWriteTokens);
  const uncached = Math.max(0, usage.inputTokens - read - write);
  const micros =
    uncached * price.input +
    read * (price.cache_read ?? price.input) +
    write * (price.cache_write ?? price.input) +
    Math.max(0, usage.outputTokens) * price.output;
  return micros / 1_000_000;
}
