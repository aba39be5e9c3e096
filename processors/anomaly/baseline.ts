// One agent's baselines and the four per-agent classes (volume, scope, temporal, escalation).
// Runs wherever the agent's state lives (one worker lane, or the event loop); the state is plain
// data so it snapshots as JSON. Everything runs on event time: see README "The maths".
import { VOLUME_METRICS, type CompiledAnomaly, type ScopeKind } from './config.ts';
import { splitItem, type AgentEvent } from './events.ts';
import { ewmaAdd, mad, median, newEwma, round, scoreOf, sortedOf, sortedUpdate, windowAdd, type Ewma } from './stats.ts';

export type AnomalyClass = 'volume' | 'scope' | 'temporal' | 'escalation' | 'coordination';

export interface Finding {
  /** Index of the span in its batch the finding annotates; -1 when not in the current batch. */
  index: number;
  agent: string;
  class: AnomalyClass;
  metric: string;
  score: number;
  baseline: number;
  observed: number;
  threshold: number;
  /** Event time (ms) and ids of the evidence span. */
  t: number;
  traceId: string;
  spanId: string;
  reason: string;
  items?: string[];
  agents?: string[];
  intervalStart?: number;
}

/** An agent using an item for the first time in its baseline window (input of coordination). */
export interface FirstUse {
  index: number;
  agent: string;
  t: number;
  traceId: string;
  spanId: string;
  item: string;
  warm: boolean;
}

export interface AgentResult {
  findings: Finding[];
  firstUses: FirstUse[];
  late: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A threshold that never alerts (JSON-safe, unlike Infinity). */
const NO_ALERT = -1;

/** Thresholds an interval is judged against, frozen when it opens (per volume metric). */
interface VolumeRef {
  thr: number[];
  base: number[];
}

interface OpenInterval {
  start: number;
  x: number[];
  risk: number;
  /** The riskiest event of the interval: the escalation evidence. */
  top?: { risk: number; t: number; traceId: string; spanId: string };
  ref: VolumeRef;
  alerted: boolean[];
}

/** Hour profile: per slot, how many distinct periods (days or weeks) were active, and the last one. */
interface Profile {
  c: number[];
  last: number[];
}

/** The JSON form of an agent's state (snapshots). */
export interface AgentStateJson {
  v: 1;
  agent: string;
  firstSeen: number;
  maxSeen: number;
  events: number;
  vol: Ewma[];
  win: number[][];
  volIntervals: number;
  refs: { closedEnd: number; ref: VolumeRef }[];
  open: OpenInterval[];
  esc: { m: Ewma; S: number; alarmed: boolean };
  items: [string, number][];
  growth: [number, { sum: number; items: string[]; alerted: boolean }][];
  hod: Profile;
  how: Profile;
  hours: [number, { n: number; alerted: boolean }][];
}

const emptyRef = (): VolumeRef => ({ thr: VOLUME_METRICS.map(() => NO_ALERT), base: VOLUME_METRICS.map(() => 0) });
const profile = (n: number): Profile => ({ c: new Array(n).fill(0), last: new Array(n).fill(-1) });

/** Day 0 (1970-01-01) was a Thursday: +3 makes weeks start on Monday 00:00 UTC. */
const weekOf = (day: number) => Math.floor((day + 3) / 7);
const hourOfWeek = (day: number, hod: number) => (((day + 3) % 7) + 7) % 7 * 24 + hod;

export class AgentBaseline {
  private s: AgentStateJson;
  private items: Map<string, number>;
  private growth: Map<number, { sum: number; items: string[]; alerted: boolean }>;
  private hours: Map<number, { n: number; alerted: boolean }>;
  /** Each volume window, sorted (derived: not in snapshots). */
  private sorted: number[][];

  constructor(agent: string, from?: AgentStateJson) {
    this.s = from ?? {
      v: 1,
      agent,
      firstSeen: Number.POSITIVE_INFINITY,
      maxSeen: Number.NEGATIVE_INFINITY,
      events: 0,
      vol: VOLUME_METRICS.map(newEwma),
      win: VOLUME_METRICS.map(() => []),
      volIntervals: 0,
      refs: [],
      open: [],
      esc: { m: newEwma(), S: 0, alarmed: false },
      items: [],
      growth: [],
      hod: profile(24),
      how: profile(168),
      hours: [],
    };
    this.items = new Map(this.s.items);
    this.growth = new Map(this.s.growth);
    this.hours = new Map(this.s.hours);
    this.sorted = this.s.win.map(sortedOf);
  }

