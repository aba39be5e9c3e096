// A deterministic (seeded) week of agent traffic with known anomalies, for the anomaly bench.
//
// Normal traffic: each agent has an archetype (office hours on weekdays, always on with a daily
// cycle, or nightly/afternoon batch jobs), a time zone, a peak rate, a day-to-day volume noise, and
// habits: a few tools (Zipf-weighted, each reaching one system: host and data scopes), a rarely used
// sibling tool of one of those systems, one or two models, and for some a sensitive tool used now and
// then. Requests arrive as a Poisson process per minute whose rate follows the agent's hour-of-day
// and day-of-week profile in its local time.
//
// Injected anomalies (the ground truth), after every baseline had time to learn (days 3 and 4, a
// Thursday and a Friday): a 10x volume burst; new tools, a new data scope and a new destination;
// activity at 3 a.m. on an office agent; a slow escalation of a sensitive tool over a working day;
// four agents touching the same never-used data scope within minutes.
import { MODELS, TOOLS, type Model, type Tool } from './catalog.ts';
import { prng } from '../../test/helpers/random.ts';

export type Archetype = 'office' | 'always_on' | 'batch';
export type AnomalyClass = 'volume' | 'scope' | 'temporal' | 'escalation' | 'coordination';

export interface AgentProfile {
  id: string;
  archetype: Archetype;
  /** Hours east of UTC. */
  tz: number;
  /** Requests per hour at the busiest hour of a normal day. */
  peakPerHour: number;
  /** Local hour-of-day weights (0..1) and day-of-week weights (0 = Sunday). */
  hourWeights: number[];
  dayWeights: number[];
  /** Share of requests that are tool calls (the rest are chat calls to a model). */
  toolShare: number;
  tools: Array<{ tool: Tool; weight: number }>;
  models: Array<{ model: Model; weight: number }>;
}

export interface ScenarioEvent {
  /** Event time, unix ms. */
  t: number;
  agent: number;
  kind: 'chat' | 'tool';
  model?: Model;
  tool?: string;
  /** Destination: the tool's system, or the model provider's API host. */
  host: string;
  scopes?: string[];
  inputTokens?: number;
  outputTokens?: number;
  /** Index into Scenario.injections when this event is part of an injected anomaly. */
  injection?: number;
}

export interface Injection {
  name: string;
  class: AnomalyClass;
  agents: string[];
  /** The window the anomaly's events lie in (event time, unix ms). */
  startMs: number;
  endMs: number;
  description: string;
  /** Filled in once events are sorted: index of the first injected event, and how many. */
  firstEvent: number;
  events: number;
}

export interface ScenarioOptions {
  seed?: number;
  agents?: number;
  days?: number;
  /** A Monday 00:00 UTC. */
  startMs?: number;
}

export interface Scenario {
  seed: number;
  startMs: number;
  days: number;
  agents: AgentProfile[];
  events: ScenarioEvent[];
  injections: Injection[];
}

export const DEFAULT_START_MS = Date.UTC(2026, 10, 2); // Monday 2 November 2026, in the simulated past
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Rand = () => number;

