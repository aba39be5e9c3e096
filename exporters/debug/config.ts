import type { JsonSchema } from '../../core/component.ts';

export type Verbosity = 'basic' | 'normal' | 'detailed';

export interface DebugConfig {
  verbosity: Verbosity;
  sampling_initial: number;
  sampling_thereafter: number;
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Prints received data to stdout, for debugging pipelines.',
  properties: {
    verbosity: {
      type: 'string',
      enum: ['basic', 'normal', 'detailed'],
      default: 'basic',
      description: 'basic: one line per batch with counts; normal: one line per span, log record or data point; detailed: everything.',
    },
    sampling_initial: { type: 'integer', minimum: 1, default: 2, description: 'Batches printed each second before sampling starts.' },
    sampling_thereafter: { type: 'integer', minimum: 1, default: 1, description: 'After sampling_initial in a second, print every Nth batch.' },
  },
};
