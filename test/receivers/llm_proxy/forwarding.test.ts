// Forwarding through the real SDKs against the mock providers: same-dialect passthrough, both
// translations, streaming, usage on streams, embeddings, and what the upstream receives.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_KEYS, type MockProvider } from '../../fixtures/mock-providers/index.ts';
import { AGENT_KEY, agent, mockWithConfig, startProxy, type ProxyHarness } from './harness.ts';

let mock: MockProvider;
let h: ProxyHarness;

beforeAll(async () => {
  const m = await mockWithConfig();
  mock = m.mock;
  h = await startProxy({
    providers: m.providers,
    agents: [agent()],
    routes: [
      { model: 'fast', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
      { model: 'claude', targets: [{ provider: 'anthropic', model: 'claude-3-5-haiku-latest' }] },
      { model: 'embed', targets: [{ provider: 'openai', model: 'text-embedding-3-small' }] },
    ],
    prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6, cache_read: 0.075 }, 'claude-3-5-haiku-latest': { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 } },
  });
});
afterAll(async () => {
  await h?.stop();
  await mock?.close();
});
beforeEach(async () => {
  await h.reset();
  mock.reset();
});

const openai = () => new OpenAI({ baseURL: h.openaiUrl, apiKey: AGENT_KEY, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: h.url, apiKey: AGENT_KEY, maxRetries: 0 });

describe('OpenAI client -> OpenAI provider', () => {
  it('forwards with the provider key and the target model', async () => {
    const r = await openai().chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hello there' }] });
    expect(r.choices[0].message.content).toBe('You said: hello there');
    expect(r.model).toBe('gpt-4o-mini-2024-07-18');
    const rec = mock.requests[0];
    expect(rec.path).toBe('/v1/chat/completions');
    expect(rec.headers.authorization).toBe(`Bearer ${DEFAULT_KEYS.openai}`);
    expect(rec.body.model).toBe('gpt-4o-mini');
    expect(rec.rawBody).not.toContain(AGENT_KEY);
  });

  it('streams, asks for usage upstream, and drops the usage chunk the client did not ask for', async () => {
    const stream = await openai().chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'one two three four' }] });
    let text = '';
    const chunks: unknown[] = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('You said: one two three four');
    expect(chunks.every((c) => (c as { usage?: unknown }).usage == null)).toBe(true);
    expect(mock.requests[0].body.stream_options).toEqual({ include_usage: true });
    const [span] = await h.waitForSpans(1);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(span.attributes['agentcol.usage_estimated']).toBe(false);
  });

  it('keeps the usage chunk when the client asked for it', async () => {
    const stream = await openai().chat.completions.create({ model: 'fast', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of stream) if (c.usage) usage = c.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    const [span] = await h.waitForSpans(1);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(usage!.prompt_tokens);
  });

  it('meters a stream without usage by estimate, marked estimated', async () => {
    mock.script({ omitUsage: true });
    const stream = await openai().chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'estimate me please' }] });
    for await (const _ of stream);
    const [span] = await h.waitForSpans(1);
    expect(span.attributes['agentcol.usage_estimated']).toBe(true);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('forwards embeddings', async () => {
    const r = await openai().embeddings.create({ model: 'embed', input: ['a', 'b'] });
    expect(r.data).toHaveLength(2);
    const [span] = await h.waitForSpans(1);
    expect(span.name).toBe('embeddings text-embedding-3-small');
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
  });
});

describe('Anthropic client -> Anthropic provider', () => {
  it('forwards with x-api-key and anthropic-version', async () => {
    const r = await anthropic().messages.create({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: 'hello claude' }] });
    expect(r.content[0]).toMatchObject({ type: 'text', text: 'You said: hello claude' });
    const rec = mock.requests[0];
    expect(rec.headers['x-api-key']).toBe(DEFAULT_KEYS.anthropic);
    expect(rec.headers['anthropic-version']).toBe('2023-06-01');
    expect(rec.body.model).toBe('claude-3-5-haiku-latest');
  });

  it('streams with usage from message_start and message_delta', async () => {
    mock.script({ cachedTokens: 10, cacheWriteTokens: 5 });
    const stream = anthropic().messages.stream({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: 'stream this' }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'You said: stream this' });
    const [span] = await h.waitForSpans(1);
    const u = final.usage;
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0));
    expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(10);
    expect(span.attributes['gen_ai.usage.cache_creation.input_tokens']).toBe(5);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(u.output_tokens);
    // each class priced once: uncached input, cache read, cache write, output
    const uncached = u.input_tokens;
    const expected = (uncached * 0.8 + 10 * 0.08 + 5 * 1 + u.output_tokens * 4) / 1e6;
    expect(span.attributes['agentcol.cost_usd']).toBeCloseTo(expected, 12);
  });
});