function poisson(r: Rand, lambda: number): number {
  if (lambda <= 0) return 0;
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

function gaussian(r: Rand): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function pickWeighted<T>(r: Rand, items: Array<{ weight: number } & T>): T {
  let total = 0;
  for (const i of items) total += i.weight;
  let x = r() * total;
  for (const i of items) if ((x -= i.weight) < 0) return i;
  return items[items.length - 1];
}

function shuffled<T>(r: Rand, xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const OFFICE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0.3, 0.8, 1, 1, 1, 0.6, 1, 1, 1, 0.9, 0.7, 0.4, 0.15, 0.05, 0.03, 0, 0];
const TZS = [-8, -5, 0, 0, 1, 1, 2, 5.5, 8];

function makeAgent(r: Rand, n: number): AgentProfile {
  const roll = r();
  const archetype: Archetype = roll < 0.6 ? 'office' : roll < 0.87 ? 'always_on' : 'batch';
  let hourWeights: number[];
  let dayWeights: number[];
  if (archetype === 'office') {
    hourWeights = OFFICE_HOURS;
    const weekend = r() < 0.5 ? 0 : 0.08;
    dayWeights = [weekend, 1, 1, 1, 1, 1, weekend];
  } else if (archetype === 'always_on') {
    hourWeights = Array.from({ length: 24 }, (_, h) => 0.35 + 0.65 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (h - 3)) / 24)));
    dayWeights = [0.7, 1, 1, 1, 1, 1, 0.7];
  } else {
    const a = Math.floor(r() * 6);
    const b = 12 + Math.floor(r() * 6);
    hourWeights = Array.from({ length: 24 }, (_, h) => (h === a || h === b ? 1 : 0));
    dayWeights = [1, 1, 1, 1, 1, 1, 1];
  }
  const peakPerHour = Math.round(Math.exp(Math.log(archetype === 'batch' ? 150 : 45) + 0.5 * gaussian(r)));

  // Habits: 3-6 tools (Zipf weights) among the non-sensitive ones, some agents one sensitive tool,
  // and a rarely used sibling (same system: no new host or scope) of one of the habitual tools.
  const plain = shuffled(r, TOOLS.filter((x) => x.risk === 0));
  const count = 3 + Math.floor(r() * 4);
  const tools = plain.slice(0, count).map((tool, i) => ({ tool, weight: 1 / (i + 1) }));
  const total = tools.reduce((s, x) => s + x.weight, 0);
  if (r() < 0.3) {
    const sensitive = shuffled(r, TOOLS.filter((x) => x.risk > 0))[0];
    tools.push({ tool: sensitive, weight: total * (0.02 + 0.03 * r()) });
  }
  const hosts = new Set(tools.map((x) => x.tool.host));
  const sibling = TOOLS.find((x) => x.risk === 0 && hosts.has(x.host) && !tools.some((y) => y.tool === x));
  if (sibling) tools.push({ tool: sibling, weight: total * 0.01 });
  const models = shuffled(r, MODELS)
    .slice(0, r() < 0.5 ? 1 : 2)
    .map((model, i) => ({ model, weight: i === 0 ? 0.8 : 0.2 }));
  return {
    id: `agent-${String(n).padStart(2, '0')}-${archetype.replace('_', '-')}`,
    archetype,
    tz: TZS[Math.floor(r() * TZS.length)],
    peakPerHour,
    hourWeights,
    dayWeights,
    toolShare: 0.3 + 0.4 * r(),
    tools,
    models,
  };
}

function localHour(a: AgentProfile, t: number): { hour: number; dow: number } {
  const d = new Date(t + a.tz * HOUR);
  return { hour: d.getUTCHours(), dow: d.getUTCDay() };
}

/** Expected requests per minute for the agent at time t (before the day's noise). */
export function expectedPerMinute(a: AgentProfile, t: number): number {
  const { hour, dow } = localHour(a, t);
  return (a.peakPerHour / 60) * a.hourWeights[hour] * a.dayWeights[dow];
}

function habitualEvent(r: Rand, a: AgentProfile, agent: number, t: number): ScenarioEvent {
  if (r() < a.toolShare) {
    const { tool } = pickWeighted(r, a.tools);
    return { t, agent, kind: 'tool', tool: tool.name, host: tool.host, scopes: tool.scopes };
  }
  const { model } = pickWeighted(r, a.models);
  return {
    t,
    agent,
    kind: 'chat',
    model,
    host: model.host,
    inputTokens: Math.round(Math.exp(Math.log(900) + 0.6 * gaussian(r))),
    outputTokens: Math.round(Math.exp(Math.log(220) + 0.5 * gaussian(r))),
  };
}

/** UTC ms of a local wall-clock time of the agent on day `day` of the scenario. */
function localTime(s: { startMs: number }, a: AgentProfile, day: number, hour: number, minute = 0): number {
  return s.startMs + day * DAY + (hour - a.tz) * HOUR + minute * 60_000;
}

