// Capture (spans + logs), self-metrics, limits and the response cache.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_KEYS, type MockProvider } from '../../fixtures/mock-providers/index.ts';
import { RateLimiter } from '../../../receivers/llm_proxy/limits.ts';
import { ResponseCache } from '../../../receivers/llm_proxy/cache.ts';
import { AGENT_KEY, agent, mockWithConfig, startProxy, type ProxyHarness } from './harness.ts';

let mock: MockProvider;
let providers: Record<string, unknown>;
beforeAll(async () => {
  ({ mock, providers } = await mockWithConfig());
});
afterAll(async () => {
  await mock?.close();
});
beforeEach(() => mock.reset());

const routes = [
  { model: 'fast', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
  { model: 'claude', targets: [{ provider: 'anthropic', model: 'claude-3-5-haiku-latest' }] },
];
const prices = { 'gpt-4o-mini': { input: 0.15, output: 0.6, cache_read: 0.075 } };
const client = (h: ProxyHarness, key = AGENT_KEY) => new OpenAI({ baseURL: h.openaiUrl, apiKey: key, maxRetries: 0 });

describe('capture', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startProxy({ providers, routes, prices, agents: [agent()] });
  });
  afterAll(() => h.stop());

  it('turns a call into a GenAI span and a log record with both bodies, never a key', async () => {
    mock.script({ cachedTokens: 4 });
    const r = await client(h).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'capture me' }] }, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    const [span] = await h.waitForSpans(1);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(3);
    expect(span.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanId).toBe('b7ad6b7169203331');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.agent.id': 'support-bot',
      'gen_ai.usage.input_tokens': r.usage!.prompt_tokens,
      'gen_ai.usage.output_tokens': r.usage!.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'agentcol.customer': 'acme',
      'agentcol.route': 'fast',
      'agentcol.attempts': 1,
      'agentcol.cache_hit': false,
      'agentcol.usage_estimated': false,
    });
    const cost = ((r.usage!.prompt_tokens - 4) * 0.15 + 4 * 0.075 + r.usage!.completion_tokens * 0.6) / 1e6;
    expect(span.attributes['agentcol.cost_usd']).toBeCloseTo(cost, 12);
    await h.receiver.flushCapture();
    const [log] = h.logs;
    expect(log.eventName).toBe('gen_ai.proxy.exchange');
    expect(log.spanId).toBe(span.spanId);
    const body = log.body as { request: string; response: string };
    expect(JSON.parse(body.request).messages[0].content).toBe('capture me');
    expect(JSON.parse(body.response).choices[0].message.content).toBe('You said: capture me');
    const everything = JSON.stringify([h.spans, h.logs], (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(everything).not.toContain(DEFAULT_KEYS.openai);
    expect(everything).not.toContain(AGENT_KEY);

    const m = h.metrics.render();
    expect(m).toMatch(/agentcol_llm_requests_total\{agent="support-bot",customer="acme",model="gpt-4o-mini-2024-07-18",provider="openai",receiver="llm_proxy",status="200"\} 1/);
    expect(m).toMatch(/agentcol_llm_tokens_total\{.*class="cache_read".*\} 4/);
    expect(m).toMatch(/agentcol_llm_cost_usd_total\{/);
    expect(m).toMatch(/agentcol_llm_provider_key_loaded_timestamp_seconds\{provider="openai",receiver="llm_proxy"\} \d+/);
  });

  it('captures refused calls too (status and error on the span)', async () => {
    await h.reset();
    await client(h).chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch(() => {});
    const [span] = await h.waitForSpans(1);
    expect(span.status.code).toBe(2);
    expect(span.attributes['http.response.status_code']).toBe(404);
  });

  it('a pipeline refusing captures never fails the call', async () => {
    const hh = await startProxy(
      { providers, routes, agents: [agent()], capture: { flush_interval: '1ms' } },
      { next: { traces: { consume: async () => Promise.reject(new Error('queue full')) } } },
    );
    try {
      const r = await client(hh).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] });
      expect(r.choices[0].message.content).toBe('You said: x');
      await new Promise((r) => setTimeout(r, 20));
      await hh.receiver.flushCapture();
      expect(hh.metrics.render()).toMatch(/agentcol_llm_capture_refused_total\{receiver="llm_proxy",signal="traces"\} 1/);
    } finally {
      await hh.stop();
    }
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After over requests_per_minute, per agent and per customer', async () => {
    const h = await startProxy({
      providers,
      routes,
      agents: [agent({ limits: { requests_per_minute: 2 } }), { id: 'other', key: 'other-key', customer: 'acme' }, { id: 'third', key: 'third-key', customer: 'acme' }],
      customers: { acme: { limits: { requests_per_minute: 4 } } },
    });
    try {
      const ask = (key = AGENT_KEY) => client(h, key).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] });
      await ask();
      await ask();
      const err = await ask().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(Number(err.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(err.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(err.message).toContain('agent "support-bot"');
      await ask('other-key');
      await ask('other-key');
      const cust = await ask('third-key').catch((e) => e);
      expect(cust.status).toBe(429);
      expect(cust.message).toContain('customer "acme"');
      // Anthropic endpoint: Anthropic-shaped 429
      const a = await new Anthropic({ baseURL: h.url, apiKey: AGENT_KEY, maxRetries: 0 }).messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
      expect(a).toBeInstanceOf(Anthropic.RateLimitError);
      expect(a.error.error.type).toBe('rate_limit_error');
    } finally {
      await h.stop();
    }
  });

  it('counts tokens after the response and holds back the next call', () => {
    let now = 0;
    const l = new RateLimiter(new Map(), () => now);
    const a = { id: 'a', customer: '', limits: { requests_per_minute: 0, tokens_per_minute: 600 } } as never;
    l.admit(a, 100);
    l.settle(a, 100, 700); // the answer was long: 700 used
    expect(() => l.admit(a, 10)).toThrow(/tokens_per_minute/);
    now = 20_000; // refilled 200 tokens: level back to 100
    expect(() => l.admit(a, 10)).not.toThrow();
  });
});