describe('dialect translation', () => {
  it('OpenAI client -> Anthropic provider, not streamed', async () => {
    const r = await openai().chat.completions.create({ model: 'claude', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'translate me' }] });
    expect(r.choices[0].message.content).toBe('You said: translate me');
    expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
    const rec = mock.requests[0];
    expect(rec.path).toBe('/v1/messages');
    expect(rec.body.system).toBe('be brief');
    expect(rec.body.max_tokens).toBeGreaterThan(0);
  });

  it('OpenAI client -> Anthropic provider, streamed', async () => {
    const stream = await openai().chat.completions.create({ model: 'claude', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream across' }] });
    let text = '';
    let usage: unknown;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('You said: stream across');
    expect(usage).toBeTruthy();
    const [span] = await h.waitForSpans(1);
    expect(span.attributes['gen_ai.provider.name']).toBe('anthropic');
    expect(span.attributes['agentcol.usage_estimated']).toBe(false);
  });

  it('Anthropic client -> OpenAI provider, streamed and not', async () => {
    const r = await anthropic().messages.create({ model: 'fast', max_tokens: 50, system: 'sys', messages: [{ role: 'user', content: 'to openai' }] });
    expect(r.content[0]).toMatchObject({ type: 'text', text: 'You said: to openai' });
    expect(r.usage.input_tokens).toBeGreaterThan(0);
    expect(mock.requests[0].path).toBe('/v1/chat/completions');
    expect(mock.requests[0].body.messages[0]).toEqual({ role: 'system', content: 'sys' });

    const final = await anthropic().messages.stream({ model: 'fast', max_tokens: 50, messages: [{ role: 'user', content: 'streamed to openai' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ text: 'You said: streamed to openai' });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });
});

describe('tools, provider errors, limits of the request', () => {
  const tools: OpenAI.Chat.ChatCompletionTool[] = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  ];

  it('translates tool calls from an Anthropic provider to an OpenAI client, streamed and not', async () => {
    mock.script({ toolCall: true }, { toolCall: true });
    const r = await openai().chat.completions.create({ model: 'claude', tools, messages: [{ role: 'user', content: 'Paris' }] });
    expect(r.choices[0].finish_reason).toBe('tool_calls');
    expect(r.choices[0].message.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse((r.choices[0].message.tool_calls![0] as { function: { arguments: string } }).function.arguments)).toHaveProperty('city');
    expect(mock.requests[0].body.tools[0]).toMatchObject({ name: 'get_weather', input_schema: { type: 'object' } });

    const stream = await openai().chat.completions.create({ model: 'claude', stream: true, tools, messages: [{ role: 'user', content: 'Paris' }] });
    let args = '';
    let name = '';
    for await (const c of stream) {
      const tc = c.choices[0]?.delta?.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? '';
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toHaveProperty('city');
  });

  it('passes a provider 400 through unchanged (same dialect) and in the client shape (across)', async () => {
    mock.script({ status: 400, message: 'bad temperature' });
    const err = await openai().chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain('bad temperature');
    expect(mock.requests).toHaveLength(1);
    mock.script({ status: 400, message: 'bad max_tokens' });
    const err2 = await anthropic().messages.create({ model: 'fast', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err2).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err2.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(err2.message).toContain('bad max_tokens');
  });

  it('refuses a request it cannot translate for any target with 400', async () => {
    const err = await openai().chat.completions.create({ model: 'claude', n: 2, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.error.code).toBe('unsupported_for_target');
    expect(mock.requests).toHaveLength(0);
  });

  it('cancels the upstream call when the agent goes away', async () => {
    mock.script({ delayMs: 500 });
    const ac = new AbortController();
    const p = openai().chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal }).catch((e) => e);
    while (mock.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await p;
    const [span] = await h.waitForSpans(1);
    expect(span.attributes['http.response.status_code']).toBe(499);
    await new Promise((r) => setTimeout(r, 50));
    expect(mock.requests[0].completed).toBe(false);
  });
});
