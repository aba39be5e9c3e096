// The anomaly processor's tasks on the worker pool (core/workers). `extract` runs on any lane (the
// batch's protobuf in, compact events out); the others are keyed by lane, so each agent's
// baselines live in exactly one thread and see its events in submission order. Lanes are kept per
// processor instance (a random id), so two processors, or a restarted one, never share state.
import { decodeProtoParts } from '../../core/otlp/proto-batch.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import type { AgentResult, AgentStateJson } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import { extractEvents, type AgentEvent } from './events.ts';
import { Lane } from './lane.ts';

const lanes = new Map<string, Lane>();

function lane(instance: string, config: CompiledAnomaly): Lane {
  let l = lanes.get(instance);
  if (!l) lanes.set(instance, (l = new Lane(config)));
  return l;
}

export function extract(task: { parts: readonly Uint8Array[]; nowMs: number }): AgentEvent[] {
  return extractEvents(decodeProtoParts('traces', task.parts) as TracesBatch, task.nowMs);
}

export function score(task: { instance: string; config: CompiledAnomaly; events: AgentEvent[] }): AgentResult {
  return lane(task.instance, task.config).score(task.events);
}

export function snapshot(task: { instance: string; config: CompiledAnomaly }): AgentStateJson[] {
  return lane(task.instance, task.config).snapshot();
}

export function restore(task: { instance: string; config: CompiledAnomaly; states: AgentStateJson[] }): number {
  const l = lane(task.instance, task.config);
  l.restore(task.states);
  return l.size;
}

export function drop(task: { instance: string }): void {
  lanes.delete(task.instance);
}
