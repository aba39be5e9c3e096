// The policy language: rules, their compiled form, and evaluate() — pure and synchronous.
//
// A rule matches an input when every match field it sets matches (AND between fields) and its
// `unless` block, if any, does not match. A field matches when any of the input's values for it
// matches any of the rule's patterns (OR within a list). Deny wins over allow; with no rule
// matching, the policy's default decides.
import type { JsonSchema } from '../../core/config/schema-types.ts';
import { compileLowerGlob, type Matcher } from './glob.ts';

export const MATCH_FIELDS = ['agents', 'roles', 'customers', 'providers', 'models', 'tools', 'scopes', 'actions'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];
export const EFFECTS = ['allow', 'deny'] as const;
export type Effect = (typeof EFFECTS)[number];

/** What a decision is about: one proxy request or one span / log record. */
export interface PolicyInput {
  agent: string;
  roles: readonly string[];
  customer: string;
  provider: string;
  model: string;
  tools: readonly string[];
  scopes: readonly string[];
  /** The operation (chat, embeddings, execute_tool...), the words of each tool name, and explicit actions. */
  actions: readonly string[];
}

export interface Decision {
  effect: Effect;
  /** The deciding rule's name, or 'default'. */
  rule: string;
  reason: string;
  /** Every rule that matched, in policy order (deny and allow alike). */
  matched: string[];
  /** For the deciding rule: which input value matched each of its fields (field -> value). */
  evidence: Partial<Record<MatchField, string>>;
}

export type MatchSpec = Partial<Record<MatchField, string | string[]>>;

export interface RuleSpec extends MatchSpec {
  name: string;
  effect: Effect;
  reason?: string;
  unless?: MatchSpec;
}

export interface PolicySpec {
  default?: Effect;
  rules?: RuleSpec[];
}

interface FieldMatcher {
  field: MatchField;
  patterns: string[];
  matchers: Matcher[];
}

export interface CompiledRule {
  name: string;
  effect: Effect;
  reason: string;
  match: FieldMatcher[];
  unless: FieldMatcher[];
}

export interface Policy {
  readonly default: Effect;
  readonly rules: readonly CompiledRule[];
}

const patternList: JsonSchema = {
  type: ['array', 'string'],
  items: { type: 'string', minLength: 1 },
  description: 'A value or a list of values (OR); `*` and `?` are wildcards; case-insensitive.',
};

const FIELD_DOCS: Record<MatchField, string> = {
  agents: 'Agent ids (gen_ai.agent.id).',
  roles: "The agent's roles (any of them).",
  customers: "The agent's customer.",
  providers: 'Providers (gen_ai.provider.name).',
  models: 'Models (gen_ai.request.model, or the model the agent asked the proxy for).',
  tools: 'Tool names (gen_ai.tool.name; on the proxy, tools offered or called).',
  scopes: 'Data-scope tags (x-agentcol-scope, agentcol.data.scope, gen_ai.data_source.id).',
  actions: 'Actions: the operation (chat, embeddings, execute_tool...), words of tool names (write in prod_db_write), agentcol.action.',
};

export const matchSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(MATCH_FIELDS.map((f) => [f, { ...patternList, description: FIELD_DOCS[f] }])),
};

export const ruleSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'effect'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'Rule name: shown in 403s, span attributes, alerts and metrics.' },
    effect: { type: 'string', enum: [...EFFECTS], description: 'allow or deny; deny wins.' },
    reason: { type: 'string', description: 'Why, for people: returned with a 403 and recorded on flagged spans.' },
    ...matchSchema.properties,
    unless: { ...matchSchema, description: 'The rule does not apply when every field of this block matches.' },
  },
};

export const rulesSchema: JsonSchema = { type: 'array', items: ruleSchema, description: 'The rules, in order (the first matching deny rule, else the first matching allow rule, decides).' };
export const effectSchema: JsonSchema = { type: 'string', enum: [...EFFECTS], description: 'The effect when no rule matches.' };

/** A semantic problem in a policy, with the key path (under the policy document) it is about. */
export interface PolicyProblem {
  path: Array<string | number>;
  message: string;
}

export class PolicyError extends Error {
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map((p) => `${fmt(p.path)}: ${p.message}`).join('; '));
    this.name = 'PolicyError';
  }
}

function fmt(p: Array<string | number>): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : (i ? '.' : '') + s)).join('');
}

function compileMatch(spec: MatchSpec | undefined, path: Array<string | number>, problems: PolicyProblem[]): FieldMatcher[] {
  const out: FieldMatcher[] = [];
  if (!spec) return out;
  for (const field of MATCH_FIELDS) {
    const v = spec[field];
    if (v === undefined) continue;
    const patterns = (Array.isArray(v) ? v : [v]).map(String);
    if (patterns.length === 0) {
      problems.push({ path: [...path, field], message: `${field} is an empty list, so the rule could never match; list values or remove ${field}` });
      continue;
    }
    if (patterns.some((p) => p === '')) {
      problems.push({ path: [...path, field], message: `${field} has an empty value; use "*" for any value` });
      continue;
    }
    out.push({ field, patterns, matchers: patterns.map(compileLowerGlob) });
  }
  return out;
}

