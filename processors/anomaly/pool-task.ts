// The anomaly processor's tasks on the worker pool (core/workers), all keyed by shard: each shard's
// agents live in exactly one thread and see their events in submission order. A batch travels as
// the protobuf it arrived in (each shard decodes it and scores the events of its own agents, so the
// event loop never decodes it), or, when something already decoded it, as its compact events. Shards are kept per processor instance (a random
// id), so two processors, or a restarted one, never share state.
import { decodeProtoParts } from '../../core/otlp/proto-batch.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import type { AgentStateJson } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import { extractEvents, type AgentEvent } from './events.ts';
import { Lane, type LaneResult } from './lane.ts';
import { shardOf } from './shard.ts';

const lanes = new Map<string, Lane>();

function lane(instance: string, config: CompiledAnomaly): Lane {
  let l = lanes.get(instance);
  if (!l) lanes.set(instance, (l = new Lane(config)));
  return l;
}

export interface ScoreTask {
  instance: string;
  config: CompiledAnomaly;
  shard: number;
  shards: number;
  /** The batch as the OTLP protobuf it arrived in, or (already decoded) its events. */
  parts?: readonly Uint8Array[];
  events?: AgentEvent[];
  nowMs: number;
}

export function score(task: ScoreTask): LaneResult {
  const all = task.events ?? extractEvents(decodeProtoParts('traces', task.parts ?? []) as TracesBatch, task.nowMs);
  const mine = task.shards > 1 ? all.filter((e) => shardOf(e.agent, task.shards) === task.shard) : all;
  return lane(task.instance, task.config).score(mine);
}

export function snapshot(task: { instance: string; config: CompiledAnomaly; changed?: boolean }): AgentStateJson[] {
  return lane(task.instance, task.config).snapshot(task.changed);
}

export function restore(task: { instance: string; config: CompiledAnomaly; states: AgentStateJson[] }): number {
  const l = lane(task.instance, task.config);
  l.restore(task.states);
  return l.size;
}

export function drop(task: { instance: string }): void {
  lanes.delete(task.instance);
}
