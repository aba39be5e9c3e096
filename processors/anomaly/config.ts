// The anomaly processor's config: schema (with the documented defaults) and its compiled form, a
// plain structured-cloneable object so the worker pool's lanes score with exactly the same numbers.
import { alertsPipelineOption } from '../../core/alerts.ts';
import type { JsonSchema } from '../../core/component.ts';
import { durationMs } from '../../core/config/units.ts';

export const SCOPE_KINDS = ['tool', 'model', 'provider', 'data_scope', 'destination'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
export const VOLUME_METRICS = ['requests', 'tokens', 'tool_calls'] as const;
export type VolumeMetric = (typeof VOLUME_METRICS)[number];

export interface AnomalyConfig {
  interval?: string | number;
  allowed_lateness?: string | number;
  warmup?: string | number;
  warmup_min_events?: number;
  alerts_pipeline?: string;
  workers?: boolean;
  shards?: number;
  volume?: Partial<{ enabled: boolean; ewma_alpha: number; hour_alpha: number; z_threshold: number; robust_z_threshold: number; min_ratio: number; min_intervals: number; window: number; min_value: Partial<Record<VolumeMetric, number>> }>;
  scope?: Partial<{ enabled: boolean; baseline_window: string | number; growth_window: string | number; weights: Partial<Record<ScopeKind, number>>; threshold: number; max_items: number }>;
  temporal?: Partial<{ enabled: boolean; min_days: number; min_weeks: number; max_active_fraction: number; min_events: number }>;
  escalation?: Partial<{ enabled: boolean; sensitive_tools: Record<string, number>; sensitive_scopes: Record<string, number>; ewma_alpha: number; min_rate: number; ratio: number; min_shift: number; threshold: number; min_events: number }>;
  coordination?: Partial<{ enabled: boolean; window: string | number; min_agents: number; rare_max_agents: number; kinds: ScopeKind[] }>;
  state?: { exporter?: string; interval?: string | number; namespace?: string };
}

/** Everything the scoring code reads; milliseconds for durations. Structured-cloneable. */
export interface CompiledAnomaly {
  readonly compiled: true;
  intervalMs: number;
  latenessMs: number;
  warmupMs: number;
  warmupMinEvents: number;
  alertsPipeline: string;
  workers: boolean;
  shards: number;
  volume: { enabled: boolean; alpha: number; hourAlpha: number; z: number; robustZ: number; minRatio: number; minIntervals: number; window: number; minValue: Record<VolumeMetric, number> };
  scope: { enabled: boolean; baselineWindowMs: number; growthWindowMs: number; weights: Record<ScopeKind, number>; threshold: number; maxItems: number };
  temporal: { enabled: boolean; minDays: number; minWeeks: number; maxActiveFraction: number; minEvents: number };
  escalation: { enabled: boolean; sensitiveTools: Record<string, number>; sensitiveScopes: Record<string, number>; alpha: number; minRate: number; ratio: number; minShift: number; threshold: number; minEvents: number; maxWeight: number };
  coordination: { enabled: boolean; windowMs: number; minAgents: number; rareMaxAgents: number; kinds: ScopeKind[] };
  state?: { exporter: string; intervalMs: number; namespace?: string };
}

export const DEFAULTS = {
  interval: '5m',
  allowed_lateness: '1m',
  warmup: '24h',
  warmup_min_events: 50,
  alerts_pipeline: 'logs',
  workers: true,
  shards: 1,
  volume: { enabled: true, ewma_alpha: 0.05, hour_alpha: 0.1, z_threshold: 4, robust_z_threshold: 5, min_ratio: 4, min_intervals: 12, window: 288, min_value: { requests: 10, tokens: 5000, tool_calls: 10 } },
  scope: { enabled: true, baseline_window: '7d', growth_window: '1h', weights: { tool: 0.5, model: 0.25, provider: 0.5, data_scope: 1, destination: 1 }, threshold: 1, max_items: 1000 },
  temporal: { enabled: true, min_days: 3, min_weeks: 2, max_active_fraction: 0.1, min_events: 3 },
  escalation: { enabled: true, ewma_alpha: 0.002, min_rate: 0.005, ratio: 3, min_shift: 0.05, threshold: 10, min_events: 200 },
  coordination: { enabled: true, window: '10m', min_agents: 3, rare_max_agents: 1, kinds: ['data_scope', 'destination'] as ScopeKind[] },
  state_interval: '1m',
};

const duration = (def: string, description: string): JsonSchema => ({ type: ['string', 'number'], format: 'duration', default: def, description });
const num = (def: number, description: string, min = 0): JsonSchema => ({ type: 'number', minimum: min, default: def, description });
const int = (def: number, description: string, min = 1): JsonSchema => ({ type: 'integer', minimum: min, default: def, description });
const enabled = (what: string): JsonSchema => ({ type: 'boolean', default: true, description: `Detect ${what}.` });
const weights = (description: string): JsonSchema => ({ type: 'object', additionalProperties: { type: 'number', minimum: 0 }, default: {}, description });

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Learns behavioural baselines per agent (volume, scope, operating hours, sensitive actions) on event time and raises agentcol.alert anomalies: volume, scope, temporal, escalation, coordination.',
  properties: {
    interval: duration(DEFAULTS.interval, 'Length of a volume / escalation interval (event time).'),
    allowed_lateness: duration(DEFAULTS.allowed_lateness, 'How late (event time, behind the newest event of the agent) an event may arrive and still count in its interval; at most interval.'),
    warmup: duration(DEFAULTS.warmup, 'Event time an agent must have been seen for before it can raise alerts (its baselines learn meanwhile).'),
    warmup_min_events: int(DEFAULTS.warmup_min_events, 'Events an agent must have sent before it can raise alerts.', 0),
    alerts_pipeline: alertsPipelineOption,
    workers: { type: 'boolean', default: DEFAULTS.workers, description: 'Score on the worker pool (core/workers), one agent on one lane; results equal the inline run (false).' },
    shards: int(DEFAULTS.shards, 'Pool lanes the agents are spread over (workers: true), at most the pool size. Each shard decodes every batch and scores its own agents: more shards use more cores for many agents, at the cost of one decode per shard.'),
    volume: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Requests, tokens and tool calls per interval against an EWMA mean/variance and a median/MAD of the agent\'s active intervals.',
      properties: {
        enabled: enabled('volume anomalies'),
        ewma_alpha: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: DEFAULTS.volume.ewma_alpha, description: 'Weight of the newest interval in the EWMA mean and variance.' },
        hour_alpha: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: DEFAULTS.volume.hour_alpha, description: 'Weight of the newest interval in the mean of its hour of day: busy hours get thresholds of their own (min_ratio times that mean).' },
        z_threshold: num(DEFAULTS.volume.z_threshold, 'Standard deviations above the EWMA mean.'),
        robust_z_threshold: num(DEFAULTS.volume.robust_z_threshold, 'Scaled MADs (1.4826 x MAD) above the median.'),
        min_ratio: num(DEFAULTS.volume.min_ratio, 'Observed must also be at least this multiple of the baseline (max of mean and median).'),
        min_intervals: int(DEFAULTS.volume.min_intervals, 'Active intervals of history before volume can alert.'),
        window: int(DEFAULTS.volume.window, 'Active intervals kept for the median / MAD.', 3),
        min_value: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Observed values below these never alert (noise floor per metric).',
          properties: {
            requests: num(DEFAULTS.volume.min_value.requests, 'Requests per interval.'),
            tokens: num(DEFAULTS.volume.min_value.tokens, 'Tokens (input + output) per interval.'),
            tool_calls: num(DEFAULTS.volume.min_value.tool_calls, 'Tool calls per interval.'),
          },
        },
      },
    },
    scope: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Tools, models, providers, data scopes and destinations the agent has not used in its baseline window.',
      properties: {
        enabled: enabled('scope anomalies'),
        baseline_window: duration(DEFAULTS.scope.baseline_window, 'An item unused for this long is new again.'),
        growth_window: duration(DEFAULTS.scope.growth_window, 'New items are summed (by weight) over windows of this length.'),
        weights: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Weight of one new item of each kind.',
          properties: Object.fromEntries(SCOPE_KINDS.map((k) => [k, num(DEFAULTS.scope.weights[k], `A new ${k.replace('_', ' ')}.`)])),
        },
        threshold: num(DEFAULTS.scope.threshold, 'Alert when the weights of new items within one growth window reach this.'),
        max_items: int(DEFAULTS.scope.max_items, 'Items remembered per agent (least recently used forgotten first).'),
      },
    },
    temporal: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Activity outside the agent\'s learned operating hours (hour-of-day and hour-of-week profiles, UTC).',
      properties: {
        enabled: enabled('temporal anomalies'),
        min_days: int(DEFAULTS.temporal.min_days, 'Days of history before the hour-of-day profile is used.'),
        min_weeks: int(DEFAULTS.temporal.min_weeks, 'Weeks of history before the hour-of-week profile is used.'),
        max_active_fraction: { type: 'number', minimum: 0, maximum: 1, default: DEFAULTS.temporal.max_active_fraction, description: 'An hour is outside the operating window when the agent was active in it on at most this fraction of past days (weeks).' },
        min_events: int(DEFAULTS.temporal.min_events, 'Events in the unusual hour before it alerts.'),
      },
    },
    escalation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Slow upward drift of privilege-sensitive actions: a one-sided CUSUM over the risk per interval.',
      properties: {
        enabled: enabled('escalation'),
        sensitive_tools: weights('Risk weight per tool name, e.g. {delete_user: 5, export_table: 3}.'),
        sensitive_scopes: weights('Risk weight per data scope, e.g. {finance: 3, pii: 5}.'),
        ewma_alpha: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: DEFAULTS.escalation.ewma_alpha, description: 'Weight of each event in the baseline rate of sensitive risk per event.' },
        min_rate: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: DEFAULTS.escalation.min_rate, description: 'Floor of the baseline rate (risk per event, in units of the largest weight), so one action of an agent that never had one does not alert.' },
        ratio: { type: 'number', minimum: 1, default: DEFAULTS.escalation.ratio, description: 'The drift looked for: a rate at least this multiple of the baseline...' },
        min_shift: { type: 'number', exclusiveMinimum: 0, maximum: 0.9, default: DEFAULTS.escalation.min_shift, description: '...and at least this much above it (risk per event, in units of the largest weight).' },
        threshold: num(DEFAULTS.escalation.threshold, 'CUSUM decision h: log-likelihood ratio (nats) of drift against baseline.'),
        min_events: int(DEFAULTS.escalation.min_events, 'Events of history before escalation can alert.'),
      },
    },
    coordination: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Several agents anomalous together, or several agents touching the same rare scope item together.',
      properties: {
        enabled: enabled('coordination'),
        window: duration(DEFAULTS.coordination.window, 'Event-time window in which findings / touches count as together.'),
        min_agents: int(DEFAULTS.coordination.min_agents, 'Distinct agents that make a coordination.', 2),
        rare_max_agents: int(DEFAULTS.coordination.rare_max_agents, 'An item is rare while at most this many agents used it before the window.', 0),
        kinds: { type: 'array', items: { type: 'string', enum: [...SCOPE_KINDS] }, default: DEFAULTS.coordination.kinds, description: 'Item kinds whose joint first use by several agents counts.' },
      },
    },
    state: {
      type: 'object',
      additionalProperties: false,
      required: ['exporter'],
      description: 'Persist baselines in an exporter\'s state store (postgres) and reload them at start.',
      properties: {
        exporter: { type: 'string', minLength: 1, description: 'Exporter id that provides a state store, e.g. postgres.' },
        interval: duration(DEFAULTS.state_interval, 'How often baselines are saved (also at shutdown).'),
        namespace: { type: 'string', minLength: 1, description: 'Key namespace in the store; default anomaly/<processor id>.' },
      },
    },
  },
};