describe('cache', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startProxy({ providers, routes, prices, agents: [agent(), { id: 'globex-bot', key: 'globex-key', customer: 'globex' }], cache: { ttl: '1m', max_entries: 100 } });
  });
  afterAll(() => h.stop());
  beforeEach(() => h.reset());

  it('answers an identical request from the cache, metered as a hit with zero cost', async () => {
    const req = { model: 'fast', messages: [{ role: 'user' as const, content: 'cache me' }], temperature: 0 };
    const a = await client(h).chat.completions.create(req);
    const b = await client(h).chat.completions.create({ temperature: 0, messages: req.messages, model: 'fast' });
    expect(b).toEqual(a);
    expect(mock.requests).toHaveLength(1);
    const spans = await h.waitForSpans(2);
    expect(spans[1].attributes['agentcol.cache_hit']).toBe(true);
    expect(spans[1].attributes['agentcol.cost_usd']).toBe(0);
    expect(spans[0].attributes['agentcol.cost_usd']).toBeGreaterThan(0);
    // another customer does not share the entry
    await client(h, 'globex-key').chat.completions.create(req);
    expect(mock.requests).toHaveLength(2);
  });

  it('replays a streamed answer as a stream', async () => {
    const run = async () => {
      const s = await client(h).chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'stream cache' }] });
      let t = '';
      for await (const c of s) t += c.choices[0]?.delta?.content ?? '';
      return t;
    };
    expect(await run()).toBe('You said: stream cache');
    expect(await run()).toBe('You said: stream cache');
    expect(mock.requests).toHaveLength(1);
  });

  it('shares one upstream call between concurrent identical requests', async () => {
    mock.script({ delayMs: 100 });
    const req = { model: 'fast', messages: [{ role: 'user' as const, content: 'single flight' }] };
    const rs = await Promise.all([1, 2, 3].map(() => client(h).chat.completions.create(req)));
    expect(rs.map((r) => r.choices[0].message.content)).toEqual(Array(3).fill('You said: single flight'));
    expect(mock.requests).toHaveLength(1);
  });

  it('LRU and TTL', () => {
    let now = 0;
    const c = new ResponseCache(1000, 2, () => now);
    const v = { status: 200, contentType: 'x', responseModel: '', provider: '', usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, responseText: '' };
    c.set('a', v);
    c.set('b', v);
    c.get('a');
    c.set('c', v);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    now = 1000;
    expect(c.get('a')).toBeUndefined();
    expect(ResponseCache.key('x', '/p', { a: 1, b: 2 })).toBe(ResponseCache.key('x', '/p', { b: 2, a: 1 }));
  });
});
