// Provider keys from api_key_file: re-read on SIGHUP and when the file changes, without dropping
// a request in flight; the last-load time is a metric.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { start as startMock, type MockProvider } from '../../fixtures/mock-providers/index.ts';
import { AGENT_KEY, agent, startProxy, type ProxyHarness } from './harness.ts';

let mock: MockProvider;
let h: ProxyHarness;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llm-proxy-keys-'));
  keyFile = join(dir, 'openai.key');
  writeFileSync(keyFile, 'sk-first\n');
  mock = await startMock({ keys: { openai: 'sk-first' } });
  h = await startProxy({
    providers: { openai: { kind: 'openai', base_url: mock.openaiBaseUrl, api_key_file: keyFile } },
    agents: [agent()],
    routes: [{ model: 'fast', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] }],
  });
});
afterAll(async () => {
  await h?.stop();
  await mock?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = () => new OpenAI({ baseURL: h.openaiUrl, apiKey: AGENT_KEY, maxRetries: 0 }).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'k' }] });
const loadedAt = () => Number(/agentcol_llm_provider_key_loaded_timestamp_seconds\{provider="openai",receiver="llm_proxy"\} (\d+)/.exec(h.metrics.render())?.[1]);

it('reloads the key file on SIGHUP without dropping a request in flight', async () => {
  await ask();
  expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-first');
  expect(loadedAt()).toBeGreaterThan(1_700_000_000);

  mock.script({ delayMs: 300 });
  const inFlight = ask();
  await mock.waitForRequests(2);
  writeFileSync(keyFile, 'sk-second\n');
  mock.keys.openai = ['sk-first', 'sk-second'];
  process.kill(process.pid, 'SIGHUP');
  await new Promise((r) => setTimeout(r, 20));
  expect((await inFlight).choices[0].message.content).toBe('You said: k');
  mock.keys.openai = ['sk-second'];
  await ask();
  expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-second');
});

it('reloads the key file when it changes', async () => {
  writeFileSync(keyFile, 'sk-third-longer\n');
  mock.keys.openai = ['sk-third-longer'];
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      await ask();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-third-longer');
});

it('keeps the previous key when the file becomes empty', async () => {
  writeFileSync(keyFile, '');
  h.receiver.reloadKeys();
  await ask();
  expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-third-longer');
});
