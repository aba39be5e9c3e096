import type { JsonSchema } from '../../core/component.ts';
import { durationMs } from '../../core/config/units.ts';

export interface MemoryLimiterConfig {
  check_interval: string | number;
  limit_mib: number;
  spike_limit_mib: number;
  limit_percentage: number;
  spike_limit_percentage: number;
}

export interface LimiterSettings {
  checkIntervalMs: number;
  /** Hard limit, bytes. */
  limitBytes: number;
  /** Soft limit = hard limit - spike, bytes: above it data is refused. */
  softLimitBytes: number;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Refuses data while the process uses too much memory, so receivers answer 429 / RESOURCE_EXHAUSTED instead of the process running out of memory.',
  properties: {
    check_interval: { type: ['string', 'number'], format: 'duration', default: '1s', description: 'How often memory usage is measured.' },
    limit_mib: { type: 'integer', minimum: 0, default: 0, description: 'Hard limit in MiB (V8 heap used + external memory). One of limit_mib or limit_percentage is required.' },
    spike_limit_mib: { type: 'integer', minimum: 0, default: 0, description: 'Headroom below the hard limit; the soft limit is limit_mib - spike_limit_mib. 0 means 20% of limit_mib.' },
    limit_percentage: { type: 'integer', minimum: 0, maximum: 100, default: 0, description: 'Hard limit as a percentage of total memory (the cgroup limit when there is one); used when limit_mib is 0.' },
    spike_limit_percentage: { type: 'integer', minimum: 0, maximum: 100, default: 0, description: 'Headroom as a percentage of total memory, with limit_percentage. 0 means 20% of the limit.' },
  },
};

const MIB = 1024 * 1024;

export function toSettings(raw: unknown, totalMemoryBytes: () => number): LimiterSettings {
  const c = (raw ?? {}) as Partial<MemoryLimiterConfig>;
  const checkIntervalMs = durationMs(c.check_interval ?? '1s');
  if (checkIntervalMs <= 0) throw new Error('check_interval must be greater than 0, e.g. "1s"');
  const limitMib = c.limit_mib ?? 0;
  const spikeMib = c.spike_limit_mib ?? 0;
  const limitPct = c.limit_percentage ?? 0;
  const spikePct = c.spike_limit_percentage ?? 0;
  let limitBytes: number;
  let spikeBytes: number;
  if (limitMib > 0) {
    limitBytes = limitMib * MIB;
    spikeBytes = spikeMib > 0 ? spikeMib * MIB : Math.floor(limitBytes * 0.2);
    if (spikeMib >= limitMib) throw new Error(`spike_limit_mib (${spikeMib}) must be smaller than limit_mib (${limitMib})`);
  } else if (limitPct > 0) {
    const total = totalMemoryBytes();
    limitBytes = Math.floor((total * limitPct) / 100);
    spikeBytes = spikePct > 0 ? Math.floor((total * spikePct) / 100) : Math.floor(limitBytes * 0.2);
    if (spikePct >= limitPct) throw new Error(`spike_limit_percentage (${spikePct}) must be smaller than limit_percentage (${limitPct})`);
  } else {
    throw new Error('set limit_mib (e.g. limit_mib: 2048) or limit_percentage (e.g. limit_percentage: 80)');
  }
  return { checkIntervalMs, limitBytes, softLimitBytes: limitBytes - spikeBytes };
}
