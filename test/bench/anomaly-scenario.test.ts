// The anomaly bench's scenario generator: the same seed gives the same week of traffic, and every
// injected anomaly is where the ground truth says and is anomalous against the agent's own normal
// traffic (so a detector that misses it is at fault, not the scenario).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanAgentDays, generateScenario, type Scenario, type ScenarioEvent } from '../../bench/anomaly/scenario.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const digest = (s: Scenario) => createHash('sha256').update(JSON.stringify({ agents: s.agents, events: s.events, injections: s.injections })).digest('hex');

const s = generateScenario();
const byName = (name: string) => {
  const inj = s.injections.find((i) => i.name === name);
  if (!inj) throw new Error(`no injection ${name}`);
  return { inj, id: s.injections.indexOf(inj), agent: s.agents.findIndex((a) => a.id === inj.agents[0]) };
};
const normalOf = (agent: number, pred: (e: ScenarioEvent) => boolean = () => true) => s.events.filter((e) => e.agent === agent && e.injection === undefined && pred(e));

describe('anomaly scenario generator', () => {
  it('is deterministic: the same seed gives the same traffic and truth, another seed other traffic', () => {
    expect(digest(generateScenario())).toBe(digest(s));
    const other = generateScenario({ seed: 7 });
    expect(digest(other)).not.toBe(digest(s));
    expect(other.injections.map((i) => i.class)).toEqual(s.injections.map((i) => i.class));
  });

  it('a week of 50 agents, sorted by event time, every archetype present', () => {
    expect(s.agents).toHaveLength(50);
    expect(new Set(s.agents.map((a) => a.archetype))).toEqual(new Set(['office', 'always_on', 'batch']));
    expect(s.events.length).toBeGreaterThan(100_000);
    for (let i = 1; i < s.events.length; i++) if (s.events[i].t < s.events[i - 1].t) throw new Error(`event ${i} out of order`);
    expect(s.events[0].t).toBeGreaterThanOrEqual(s.startMs);
    expect(s.events.at(-1)!.t).toBeLessThan(s.startMs + 7 * DAY);
    expect(new Set(s.events.map((e) => e.agent)).size).toBe(50);
    expect(cleanAgentDays(s)).toBe(50 * 6 - 10);
  });

  it('every class is injected; injected events lie in their window, on their agents, and firstEvent points at the first', () => {
    expect(new Set(s.injections.map((i) => i.class))).toEqual(new Set(['volume', 'scope', 'temporal', 'escalation', 'coordination']));
    s.injections.forEach((inj, id) => {
      const mine = s.events.map((e, n) => ({ e, n })).filter(({ e }) => e.injection === id);
      expect(mine.length, inj.name).toBe(inj.events);
      expect(mine[0].n, inj.name).toBe(inj.firstEvent);
      for (const { e } of mine) {
        expect(e.t, inj.name).toBeGreaterThanOrEqual(inj.startMs);
        expect(e.t, inj.name).toBeLessThan(inj.endMs);
        expect(inj.agents, inj.name).toContain(s.agents[e.agent].id);
      }
      // After the first day (warm-up) and before the last.
      expect(inj.startMs - s.startMs, inj.name).toBeGreaterThanOrEqual(3 * DAY);
    });
  });

  it('volume: about 10x the agent\'s own traffic in the same window on the other weekdays', () => {
    const { inj, agent } = byName('volume-burst-10x');
    const inWindow = s.events.filter((e) => e.agent === agent && e.t >= inj.startMs && e.t < inj.endMs).length;
    const others = [0, 1, 2, 4].map((d) => normalOf(agent, (e) => e.t >= inj.startMs - (3 - d) * DAY && e.t < inj.endMs - (3 - d) * DAY).length);
    const usual = others.reduce((a, b) => a + b, 0) / others.length;
    expect(inWindow / usual).toBeGreaterThan(6);
  });

  it('scope: the injected tools, data scope and destination were never used by the agent before', () => {
    for (const name of ['scope-new-tools', 'scope-new-data-scope', 'scope-new-destination']) {
      const { inj, id, agent } = byName(name);
      const before = s.events.filter((e) => e.agent === agent && e.t < inj.startMs);
      const seen = new Set(before.flatMap((e) => [`tool:${e.tool}`, `host:${e.host}`, ...(e.scopes ?? []).map((x) => `scope:${x}`)]));
      const injected = s.events.filter((e) => e.injection === id).flatMap((e) => [`tool:${e.tool}`, `host:${e.host}`, ...(e.scopes ?? []).map((x) => `scope:${x}`)]);
      const fresh = injected.filter((x) => !seen.has(x));
      expect(fresh.length, name).toBeGreaterThan(0);
    }
  });

  it('temporal: the agent is never active in that local hour on any other day', () => {
    const { inj, agent } = byName('temporal-3am');
    const hourOf = (t: number) => Math.floor(((t - s.startMs) % DAY) / HOUR);
    const h = hourOf(inj.startMs);
    expect(normalOf(agent, (e) => hourOf(e.t) === h)).toHaveLength(0);
    expect(s.agents[agent].archetype).toBe('office');
  });

  it('escalation: the sensitive share climbs far above the agent\'s usual one while its volume stays normal', () => {
    const { inj, agent } = byName('escalation-ramp');
    const a = s.agents[agent];
    const sensitive = a.tools.find((x) => x.tool.risk > 0)!.tool.name;
    const share = (from: number, to: number) => {
      const tools = s.events.filter((e) => e.agent === agent && e.kind === 'tool' && e.t >= from && e.t < to);
      return tools.filter((e) => e.tool === sensitive).length / tools.length;
    };
    const usual = share(s.startMs, inj.startMs);
    expect(share(inj.endMs - 2 * HOUR, inj.endMs)).toBeGreaterThan(5 * usual);
    const volume = (from: number, to: number) => s.events.filter((e) => e.agent === agent && e.t >= from && e.t < to).length;
    const sameWindowOtherDays = [1, 2].map((d) => volume(inj.startMs - d * DAY, inj.endMs - d * DAY));
    expect(volume(inj.startMs, inj.endMs)).toBeLessThan(1.5 * Math.max(...sameWindowOtherDays));
  });

  it('coordination: four agents touch a data scope nobody else ever touches, within minutes', () => {
    const { inj, id } = byName('coordination-rare-scope');
    const touching = s.events.filter((e) => e.scopes?.includes('payroll.salaries'));
    expect(touching.every((e) => e.injection === id)).toBe(true);
    expect(new Set(touching.map((e) => e.agent)).size).toBe(4);
    expect(inj.endMs - inj.startMs).toBeLessThanOrEqual(10 * 60_000);
  });
});
