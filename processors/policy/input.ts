// What a decision is about, built from a proxy request (the guard role) or from a span's or log
// record's attributes (the pipeline role).
import type { GuardRequest } from '../../core/guard.ts';
import type { AnyValue, Attributes } from '../../core/signals/types.ts';
import { actionsOf, type PolicyInput } from './rules.ts';

/** The attributes the pipeline role reads (span or log record first, then its resource). */
export const ATTR = {
  agent: 'gen_ai.agent.id',
  roles: 'agentcol.agent.roles',
  customer: 'agentcol.customer',
  scopes: ['agentcol.data.scope', 'gen_ai.data_source.id'],
  model: ['gen_ai.request.model', 'gen_ai.response.model'],
  provider: ['gen_ai.provider.name', 'gen_ai.system'],
  tool: 'gen_ai.tool.name',
  operation: 'gen_ai.operation.name',
  action: 'agentcol.action',
} as const;

/** The proxy request as a policy input. The tools offered or called count as tool use; the
 * provider is known only when the model names it (`openai/gpt-4o`): guards run before routing. */
export function inputFromRequest(req: GuardRequest): PolicyInput {
  const tools = [...new Set(req.tools.filter(Boolean))];
  const slash = req.model.indexOf('/');
  const provider = req.provider || (slash > 0 ? req.model.slice(0, slash) : '');
  return {
    agent: req.agent.id,
    roles: req.agent.roles,
    customer: req.agent.customer,
    provider,
    model: req.model,
    tools,
    scopes: req.scopes,
    actions: actionsOf(req.operation, tools, req.metadata?.action ? list(req.metadata.action) : []),
  };
}

/** A list attribute: a string array, or one string with comma-separated values. */
function list(v: AnyValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => list(x));
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return [String(v)];
  return [];
}

function one(attrs: Attributes, res: Attributes, keys: string | readonly string[]): string {
  for (const k of typeof keys === 'string' ? [keys] : keys) {
    for (const a of [attrs, res]) {
      const v = a[k];
      if (typeof v === 'string' && v) return v;
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    }
  }
  return '';
}

function many(attrs: Attributes, res: Attributes, keys: string | readonly string[]): string[] {
  const out = new Set<string>();
  for (const k of typeof keys === 'string' ? [keys] : keys) for (const a of [attrs, res]) for (const v of list(a[k])) out.add(v);
  return [...out];
}

/** A span's or log record's attributes as a policy input; undefined when it is not about an agent
 * operation (no gen_ai.operation.name and no gen_ai.tool.name): such items are not evaluated. */
export function inputFromAttributes(attrs: Attributes, resource: Attributes): PolicyInput | undefined {
  const tool = one(attrs, resource, ATTR.tool);
  let operation = one(attrs, resource, ATTR.operation);
  if (!tool && !operation) return undefined;
  if (!operation) operation = 'execute_tool';
  const tools = tool ? [tool] : [];
  return {
    agent: one(attrs, resource, ATTR.agent),
    roles: many(attrs, resource, ATTR.roles),
    customer: one(attrs, resource, ATTR.customer),
    provider: one(attrs, resource, ATTR.provider),
    model: one(attrs, resource, ATTR.model),
    tools,
    scopes: many(attrs, resource, ATTR.scopes),
    actions: actionsOf(operation, tools, many(attrs, resource, ATTR.action)),
  };
}
