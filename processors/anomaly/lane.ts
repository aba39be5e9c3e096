// A set of agents' baselines in one place: one worker lane (pool-task.ts) or the event loop
// (workers: false). Events are scored in the order given, agent by agent, so the same events in
// the same order give the same results wherever the lane runs.
import { AgentBaseline, type AgentResult, type AgentStateJson } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import type { AgentEvent } from './events.ts';

/** What a lane reports for one batch: the per-agent results, plus how many events and agents. */
export interface LaneResult extends AgentResult {
  events: number;
  /** Agents this lane keeps baselines for, after the batch. */
  agents: number;
  /** Agents seen for the first time in this batch. */
  newAgents: number;
}

export class Lane {
  private readonly agents = new Map<string, AgentBaseline>();
  /** Agents whose state changed since the last snapshot: a save writes only these. */
  private readonly dirty = new Set<string>();

  constructor(private readonly cfg: CompiledAnomaly) {}

  get size(): number {
    return this.agents.size;
  }

  score(events: readonly AgentEvent[]): LaneResult {
    const out: LaneResult = { findings: [], firstUses: [], late: 0, events: events.length, agents: 0, newAgents: 0 };
    for (const e of events) {
      let a = this.agents.get(e.agent);
      if (!a) {
        this.agents.set(e.agent, (a = new AgentBaseline(e.agent)));
        out.newAgents++;
      }
      a.observe(e, this.cfg, out);
      this.dirty.add(e.agent);
    }
    out.agents = this.agents.size;
    return out;
  }

  /** The agents' states, sorted by agent id: all of them, or (`changed`) those that changed since
   * the last snapshot, which are then marked saved. */
  snapshot(changed = false): AgentStateJson[] {
    const ids = changed ? [...this.dirty] : [...this.agents.keys()];
    if (changed) this.dirty.clear();
    return ids.sort().map((id) => this.agents.get(id)!.toJSON());
  }

  restore(states: readonly AgentStateJson[]): void {
    for (const st of states) {
      const copy = structuredClone(st);
      // volume.window may have shrunk since the snapshot: keep its newest values.
      copy.win = copy.win.map((w) => w.slice(-this.cfg.volume.window));
      this.agents.set(st.agent, new AgentBaseline(st.agent, copy));
    }
  }
}