export function isCompiled(c: unknown): c is CompiledAnomaly {
  return typeof c === 'object' && c !== null && (c as { compiled?: unknown }).compiled === true;
}

function nonNegativeWeights(where: string, w: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(w ?? {})) {
    if (typeof v !== 'number' || !(v >= 0)) throw new Error(`${where}.${k}: risk weight must be a number >= 0, got ${JSON.stringify(v)}`);
    if (k !== '__proto__') out[k] = v;
  }
  return out;
}

/** Applies defaults and checks what the schema cannot; throws with how to fix it. */
export function compileConfig(raw: unknown): CompiledAnomaly {
  if (isCompiled(raw)) return raw;
  const c = (raw ?? {}) as AnomalyConfig;
  if (typeof c !== 'object' || Array.isArray(c)) throw new Error('expected a map of anomaly options, e.g. anomaly: {}');
  const D = DEFAULTS;
  const intervalMs = durationMs(c.interval ?? D.interval);
  const latenessMs = durationMs(c.allowed_lateness ?? D.allowed_lateness);
  if (!(intervalMs >= 1000)) throw new Error(`interval must be at least 1s, got ${JSON.stringify(c.interval)}`);
  if (latenessMs > intervalMs) throw new Error(`allowed_lateness (${c.allowed_lateness}) must not exceed interval (${c.interval ?? D.interval}); raise interval or lower allowed_lateness`);
  const v = c.volume ?? {};
  const s = c.scope ?? {};
  const t = c.temporal ?? {};
  const e = c.escalation ?? {};
  const k = c.coordination ?? {};
  const growthWindowMs = durationMs(s.growth_window ?? D.scope.growth_window);
  const windowMs = durationMs(k.window ?? D.coordination.window);
  if (!(growthWindowMs > 0)) throw new Error('scope.growth_window must be longer than 0');
  if (!(windowMs > 0)) throw new Error('coordination.window must be longer than 0');
  const sensitiveTools = nonNegativeWeights('escalation.sensitive_tools', e.sensitive_tools);
  const sensitiveScopes = nonNegativeWeights('escalation.sensitive_scopes', e.sensitive_scopes);
  let state: CompiledAnomaly['state'];
  if (c.state) {
    if (!c.state.exporter) throw new Error('state.exporter is required: the id of an exporter with a state store, e.g. state: {exporter: postgres}');
    const iv = durationMs(c.state.interval ?? D.state_interval);
    if (!(iv >= 1000)) throw new Error(`state.interval must be at least 1s, got ${JSON.stringify(c.state.interval)}`);
    state = { exporter: c.state.exporter, intervalMs: iv, namespace: c.state.namespace };
  }
  return {
    compiled: true,
    intervalMs,
    latenessMs,
    warmupMs: durationMs(c.warmup ?? D.warmup),
    warmupMinEvents: c.warmup_min_events ?? D.warmup_min_events,
    alertsPipeline: c.alerts_pipeline ?? D.alerts_pipeline,
    workers: c.workers ?? D.workers,
    shards: c.shards ?? D.shards,
    volume: {
      enabled: v.enabled ?? true,
      alpha: v.ewma_alpha ?? D.volume.ewma_alpha,
      hourAlpha: v.hour_alpha ?? D.volume.hour_alpha,
      z: v.z_threshold ?? D.volume.z_threshold,
      robustZ: v.robust_z_threshold ?? D.volume.robust_z_threshold,
      minRatio: v.min_ratio ?? D.volume.min_ratio,
      minIntervals: v.min_intervals ?? D.volume.min_intervals,
      window: v.window ?? D.volume.window,
      minValue: { ...D.volume.min_value, ...v.min_value },
    },
    scope: {
      enabled: s.enabled ?? true,
      baselineWindowMs: durationMs(s.baseline_window ?? D.scope.baseline_window),
      growthWindowMs,
      weights: { ...D.scope.weights, ...s.weights },
      threshold: s.threshold ?? D.scope.threshold,
      maxItems: s.max_items ?? D.scope.max_items,
    },
    temporal: {
      enabled: t.enabled ?? true,
      minDays: t.min_days ?? D.temporal.min_days,
      minWeeks: t.min_weeks ?? D.temporal.min_weeks,
      maxActiveFraction: t.max_active_fraction ?? D.temporal.max_active_fraction,
      minEvents: t.min_events ?? D.temporal.min_events,
    },
    escalation: {
      enabled: e.enabled ?? true,
      sensitiveTools,
      sensitiveScopes,
      alpha: e.ewma_alpha ?? D.escalation.ewma_alpha,
      minRate: e.min_rate ?? D.escalation.min_rate,
      ratio: e.ratio ?? D.escalation.ratio,
      minShift: e.min_shift ?? D.escalation.min_shift,
      threshold: e.threshold ?? D.escalation.threshold,
      minEvents: e.min_events ?? D.escalation.min_events,
      maxWeight: Math.max(0, ...Object.values(sensitiveTools), ...Object.values(sensitiveScopes)),
    },
    coordination: {
      enabled: k.enabled ?? true,
      windowMs,
      minAgents: k.min_agents ?? D.coordination.min_agents,
      rareMaxAgents: k.rare_max_agents ?? D.coordination.rare_max_agents,
      kinds: [...(k.kinds ?? D.coordination.kinds)],
    },
    state,
  };
}
