// Where the per-agent lanes run: in this thread (workers: false) or on the worker pool, one agent
// always on the same pool lane. Both take a batch's events in order and give back the lanes'
// results; the coordination stage merges them in span order (coordination.ts).
import { randomUUID } from 'node:crypto';
import type { WorkerPool } from '../../core/workers/pool.ts';
import type { AgentResult, AgentStateJson } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import type { AgentEvent } from './events.ts';
import { Lane } from './lane.ts';

export const TASK = new URL('./pool-task.ts', import.meta.url).href;

export interface Scorer {
  /** Submits the events now (order across calls is kept); the promise has the lanes' results. */
  score(events: AgentEvent[]): Promise<AgentResult[]>;
  /** Every agent's state, as of everything submitted before. */
  snapshot(): Promise<AgentStateJson[]>;
  restore(states: AgentStateJson[]): Promise<void>;
  close(): Promise<void>;
}

export class InlineScorer implements Scorer {
  private readonly lane: Lane;
  constructor(cfg: CompiledAnomaly) {
    this.lane = new Lane(cfg);
  }
  async score(events: AgentEvent[]): Promise<AgentResult[]> {
    return [this.lane.score(events)];
  }
  async snapshot(): Promise<AgentStateJson[]> {
    return this.lane.snapshot();
  }
  async restore(states: AgentStateJson[]): Promise<void> {
    this.lane.restore(states);
  }
  async close(): Promise<void> {}
}

export class PoolScorer implements Scorer {
  readonly instance = randomUUID();
  /** One key per pool lane: keyed tasks of a key run in order on its lane. */
  private readonly laneKeys: string[];

  constructor(
    private readonly pool: WorkerPool,
    private readonly cfg: CompiledAnomaly,
  ) {
    this.laneKeys = [];
    for (let i = 0, n = 0; i < pool.size; i++) {
      while (pool.laneOf(`anomaly#${n}`) !== i) n++;
      this.laneKeys.push(`anomaly#${n++}`);
    }
  }

  private byLane<T extends { agent: string }>(items: readonly T[]): Map<number, T[]> {
    const out = new Map<number, T[]>();
    for (const x of items) {
      const l = this.pool.laneOf(x.agent);
      let list = out.get(l);
      if (!list) out.set(l, (list = []));
      list.push(x);
    }
    return out;
  }

  score(events: AgentEvent[]): Promise<AgentResult[]> {
    const tasks: Promise<AgentResult>[] = [];
    for (const [l, list] of this.byLane(events)) {
      tasks.push(this.pool.run<AgentResult>(TASK, 'score', { instance: this.instance, config: this.cfg, events: list }, { key: this.laneKeys[l] }));
    }
    return Promise.all(tasks);
  }

  async snapshot(): Promise<AgentStateJson[]> {
    const parts = await Promise.all(this.laneKeys.map((key) => this.pool.run<AgentStateJson[]>(TASK, 'snapshot', { instance: this.instance, config: this.cfg }, { key })));
    return parts.flat().sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
  }

  async restore(states: AgentStateJson[]): Promise<void> {
    const byLane = this.byLane(states);
    await Promise.all([...byLane].map(([l, list]) => this.pool.run(TASK, 'restore', { instance: this.instance, config: this.cfg, states: list }, { key: this.laneKeys[l] })));
  }

  async close(): Promise<void> {
    await Promise.all(this.laneKeys.map((key) => this.pool.run(TASK, 'drop', { instance: this.instance }, { key }).catch(() => {})));
  }
}