  get agent(): string {
    return this.s.agent;
  }

  toJSON(): AgentStateJson {
    // Infinity does not survive JSON: an agent that has seen an event has finite bounds.
    return { ...this.s, items: [...this.items], growth: [...this.growth], hours: [...this.hours] };
  }

  private warm(t: number, cfg: CompiledAnomaly): boolean {
    return this.s.events >= cfg.warmupMinEvents && t - this.s.firstSeen >= cfg.warmupMs;
  }

  /** Scores one event (after updating what it teaches); findings and first uses go into `out`. */
  observe(e: AgentEvent, cfg: CompiledAnomaly, out: AgentResult): void {
    const s = this.s;
    const I = cfg.intervalMs;
    const start = Math.floor(e.t / I) * I;
    const late = s.events > 0 && start + I + cfg.latenessMs <= s.maxSeen;
    if (e.t > s.maxSeen) s.maxSeen = e.t;
    if (e.t < s.firstSeen) s.firstSeen = e.t;
    s.events++;
    this.closeIntervals(e, cfg, out);
    const warm = this.warm(e.t, cfg);
    const risk = riskOf(e, cfg);
    if (late) out.late++;
    else this.count(e, start, risk, warm, cfg, out);
    this.scope(e, warm, cfg, out);
    if (cfg.temporal.enabled) this.temporal(e, warm, cfg, out);
    this.prune(cfg);
  }

  // ---- volume (live, against the frozen reference of the interval) ----

  private count(e: AgentEvent, start: number, risk: number, warm: boolean, cfg: CompiledAnomaly, out: AgentResult): void {
    const s = this.s;
    let iv = s.open.find((o) => o.start === start);
    if (!iv) {
      iv = { start, x: VOLUME_METRICS.map(() => 0), risk: 0, ref: this.refFor(start, cfg), alerted: VOLUME_METRICS.map(() => false) };
      s.open.push(iv);
      s.open.sort((a, b) => a.start - b.start);
    }
    iv.x[0] += 1;
    iv.x[1] += e.tokens;
    iv.x[2] += e.toolCall ? 1 : 0;
    if (risk > 0) {
      iv.risk += risk;
      const top = iv.top;
      if (!top || risk > top.risk || (risk === top.risk && (e.t > top.t || (e.t === top.t && e.spanId > top.spanId)))) iv.top = { risk, t: e.t, traceId: e.traceId, spanId: e.spanId };
    }
    if (!cfg.volume.enabled || !warm) return;
    VOLUME_METRICS.forEach((metric, i) => {
      const thr = iv.ref.thr[i];
      if (iv.alerted[i] || !(thr > 0) || !(iv.x[i] >= thr)) return;
      iv.alerted[i] = true;
      const base = iv.ref.base[i];
      out.findings.push({
        index: e.index,
        agent: s.agent,
        class: 'volume',
        metric,
        score: round(scoreOf(iv.x[i], thr)),
        baseline: round(base, 2),
        observed: iv.x[i],
        threshold: round(thr, 2),
        t: e.t,
        traceId: e.traceId,
        spanId: e.spanId,
        reason: `agent "${s.agent}": ${iv.x[i]} ${metric.replace('_', ' ')} in the ${cfg.intervalMs / 60000}-minute interval from ${iso(start)}, baseline ${round(base, 1)} (threshold ${round(thr, 1)})`,
        intervalStart: start,
      });
    });
  }

  /** The reference made of the intervals closed at least allowed_lateness before `start`. */
  private refFor(start: number, cfg: CompiledAnomaly): VolumeRef {
    let ref: VolumeRef | undefined;
    for (const r of this.s.refs) if (r.closedEnd + cfg.latenessMs <= start) ref = r.ref;
    return ref ? structuredClone(ref) : emptyRef();
  }

  private volumeRef(cfg: CompiledAnomaly): VolumeRef {
    const v = cfg.volume;
    if (this.s.volIntervals < v.minIntervals) return emptyRef();
    const thr: number[] = [];
    const base: number[] = [];
    VOLUME_METRICS.forEach((_m, i) => {
      const e = this.s.vol[i];
      const sorted = this.sorted[i];
      const med = median(sorted);
      const sd = Math.max(Math.sqrt(e.v), 1, 0.1 * e.m);
      const md = Math.max(1.4826 * mad(sorted, med), 1, 0.1 * med);
      thr.push(Math.max(e.m + v.z * sd, med + v.robustZ * md, v.minRatio * Math.max(e.m, med), v.minValue[VOLUME_METRICS[i]], 1));
      base.push(med);
    });
    return { thr, base };
  }

