// The redaction processor's task on the worker pool (core/workers): a batch as OTLP protobuf in,
// redacted (by the same code as inline) and re-encoded out, so the event loop neither scans nor
// decodes. Compiled configs are kept per thread.
import type { Signal } from '../../core/component.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { decodeProtoParts } from '../../core/otlp/proto-batch.ts';
import type { LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import { compileConfig, type CompiledRedaction, type RedactionConfig } from './config.ts';
import { redactLogs, redactTraces } from './processor.ts';
import type { Counts } from './scan.ts';

export interface RedactTask {
  signal: Extract<Signal, 'traces' | 'logs'>;
  parts: readonly Uint8Array[];
  config: RedactionConfig;
}

const compiled = new Map<string, CompiledRedaction>();

export function redactProto(task: RedactTask): { part: Uint8Array; counts: Counts } {
  const key = JSON.stringify(task.config);
  let cfg = compiled.get(key);
  if (!cfg) compiled.set(key, (cfg = compileConfig(task.config)));
  if (task.signal === 'traces') {
    const batch = decodeProtoParts('traces', task.parts) as TracesBatch;
    const counts = redactTraces(batch, cfg);
    return { part: encodeProto.traces(batch), counts };
  }
  const batch = decodeProtoParts('logs', task.parts) as LogsBatch;
  const counts = redactLogs(batch, cfg);
  return { part: encodeProto.logs(batch), counts };
}
