// The policy processor: evaluate() (pure, explainable), its config and policy-file errors, the
// guard role and the pipeline role (flagged spans, policy_violation alerts, metrics).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlertRecord } from '../../core/alerts.ts';
import type { Consumer, GuardRequest, Host, Signal } from '../../core/component.ts';
import { checkValue } from '../../core/config/check.ts';
import { componentSchema } from '../../core/config/component-schema.ts';
import type { ConfigIssue } from '../../core/config/issues.ts';
import type { LogsBatch, Span, TracesBatch } from '../../core/signals/types.ts';
import { createLogger, silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { compileConfig, loadPolicyFile, parsePolicyText } from '../../processors/policy/config.ts';
import factory from '../../processors/policy/factory.ts';
import { compileGlob } from '../../processors/policy/glob.ts';
import { inputFromAttributes, inputFromRequest } from '../../processors/policy/input.ts';
import { PolicyProcessor } from '../../processors/policy/processor.ts';
import { actionsOf, compilePolicy, evaluate, words, type PolicyInput, type PolicySpec } from '../../processors/policy/rules.ts';
import { REPO } from '../helpers/agentcol-process.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import otlp from '../../receivers/otlp/factory.ts';
import debug from '../../exporters/debug/factory.ts';

const builtins = [otlp, debug];

const input = (o: Partial<PolicyInput> = {}): PolicyInput => ({ agent: 'bot', roles: [], customer: '', provider: '', model: '', tools: [], scopes: [], actions: [], ...o });
const policy = (spec: PolicySpec) => compilePolicy(spec);
const EXAMPLES = path.join(REPO, 'test/fixtures/policy-examples.yaml');

const tmp = mkdtempSync(path.join(tmpdir(), 'policy-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Validates like core/config does (schema, defaults), then normalizes; errors as "path: message". */
function configure(raw: unknown) {
  const issues: ConfigIssue[] = [];
  const v = checkValue(raw, componentSchema(factory), ['processors', 'policy'], { issues });
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('\n'));
  return factory.normalize!(v);
}

describe('glob', () => {
  it('matches * and ?, case-insensitively, literal otherwise', () => {
    expect(compileGlob('prod_*')('prod_db_write')).toBe(true);
    expect(compileGlob('prod_*')('PROD_x')).toBe(true);
    expect(compileGlob('prod_*')('staging_prod_x')).toBe(false);
    expect(compileGlob('*_write')('prod_db_write')).toBe(true);
    expect(compileGlob('*db*')('prod_db_write')).toBe(true);
    expect(compileGlob('gpt-4?')('gpt-4o')).toBe(true);
    expect(compileGlob('gpt-4?')('gpt-4o-mini')).toBe(false);
    expect(compileGlob('finance.*')('finance.payroll')).toBe(true);
    expect(compileGlob('finance.*')('financeXpayroll')).toBe(false);
    expect(compileGlob('a.b')('aXb')).toBe(false);
    expect(compileGlob('*')('')).toBe(true);
    expect(compileGlob('x')('')).toBe(false);
  });

  it('takes linear-ish time on adversarial patterns', () => {
    const m = compileGlob('*a*a*a*a*a*a*a*a*b');
    const t0 = performance.now();
    expect(m('a'.repeat(20000))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('evaluate', () => {
  const examples = loadPolicyFile(EXAMPLES);

  it('a marketing agent cannot access financial data', () => {
    const d = evaluate(examples, input({ agent: 'campaigns', roles: ['marketing'], scopes: ['finance.payroll'], actions: ['chat'] }));
    expect(d).toEqual({
      effect: 'deny',
      rule: 'marketing-no-finance',
      reason: 'marketing agents cannot access financial data',
      matched: ['marketing-no-finance'],
      evidence: { roles: 'marketing', scopes: 'finance.payroll' },
    });
    expect(evaluate(examples, input({ roles: ['marketing'], scopes: ['brand'] })).effect).toBe('allow');
    expect(evaluate(examples, input({ roles: ['finance'], scopes: ['finance'] })).effect).toBe('allow');
  });

  it('an HR agent cannot modify production systems (prod_* tools, or writes to the production scope)', () => {
    const tool = evaluate(examples, input({ roles: ['hr'], tools: ['prod_db_write'], actions: actionsOf('execute_tool', ['prod_db_write']) }));
    expect(tool).toMatchObject({ effect: 'deny', rule: 'hr-no-prod-tools', matched: ['hr-no-prod-tools'] });
    const write = evaluate(examples, input({ roles: ['hr'], scopes: ['production'], tools: ['update_employee'], actions: actionsOf('execute_tool', ['update_employee']) }));
    expect(write).toMatchObject({ effect: 'deny', rule: 'hr-no-prod-writes', evidence: { roles: 'hr', scopes: 'production', actions: 'update' } });
    const read = evaluate(examples, input({ roles: ['hr'], scopes: ['production'], tools: ['get_employee'], actions: actionsOf('execute_tool', ['get_employee']) }));
    expect(read).toMatchObject({ effect: 'allow', rule: 'default', matched: [] });
    expect(evaluate(examples, input({ roles: ['sre'], tools: ['prod_db_write'] })).effect).toBe('allow');
  });

  it('deny wins over allow, whatever the order; the first matching rule of the winning effect decides', () => {
    const p = policy({
      default: 'deny',
      rules: [
        { name: 'support-may-chat', effect: 'allow', roles: ['support'] },
        { name: 'no-gpt4', effect: 'deny', models: ['gpt-4*'], reason: 'too expensive' },
        { name: 'no-gpt4o', effect: 'deny', models: ['gpt-4o'] },
      ],
    });
    expect(evaluate(p, input({ roles: ['support'], model: 'gpt-4o' }))).toMatchObject({ effect: 'deny', rule: 'no-gpt4', reason: 'too expensive', matched: ['support-may-chat', 'no-gpt4', 'no-gpt4o'] });
    expect(evaluate(p, input({ roles: ['support'], model: 'gpt-3.5' }))).toMatchObject({ effect: 'allow', rule: 'support-may-chat', reason: 'allowed by policy rule "support-may-chat"' });
  });

  it('the default decides when nothing matches', () => {
    const rules = [{ name: 'ops', effect: 'allow' as const, roles: ['ops'] }];
    expect(evaluate(policy({ default: 'deny', rules }), input({ roles: ['dev'] }))).toEqual({ effect: 'deny', rule: 'default', reason: 'no rule matched; the policy default is deny', matched: [], evidence: {} });
    expect(evaluate(policy({ rules }), input()).effect).toBe('allow');
    expect(evaluate(policy({ default: 'deny', rules: [] }), input()).effect).toBe('deny');
  });

  it('AND between fields, OR within a list, any of the input values', () => {
    const p = policy({ rules: [{ name: 'r', effect: 'deny', roles: ['a', 'b'], customers: 'acme' }] });
    expect(evaluate(p, input({ roles: ['x', 'b'], customer: 'acme' })).effect).toBe('deny');
    expect(evaluate(p, input({ roles: ['b'], customer: 'globex' })).effect).toBe('allow');
    expect(evaluate(p, input({ roles: ['x'], customer: 'acme' })).effect).toBe('allow');
  });

  it('a field the rule sets never matches an input without values for it', () => {
    const p = policy({ rules: [{ name: 'r', effect: 'deny', tools: ['*'] }, { name: 's', effect: 'deny', providers: '*' }] });
    expect(evaluate(p, input({ tools: [] })).effect).toBe('allow');
    expect(evaluate(p, input({ tools: ['anything'] })).rule).toBe('r');
    expect(evaluate(p, input({ provider: '' })).effect).toBe('allow');
    expect(evaluate(p, input({ provider: 'openai' })).rule).toBe('s');
  });

  it('unless: the rule does not apply when every field of the block matches', () => {
    const p = policy({ rules: [{ name: 'only-mini', effect: 'deny', models: '*', reason: 'use gpt-4o-mini', unless: { models: ['gpt-4o-mini', 'gpt-4.1-mini'] } }] });
    expect(evaluate(p, input({ model: 'gpt-4o' })).rule).toBe('only-mini');
    expect(evaluate(p, input({ model: 'gpt-4o-mini' })).effect).toBe('allow');
    const q = policy({ rules: [{ name: 'no-prod', effect: 'deny', tools: 'prod_*', unless: { roles: 'sre', customers: 'internal' } }] });
    expect(evaluate(q, input({ tools: ['prod_x'], roles: ['sre'], customer: 'internal' })).effect).toBe('allow');
    expect(evaluate(q, input({ tools: ['prod_x'], roles: ['sre'], customer: 'acme' })).effect).toBe('deny');
  });

  it('matches agents, customers, providers and models case-insensitively', () => {
    const p = policy({ rules: [{ name: 'r', effect: 'deny', agents: 'Bot-*', providers: 'OpenAI', models: 'GPT-4o' }] });
    expect(evaluate(p, input({ agent: 'bot-7', provider: 'openai', model: 'gpt-4o' })).effect).toBe('deny');
  });

  it('is pure: the same input gives the same decision, and the input is not changed', () => {
    const i = input({ roles: ['hr'], tools: ['prod_db_write'] });
    const copy = structuredClone(i);
    expect(evaluate(examples, i)).toEqual(evaluate(examples, i));
    expect(i).toEqual(copy);
  });

  it('stays cheap on the proxy hot path: 200 rules, 20k decisions well under a second', () => {
    const rules = Array.from({ length: 200 }, (_, i) => ({ name: `r${i}`, effect: (i % 2 ? 'allow' : 'deny') as 'allow' | 'deny', roles: [`role-${i}`, `team-${i}-*`], tools: [`tool_${i}_*`], scopes: ['*'] }));
    const p = policy({ default: 'allow', rules });
    const inputs = Array.from({ length: 20_000 }, (_, i) => input({ roles: [`role-${i % 400}`], tools: [`tool_${i % 300}_write`, 'lookup'], scopes: ['s'], actions: ['chat'] }));
    const t0 = performance.now();
    let denied = 0;
    for (const i of inputs) if (evaluate(p, i).effect === 'deny') denied++;
    const ms = performance.now() - t0;
    expect(denied).toBeGreaterThan(0);
    expect(ms).toBeLessThan(1000); // ~50 µs per decision at most; typically a few µs
  });

  it('actions: the operation, explicit actions and the words of tool names', () => {
    expect(words('prod_db_write')).toEqual(['prod', 'db', 'write']);
    expect(words('deleteCustomerRecord')).toEqual(['delete', 'customer', 'record']);
    expect(words('crm.update-contact')).toEqual(['crm', 'update', 'contact']);
    expect(actionsOf('execute_tool', ['prod_db_write'], ['approve'])).toEqual(['execute_tool', 'approve', 'prod', 'db', 'write']);
  });
});

describe('inputs', () => {
  const req: GuardRequest = {
    agent: { id: 'campaigns', customer: 'acme', roles: ['marketing'] },
    operation: 'chat',
    model: 'openai/gpt-4o',
    provider: '',
    messages: [],
    tools: ['crm_update_contact'],
    scopes: ['finance'],
    metadata: {},
  };

  it('from a proxy request: tools offered count as tool use; provider from a provider/model name', () => {
    expect(inputFromRequest(req)).toEqual({
      agent: 'campaigns',
      roles: ['marketing'],
      customer: 'acme',
      provider: 'openai',
      model: 'openai/gpt-4o',
      tools: ['crm_update_contact'],
      scopes: ['finance'],
      actions: ['chat', 'crm', 'update', 'contact'],
    });
  });

  it('from attributes: span first, then resource; lists as arrays or comma-separated', () => {
    const i = inputFromAttributes(
      { 'gen_ai.tool.name': 'prod_db_write', 'agentcol.data.scope': 'production, pii', 'gen_ai.data_source.id': 'warehouse', 'gen_ai.system': 'openai' },
      { 'gen_ai.agent.id': 'hr-bot', 'agentcol.agent.roles': ['hr', 'people'], 'agentcol.customer': 'acme', 'gen_ai.request.model': 'gpt-4o' },
    );
    expect(i).toEqual({
      agent: 'hr-bot',
      roles: ['hr', 'people'],
      customer: 'acme',
      provider: 'openai',
      model: 'gpt-4o',
      tools: ['prod_db_write'],
      scopes: ['production', 'pii', 'warehouse'],
      actions: ['execute_tool', 'prod', 'db', 'write'],
    });
    expect(inputFromAttributes({ 'http.method': 'GET' }, {})).toBeUndefined();
    expect(inputFromAttributes({ 'gen_ai.operation.name': 'chat', 'agentcol.action': ['export'] }, {})!.actions).toEqual(['chat', 'export']);
  });
});

describe('config errors', () => {
  const rule = { name: 'r', effect: 'deny', roles: ['x'] };

  it('unknown keys, with a suggestion', () => {
    expect(() => configure({ rules: [{ ...rule, role: ['hr'] }] })).toThrow(/processors\.policy\.rules\.0\.role: unknown key "role" — did you mean "roles"\?/);
    expect(() => configure({ rules: [rule], defualt: 'deny' })).toThrow(/unknown key "defualt" — did you mean "default"\?/);
    expect(() => configure({ rules: [{ ...rule, unless: { tool: 'x' } }] })).toThrow(/rules\.0\.unless\.tool: unknown key "tool" — did you mean "tools"\?/);
  });

  it('a bad effect or default', () => {
    expect(() => configure({ rules: [{ ...rule, effect: 'deni' }] })).toThrow(/rules\.0\.effect: must be one of "allow", "deny", got string "deni" — did you mean "deny"\?/);
    expect(() => configure({ rules: [rule], default: 'block' })).toThrow(/policy\.default: must be one of "allow", "deny"/);
    expect(() => configure({ rules: [{ name: 'r', roles: ['x'] }] })).toThrow(/missing required key "effect"/);
  });

  it('an empty rule, an empty list, duplicate names, no rules at all, both rules and file', () => {
    expect(() => configure({ rules: [{ name: 'everything', effect: 'deny' }] })).toThrow(/rules\[0\]: rule "everything" has no match fields, so it would match everything; add one of agents, roles.*use default: deny/);
    expect(() => configure({ rules: [{ name: 'r', effect: 'deny', roles: [] }] })).toThrow(/rules\[0\]\.roles: roles is an empty list/);
    expect(() => configure({ rules: [rule, rule] })).toThrow(/rules\[1\]\.name: rule name "r" is used twice \(first at rules\[0\]\)/);
    expect(() => configure({})).toThrow(/no rules: add rules:/);
    expect(() => configure({ rules: [rule], file: 'p.yaml' })).toThrow(/either rules .* or file/);
  });

  it('policy files: unknown keys, bad effects, empty rules, invalid YAML, each at FILE:LINE:COL', () => {
    const f = path.join(tmp, 'bad.yaml');
    const cases: Array<[string, RegExp]> = [
      ['rules:\n  - name: a\n    effect: deny\n    rolez: [hr]\n', /bad\.yaml:4:5: rules\[0\]\.rolez: unknown key "rolez" — did you mean "roles"\?/],
      ['rules:\n  - name: a\n    roles: [hr]\n    effect: block\n', /bad\.yaml:4:13: rules\[0\]\.effect: must be one of "allow", "deny", got string "block"/],
      ['default: deny\nrules:\n  - name: ok\n    effect: allow\n    roles: [a]\n  - name: empty\n    effect: deny\n', /bad\.yaml:6:5: rules\[1\]: rule "empty" has no match fields/],
      ['rules:\n  - name: a\n    effect: deny\n    roles: [hr\n', /bad\.yaml:\d+:\d+: YAML syntax/],
      ['rules: []\nextra: 1\n', /bad\.yaml:2:1: extra: unknown key "extra"/],
      ['', /bad\.yaml:1:1: the policy file is empty/],
    ];
    for (const [text, want] of cases) {
      writeFileSync(f, text);
      expect(() => loadPolicyFile(f), text).toThrow(want);
      expect(() => configure({ file: f }), text).toThrow(want);
    }
    expect(() => configure({ file: path.join(tmp, 'missing.yaml') })).toThrow(/policy file .*missing\.yaml: cannot read it: no such file/);
  });

  it('a policy file may set its own default; otherwise the config default applies', () => {
    const f = path.join(tmp, 'def.yaml');
    writeFileSync(f, 'rules:\n  - { name: a, effect: allow, roles: [ops] }\n');
    expect(configure({ file: f, default: 'deny' }).policy.default).toBe('deny');
    expect(parsePolicyText('default: allow\nrules: []\n', f, 'deny').default).toBe('allow');
  });

  it('inline rules in an agentcol config: errors at FILE:LINE:COL with the key path', async () => {
    const registry = new FactoryRegistry();
    registry.register(factory);
    for (const d of builtins) registry.register(d);
    const text = (rules: string) => `
receivers: { otlp: { protocols: { http: {} } } }
processors:
  policy:
    rules:
${rules}
exporters: { debug: {} }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [policy], exporters: [debug] }
`;
    const load = (rules: string) => loadConfigText(text(rules), path.join(tmp, 'agentcol.yaml'), { registry, env: {} }).then(() => 'ok', (e) => String(e.message));
    expect(await load('      - { name: a, effect: deny, role: [hr] }')).toMatch(/agentcol\.yaml:6:34: processors\.policy\.rules\[0\]\.role: unknown key "role" — did you mean "roles"\?/);
    expect(await load('      - name: a\n        effect: alow\n        roles: [hr]')).toMatch(/agentcol\.yaml:7:17: processors\.policy\.rules\[0\]\.effect: must be one of "allow", "deny", got string "alow" — did you mean "allow"\?/);
    expect(await load('      - { name: a, effect: deny }')).toMatch(/agentcol\.yaml:\d+:\d+: processors\.policy: rules\[0\]: rule "a" has no match fields/);
    expect(await load('      - { name: a, effect: deny, roles: [hr] }')).toBe('ok');
  });

  it('compiles inline rules once; a compiled config passes through', () => {
    const c = configure({ rules: [rule] });
    expect(compileConfig(c)).toBe(c);
    expect(c).toMatchObject({ alertsPipeline: 'logs', defaultEffect: 'allow', watchIntervalMs: 1000 });
  });
});

describe('guard role', () => {
  const req = (o: Partial<GuardRequest> = {}): GuardRequest => ({
    agent: { id: 'campaigns', customer: 'acme', roles: ['marketing'] },
    operation: 'chat',
    model: 'fast',
    provider: '',
    messages: [{ role: 'user', content: 'hi' }],
    tools: [],
    scopes: [],
    metadata: {},
    ...o,
  });

  it('deny is a block naming the rule and reason; allow is allow; decisions are counted', async () => {
    const metrics = new MetricsRegistry();
    const guard = factory.createGuard!({ id: 'policy', config: configure({ file: EXAMPLES }), logger: silentLogger, metrics });
    try {
      expect(await guard.checkRequest(req({ scopes: ['finance'] }))).toEqual({
        action: 'block',
        rule: 'marketing-no-finance',
        reason: 'marketing agents cannot access financial data',
        attributes: { decision: 'deny', rule: 'marketing-no-finance', matched: ['marketing-no-finance'] },
      });
      expect(await guard.checkRequest(req({ scopes: ['brand'] }))).toEqual({ action: 'allow' });
      const hr = req({ agent: { id: 'people', customer: 'acme', roles: ['hr'] }, tools: ['lookup', 'prod_restart'] });
      expect(await guard.checkRequest(hr)).toMatchObject({ action: 'block', rule: 'hr-no-prod-tools' });
      const c = metrics.counter('agentcol_processor_policy_decisions_total', '');
      expect(c.get({ policy: 'policy', effect: 'deny', rule: 'marketing-no-finance', role: 'guard' })).toBe(1);
      expect(c.get({ policy: 'policy', effect: 'allow', rule: 'default', role: 'guard' })).toBe(1);
    } finally {
      await guard.shutdown?.();
    }
  });

  it('an explicit allow rule is recorded on the verdict', async () => {
    const guard = factory.createGuard!({ id: 'p2', config: configure({ default: 'deny', rules: [{ name: 'support-ok', effect: 'allow', roles: 'support' }] }), logger: silentLogger, metrics: new MetricsRegistry() });
    expect(await guard.checkRequest(req({ agent: { id: 'a', customer: '', roles: ['support'] } }))).toEqual({
      action: 'allow',
      rule: 'support-ok',
      reason: 'allowed by policy rule "support-ok"',
      attributes: { decision: 'allow', rule: 'support-ok' },
    });
    expect(await guard.checkRequest(req())).toMatchObject({ action: 'block', rule: 'default', reason: 'no rule matched; the policy default is deny' });
  });
});

describe('pipeline role', () => {
  const span = (i: number, attributes: Span['attributes']): Span => ({
    traceId: 'ab'.repeat(16),
    spanId: String(i).padStart(16, '0'),
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: `span-${i}`,
    kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
    endTimeUnixNano: 1_700_000_000_000_000_100n,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  });
  const traces = (spans: Span[], resource: Span['attributes'] = {}): TracesBatch => ({
    resourceSpans: [{ resource: { attributes: resource, droppedAttributesCount: 0 }, scopeSpans: [{ scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 }, spans, schemaUrl: '' }], schemaUrl: '' }],
  });

  async function setup(signal: Signal = 'traces', raw: unknown = { file: EXAMPLES }) {
    const out: unknown[] = [];
    const alerts: LogsBatch[] = [];
    const metrics = new MetricsRegistry();
    const next: Consumer = { consume: async (b) => void out.push(b) };
    const host: Host = {
      logger: silentLogger,
      metrics,
      getExtension: () => undefined,
      ready: () => true,
      getGuard: () => undefined,
      getPipeline: (id) => (id === 'logs' ? { signal: 'logs', consumer: { consume: async (b) => void alerts.push(b as LogsBatch) } } : undefined),
    };
    const p = new PolicyProcessor('policy', signal, configure(raw), next, silentLogger, metrics);
    await p.start(host);
    return { p, out, alerts, metrics };
  }

  it('flags a violating tool span, raises one policy_violation alert with evidence, passes everything on', async () => {
    const { p, out, alerts, metrics } = await setup();
    const batch = traces(
      [
        span(1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'prod_db_write', 'gen_ai.agent.id': 'hr-bot', 'agentcol.agent.roles': ['hr'] }),
        span(2, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.agent.id': 'hr-bot', 'agentcol.agent.roles': ['hr'] }),
        span(3, { 'http.method': 'GET' }),
      ],
      { 'service.name': 'hr-agent' },
    );
    await p.consume(batch);
    await p.shutdown();
    expect(out).toEqual([batch]);
    const [s1, s2, s3] = batch.resourceSpans[0].scopeSpans[0].spans;
    expect(s1.attributes).toMatchObject({
      'policy.decision': 'deny',
      'policy.rule': 'hr-no-prod-tools',
      'policy.reason': 'HR agents cannot modify production systems',
      'policy.name': 'policy',
      'policy.matched': ['hr-no-prod-tools'],
    });
    expect(Object.keys(s2.attributes).some((k) => k.startsWith('policy.'))).toBe(false);
    expect(Object.keys(s3.attributes).some((k) => k.startsWith('policy.'))).toBe(false);
    expect(alerts).toHaveLength(1);
    const recs = alerts[0].resourceLogs[0].scopeLogs[0].logRecords;
    expect(recs).toHaveLength(1);
    expect(isAlertRecord(recs[0])).toBe(true);
    expect(recs[0]).toMatchObject({ severityText: 'ERROR', severityNumber: 17, traceId: s1.traceId, spanId: s1.spanId, timeUnixNano: s1.startTimeUnixNano });
    expect(recs[0].body).toBe('policy policy: agent "hr-bot" violated rule "hr-no-prod-tools" (tool prod_db_write): HR agents cannot modify production systems');
    expect(recs[0].attributes).toMatchObject({
      'agentcol.alert.class': 'policy_violation',
      'agentcol.alert.source': 'policy',
      'gen_ai.agent.id': 'hr-bot',
      'gen_ai.tool.name': 'prod_db_write',
      'policy.rule': 'hr-no-prod-tools',
      'policy.evidence.roles': 'hr',
      'policy.evidence.tools': 'prod_db_write',
    });
    const c = metrics.counter('agentcol_processor_policy_decisions_total', '');
    expect(c.get({ policy: 'policy', effect: 'deny', rule: 'hr-no-prod-tools', role: 'pipeline' })).toBe(1);
    expect(c.get({ policy: 'policy', effect: 'allow', rule: 'default', role: 'pipeline' })).toBe(1);
  });

  it('logs: flags violating records, skips alert records, raises alerts', async () => {
    const { p, out, alerts } = await setup('logs');
    const rec = (attributes: Record<string, unknown>, eventName = '') => ({
      timeUnixNano: 5n,
      observedTimeUnixNano: 6n,
      severityNumber: 9,
      severityText: 'INFO',
      body: 'x',
      attributes: attributes as never,
      droppedAttributesCount: 0,
      flags: 0,
      traceId: '',
      spanId: '',
      eventName,
    });
    const violating = { 'gen_ai.operation.name': 'chat', 'agentcol.agent.roles': 'marketing', 'agentcol.data.scope': 'finance' };
    const batch: LogsBatch = {
      resourceLogs: [{ resource: { attributes: {}, droppedAttributesCount: 0 }, scopeLogs: [{ scope: { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 }, logRecords: [rec(violating), rec({ ...violating }, 'agentcol.alert')], schemaUrl: '' }], schemaUrl: '' }],
    };
    await p.consume(batch);
    await p.shutdown();
    expect(out).toEqual([batch]);
    const [a, b] = batch.resourceLogs[0].scopeLogs[0].logRecords;
    expect(a.attributes['policy.rule']).toBe('marketing-no-finance');
    expect(b.attributes['policy.rule']).toBeUndefined();
    expect(alerts).toHaveLength(1);
  });

  it('fails the start, saying how to fix it, when the alerts pipeline does not exist', async () => {
    await expect(setup('traces', { file: EXAMPLES, alerts_pipeline: 'logs/alerts' })).rejects.toThrow(/alerts_pipeline "logs\/alerts" is not a logs pipeline/);
  });

  it('a failed reload keeps the previous rules and logs the file:line', async () => {
    const f = path.join(tmp, 'reload.yaml');
    writeFileSync(f, 'rules:\n  - { name: no-x, effect: deny, tools: [x] }\n');
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l) });
    const metrics = new MetricsRegistry();
    const guard = factory.createGuard!({ id: 'reloading', config: configure({ file: f, watch_interval: '20ms' }), logger, metrics });
    const r = (tools: string[]) => ({ agent: { id: 'a', customer: '', roles: [] }, operation: 'chat', model: 'm', provider: '', messages: [], tools, scopes: [], metadata: {} });
    try {
      expect((await guard.checkRequest(r(['x']))).action).toBe('block');
      writeFileSync(f, 'rules:\n  - { name: no-x, effect: deny, tools: [x] }\n  - { name: no-y, effect: deny, tols: [y] }\n');
      process.kill(process.pid, 'SIGHUP');
      await new Promise((res) => setTimeout(res, 100));
      expect(lines.some((l) => /reload failed, keeping the previous rules/.test(l) && /reload\.yaml:3:33: rules\[1\]\.tols: unknown key/.test(l)), lines.join('\n')).toBe(true);
      expect((await guard.checkRequest(r(['x']))).action).toBe('block');
      expect((await guard.checkRequest(r(['y']))).action).toBe('allow');
      writeFileSync(f, 'rules:\n  - { name: no-y, effect: deny, tools: [y], reason: y is off limits }\n');
      const deadline = Date.now() + 3000;
      while ((await guard.checkRequest(r(['y']))).action !== 'block' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      expect(await guard.checkRequest(r(['y']))).toMatchObject({ action: 'block', rule: 'no-y', reason: 'y is off limits' });
      expect((await guard.checkRequest(r(['x']))).action).toBe('allow');
      expect(metrics.counter('agentcol_processor_policy_reloads_total', '').get({ policy: 'reloading', outcome: 'failed' })).toBeGreaterThanOrEqual(1);
    } finally {
      await guard.shutdown?.();
    }
  });
});
