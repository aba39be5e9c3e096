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
    }
    out.agents = this.agents.size;
    return out;
  }

  /** Every agent's state, sorted by agent id. */
  snapshot(): AgentStateJson[] {
    return [...this.agents.values()].map((a) => a.toJSON()).sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
  }

  restore(states: readonly AgentStateJson[]): void {
    for (const st of states) this.agents.set(st.agent, new AgentBaseline(st.agent, structuredClone(st)));
  }
}
