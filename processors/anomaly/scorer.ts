// Where the per-agent lanes run: in this thread (workers: false), or on the worker pool split into
// shards, one pool lane each, an agent always on the shard its id hashes to (shard.ts). Both take
// a batch and give back the lanes' results; the coordination stage merges them in span order
// (coordination.ts). Pool tasks are submitted synchronously in consume() order and keyed per
// shard, so each shard sees the batches in arrival order.
import { randomUUID } from 'node:crypto';
import { heldEncoding } from '../../core/signals/encoded.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import type { WorkerPool } from '../../core/workers/pool.ts';
import type { AgentStateJson } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import { extractEvents, type AgentEvent } from './events.ts';
import { Lane, type LaneResult } from './lane.ts';
import type { ScoreTask } from './pool-task.ts';
import { shardOf } from './shard.ts';

export const TASK = new URL('./pool-task.ts', import.meta.url).href;

export interface Scorer {
  /** Submits the batch now (order across calls is kept); the promise has the lanes' results. */
  score(batch: TracesBatch): Promise<LaneResult[]>;
  /** The agents' states as of everything submitted before: all, or those changed since the last
   * `changed` snapshot. */
  snapshot(changed?: boolean): Promise<AgentStateJson[]>;
  restore(states: AgentStateJson[]): Promise<void>;
  close(): Promise<void>;
}

export class InlineScorer implements Scorer {
  private readonly lane: Lane;
  constructor(cfg: CompiledAnomaly) {
    this.lane = new Lane(cfg);
  }
  score(batch: TracesBatch): Promise<LaneResult[]> {
    try {
      return Promise.resolve([this.lane.score(extractEvents(batch))]);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  async snapshot(changed?: boolean): Promise<AgentStateJson[]> {
    return this.lane.snapshot(changed);
  }
  async restore(states: AgentStateJson[]): Promise<void> {
    this.lane.restore(states);
  }
  async close(): Promise<void> {}
}

export class PoolScorer implements Scorer {
  readonly instance = randomUUID();
  /** One key per shard, each mapping to a different pool lane. */
  private readonly keys: string[];

  constructor(
    private readonly pool: WorkerPool,
    private readonly cfg: CompiledAnomaly,
    shards: number,
  ) {
    this.keys = [];
    const n = Math.max(1, Math.min(shards, pool.size));
    for (let i = 0, k = 0; i < n; i++) {
      while (pool.laneOf(`anomaly#${k}`) !== i) k++;
      this.keys.push(`anomaly#${k++}`);
    }
  }

  get shards(): number {
    return this.keys.length;
  }

  score(batch: TracesBatch): Promise<LaneResult[]> {
    const shards = this.keys.length;
    // A batch still held as the protobuf it arrived in goes as such (the event loop never decodes
    // it); one already decoded (a processor before us read it) goes as its compact events, cheaper
    // to extract here than to encode for the shards to decode again.
    const parts = heldEncoding(batch)?.parts;
    let events: AgentEvent[] | undefined;
    if (!parts) {
      try {
        events = extractEvents(batch);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const base = { instance: this.instance, config: this.cfg, shards, parts, events, nowMs: Date.now() };
    return Promise.all(this.keys.map((key, shard) => this.pool.run<LaneResult>(TASK, 'score', { ...base, shard } satisfies ScoreTask, { key })));
  }

  async snapshot(changed?: boolean): Promise<AgentStateJson[]> {
    const parts = await Promise.all(this.keys.map((key) => this.pool.run<AgentStateJson[]>(TASK, 'snapshot', { instance: this.instance, config: this.cfg, changed }, { key })));
    return parts.flat().sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
  }

  async restore(states: AgentStateJson[]): Promise<void> {
    const byShard = this.keys.map(() => [] as AgentStateJson[]);
    for (const s of states) byShard[shardOf(s.agent, this.keys.length)].push(s);
    await Promise.all(this.keys.map((key, i) => this.pool.run(TASK, 'restore', { instance: this.instance, config: this.cfg, states: byShard[i] }, { key })));
  }

  async close(): Promise<void> {
    await Promise.all(this.keys.map((key) => this.pool.run(TASK, 'drop', { instance: this.instance }, { key }).catch(() => {})));
  }
}