  // ---- interval close: volume baselines learn, escalation CUSUM steps ----

  private closeIntervals(e: AgentEvent, cfg: CompiledAnomaly, out: AgentResult): void {
    const s = this.s;
    while (s.open.length > 0 && s.open[0].start + cfg.intervalMs + cfg.latenessMs <= s.maxSeen) {
      const iv = s.open.shift()!;
      const end = iv.start + cfg.intervalMs;
      if (cfg.escalation.enabled) this.escalation(iv, end, e, cfg, out);
      VOLUME_METRICS.forEach((_m, i) => {
        ewmaAdd(s.vol[i], iv.x[i], cfg.volume.alpha);
        sortedUpdate(this.sorted[i], iv.x[i], windowAdd(s.win[i], iv.x[i], cfg.volume.window));
      });
      s.volIntervals++;
      s.refs.push({ closedEnd: end, ref: this.volumeRef(cfg) });
      if (s.refs.length > 8) s.refs.splice(0, s.refs.length - 8);
    }
  }

  private escalation(iv: OpenInterval, end: number, e: AgentEvent, cfg: CompiledAnomaly, out: AgentResult): void {
    const c = cfg.escalation;
    const esc = this.s.esc;
    const learn = () => ewmaAdd(esc.m, iv.risk, c.alpha);
    if (esc.m.n < c.minIntervals || !this.warm(end, cfg)) return learn();
    // Sensitive actions are rare events: their sample sd says little until there are many, so the
    // floor is in units of the heaviest weight (min_std 1: one such action per interval = 1 sd).
    const sd = Math.max(Math.sqrt(esc.m.v), c.minStd * maxWeight(cfg));
    const before = esc.S;
    // Capped, so a drift that stops is forgotten in a bounded number of intervals.
    esc.S = Math.min(2 * c.threshold, Math.max(0, esc.S + (iv.risk - esc.m.m) / sd - c.slack));
    if (esc.alarmed) {
      // One alert per drift: re-armed once the sum falls back under half the threshold. Meanwhile
      // the baseline learns, so a lasting new level becomes the normal.
      if (esc.S < c.threshold / 2) esc.alarmed = false;
      return learn();
    }
    if (esc.S >= c.threshold) {
      esc.alarmed = true;
      const top = iv.top;
      out.findings.push({
        index: e.index,
        agent: this.s.agent,
        class: 'escalation',
        metric: 'risk_cusum',
        score: round(scoreOf(esc.S, c.threshold)),
        baseline: round(esc.m.m, 3),
        observed: round(esc.S, 3),
        threshold: c.threshold,
        t: top?.t ?? e.t,
        traceId: top?.traceId ?? e.traceId,
        spanId: top?.spanId ?? e.spanId,
        reason: `agent "${this.s.agent}": sensitive actions drifting up: risk ${round(iv.risk, 2)} in the interval from ${iso(iv.start)} against a baseline of ${round(esc.m.m, 2)} per interval; cumulative excess ${round(esc.S, 2)} sd (threshold ${c.threshold}, was ${round(before, 2)})`,
        intervalStart: iv.start,
      });
      return;
    }
    // A drift in progress is not learnt as normal.
    if (esc.S < c.threshold / 2) learn();
  }

  // ---- scope ----

  private scope(e: AgentEvent, warm: boolean, cfg: CompiledAnomaly, out: AgentResult): void {
    const c = cfg.scope;
    const known = this.items.size;
    for (const it of e.items) {
      const prev = this.items.get(it);
      const isNew = prev === undefined || e.t - prev > c.baselineWindowMs;
      if (prev === undefined || e.t > prev) this.items.set(it, e.t);
      if (!isNew) continue;
      out.firstUses.push({ index: e.index, agent: this.s.agent, t: e.t, traceId: e.traceId, spanId: e.spanId, item: it, warm });
      if (!warm || !c.enabled) continue;
      const bucket = Math.floor(e.t / c.growthWindowMs);
      let g = this.growth.get(bucket);
      if (!g) this.growth.set(bucket, (g = { sum: 0, items: [], alerted: false }));
      if (g.items.includes(it)) continue;
      g.items.push(it);
      g.sum += c.weights[splitItem(it).kind as ScopeKind] ?? 0;
      if (g.alerted || !(g.sum >= c.threshold) || !(c.threshold > 0)) continue;
      g.alerted = true;
      out.findings.push({
        index: e.index,
        agent: this.s.agent,
        class: 'scope',
        metric: 'new_items',
        score: round(scoreOf(g.sum, c.threshold)),
        baseline: known,
        observed: round(g.sum, 3),
        threshold: c.threshold,
        t: e.t,
        traceId: e.traceId,
        spanId: e.spanId,
        reason: `agent "${this.s.agent}" used what it had not used in its baseline window: ${g.items.join(', ')} (weight ${round(g.sum, 2)}, threshold ${c.threshold}; ${known} items known)`,
        items: [...g.items],
      });
    }
    if (this.items.size > c.maxItems * 1.1 + 10) {
      // Forget the least recently used; ties by name so every run forgets the same.
      const keep = [...this.items].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, c.maxItems);
      this.items = new Map(keep);
    }
  }

