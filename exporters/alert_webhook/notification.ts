// From alert log records to webhook notifications: one alert, or a summary of repeated alerts for
// one agent and class (grouping.ts), and the JSON body sent for each.
import { ALERT_EVENT_NAME } from '../../core/alerts.ts';
import { stringifyValue, toJsonValue } from '../../core/signals/attributes.ts';
import type { AnyValue, LogRecord } from '../../core/signals/types.ts';

export type Severity = 'info' | 'warning' | 'error' | 'critical';
const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

/** What the exporter keeps of one alert record. */
export interface AlertView {
  severity: Severity;
  class: string;
  agent: string;
  source: string;
  score?: number;
  baseline?: unknown;
  observed?: unknown;
  message: string;
  /** Event time of the finding, unix ms. */
  timeMs: number;
  traceId: string;
  spanId: string;
  attributes: Record<string, unknown>;
}

/** One POST: a single alert (count 1) or a summary of `count` alerts for one agent and class. */
export interface Notification {
  kind: 'alert' | 'summary';
  latest: AlertView;
  count: number;
  severity: Severity;
  maxScore?: number;
  firstTimeMs: number;
  lastTimeMs: number;
  /** Evidence of the alerts in it (the first few of a summary). */
  evidence: Array<{ trace_id: string; span_id: string }>;
}

export const MAX_EVIDENCE = 10;

export function severityOf(r: LogRecord): Severity {
  const t = r.severityText.toLowerCase();
  if (t === 'info' || t === 'warning' || t === 'error' || t === 'critical') return t;
  if (t === 'warn') return 'warning';
  if (t === 'fatal') return 'critical';
  const n = r.severityNumber;
  return n >= 21 ? 'critical' : n >= 17 ? 'error' : n >= 13 ? 'warning' : 'info';
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

function num(v: AnyValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** The first attribute among `keys`, else any attribute whose name ends with `.${suffix}`. */
function pick(attrs: Record<string, AnyValue>, keys: string[], suffix: string): AnyValue | undefined {
  for (const k of keys) if (attrs[k] !== undefined) return attrs[k];
  for (const k of Object.keys(attrs)) if (k.endsWith(`.${suffix}`)) return attrs[k];
  return undefined;
}

export function alertView(r: LogRecord): AlertView {
  const a = r.attributes;
  const ns = r.timeUnixNano || r.observedTimeUnixNano;
  const baseline = pick(a, ['agentcol.alert.baseline', 'agentcol.anomaly.baseline'], 'baseline');
  const observed = pick(a, ['agentcol.alert.observed', 'agentcol.anomaly.observed'], 'observed');
  return {
    severity: severityOf(r),
    class: stringifyValue(a['agentcol.alert.class'] ?? '') || 'alert',
    agent: stringifyValue(a['gen_ai.agent.id'] ?? ''),
    source: stringifyValue(a['agentcol.alert.source'] ?? ''),
    score: num(a['agentcol.alert.score']),
    baseline: baseline === undefined ? undefined : toJsonValue(baseline),
    observed: observed === undefined ? undefined : toJsonValue(observed),
    message: stringifyValue(r.body),
    timeMs: Number(ns / 1_000_000n),
    traceId: r.traceId,
    spanId: r.spanId,
    attributes: toJsonValue(a) as Record<string, unknown>,
  };
}

export function isAlert(r: LogRecord): boolean {
  return r.eventName === ALERT_EVENT_NAME;
}

export function single(v: AlertView): Notification {
  return {
    kind: 'alert',
    latest: v,
    count: 1,
    severity: v.severity,
    maxScore: v.score,
    firstTimeMs: v.timeMs,
    lastTimeMs: v.timeMs,
    evidence: v.traceId || v.spanId ? [{ trace_id: v.traceId, span_id: v.spanId }] : [],
  };
}

const EMOJI: Record<Severity, string> = { info: ':information_source:', warning: ':warning:', error: ':rotating_light:', critical: ':fire:' };

const iso = (ms: number) => new Date(ms).toISOString();
const shown = (v: unknown) => (typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : typeof v === 'string' ? v : JSON.stringify(v));

/** Slack's three control characters, escaped as it asks: alert text carries values agents chose (a
 * tool name, a scope), and an unescaped `<!channel>` in one would page a whole channel. */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack mrkdwn, readable as plain text in any other chat tool. */
export function slackText(n: Notification, groupIntervalMs: number): string {
  return escapeSlack(plainText(n, groupIntervalMs));
}

function plainText(n: Notification, groupIntervalMs: number): string {
  const v = n.latest;
  const agent = v.agent ? `agent \`${v.agent}\`` : 'no agent';
  const head = `${EMOJI[n.severity]} *${n.severity.toUpperCase()}* ${v.class} alert — ${agent}`;
  const facts: string[] = [];
  if (n.maxScore !== undefined) facts.push(`${n.kind === 'summary' ? 'max score' : 'score'} ${shown(n.maxScore)}`);
  if (v.baseline !== undefined || v.observed !== undefined) facts.push(`baseline ${shown(v.baseline ?? '?')} → observed ${shown(v.observed ?? '?')}`);
  if (v.source) facts.push(`from ${v.source}`);
  const lines = [facts.length ? `${head} (${facts.join(', ')})` : head];
  if (n.kind === 'summary') {
    lines.push(`${n.count} more ${v.class} alert${n.count === 1 ? '' : 's'} for this agent in the last ${minutes(groupIntervalMs)} (${iso(n.firstTimeMs)} – ${iso(n.lastTimeMs)}); latest: ${v.message}`);
  } else {
    lines.push(v.message);
  }
  const ev = n.evidence[n.evidence.length - 1];
  lines.push(`at ${iso(n.lastTimeMs)}${ev ? ` · trace ${ev.trace_id} span ${ev.span_id}` : ''}`);
  return lines.join('\n');
}

function minutes(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** The JSON body: Slack's `text` plus plain fields for any other receiver (no Slack `blocks`). */
export function payload(n: Notification, groupIntervalMs: number): Record<string, unknown> {
  const v = n.latest;
  return {
    text: slackText(n, groupIntervalMs),
    kind: n.kind,
    severity: n.severity,
    class: v.class,
    agent: v.agent,
    score: n.maxScore ?? null,
    baseline: v.baseline ?? null,
    observed: v.observed ?? null,
    message: v.message,
    source: v.source,
    time: iso(n.lastTimeMs),
    count: n.count,
    first_time: iso(n.firstTimeMs),
    last_time: iso(n.lastTimeMs),
    evidence: n.evidence,
    attributes: v.attributes,
  };
}
