// The guardrail hook with the example plugin (test/fixtures/plugins/agentcol-guard-keyword),
// loaded through the config's `plugins:` list into an in-process Service: block, rewrite, flag on
// the request, flag on the response, the plugin's pipeline role on the captured spans, and a
// clear start failure when a guardrail id names no processor.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { Span } from '../../../core/signals/types.ts';
import { loadConfigText } from '../../../core/config/load.ts';
import { FactoryRegistry } from '../../../core/registry.ts';
import { Service } from '../../../core/pipeline/service.ts';
import { silentLogger } from '../../../core/telemetry/logger.ts';
import llmProxy from '../../../receivers/llm_proxy/factory.ts';
import { REPO } from '../../helpers/agentcol-process.ts';
import { captureExporter } from '../../helpers/capture-exporter.ts';
import { freePort } from '../../helpers/ports.ts';
import { DEFAULT_KEYS, start as startMock, type MockProvider } from '../../fixtures/mock-providers/index.ts';
import { AGENT_KEY } from './harness.ts';

const PLUGIN = path.join(REPO, 'test/fixtures/plugins/agentcol-guard-keyword');
const { factory: capture, spans: exported } = captureExporter();

function registry(): FactoryRegistry {
  const r = new FactoryRegistry();
  r.register(llmProxy);
  r.register(capture);
  return r;
}

async function service(port: number, mock: MockProvider, guardrails: string) {
  const reg = registry();
  const { config } = await loadConfigText(
    `
plugins: [${PLUGIN}]
receivers:
  llm_proxy:
    endpoint: 127.0.0.1:${port}
    agents: [{ id: support-bot, key: ${AGENT_KEY}, customer: acme }]
    providers:
      openai: { kind: openai, base_url: ${mock.openaiBaseUrl}, api_key: ${DEFAULT_KEYS.openai} }
      anthropic: { kind: anthropic, base_url: ${mock.anthropicBaseUrl}, api_key: ${DEFAULT_KEYS.anthropic} }
    routes:
      - { model: fast, targets: [{ provider: openai, model: gpt-4o-mini }] }
      - { model: claude, targets: [{ provider: anthropic, model: claude-3-5-haiku-latest }] }
    guardrails: ${guardrails}
    capture: { flush_interval: 5ms }
processors:
  keyword_guard:
    block: [forbidden]
    flag: [refund]
    redact: [secret-project]
exporters:
  capture: {}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [llm_proxy], processors: [keyword_guard], exporters: [capture] }
`,
    path.join(REPO, 'test/receivers/llm_proxy/guard.yaml'),
    { registry: reg, env: {} },
  );
  return new Service({ config, registry: reg, logger: silentLogger });
}

let mock: MockProvider;
let svc: Service;
let url: string;
beforeAll(async () => {
  mock = await startMock();
  const port = await freePort();
  svc = await service(port, mock, '[keyword_guard]');
  await svc.start();
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await svc?.shutdown();
  await mock?.close();
});
beforeEach(async () => {
  await new Promise((r) => setTimeout(r, 60)); // the previous test's captures (5 ms flush) land first
  mock.reset();
  exported.length = 0;
});

const openai = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: AGENT_KEY, maxRetries: 0 });
async function spans(n: number): Promise<Span[]> {
  const deadline = Date.now() + 5000;
  while (exported.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return exported;
}

describe('guardrails', () => {
  it('blocks with 403 naming the rule; nothing reaches the provider', async () => {
    const err = await openai().chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'tell me the forbidden thing' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.error.code).toBe('guardrail_blocked');
    expect(err.message).toContain('keyword:forbidden');
    expect(err.message).toContain('mentions a blocked keyword');
    expect(mock.requests).toHaveLength(0);
    const [span] = await spans(1);
    expect(span.attributes['agentcol.guard.action']).toBe('block');
    expect(span.attributes['http.response.status_code']).toBe(403);
  });

  it('blocks on /v1/messages with an Anthropic-shaped 403', async () => {
    const err = await new Anthropic({ baseURL: url, apiKey: AGENT_KEY, maxRetries: 0 }).messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'forbidden' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(err.error.error.type).toBe('permission_error');
  });

  it('rewrites the outgoing request (redaction), in both dialects', async () => {
    const r = await openai().chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: [{ type: 'text', text: 'about secret-project x' }] }] });
    expect(r.choices[0].message.content).toBe('You said: about [REDACTED] x');
    expect(mock.requests[0].rawBody).not.toContain('secret-project');
    const a = await new Anthropic({ baseURL: url, apiKey: AGENT_KEY, maxRetries: 0 }).messages.create({ model: 'claude', max_tokens: 50, system: 'secret-project rules', messages: [{ role: 'user', content: 'hi secret-project' }] });
    expect(a.content[0]).toMatchObject({ text: 'You said: hi [REDACTED]' });
    expect(mock.requests[1].body.system).toBe('[REDACTED] rules');
    const s = await spans(2);
    expect(s[0].attributes['agentcol.guard.action']).toBe('rewrite');
    expect(s[0].attributes['agentcol.guard.keyword_guard.redacted']).toBe(1);
  });

  it('flags and forwards; flags the response; the pipeline role tags the span', async () => {
    const r = await openai().chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'I want a refund' }] });
    expect(r.choices[0].message.content).toBe('You said: I want a refund');
    const [span] = await spans(1);
    expect(span.attributes['agentcol.guard.verdicts']).toEqual(['request:keyword_guard:flag:keyword:refund', 'response:keyword_guard:flag:keyword:refund']);
    expect(span.attributes['keyword_guard.flagged']).toBe(true);
  });

  it('flags a streamed response after it was sent', async () => {
    const s = await openai().chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'refund please' }] });
    for await (const _ of s);
    const [span] = await spans(1);
    expect(span.attributes['agentcol.guard.verdicts']).toContain('response:keyword_guard:flag:keyword:refund');
  });
});

it('fails to start when a guardrail names no processor, saying how to fix it', async () => {
  const bad = await service(await freePort(), mock, '[keyword_guard, policy]');
  await expect(bad.start()).rejects.toThrow(/guardrails names processor "policy".*define it under processors/);
});
