// The coordination class: the one view across agents, so it runs in one place (the processor, on
// the event loop) over what the lanes report, in batch order and span order within a batch: the
// same events give the same coordination findings whether the lanes ran on threads or inline.
//   (a) findings of other classes from min_agents distinct agents within `window` of each other;
//   (b) min_agents distinct warmed-up agents using an item of `kinds` for the first time within
//       `window` of each other, while at most rare_max_agents agents had used it before.
import type { AgentResult, Finding, FirstUse } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import { splitItem } from './events.ts';
import { round, scoreOf } from './stats.ts';

interface Touch {
  agent: string;
  t: number;
}

export interface CoordinationJson {
  v: 1;
  itemAgents: [string, [string, number][]][];
  touches: [string, Touch[]][];
  itemAlerted: [string, number][];
  recent: Touch[];
  groupAlertedAt: number | null;
  maxT: number | null;
}

export class Coordinator {
  /** Per item of `kinds`: each agent that used it, with its first-use time. */
  private itemAgents = new Map<string, Map<string, number>>();
  /** Recent first uses by warmed-up agents, per item. */
  private touches = new Map<string, Touch[]>();
  private itemAlerted = new Map<string, number>();
  /** Recent findings of the per-agent classes. */
  private recent: Touch[] = [];
  private groupAlertedAt: number | undefined;
  private maxT = Number.NEGATIVE_INFINITY;

  constructor(private readonly cfg: CompiledAnomaly) {}

  /** The lanes' results of one batch, merged in span order; returns every finding, its own added. */
  process(results: readonly AgentResult[]): Finding[] {
    const findings = results.flatMap((r) => r.findings);
    const firstUses = results.flatMap((r) => r.firstUses);
    // Stable merge by span index: per-agent order is kept, agents interleave as in the batch.
    findings.sort((a, b) => a.index - b.index);
    firstUses.sort((a, b) => a.index - b.index);
    if (!this.cfg.coordination.enabled) return findings;
    const out: Finding[] = [];
    let u = 0;
    for (const f of findings) {
      while (u < firstUses.length && firstUses[u].index <= f.index) this.firstUse(firstUses[u++], out);
      out.push(f);
      this.finding(f, out);
    }
    while (u < firstUses.length) this.firstUse(firstUses[u++], out);
    this.prune();
    return out;
  }

  private finding(f: Finding, out: Finding[]): void {
    const c = this.cfg.coordination;
    if (f.t > this.maxT) this.maxT = f.t;
    this.recent.push({ agent: f.agent, t: f.t });
    if (this.groupAlertedAt !== undefined && Math.abs(f.t - this.groupAlertedAt) <= c.windowMs) return;
    const near = this.recent.filter((r) => Math.abs(r.t - f.t) <= c.windowMs);
    const agents = [...new Set(near.map((r) => r.agent))].sort();
    if (agents.length < c.minAgents) return;
    this.groupAlertedAt = f.t;
    out.push({
      ...this.base(f),
      metric: 'agents_anomalous',
      score: round(scoreOf(agents.length, c.minAgents)),
      baseline: 0,
      observed: agents.length,
      threshold: c.minAgents,
      reason: `${agents.length} agents anomalous within ${c.windowMs / 60000} minutes: ${agents.join(', ')}`,
      agents,
    });
  }

  private firstUse(u: FirstUse, out: Finding[]): void {
    const c = this.cfg.coordination;
    if (!c.kinds.includes(splitItem(u.item).kind)) return;
    if (u.t > this.maxT) this.maxT = u.t;
    let users = this.itemAgents.get(u.item);
    if (!users) this.itemAgents.set(u.item, (users = new Map()));
    const established = [...users.values()].filter((t) => t < u.t - c.windowMs).length;
    const prev = users.get(u.agent);
    if (prev === undefined || u.t < prev) users.set(u.agent, u.t);
    if (!u.warm) return;
    let list = this.touches.get(u.item);
    if (!list) this.touches.set(u.item, (list = []));
    list.push({ agent: u.agent, t: u.t });
    const agents = [...new Set(list.filter((x) => Math.abs(x.t - u.t) <= c.windowMs).map((x) => x.agent))].sort();
    if (agents.length < c.minAgents || established > c.rareMaxAgents) return;
    const last = this.itemAlerted.get(u.item);
    if (last !== undefined && Math.abs(u.t - last) <= c.windowMs) return;
    this.itemAlerted.set(u.item, u.t);
    out.push({
      index: u.index,
      agent: u.agent,
      class: 'coordination',
      metric: 'agents_on_rare_item',
      score: round(scoreOf(agents.length, c.minAgents)),
      baseline: established,
      observed: agents.length,
      threshold: c.minAgents,
      t: u.t,
      traceId: u.traceId,
      spanId: u.spanId,
      reason: `${agents.length} agents used ${u.item} for the first time within ${c.windowMs / 60000} minutes (${agents.join(', ')}); ${established} agent(s) had used it before`,
      items: [u.item],
      agents,
    });
  }

  private base(f: Finding): Finding {
    return { index: f.index, agent: f.agent, class: 'coordination', metric: '', score: 0, baseline: 0, observed: 0, threshold: 0, t: f.t, traceId: f.traceId, spanId: f.spanId, reason: '' };
  }

  /** Forgets what is older than two windows behind the newest event time seen. */
  private prune(): void {
    const horizon = this.maxT - 2 * this.cfg.coordination.windowMs;
    if (!Number.isFinite(horizon)) return;
    this.recent = this.recent.filter((r) => r.t >= horizon);
    for (const [k, list] of this.touches) {
      const kept = list.filter((x) => x.t >= horizon);
      if (kept.length) this.touches.set(k, kept);
      else this.touches.delete(k);
    }
    for (const [k, t] of this.itemAlerted) if (t < horizon) this.itemAlerted.delete(k);
  }

  toJSON(): CoordinationJson {
    return {
      v: 1,
      itemAgents: [...this.itemAgents].map(([k, m]) => [k, [...m]]),
      touches: [...this.touches],
      itemAlerted: [...this.itemAlerted],
      recent: this.recent,
      groupAlertedAt: this.groupAlertedAt ?? null,
      maxT: Number.isFinite(this.maxT) ? this.maxT : null,
    };
  }

  restore(j: CoordinationJson): void {
    this.itemAgents = new Map(j.itemAgents.map(([k, m]) => [k, new Map(m)]));
    this.touches = new Map(j.touches);
    this.itemAlerted = new Map(j.itemAlerted);
    this.recent = [...j.recent];
    this.groupAlertedAt = j.groupAlertedAt ?? undefined;
    this.maxT = j.maxT ?? Number.NEGATIVE_INFINITY;
  }
}
