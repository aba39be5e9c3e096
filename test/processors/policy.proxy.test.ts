// Real traffic: the openai SDK through the LLM proxy with `policy` (rules in a policy file) as an
// inline guardrail and in the traces pipeline. Denied requests get 403 naming the rule and its
// reason and never reach the provider; allowed ones pass. SIGHUP reloads the file while requests
// are in flight, and none is dropped.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../core/config/load.ts';
import { Service } from '../../core/pipeline/service.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import type { Span } from '../../core/signals/types.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import policy from '../../processors/policy/factory.ts';
import llmProxy from '../../receivers/llm_proxy/factory.ts';
import { DEFAULT_KEYS, start as startMock, type MockProvider } from '../fixtures/mock-providers/index.ts';
import { REPO } from '../helpers/agentcol-process.ts';
import { captureExporter } from '../helpers/capture-exporter.ts';
import { freePort } from '../helpers/ports.ts';

const { factory: capture, spans: exported, logs } = captureExporter();

const KEYS = { marketing: 'key-campaigns-bot', hr: 'key-people-bot' };
const dir = mkdtempSync(path.join(tmpdir(), 'policy-proxy-'));
const file = path.join(dir, 'policies.yaml');
const metrics = new MetricsRegistry();
let mock: MockProvider;
let svc: Service;
let url: string;
beforeAll(async () => {
  copyFileSync(path.join(REPO, 'test/fixtures/policy-examples.yaml'), file);
  mock = await startMock();
  const port = await freePort();
  const registry = new FactoryRegistry();
  registry.register(llmProxy);
  registry.register(capture);
  registry.register(policy);
  const { config } = await loadConfigText(
    `
receivers:
  llm_proxy:
    endpoint: 127.0.0.1:${port}
    agents:
      - { id: campaigns, key: ${KEYS.marketing}, customer: acme, roles: [marketing] }
      - { id: people, key: ${KEYS.hr}, customer: acme, roles: [hr] }
    providers:
      openai: { kind: openai, base_url: ${mock.openaiBaseUrl}, api_key: ${DEFAULT_KEYS.openai} }
    routes:
      - { model: fast, targets: [{ provider: openai, model: gpt-4o-mini }] }
      - { model: smart, targets: [{ provider: openai, model: gpt-4o }] }
    guardrails: [policy]
    capture: { flush_interval: 5ms }
processors:
  policy:
    file: ${file}
    watch_interval: 1h        # this test reloads with SIGHUP only
exporters:
  capture: {}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [llm_proxy], processors: [policy], exporters: [capture] }
    logs: { receivers: [llm_proxy], exporters: [capture] }
`,
    path.join(REPO, 'test/processors/policy.yaml'),
    { registry, env: {} },
  );
  svc = new Service({ config, registry, logger: silentLogger, metrics });
  await svc.start();
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await svc?.shutdown();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  mock.requests.length = 0;
  exported.length = 0;
});

