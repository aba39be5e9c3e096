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
/** Index of tokens in VOLUME_METRICS. */
const TOKENS = 1;
/** Active intervals an hour of day needs before it has thresholds of its own. */
const HOUR_MIN_SAMPLES = 4;
/** A threshold that never alerts (JSON-safe, unlike Infinity). */
const NO_ALERT = -1;

/** Thresholds an interval is judged against, frozen when it opens (per volume metric). */
interface VolumeRef {
  thr: number[];
  base: number[];
}

/** What a closed interval leaves for the intervals opening after it: the global thresholds and
 * the hour-of-day thresholds (min_ratio times that hour's mean, 0 while it has few samples) of the
 * hours such an interval can start in while a later close exists (the newest entry reads the live
 * hour means: nothing changed them since). */
interface RefEntry {
  closedEnd: number;
  ref: VolumeRef;
  /** hour of day -> per metric [threshold, mean]. */
  hours: Record<number, [number, number][]>;
}

interface OpenInterval {
  start: number;
  x: number[];
  risk: number;
  /** Sum over the interval's events of min(1, risk / largest weight): the escalation input. */
  y: number;
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
  refs: RefEntry[];
  open: OpenInterval[];
  /** Per volume metric and hour of day: EWMA of active intervals, and how many there were. */
  hourVol: { m: number[][]; n: number[] };
  /** Escalation: baseline rate p (EWMA per event), events learnt, CUSUM S, alarm state. */
  esc: { p: number; n: number; S: number; alarmed: boolean };
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
  /** Each volume window, sorted, and the tokens window's logs, sorted (derived: not in snapshots). */
  private sorted: number[][];
  private sortedLogTokens: number[];

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
      hourVol: { m: VOLUME_METRICS.map(() => new Array(24).fill(0)), n: new Array(24).fill(0) },
      esc: { p: 0, n: 0, S: 0, alarmed: false },
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
    this.sortedLogTokens = sortedOf(this.s.win[TOKENS].map(Math.log1p));
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
    const closed = this.closeIntervals(e, cfg, out);
    const warm = this.warm(e.t, cfg);
    const risk = riskOf(e, cfg);
    if (late) out.late++;
    else this.count(e, start, risk, warm, cfg, out);
    this.scope(e, warm, cfg, out);
    if (cfg.temporal.enabled) this.temporal(e, warm, cfg, out);
    // Old buckets go as the agent's clock moves on, i.e. when an interval closed.
    if (closed) this.prune(cfg);
  }

  // ---- volume (live, against the frozen reference of the interval) ----

  private count(e: AgentEvent, start: number, risk: number, warm: boolean, cfg: CompiledAnomaly, out: AgentResult): void {
    const s = this.s;
    let iv: OpenInterval | undefined;
    for (const o of s.open) if (o.start === start) iv = o;
    if (!iv) {
      iv = { start, x: VOLUME_METRICS.map(() => 0), risk: 0, y: 0, ref: this.refFor(start, cfg), alerted: VOLUME_METRICS.map(() => false) };
      s.open.push(iv);
      s.open.sort((a, b) => a.start - b.start);
    }
    iv.x[0] += 1;
    iv.x[1] += e.tokens;
    iv.x[2] += e.toolCall ? 1 : 0;
    if (risk > 0) {
      iv.risk += risk;
      iv.y += Math.min(1, risk / (cfg.escalation.maxWeight || 1));
      const top = iv.top;
      if (!top || risk > top.risk || (risk === top.risk && (e.t > top.t || (e.t === top.t && e.spanId > top.spanId)))) iv.top = { risk, t: e.t, traceId: e.traceId, spanId: e.spanId };
    }
    if (!cfg.volume.enabled || !warm) return;
    for (let i = 0; i < VOLUME_METRICS.length; i++) {
      const metric = VOLUME_METRICS[i];
      const thr = iv.ref.thr[i];
      if (iv.alerted[i] || !(thr > 0) || !(iv.x[i] >= thr)) continue;
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
    }
  }

  /** The reference made of the intervals closed at least allowed_lateness before `start`; the
   * interval's hour of day raises the thresholds to its own (busy hours are not bursts). */
  private refFor(start: number, cfg: CompiledAnomaly): VolumeRef {
    const refs = this.s.refs;
    let at = -1;
    for (let k = 0; k < refs.length; k++) if (refs[k].closedEnd + cfg.latenessMs <= start) at = k;
    if (at < 0) return emptyRef();
    const entry = refs[at];
    const hod = Math.floor(start / HOUR) % 24;
    const hour = at === refs.length - 1 ? this.hourRef(hod, cfg) : (entry.hours[hod] ?? this.hourRef(hod, cfg));
    const ref: VolumeRef = { thr: [...entry.ref.thr], base: [...entry.ref.base] };
    for (let i = 0; i < ref.thr.length; i++) {
      if (!(ref.thr[i] > 0)) continue;
      if (hour[i][0] > ref.thr[i]) ref.thr[i] = hour[i][0];
      if (hour[i][1] > ref.base[i]) ref.base[i] = hour[i][1];
    }
    return ref;
  }

  /** Per metric [threshold, mean] of an hour of day, from the live hour means. */
  private hourRef(hod: number, cfg: CompiledAnomaly): [number, number][] {
    const hv = this.s.hourVol;
    const ok = hv.n[hod] >= HOUR_MIN_SAMPLES;
    return hv.m.map((row) => (ok ? [cfg.volume.minRatio * row[hod], round(row[hod], 2)] : [0, 0]));
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
      let t = Math.max(e.m + v.z * sd, med + v.robustZ * md, v.minRatio * Math.max(e.m, med), v.minValue[VOLUME_METRICS[i]], 1);
      if (i === TOKENS) {
        // Tokens per request are heavy-tailed (one long context is 10x the median): the robust
        // check runs on log(1 + x) too, with its MAD floored at 0.25 (a factor of 1.28).
        const logs = this.sortedLogTokens;
        const lmed = median(logs);
        t = Math.max(t, Math.expm1(lmed + v.robustZ * Math.max(1.4826 * mad(logs, lmed), 0.25)));
      }
      thr.push(t);
      base.push(med);
    });
    return { thr, base };
  }

  // ---- interval close: volume baselines learn, escalation CUSUM steps ----

  /** Closes what the agent's clock passed; returns whether anything closed. */
  private closeIntervals(e: AgentEvent, cfg: CompiledAnomaly, out: AgentResult): boolean {
    const s = this.s;
    let closed = false;
    while (s.open.length > 0 && s.open[0].start + cfg.intervalMs + cfg.latenessMs <= s.maxSeen) {
      const iv = s.open.shift()!;
      closed = true;
      const end = iv.start + cfg.intervalMs;
      if (cfg.escalation.enabled) this.escalation(iv, end, e, cfg, out);
      const hod = Math.floor(iv.start / HOUR) % 24;
      const hv = s.hourVol;
      for (let i = 0; i < VOLUME_METRICS.length; i++) {
        ewmaAdd(s.vol[i], iv.x[i], cfg.volume.alpha);
        const dropped = windowAdd(s.win[i], iv.x[i], cfg.volume.window);
        sortedUpdate(this.sorted[i], iv.x[i], dropped);
        if (i === TOKENS) sortedUpdate(this.sortedLogTokens, Math.log1p(iv.x[i]), dropped === undefined ? undefined : Math.log1p(dropped));
        hv.m[i][hod] = hv.n[hod] === 0 ? iv.x[i] : hv.m[i][hod] + cfg.volume.hourAlpha * (iv.x[i] - hv.m[i][hod]);
      }
      hv.n[hod]++;
      s.volIntervals++;
      // Intervals that can pick this entry once a later one exists start right after it.
      const hours: RefEntry['hours'] = {};
      for (const t of [end, end + cfg.intervalMs + cfg.latenessMs]) {
        const h = Math.floor(t / HOUR) % 24;
        hours[h] ??= this.hourRef(h, cfg);
      }
      s.refs.push({ closedEnd: end, ref: this.volumeRef(cfg), hours });
      if (s.refs.length > 4) s.refs.splice(0, s.refs.length - 4);
    }
    return closed;
  }

  /** Bernoulli log-likelihood CUSUM on the share of risky events, stepped once per closed
   * interval (the sum over its events does not depend on their order). */
  private escalation(iv: OpenInterval, end: number, e: AgentEvent, cfg: CompiledAnomaly, out: AgentResult): void {
    const c = cfg.escalation;
    const esc = this.s.esc;
    const n = iv.x[0];
    if (esc.n < c.minEvents || !this.warm(end, cfg) || c.maxWeight <= 0) return learnRisk(esc, iv, c.alpha);
    const p0 = Math.max(esc.p, c.minRate);
    const p1 = Math.min(0.99, Math.max(c.ratio * p0, p0 + c.minShift));
    const llr = iv.y * Math.log(p1 / p0) + (n - iv.y) * Math.log((1 - p1) / (1 - p0));
    const before = esc.S;
    // Capped, so a drift that stops is forgotten in a bounded number of events.
    esc.S = Math.min(2 * c.threshold, Math.max(0, esc.S + llr));
    if (esc.alarmed) {
      // One alert per drift: re-armed once the sum falls back under half the threshold. Meanwhile
      // the baseline learns, so a lasting new level becomes the normal.
      if (esc.S < c.threshold / 2) esc.alarmed = false;
      return learnRisk(esc, iv, c.alpha);
    }
    if (esc.S >= c.threshold) {
      esc.alarmed = true;
      const top = iv.top;
      const share = n > 0 ? iv.y / n : 0;
      out.findings.push({
        index: e.index,
        agent: this.s.agent,
        class: 'escalation',
        metric: 'risk_share',
        score: round(scoreOf(esc.S, c.threshold)),
        baseline: round(esc.p, 4),
        observed: round(share, 4),
        threshold: c.threshold,
        t: top?.t ?? e.t,
        traceId: top?.traceId ?? e.traceId,
        spanId: top?.spanId ?? e.spanId,
        reason: `agent "${this.s.agent}": sensitive actions drifting up: ${round(share * 100, 1)}% risk share in the interval from ${iso(iv.start)} against a baseline of ${round(esc.p * 100, 2)}%; cumulative evidence ${round(esc.S, 2)} (threshold ${c.threshold}, was ${round(before, 2)})`,
        intervalStart: iv.start,
      });
      return;
    }
    // A drift in progress is not learnt as normal.
    if (esc.S < c.threshold / 2) learnRisk(esc, iv, c.alpha);
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
    let fraction = Number.POSITIVE_INFINITY;
    if (warm && days >= c.minDays) {
      fraction = Math.max(past(hodP, hod, day), past(hodP, (hod + 23) % 24, day) / 2, past(hodP, (hod + 1) % 24, day) / 2) / days;
    }
    if (warm && weeks >= c.minWeeks) {
      const w = past(howP, how, week) / weeks;
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

/** Active periods of a profile slot before `period`: the current day (week) never vouches for itself. */
function past(p: Profile, slot: number, period: number): number {
  return p.c[slot] - (p.last[slot] >= period ? 1 : 0);
}

/** The risk baseline learns one closed interval: an EWMA per event, n events at once. */
function learnRisk(esc: AgentStateJson['esc'], iv: OpenInterval, alpha: number): void {
  const n = iv.x[0];
  if (n === 0) return;
  const w = esc.n === 0 ? 1 : 1 - (1 - alpha) ** n;
  esc.p += w * (iv.y / n - esc.p);
  esc.n += n;
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