export function generateScenario(opts: ScenarioOptions = {}): Scenario {
  const seed = opts.seed ?? 20261102;
  const days = opts.days ?? 7;
  const startMs = opts.startMs ?? DEFAULT_START_MS;
  if (new Date(startMs).getUTCDay() !== 1 || startMs % DAY !== 0) throw new Error('startMs must be a Monday 00:00 UTC');
  if (days < 6) throw new Error('days must be at least 6: the anomalies are injected on days 3 and 4, after the baselines learnt');
  const r = prng(seed);
  const agents = Array.from({ length: opts.agents ?? 50 }, (_, i) => makeAgent(r, i));
  if (agents.length < 12) throw new Error('agents must be at least 12: the anomalies need distinct agents of each kind');
  const events: ScenarioEvent[] = [];

  // Normal traffic, minute by minute, with a volume noise per agent and day.
  const minutes = days * 24 * 60;
  agents.forEach((a, i) => {
    const dayNoise = Array.from({ length: days }, () => Math.exp(0.2 * gaussian(r)));
    for (let m = 0; m < minutes; m++) {
      const t0 = startMs + m * 60_000;
      const n = poisson(r, expectedPerMinute(a, t0) * dayNoise[Math.floor(m / 1440)]);
      for (let k = 0; k < n; k++) events.push(habitualEvent(r, a, i, t0 + Math.floor(r() * 60_000)));
    }
  });

  const s = { startMs };
  const injections: Injection[] = [];
  const used = new Set<number>();
  const pick = (why: string, ok: (a: AgentProfile) => boolean): number => {
    const i = agents.findIndex((a, n) => !used.has(n) && ok(a));
    if (i < 0) throw new Error(`no agent fits the ${why} injection; try another seed`);
    used.add(i);
    return i;
  };
  const inject = (inj: Omit<Injection, 'firstEvent' | 'events'>, add: (id: number) => void) => {
    injections.push({ ...inj, firstEvent: -1, events: 0 });
    add(injections.length - 1);
  };
  const THU = 3;
  const FRI = 4;

  // volume: 10x the agent's rate for 15 minutes on a Thursday afternoon.
  {
    const i = pick('volume', (a) => a.archetype === 'office' && a.peakPerHour >= 30);
    const a = agents[i];
    const start = localTime(s, a, THU, 14, 0);
    inject({ name: 'volume-burst-10x', class: 'volume', agents: [a.id], startMs: start, endMs: start + 15 * 60_000, description: `${a.id} at 10x its rate for 15 min` }, (id) => {
      for (let m = 0; m < 15; m++) {
        const t0 = start + m * 60_000;
        const n = poisson(r, 9 * expectedPerMinute(a, t0));
        for (let k = 0; k < n; k++) events.push({ ...habitualEvent(r, a, i, t0 + Math.floor(r() * 60_000)), injection: id });
      }
    });
  }
  // scope: two tools of a system the agent never reached.
  {
    const i = pick('new tools', (a) => a.archetype !== 'batch');
    const a = agents[i];
    const hosts = new Set(a.tools.map((x) => x.tool.host));
    const fresh = TOOLS.filter((x) => x.risk === 0 && !hosts.has(x.host)).slice(0, 2);
    const start = localTime(s, a, THU, 10, 30);
    inject({ name: 'scope-new-tools', class: 'scope', agents: [a.id], startMs: start, endMs: start + 10 * 60_000, description: `${a.id} calls ${fresh.map((x) => x.name).join(', ')} (never before)` }, (id) => {
      for (let k = 0; k < 4; k++) {
        const tool = fresh[k % 2];
        events.push({ t: start + k * 150_000, agent: i, kind: 'tool', tool: tool.name, host: tool.host, scopes: tool.scopes, injection: id });
      }
    });
  }
  // scope: a habitual tool reading a data scope the agent never touched.
  {
    const i = pick('new data scope', (a) => a.archetype !== 'batch');
    const a = agents[i];
    const tool = a.tools[0].tool;
    const start = localTime(s, a, THU, 15, 0);
    inject({ name: 'scope-new-data-scope', class: 'scope', agents: [a.id], startMs: start, endMs: start + 6 * 60_000, description: `${a.id} reads data scope secrets.vault through ${tool.name}` }, (id) => {
      for (let k = 0; k < 3; k++) events.push({ t: start + k * 120_000, agent: i, kind: 'tool', tool: tool.name, host: tool.host, scopes: [...tool.scopes, 'secrets.vault'], injection: id });
    });
  }
  // scope: a habitual tool sending to a host the agent never reached.
  {
    const i = pick('new destination', (a) => a.archetype !== 'batch');
    const a = agents[i];
    const tool = a.tools[0].tool;
    const start = localTime(s, a, FRI, 11, 0);
    inject({ name: 'scope-new-destination', class: 'scope', agents: [a.id], startMs: start, endMs: start + 6 * 60_000, description: `${a.id} sends ${tool.name} calls to upload.exfil-drop.example` }, (id) => {
      for (let k = 0; k < 3; k++) events.push({ t: start + k * 120_000, agent: i, kind: 'tool', tool: tool.name, host: 'upload.exfil-drop.example', scopes: tool.scopes, injection: id });
    });
  }
  // temporal: an office agent busy at 3 a.m. local time, with its usual tools and models.
  {
    const i = pick('temporal', (a) => a.archetype === 'office');
    const a = agents[i];
    const start = localTime(s, a, FRI, 3, 0);
    inject({ name: 'temporal-3am', class: 'temporal', agents: [a.id], startMs: start, endMs: start + 20 * 60_000, description: `${a.id} (office hours) active at 03:00 local` }, (id) => {
      for (let k = 0; k < 8; k++) events.push({ ...habitualEvent(r, a, i, start + k * 150_000), injection: id });
    });
  }
  // escalation: over a working day an agent's sensitive tool takes a growing share of its tool
  // calls (from its usual few percent to 45 %), while its volume stays what it always is.
  {
    const i = pick('escalation', (a) => a.archetype !== 'batch' && a.tools.some((x) => x.tool.risk > 0) && a.peakPerHour >= 25);
    const a = agents[i];
    const sensitive = a.tools.find((x) => x.tool.risk > 0)!.tool;
    const start = localTime(s, a, THU, 9, 0);
    const end = localTime(s, a, THU, 17, 0);
    inject({ name: 'escalation-ramp', class: 'escalation', agents: [a.id], startMs: start, endMs: end, description: `${a.id}: ${sensitive.name} share of tool calls ramps to 45 % over 8 h` }, (id) => {
      for (const e of events) {
        if (e.agent !== i || e.kind !== 'tool' || e.t < start || e.t >= end || e.tool === sensitive.name) continue;
        if (r() < (0.45 * (e.t - start)) / (end - start)) {
          e.tool = sensitive.name;
          e.host = sensitive.host;
          e.scopes = sensitive.scopes;
          e.injection = id;
        }
      }
    });
  }
  // coordination: four always-on agents read the same never-used data scope within 8 minutes.
  {
    const group = [0, 1, 2, 3].map(() => pick('coordination', (a) => a.archetype === 'always_on'));
    const start = s.startMs + FRI * DAY + 14 * HOUR;
    inject({ name: 'coordination-rare-scope', class: 'coordination', agents: group.map((i) => agents[i].id), startMs: start, endMs: start + 8 * 60_000, description: `${group.length} agents read data scope payroll.salaries within 8 min` }, (id) => {
      group.forEach((i, n) => {
        const tool = agents[i].tools[0].tool;
        for (let k = 0; k < 2; k++) events.push({ t: start + n * 90_000 + k * 30_000, agent: i, kind: 'tool', tool: tool.name, host: tool.host, scopes: [...tool.scopes, 'payroll.salaries'], injection: id });
      });
    });
  }

  events.sort((x, y) => x.t - y.t || x.agent - y.agent);
  events.forEach((e, n) => {
    if (e.injection === undefined) return;
    const inj = injections[e.injection];
    if (inj.firstEvent < 0) inj.firstEvent = n;
    inj.events++;
  });
  return { seed, startMs, days, agents, events, injections };
}

/** Days an agent is scored on with no injection of its own: every day after the first (warm-up). */
export function cleanAgentDays(s: Scenario): number {
  const injectedDays = new Set<string>();
  for (const inj of s.injections)
    for (const id of inj.agents) for (let t = Math.floor((inj.startMs - s.startMs) / DAY); t <= Math.floor((inj.endMs - s.startMs) / DAY); t++) injectedDays.add(`${id}/${t}`);
  return s.agents.length * (s.days - 1) - injectedDays.size;
}
