// The exporter helper settings every exporter accepts, with the OpenTelemetry Collector's names
// and defaults (exporterhelper): a bounded sending queue, retry with exponential backoff, a timeout.
// core/config merges these properties into every exporter's schema.
import type { JsonSchema } from '../config/schema-types.ts';
import { durationMs } from '../config/units.ts';

export interface QueueSettings {
  enabled: boolean;
  /** Concurrent exports from the queue. */
  num_consumers: number;
  /** Capacity, in batches (requests). */
  queue_size: number;
}

export interface RetrySettings {
  enabled: boolean;
  initial_interval: string | number;
  randomization_factor: number;
  multiplier: number;
  max_interval: string | number;
  /** 0 means retry forever. */
  max_elapsed_time: string | number;
}

export interface ExporterHelperSettings {
  sending_queue: QueueSettings;
  retry_on_failure: RetrySettings;
  /** Per export attempt; 0 disables. */
  timeout: string | number;
}

/** A factory's own defaults (ExporterFactory.queueDefaults). */
export interface ExporterHelperDefaults {
  num_consumers?: number;
  queue_size?: number;
  /** Per export attempt, e.g. 0 for a store whose writes cannot be cancelled once started. */
  timeout?: string | number;
}

export function exporterHelperSchema(defaults: ExporterHelperDefaults = {}): Record<string, JsonSchema> {
  return {
    sending_queue: {
      type: 'object',
      description: 'Bounded in-memory queue in front of the exporter; a full queue makes receivers answer 429 / RESOURCE_EXHAUSTED.',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'false: export synchronously in the caller.' },
        num_consumers: { type: 'integer', minimum: 1, default: defaults.num_consumers ?? 10, description: 'Concurrent exports.' },
        queue_size: { type: 'integer', minimum: 1, default: defaults.queue_size ?? 1000, description: 'Capacity in batches.' },
      },
    },
    retry_on_failure: {
      type: 'object',
      description: 'Exponential backoff for retryable failures.',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        initial_interval: { type: ['string', 'number'], format: 'duration', default: '5s' },
        randomization_factor: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
        multiplier: { type: 'number', minimum: 1, default: 1.5 },
        max_interval: { type: ['string', 'number'], format: 'duration', default: '30s' },
        max_elapsed_time: { type: ['string', 'number'], format: 'duration', default: '300s', description: '0 retries forever.' },
      },
    },
    timeout: { type: ['string', 'number'], format: 'duration', default: defaults.timeout ?? '5s', description: 'Per export attempt; 0 disables.' },
  };
}

/** The settings in the units the runtime uses (milliseconds), missing keys filled with the defaults
 * above, so configs built in code (tests, embedders) need not spell everything out. */
export interface ResolvedExporterHelper {
  queue: QueueSettings;
  retry: RetryPolicy;
  timeoutMs: number;
}

export interface RetryPolicy {
  enabled: boolean;
  initialIntervalMs: number;
  randomizationFactor: number;
  multiplier: number;
  maxIntervalMs: number;
  /** 0 means retry forever. */
  maxElapsedMs: number;
}

export function resolveExporterHelper(config: unknown, defaults: ExporterHelperDefaults = {}): ResolvedExporterHelper {
  const c = (config ?? {}) as Partial<ExporterHelperSettings>;
  const q = c.sending_queue ?? ({} as Partial<QueueSettings>);
  const r = c.retry_on_failure ?? ({} as Partial<RetrySettings>);
  return {
    queue: {
      enabled: q.enabled ?? true,
      num_consumers: q.num_consumers ?? defaults.num_consumers ?? 10,
      queue_size: q.queue_size ?? defaults.queue_size ?? 1000,
    },
    retry: {
      enabled: r.enabled ?? true,
      initialIntervalMs: durationMs(r.initial_interval ?? '5s'),
      randomizationFactor: r.randomization_factor ?? 0.5,
      multiplier: r.multiplier ?? 1.5,
      maxIntervalMs: durationMs(r.max_interval ?? '30s'),
      maxElapsedMs: durationMs(r.max_elapsed_time ?? '300s'),
    },
    timeoutMs: durationMs(c.timeout ?? defaults.timeout ?? '5s'),
  };
}
