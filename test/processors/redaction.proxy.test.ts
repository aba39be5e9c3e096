// Real traffic: the openai SDK through the LLM proxy with `redaction` as an inline guardrail and in
// the traces pipeline. No detected value reaches the provider or the exported spans.
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../core/config/load.ts';
import { Service } from '../../core/pipeline/service.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import redaction from '../../processors/redaction/factory.ts';
import llmProxy from '../../receivers/llm_proxy/factory.ts';
import { DEFAULT_KEYS, start as startMock, type MockProvider } from '../fixtures/mock-providers/index.ts';
import { REPO } from '../helpers/agentcol-process.ts';
import { captureExporter } from '../helpers/capture-exporter.ts';
import { freePort } from '../helpers/ports.ts';
import { AGENT_KEY } from '../receivers/llm_proxy/harness.ts';

const { factory: capture, spans: exported } = captureExporter();

let mock: MockProvider;
let svc: Service;
let url: string;
beforeAll(async () => {
  mock = await startMock();
  const port = await freePort();
  const registry = new FactoryRegistry();
  registry.register(llmProxy);
  registry.register(capture);
  registry.register(redaction);
  const { config } = await loadConfigText(
    `
receivers:
  llm_proxy:
    endpoint: 127.0.0.1:${port}
    agents: [{ id: support-bot, key: ${AGENT_KEY}, customer: acme }]
    providers:
      openai: { kind: openai, base_url: ${mock.openaiBaseUrl}, api_key: ${DEFAULT_KEYS.openai} }
    routes:
      - { model: fast, targets: [{ provider: openai, model: gpt-4o-mini }] }
    guardrails: [redaction]
    capture: { flush_interval: 5ms }
processors:
  redaction: {}
exporters:
  capture: {}
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [llm_proxy], processors: [redaction], exporters: [capture] }
`,
    path.join(REPO, 'test/processors/redaction.yaml'),
    { registry, env: {} },
  );
  svc = new Service({ config, registry, logger: silentLogger });
  await svc.start();
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await svc?.shutdown();
  await mock?.close();
});

describe('redaction through the LLM proxy', () => {
  it('the provider and the stored span never see the PII; the span counts it', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: AGENT_KEY, maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'My email is jane.doe@example.com and my card 4111 1111 1111 1111, key sk-proj-abc123DEF456ghi789JKL012mno345' }],
    });
    expect(r.choices[0].message.content).toBe('You said: My email is <EMAIL_ADDRESS> and my card <CREDIT_CARD>, key <OPENAI_API_KEY>');
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0].rawBody).not.toMatch(/jane\.doe|4111|sk-proj/);
    const deadline = Date.now() + 5000;
    while (exported.length < 1 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(exported).toHaveLength(1);
    const stored = JSON.stringify(exported[0], (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    expect(stored).not.toMatch(/jane\.doe|4111 1111|sk-proj-abc/);
    expect(exported[0].attributes['agentcol.guard.action']).toBe('rewrite');
    expect(exported[0].attributes).toMatchObject({
      'agentcol.guard.redaction.count.EMAIL_ADDRESS': 1,
      'agentcol.guard.redaction.count.CREDIT_CARD': 1,
      'agentcol.guard.redaction.count.OPENAI_API_KEY': 1,
    });
  });
});
