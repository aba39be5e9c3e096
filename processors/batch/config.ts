import type { JsonSchema } from '../../core/component.ts';
import { durationMs } from '../../core/config/units.ts';

export interface BatchConfig {
  send_batch_size: number;
  send_batch_max_size: number;
  timeout: string | number;
  metadata_keys?: string[];
  metadata_cardinality_limit?: number;
}

export interface BatchSettings {
  sendBatchSize: number;
  sendBatchMaxSize: number;
  timeoutMs: number;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Groups data into larger batches before it reaches the exporters.',
  properties: {
    send_batch_size: {
      type: 'integer',
      minimum: 0,
      default: 8192,
      description: 'Items (spans, log records, metric data points) that trigger a send regardless of the timeout; 0 sends on the timeout only.',
    },
    send_batch_max_size: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'Upper bound of a sent batch; larger batches are split. 0 means no limit. Must be >= send_batch_size when set.',
    },
    timeout: {
      type: ['string', 'number'],
      format: 'duration',
      default: '200ms',
      description: 'Time after which a batch is sent regardless of its size; 0 sends every incoming batch at once (still split to send_batch_max_size).',
    },
    metadata_keys: {
      type: 'array',
      items: { type: 'string' },
      description: 'Not supported by agentcol (batching per client metadata); must be absent or empty.',
    },
    metadata_cardinality_limit: {
      type: 'integer',
      minimum: 0,
      description: 'Accepted for collector compatibility; ignored (metadata_keys is not supported).',
    },
  },
};

/** Validates what the schema cannot say and converts to runtime units. */
export function toSettings(raw: unknown): BatchSettings {
  const c = (raw ?? {}) as Partial<BatchConfig>;
  if (c.metadata_keys && c.metadata_keys.length > 0) {
    throw new Error(
      `metadata_keys is not supported by agentcol's batch processor (it would batch separately per client metadata value); remove metadata_keys: [${c.metadata_keys.join(', ')}]`,
    );
  }
  const sendBatchSize = c.send_batch_size ?? 8192;
  const sendBatchMaxSize = c.send_batch_max_size ?? 0;
  if (sendBatchMaxSize > 0 && sendBatchMaxSize < sendBatchSize) {
    throw new Error(`send_batch_max_size (${sendBatchMaxSize}) must be greater than or equal to send_batch_size (${sendBatchSize}), or 0 for no limit`);
  }
  return { sendBatchSize, sendBatchMaxSize, timeoutMs: durationMs(c.timeout ?? '200ms') };
}
