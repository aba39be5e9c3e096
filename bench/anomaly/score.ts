// Alerts against the scenario's ground truth: which injections were detected (an alert of the
// injected class on an injected agent inside the window), how late (in the agent's events, and in
// ms from the evidence span's receipt to the alert written), and which alerts no injection explains
// (false alerts, per clean agent-day).
import { cleanAgentDays, type Injection, type Scenario } from './scenario.ts';
import { percentile } from '../latency.ts';

export interface CapturedAlert {
  class: string;
  severity: string;
  agent: string;
  /** Coordination: every agent involved. */
  agents: string[];
  score: number;
  metric: string;
  baseline: unknown;
  observed: unknown;
  message: string;
  /** Event index of the evidence span (-1 if it is not a scenario span). */
  event: number;
  /** Event time of the finding, unix ms. */
  timeMs: number;
  /** performance.now() when the alerts exporter got it. */
  writtenAt: number;
}

export interface InjectionResult {
  name: string;
  class: string;
  agents: string[];
  description: string;
  detected: boolean;
  /** Classes of every alert the injection explains. */
  flaggedAs: string[];
  /** Events of the injected agent(s) from the first injected one up to the evidence, inclusive. */
  latencyEvents?: number;
  /** Event time from the first injected event to the evidence, in minutes. */
  latencyEventMinutes?: number;
  /** From the evidence span's receipt by the pipeline to the alert written. */
  latencyMs?: number;
  alert?: string;
}

export interface ScoreReport {
  injections: InjectionResult[];
  alerts: number;
  falseAlerts: CapturedAlert[];
  cleanAgentDays: number;
  falsePerAgentDay: number;
  falseByClass: Record<string, number>;
  /** Receipt to alert written, over every alert, ms. */
  latency: { p50: number; p99: number; max: number; n: number };
}

/** After an injection window ends, its alerts may still come (an interval closing, a growth window). */
export const GRACE_MS = 60 * 60_000;

function explains(inj: Injection, a: CapturedAlert): boolean {
  const involved = a.agents.length ? a.agents : [a.agent];
  return involved.some((x) => inj.agents.includes(x)) && a.timeMs >= inj.startMs && a.timeMs <= inj.endMs + GRACE_MS;
}

export function scoreAlerts(s: Scenario, alerts: CapturedAlert[], receiptOf: (event: number) => number): ScoreReport {
  const agentIndex = new Map(s.agents.map((a, i) => [a.id, i]));
  const injections = s.injections.map((inj): InjectionResult => {
    const mine = alerts.filter((a) => explains(inj, a));
    const hits = mine.filter((a) => a.class === inj.class).sort((x, y) => x.event - y.event);
    const r: InjectionResult = { name: inj.name, class: inj.class, agents: inj.agents, description: inj.description, detected: hits.length > 0, flaggedAs: [...new Set(mine.map((a) => a.class))].sort() };
    const first = hits[0];
    if (first) {
      const ids = new Set(inj.agents.map((x) => agentIndex.get(x)));
      let n = 0;
      for (let i = inj.firstEvent; i <= first.event && i < s.events.length; i++) if (ids.has(s.events[i].agent)) n++;
      r.latencyEvents = n;
      r.latencyEventMinutes = (s.events[first.event].t - s.events[inj.firstEvent].t) / 60_000;
      r.latencyMs = first.writtenAt - receiptOf(first.event);
      r.alert = `${first.severity} ${first.metric}: ${first.message}`;
    }
    return r;
  });
  const falseAlerts = alerts.filter((a) => !s.injections.some((inj) => explains(inj, a)));
  const falseByClass: Record<string, number> = {};
  for (const a of falseAlerts) falseByClass[a.class] = (falseByClass[a.class] ?? 0) + 1;
  const lat = alerts.filter((a) => a.event >= 0).map((a) => a.writtenAt - receiptOf(a.event)).sort((x, y) => x - y);
  const days = cleanAgentDays(s);
  return {
    injections,
    alerts: alerts.length,
    falseAlerts,
    cleanAgentDays: days,
    falsePerAgentDay: falseAlerts.length / days,
    falseByClass,
    latency: { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.at(-1) ?? NaN, n: lat.length },
  };
}