  // ---- temporal ----

  private temporal(e: AgentEvent, warm: boolean, cfg: CompiledAnomaly, out: AgentResult): void {
    const c = cfg.temporal;
    const day = Math.floor(e.t / DAY);
    const hod = Math.floor(e.t / HOUR) % 24;
    const how = hourOfWeek(day, hod);
    const week = weekOf(day);
    const firstDay = Math.floor(this.s.firstSeen / DAY);
    const days = day - firstDay;
    const weeks = week - weekOf(firstDay);
    const hodP = this.s.hod;
    const howP = this.s.how;
    // Counts of past periods only: the current day (week) never vouches for itself.
    const pastDays = (h: number) => hodP.c[h] - (hodP.last[h] >= day ? 1 : 0);
    let fraction = Number.POSITIVE_INFINITY;
    if (warm && days >= c.minDays) {
      fraction = Math.max(pastDays(hod), pastDays((hod + 23) % 24) / 2, pastDays((hod + 1) % 24) / 2) / days;
    }
    if (warm && weeks >= c.minWeeks) {
      const w = (howP.c[how] - (howP.last[how] >= week ? 1 : 0)) / weeks;
      if (w <= c.maxActiveFraction) fraction = Math.min(fraction, w);
    }
    if (hodP.last[hod] < day) {
      hodP.c[hod]++;
      hodP.last[hod] = day;
    }
    if (howP.last[how] < week) {
      howP.c[how]++;
      howP.last[how] = week;
    }
    if (!(fraction <= c.maxActiveFraction)) return;
    const absHour = Math.floor(e.t / HOUR);
    let h = this.hours.get(absHour);
    if (!h) this.hours.set(absHour, (h = { n: 0, alerted: false }));
    h.n++;
    if (h.alerted || h.n < c.minEvents) return;
    h.alerted = true;
    const score = c.maxActiveFraction > 0 ? 0.55 + 0.3 * (1 - fraction / c.maxActiveFraction) : 0.85;
    out.findings.push({
      index: e.index,
      agent: this.s.agent,
      class: 'temporal',
      metric: 'active_fraction',
      score: round(score),
      baseline: round(fraction, 4),
      observed: h.n,
      threshold: c.maxActiveFraction,
      t: e.t,
      traceId: e.traceId,
      spanId: e.spanId,
      reason: `agent "${this.s.agent}" active at ${iso(absHour * HOUR).slice(0, 13)}h UTC, an hour it was active in on ${round(fraction * 100, 1)}% of past days (at most ${c.maxActiveFraction * 100}% counts as outside its operating window); ${h.n} events this hour`,
    });
  }

  private prune(cfg: CompiledAnomaly): void {
    const s = this.s;
    const oldBucket = Math.floor((s.maxSeen - cfg.scope.growthWindowMs - cfg.latenessMs) / cfg.scope.growthWindowMs);
    for (const b of this.growth.keys()) if (b < oldBucket) this.growth.delete(b);
    const oldHour = Math.floor((s.maxSeen - cfg.latenessMs) / HOUR) - 2;
    for (const h of this.hours.keys()) if (h < oldHour) this.hours.delete(h);
  }
}

function maxWeight(cfg: CompiledAnomaly): number {
  let m = 0;
  for (const w of Object.values(cfg.escalation.sensitiveTools)) if (w > m) m = w;
  for (const w of Object.values(cfg.escalation.sensitiveScopes)) if (w > m) m = w;
  return m > 0 ? m : 1;
}

export function riskOf(e: AgentEvent, cfg: CompiledAnomaly): number {
  const c = cfg.escalation;
  let r = e.tool && Object.hasOwn(c.sensitiveTools, e.tool) ? c.sensitiveTools[e.tool] : 0;
  for (const s of e.scopes) if (Object.hasOwn(c.sensitiveScopes, s)) r += c.sensitiveScopes[s];
  return r;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
