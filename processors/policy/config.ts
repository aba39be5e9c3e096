// The policy processor's config: schema (with defaults), its compiled form, and the policy file
// loader (the same rule schema, with errors at FILE:LINE:COL).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alertsPipelineOption } from '../../core/alerts.ts';
import type { JsonSchema } from '../../core/component.ts';
import { checkValue } from '../../core/config/check.ts';
import { formatIssue, type ConfigIssue } from '../../core/config/issues.ts';
import { parseConfigText } from '../../core/config/source.ts';
import { durationMs } from '../../core/config/units.ts';
import { compilePolicy, effectSchema, PolicyError, rulesSchema, type Effect, type Policy, type PolicySpec } from './rules.ts';

export interface PolicyConfig {
  rules?: PolicySpec['rules'];
  file?: string;
  default?: Effect;
  alerts_pipeline?: string;
  watch_interval?: string | number;
}

export interface CompiledPolicyConfig {
  readonly compiled: true;
  /** Absolute path of the policy file (file mode), else undefined (rules in the config). */
  file?: string;
  /** The policy as loaded now (file mode: at config time; the running processor re-reads it). */
  policy: Policy;
  /** The config's default, used when the file does not set one. */
  defaultEffect: Effect;
  alertsPipeline: string;
  watchIntervalMs: number;
}

export const DEFAULTS = { default: 'allow' as Effect, alerts_pipeline: 'logs', watch_interval: '1s' };

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Allow/deny rules on agents, roles, customers, providers, models, tools, data scopes and actions: blocks denied proxy requests (403) and flags violating spans with an alert.',
  properties: {
    rules: rulesSchema,
    file: { type: 'string', minLength: 1, description: 'A YAML policy file ({default, rules}) instead of rules; relative to the working directory; re-read on SIGHUP and when it changes.' },
    default: { ...effectSchema, description: 'The effect when no rule matches (allow unless set; a policy file may set its own).' },
    alerts_pipeline: alertsPipelineOption,
    watch_interval: { type: ['string', 'number'], format: 'duration', default: DEFAULTS.watch_interval, description: 'How often the policy file is checked for changes.' },
  },
};

const fileSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: { default: effectSchema, rules: rulesSchema },
};

export function isCompiled(c: unknown): c is CompiledPolicyConfig {
  return typeof c === 'object' && c !== null && (c as { compiled?: unknown }).compiled === true;
}

/** Validates what the schema cannot say and compiles; throws with a message that says how to fix it. */
export function compileConfig(raw: unknown): CompiledPolicyConfig {
  if (isCompiled(raw)) return raw;
  const c = (raw ?? {}) as PolicyConfig;
  if (typeof c !== 'object' || Array.isArray(c)) throw new Error('expected a map of policy options, e.g. policy: { default: allow, rules: [...] }');
  if (c.rules !== undefined && c.file !== undefined) throw new Error('set either rules (in the config) or file (a policy file), not both');
  if (c.rules === undefined && c.file === undefined) throw new Error('no rules: add rules: [{name, effect, reason, roles/tools/scopes...}] or file: policies.yaml');
  const defaultEffect = c.default ?? DEFAULTS.default;
  const watchIntervalMs = durationMs(c.watch_interval ?? DEFAULTS.watch_interval);
  const alertsPipeline = c.alerts_pipeline ?? DEFAULTS.alerts_pipeline;
  if (c.file !== undefined) {
    const file = path.resolve(c.file);
    return { compiled: true, file, policy: loadPolicyFile(file, defaultEffect), defaultEffect, alertsPipeline, watchIntervalMs };
  }
  let policy: Policy;
  try {
    policy = compilePolicy({ default: defaultEffect, rules: c.rules }, defaultEffect);
  } catch (err) {
    if (err instanceof PolicyError) throw new Error(err.problems.map((p) => `${fmtPath(p.path)}: ${p.message}`).join('; '));
    throw err;
  }
  return { compiled: true, policy, defaultEffect, alertsPipeline, watchIntervalMs };
}

function fmtPath(p: Array<string | number>): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : (i ? '.' : '') + s)).join('');
}

/** Reads, validates and compiles a policy file. Throws an Error whose message lists every problem
 * as FILE:LINE:COL: key.path: message (the file as the user would type it). */
export function loadPolicyFile(file: string, defaultEffect: Effect = DEFAULTS.default): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`policy file ${file}: cannot read it: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
  }
  return parsePolicyText(text, file, defaultEffect);
}

/** As loadPolicyFile, for text that says it came from `file`. */
export function parsePolicyText(text: string, file: string, defaultEffect: Effect = DEFAULTS.default): Policy {
  const issues: ConfigIssue[] = [];
  const fail = (): never => {
    const errors = issues.filter((i) => i.severity === 'error');
    throw new Error(`invalid policy file (${errors.length} error${errors.length === 1 ? '' : 's'}): ` + errors.map((i) => formatIssue(i)).join('; '));
  };
  const source = parseConfigText(text, file, issues);
  if (!source) fail();
  const locate = () => {
    for (const i of issues) i.pos ??= source!.locations.find(i.path, i.at ?? 'value') ?? { file, line: 1, col: 1 };
  };
  if (source!.value === null || source!.value === undefined) {
    issues.push({ severity: 'error', path: [], pos: { file, line: 1, col: 1 }, message: 'the policy file is empty; write default: and rules: [...]' });
    fail();
  }
  const value = checkValue(source!.value, fileSchema, [], { issues }) as PolicySpec;
  if (issues.some((i) => i.severity === 'error')) {
    locate();
    fail();
  }
  try {
    return compilePolicy(value, defaultEffect);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    for (const p of err.problems) issues.push({ severity: 'error', path: p.path, message: p.message });
    locate();
    return fail();
  }
}