/** Checks and compiles a policy (already shaped by the schema); throws PolicyError listing every problem. */
export function compilePolicy(spec: PolicySpec, defaultEffect: Effect = 'allow'): Policy {
  const problems: PolicyProblem[] = [];
  const rules: CompiledRule[] = [];
  const names = new Map<string, number>();
  (spec.rules ?? []).forEach((r, i) => {
    const path = ['rules', i];
    if (typeof r !== 'object' || r === null) return problems.push({ path, message: 'expected a rule: {name, effect, reason, and match fields}' });
    if (!r.name) return problems.push({ path, message: 'a rule needs a name' });
    const first = names.get(r.name);
    if (first !== undefined) problems.push({ path: [...path, 'name'], message: `rule name "${r.name}" is used twice (first at rules[${first}]); names must be unique` });
    else names.set(r.name, i);
    if (!(EFFECTS as readonly string[]).includes(r.effect)) problems.push({ path: [...path, 'effect'], message: `rule "${r.name}": effect must be allow or deny, got ${JSON.stringify(r.effect)}` });
    const match = compileMatch(r, path, problems);
    const unless = compileMatch(r.unless, [...path, 'unless'], problems);
    if (match.length === 0 && !Object.keys(r).some((k) => (MATCH_FIELDS as readonly string[]).includes(k))) {
      problems.push({
        path,
        message: `rule "${r.name}" has no match fields, so it would match everything; add one of ${MATCH_FIELDS.join(', ')}` + ` (for a catch-all use default: ${r.effect === 'deny' ? 'deny' : 'allow'})`,
      });
    }
    if (r.unless !== undefined && unless.length === 0 && Object.keys(r.unless).length === 0) problems.push({ path: [...path, 'unless'], message: `rule "${r.name}": unless is empty; add match fields or remove it` });
    rules.push({ name: r.name, effect: r.effect, reason: r.reason?.trim() || `${r.effect === 'deny' ? 'denied' : 'allowed'} by policy rule "${r.name}"`, match, unless });
  });
  const def = spec.default ?? defaultEffect;
  if (!(EFFECTS as readonly string[]).includes(def)) problems.push({ path: ['default'], message: `default must be allow or deny, got ${JSON.stringify(def)}` });
  if (problems.length) throw new PolicyError(problems);
  return { default: def, rules };
}

/** The input's values per field, each as [original, lower-cased]; empty values left out. */
type Values = Record<MatchField, Array<[string, string]>>;

function valuesOf(input: PolicyInput): Values {
  const pairs = (vs: readonly string[]) => {
    const out: Array<[string, string]> = [];
    for (const v of vs) if (v) out.push([v, v.toLowerCase()]);
    return out;
  };
  return {
    agents: pairs([input.agent]),
    roles: pairs(input.roles),
    customers: pairs([input.customer]),
    providers: pairs([input.provider]),
    models: pairs([input.model]),
    tools: pairs(input.tools),
    scopes: pairs(input.scopes),
    actions: pairs(input.actions),
  };
}

/** The first input value of the field that matches one of the patterns, or undefined. */
function fieldMatch(values: Values, fm: FieldMatcher): string | undefined {
  for (const [orig, lower] of values[fm.field]) for (const m of fm.matchers) if (m(lower)) return orig;
  return undefined;
}

/** field -> matched value when every field matches, else undefined. */
function allMatch(values: Values, fields: readonly FieldMatcher[]): Partial<Record<MatchField, string>> | undefined {
  const evidence: Partial<Record<MatchField, string>> = {};
  for (const fm of fields) {
    const v = fieldMatch(values, fm);
    if (v === undefined) return undefined;
    evidence[fm.field] = v;
  }
  return evidence;
}

/** Decides, and says why. Pure: the same policy and input always give the same decision. */
export function evaluate(policy: Policy, input: PolicyInput): Decision {
  const values = valuesOf(input);
  const matched: string[] = [];
  let deny: { rule: CompiledRule; evidence: Partial<Record<MatchField, string>> } | undefined;
  let allow: typeof deny;
  for (const rule of policy.rules) {
    const evidence = allMatch(values, rule.match);
    if (!evidence) continue;
    if (rule.unless.length > 0 && allMatch(values, rule.unless)) continue;
    matched.push(rule.name);
    if (rule.effect === 'deny') deny ??= { rule, evidence };
    else allow ??= { rule, evidence };
  }
  const win = deny ?? allow;
  if (win) return { effect: win.rule.effect, rule: win.rule.name, reason: win.rule.reason, matched, evidence: win.evidence };
  return { effect: policy.default, rule: 'default', reason: `no rule matched; the policy default is ${policy.default}`, matched, evidence: {} };
}

/** The words of a tool name, lower-cased: prod_db_write -> prod, db, write; deleteCustomer -> delete, customer. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** The actions of an input: the operation, explicit actions, and the words of every tool name. */
export function actionsOf(operation: string, tools: readonly string[], explicit: readonly string[] = []): string[] {
  const out = new Set<string>();
  if (operation) out.add(operation);
  for (const a of explicit) if (a) out.add(a);
  for (const t of tools) for (const w of words(t)) out.add(w);
  return [...out];
}