const client = (key: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
const chat = (key: string, opts: { scope?: string; tools?: string[]; model?: string } = {}) =>
  client(key).chat.completions.create(
    {
      model: opts.model ?? 'fast',
      messages: [{ role: 'user', content: 'summarise the quarter' }],
      ...(opts.tools ? { tools: opts.tools.map((name) => ({ type: 'function' as const, function: { name, parameters: { type: 'object', properties: {} } } })) } : {}),
    },
    opts.scope ? { headers: { 'x-agentcol-scope': opts.scope } } : {},
  );
async function spans(n: number): Promise<Span[]> {
  const deadline = Date.now() + 5000;
  while (exported.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return exported;
}

describe('policy through the LLM proxy', () => {
  it('a marketing agent asking with the finance scope gets 403 naming the rule and reason; nothing reaches the provider', async () => {
    const err = await chat(KEYS.marketing, { scope: 'brand, finance' }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.status).toBe(403);
    expect(err.error.code).toBe('guardrail_blocked');
    expect(err.message).toContain('rule marketing-no-finance');
    expect(err.message).toContain('marketing agents cannot access financial data');
    expect(mock.requests).toHaveLength(0);
    const [span] = await spans(1);
    expect(span.attributes['agentcol.guard.action']).toBe('block');
    expect(span.attributes['agentcol.guard.verdicts']).toEqual(['request:policy:block:marketing-no-finance']);
    expect(span.attributes['agentcol.guard.policy.rule']).toBe('marketing-no-finance');
  });

  it('allowed requests pass: same agent without the scope, another scope', async () => {
    const r = await chat(KEYS.marketing, { scope: 'brand' });
    expect(r.choices[0].message.content).toContain('summarise the quarter');
    expect(mock.requests).toHaveLength(1);
    expect((await chat(KEYS.marketing)).choices).toHaveLength(1);
  });

  it('an HR agent offered a prod_* tool is blocked (tools offered count as tool use); other tools pass', async () => {
    const err = await chat(KEYS.hr, { tools: ['lookup_employee', 'prod_db_write'] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.message).toContain('rule hr-no-prod-tools');
    expect(err.message).toContain('HR agents cannot modify production systems');
    const ok = await chat(KEYS.hr, { tools: ['lookup_employee'] });
    expect(ok.choices).toHaveLength(1);
    const write = await chat(KEYS.hr, { tools: ['update_employee'], scope: 'production' }).catch((e) => e);
    expect(write.message).toContain('rule hr-no-prod-writes');
    expect(metrics.counter('agentcol_processor_policy_decisions_total', '').get({ policy: 'policy', effect: 'deny', rule: 'hr-no-prod-tools', role: 'guard' })).toBe(1);
  });

  it('SIGHUP reloads the policy file while requests are in flight; none is dropped; a bad file keeps the rules', async () => {
    let stop = false;
    const outcomes: string[] = [];
    const worker = async () => {
      while (!stop) {
        const r = await chat(KEYS.marketing, { model: 'smart' }).then(
          () => 'ok',
          (e) => (e instanceof OpenAI.PermissionDeniedError && /rule no-smart/.test(e.message) ? 'denied' : `error: ${e.message}`),
        );
        outcomes.push(r);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    // Traffic is flowing (some answers are back) before the rules change: on a loaded machine the
    // first answers can take longer than any fixed pause.
    const flowing = Date.now() + 30_000;
    while (outcomes.length < 4 && Date.now() < flowing) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(file, 'rules:\n  - { name: no-smart, effect: deny, models: [smart], reason: use the fast route }\n');
    process.kill(process.pid, 'SIGHUP');
    const deadline = Date.now() + 5000;
    while (!outcomes.includes('denied') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    // An invalid file: the previous rules stay.
    writeFileSync(file, 'rules:\n  - { name: broken, effect: maybe, models: [fast] }\n');
    process.kill(process.pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(workers);
    expect(outcomes.filter((o) => o.startsWith('error'))).toEqual([]);
    expect(outcomes.indexOf('denied')).toBeGreaterThan(0);
    // Only requests already past the guard when the new rules landed finish 'ok' after the first
    // denial: at most one per worker, give or take one response still on its way back under load.
    expect(outcomes.lastIndexOf('ok')).toBeLessThan(outcomes.indexOf('denied') + 2 * workers.length);
    expect((await chat(KEYS.marketing, { model: 'fast' })).choices).toHaveLength(1);
    expect(await chat(KEYS.marketing, { model: 'smart' }).catch((e) => e.message)).toContain('use the fast route');
    const reloads = metrics.counter('agentcol_processor_policy_reloads_total', '');
    expect(reloads.get({ policy: 'policy', outcome: 'ok' })).toBe(1);
    expect(reloads.get({ policy: 'policy', outcome: 'failed' })).toBe(1);
  });
});
