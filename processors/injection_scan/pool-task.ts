// The injection_scan processor's task on the worker pool (core/workers): a batch as OTLP protobuf
// in; scored by the same code as inline; re-encoded out only when something was flagged (the
// annotations are new attributes), so a clean batch goes on as it came. Compiled configs are kept
// per thread.
import type { Signal } from '../../core/component.ts';
import { encodeProto } from '../../core/otlp/encode-proto.ts';
import { decodeProtoParts } from '../../core/otlp/proto-batch.ts';
import type { LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import { compileConfig, type CompiledInjectionScan, type InjectionScanConfig } from './config.ts';
import { scanLogs, scanTraces, type Finding } from './processor.ts';

export interface ScanTask {
  signal: Extract<Signal, 'traces' | 'logs'>;
  parts: readonly Uint8Array[];
  config: InjectionScanConfig;
}

const compiled = new Map<string, CompiledInjectionScan>();

export function scanProto(task: ScanTask): { part?: Uint8Array; findings: Finding[] } {
  const key = JSON.stringify(task.config);
  let cfg = compiled.get(key);
  if (!cfg) compiled.set(key, (cfg = compileConfig(task.config)));
  if (task.signal === 'traces') {
    const batch = decodeProtoParts('traces', task.parts) as TracesBatch;
    const findings = scanTraces(batch, cfg);
    return findings.length ? { part: encodeProto.traces(batch), findings } : { findings };
  }
  const batch = decodeProtoParts('logs', task.parts) as LogsBatch;
  const findings = scanLogs(batch, cfg);
  return findings.length ? { part: encodeProto.logs(batch), findings } : { findings };
}
