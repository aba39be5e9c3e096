// End to end: the real `agentcol` command with the llm_proxy receiver feeding traces and logs
// pipelines into DuckDB and PostgreSQL (embedded). The openai and Anthropic SDKs call through it;
// the captured spans are read back from both stores. Also: SIGHUP reloads a provider key file.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startAgentcol, type RunningAgentcol } from '../../helpers/agentcol-process.ts';
import { freePort } from '../../helpers/ports.ts';
import { defaultStorePaths, queryDuckDb, withPglite } from '../../helpers/stores.ts';
import { DEFAULT_KEYS, start as startMock, type MockProvider } from '../../fixtures/mock-providers/index.ts';

let mock: MockProvider;
let run: RunningAgentcol | undefined;
let dir: string;

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  if (run?.child.exitCode === null) await run.stop('SIGKILL');
  await mock?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('proxies SDK calls and lands their spans in DuckDB and PostgreSQL', async () => {
  dir = mkdtempSync(join(tmpdir(), 'agentcol-proxy-e2e-'));
  writeFileSync(join(dir, 'anthropic.key'), `${DEFAULT_KEYS.anthropic}\n`);
  const [proxyPort, health] = [await freePort(), await freePort()];
  run = await startAgentcol(
    `
extensions: { health_check: { endpoint: 127.0.0.1:${health} } }
receivers:
  llm_proxy:
    endpoint: 127.0.0.1:${proxyPort}
    agents:
      - { id: support-bot, key: "\${env:SUPPORT_BOT_KEY}", customer: acme, roles: [support], allowed_cidrs: [127.0.0.0/8, "::1"] }
    providers:
      openai: { kind: openai, base_url: "${mock.openaiBaseUrl}", api_key: "\${env:OPENAI_API_KEY}" }
      anthropic: { kind: anthropic, base_url: "${mock.anthropicBaseUrl}", api_key_file: anthropic.key }
    routes:
      - { model: fast, strategy: fallback, targets: [{ provider: openai, model: gpt-4o-mini }, { provider: anthropic, model: claude-3-5-haiku-latest }] }
      - { model: claude, targets: [{ provider: anthropic, model: claude-3-5-haiku-latest }] }
    prices:
      gpt-4o-mini: { input: 0.15, output: 0.60 }
    capture: { flush_interval: 10ms }
processors:
  batch: { timeout: 10ms }
exporters:
  duckdb: {}
  postgres: {}
service:
  extensions: [health_check]
  telemetry: { metrics: { level: none } }
  pipelines:
    traces: { receivers: [llm_proxy], processors: [batch], exporters: [duckdb, postgres] }
    logs: { receivers: [llm_proxy], processors: [batch], exporters: [duckdb, postgres] }
`,
    health,
    { dir, env: { SUPPORT_BOT_KEY: 'bot-key-e2e', OPENAI_API_KEY: DEFAULT_KEYS.openai } },
  );
  const openai = new OpenAI({ baseURL: `http://127.0.0.1:${proxyPort}/v1`, apiKey: 'bot-key-e2e', maxRetries: 0 });
  const r = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hello e2e' }] });
  expect(r.choices[0].message.content).toBe('You said: hello e2e');
  const stream = await openai.chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'streamed e2e' }] });
  for await (const _ of stream);

  // rotate the anthropic key: the file changes, SIGHUP makes it current
  writeFileSync(join(dir, 'anthropic.key'), 'sk-ant-rotated\n');
  mock.keys.anthropic = ['sk-ant-rotated'];
  run.child.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 200));
  const a = await new Anthropic({ baseURL: `http://127.0.0.1:${proxyPort}`, apiKey: 'bot-key-e2e', maxRetries: 0 }).messages.create({ model: 'claude', max_tokens: 20, messages: [{ role: 'user', content: 'after rotation' }] });
  expect(a.content[0]).toMatchObject({ text: 'You said: after rotation' });
  expect(mock.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-rotated');

  expect(await run.stop(), run.output()).toBe(0);
  expect(run.output()).not.toContain('bot-key-e2e');
  expect(run.output()).not.toContain(DEFAULT_KEYS.openai);

  const { duckdb, pg } = defaultStorePaths(dir);
  const rows = await queryDuckDb(
    duckdb,
    `SELECT SpanName, SpanKind, AgentId, GenAiOperation, GenAiProvider, RequestModel, ResponseModel, InputTokens, OutputTokens,
            SpanAttributes['agentcol.customer'] AS customer, SpanAttributes['agentcol.route'] AS route
       FROM otel_traces ORDER BY Timestamp`,
  );
  expect(rows).toHaveLength(3);
  expect(rows[0]).toMatchObject({ SpanName: 'chat gpt-4o-mini', AgentId: 'support-bot', GenAiOperation: 'chat', GenAiProvider: 'openai', RequestModel: 'gpt-4o-mini', ResponseModel: 'gpt-4o-mini-2024-07-18', customer: 'acme', route: 'fast' });
  expect(Number(rows[0].InputTokens)).toBe(r.usage!.prompt_tokens);
  expect(Number(rows[0].OutputTokens)).toBe(r.usage!.completion_tokens);
  expect(rows[1]).toMatchObject({ SpanName: 'chat claude-3-5-haiku-latest', GenAiProvider: 'anthropic', route: 'claude' });
  expect(Number(rows[1].OutputTokens)).toBeGreaterThan(0);
  const logs = await queryDuckDb(duckdb, `SELECT count(*)::INTEGER AS n FROM otel_logs WHERE Body LIKE '%hello e2e%'`);
  expect(logs[0].n).toBe(1);

  await withPglite(pg, async (db) => {
    const { rows: pgRows } = await db.query<Record<string, unknown>>(
      `SELECT span_name, agent_id, gen_ai_provider, request_model, input_tokens, output_tokens FROM otel_traces ORDER BY timestamp`,
    );
    expect(pgRows).toHaveLength(3);
    expect(pgRows[0]).toMatchObject({ span_name: 'chat gpt-4o-mini', agent_id: 'support-bot', gen_ai_provider: 'openai', request_model: 'gpt-4o-mini' });
    expect(Number(pgRows[0].input_tokens)).toBe(r.usage!.prompt_tokens);
    const { rows: pgLogs } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM otel_logs`);
    expect(pgLogs[0].n).toBe(3);
  });
}, 180_000); // a command start with two embedded stores and a clean stop: slow on a busy 2-core machine
