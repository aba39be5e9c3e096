// The exporter helper settings every exporter accepts, with the OpenTelemetry Collector's names
// and defaults (exporterhelper): a bounded sending queue, retry with exponential backoff, a timeout.
// core/config merges these properties into every exporter's schema.
import type { JsonSchema } from '../config/schema-types.ts';
import { bytesOf, durationMs } from '../config/units.ts';

export type QueueStorage = 'memory' | 'file';
/** When appended records reach the disk (see core/queue/README.md): like Redis' appendfsync
 * always / everysec / no. */
export type FsyncMode = 'always' | 'batch' | 'never';

export interface QueueSettings {
  enabled: boolean;
  /** Concurrent exports from the queue. */
  num_consumers: number;
  /** Capacity, in batches (requests). */
  queue_size: number;
  /** memory: lost on exit; file: an append-only log under `directory`, replayed on restart. */
  storage?: QueueStorage;
  /** file storage: the parent directory; each exporter gets its own subdirectory. */
  directory?: string;
  fsync?: FsyncMode;
  /** fsync: batch — how often the background fsync runs. */
  fsync_interval?: string | number;
  /** file storage: capacity in bytes of unconfirmed records, e.g. "512MiB". */
  max_size?: string | number;
}

/** The file storage settings in runtime units. */
export interface FileQueueSettings {
  directory: string;
  fsync: FsyncMode;
  fsyncIntervalMs: number;
  maxBytes: number;
  /** A segment file is closed (fsynced unless fsync: never) and a new one started past this size. */
  segmentBytes: number;
}

export const FILE_QUEUE_DEFAULTS = { fsync: 'batch' as FsyncMode, fsync_interval: '1s', max_size: '512MiB', segment_size: '16MiB' };

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
      description: 'Bounded queue in front of the exporter, in memory or (storage: file) on disk; a full queue makes receivers answer 429 / RESOURCE_EXHAUSTED.',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'false: export synchronously in the caller.' },
        num_consumers: { type: 'integer', minimum: 1, default: defaults.num_consumers ?? 10, description: 'Concurrent exports.' },
        queue_size: { type: 'integer', minimum: 1, default: defaults.queue_size ?? 1000, description: 'Capacity in batches.' },
        storage: { type: 'string', enum: ['memory', 'file'], description: 'memory (default) or file: batches are appended to an on-disk log before the receiver answers and replayed after a restart.' },
        directory: { type: 'string', minLength: 1, description: 'file storage: where the logs live (one subdirectory per exporter); required with storage: file.' },
        fsync: { type: 'string', enum: ['always', 'batch', 'never'], description: 'file storage (default batch): always = fsynced before the receiver answers; batch = written before it answers, fsynced every fsync_interval; never = left to the OS.' },
        fsync_interval: { type: ['string', 'number'], format: 'duration', description: `fsync: batch — the background fsync period (default ${FILE_QUEUE_DEFAULTS.fsync_interval}).` },
        max_size: { type: ['string', 'number'], format: 'bytes', description: `file storage: capacity in bytes of records not yet confirmed by the exporter (default ${FILE_QUEUE_DEFAULTS.max_size}).` },
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
  /** Set with `sending_queue.storage: file`. */
  file?: FileQueueSettings;
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
      storage: q.storage ?? 'memory',
    },
    file: q.storage === 'file' ? resolveFileQueue(q) : undefined,
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

function resolveFileQueue(q: Partial<QueueSettings>): FileQueueSettings {
  if (!q.directory) throw new Error(`sending_queue.storage: file needs sending_queue.directory (${DIRECTORY_HINT})`);
  const fsync = q.fsync ?? FILE_QUEUE_DEFAULTS.fsync;
  if (!FSYNC_MODES.includes(fsync)) throw new Error(`sending_queue.fsync must be one of ${FSYNC_MODES.join(', ')}, got ${JSON.stringify(fsync)}`);
  return {
    directory: q.directory,
    fsync,
    fsyncIntervalMs: durationMs(q.fsync_interval ?? FILE_QUEUE_DEFAULTS.fsync_interval),
    maxBytes: bytesOf(q.max_size ?? FILE_QUEUE_DEFAULTS.max_size),
    segmentBytes: bytesOf(FILE_QUEUE_DEFAULTS.segment_size),
  };
}

const FSYNC_MODES: FsyncMode[] = ['always', 'batch', 'never'];
const DIRECTORY_HINT = 'add e.g. `directory: ./data/queue`; each exporter keeps its log in its own subdirectory there';
