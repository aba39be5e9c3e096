// Routing and failover against scripted mock failures: fallback on 500 / 429 / timeout /
// connection reset, no failover after the first byte, mid-stream drops, the circuit breaker, and
// the loadbalance / cheapest / by_complexity strategies.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { MockProvider } from '../../fixtures/mock-providers/index.ts';
import { Router } from '../../../receivers/llm_proxy/router.ts';
import { CircuitBreakers } from '../../../receivers/llm_proxy/breaker.ts';
import { AGENT_KEY, agent, mockWithConfig, startProxy, validated, type ProxyHarness } from './harness.ts';

let mock: MockProvider;
let h: ProxyHarness;
let config: Record<string, unknown>;

beforeAll(async () => {
  const m = await mockWithConfig();
  mock = m.mock;
  const providers = m.providers as Record<string, Record<string, unknown>>;
  config = {
    providers: {
      openai: { ...providers.openai, timeout: '300ms' },
      anthropic: { ...providers.anthropic, timeout: '300ms' },
      flaky: { ...providers.openai, timeout: '300ms' },
    },
    agents: [agent()],
    circuit_breaker: { failure_threshold: 2, cooldown: '300ms' },
    routes: [
      { model: 'fast', strategy: 'fallback', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'anthropic', model: 'claude-3-5-haiku-latest' }] },
      { model: 'solo', targets: [{ provider: 'flaky', model: 'gpt-4o' }] },
    ],
  };
});
afterAll(async () => {
  await h?.stop();
  await mock?.close();
});
// A fresh proxy per test: breaker state and Retry-After parking must not leak between tests.
beforeEach(async () => {
  await h?.stop();
  h = await startProxy(config);
  mock.reset();
});

const openai = () => new OpenAI({ baseURL: h.openaiUrl, apiKey: AGENT_KEY, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: h.url, apiKey: AGENT_KEY, maxRetries: 0 });
const ask = (model = 'fast', content = 'hi') => openai().chat.completions.create({ model, messages: [{ role: 'user', content }] });

describe('fallback', () => {
  for (const [name, behavior] of [
    ['500', { status: 500 }],
    ['429 with Retry-After (moves on, does not wait)', { status: 429, retryAfter: 30 }],
    ['timeout', { delayMs: 1000 }],
    ['connection reset', { reset: true }],
  ] as const) {
    it(`moves to the next target on ${name}`, async () => {
      mock.script({ match: { provider: 'openai' }, ...behavior });
      const t0 = Date.now();
      const r = await ask();
      expect(r.choices[0].message.content).toBe('You said: hi');
      expect(Date.now() - t0).toBeLessThan(900);
      expect(mock.requests.map((q) => q.provider)).toEqual(['openai', 'anthropic']);
      const [span] = await h.waitForSpans(1);
      expect(span.attributes['agentcol.attempts']).toBe(2);
      expect(span.attributes['gen_ai.provider.name']).toBe('anthropic');
    });
  }

  it('streams: fails over when the upstream fails before the first byte', async () => {
    mock.script({ match: { provider: 'openai' }, dropAfterChunks: 0 });
    const stream = await openai().chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'stream it' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('You said: stream it');
    expect(mock.requests.map((q) => q.provider)).toEqual(['openai', 'anthropic']);
  });

  it('answers 502 naming every failure when all targets fail, 429 when all rate limit', async () => {
    mock.script({ status: 500 }, { status: 503 });
    const err = await ask().catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/openai: HTTP 500.*anthropic: HTTP 503/);
    mock.script({ status: 429, retryAfter: 3 }, { status: 429, retryAfter: 2 });
    const err2 = await ask().catch((e) => e);
    expect(err2.status).toBe(429);
    expect(err2.headers.get('retry-after')).toBe('2');
    // both providers are now parked by their Retry-After: the next call fails fast, untried
    const err3 = await ask().catch((e) => e);
    expect(err3.status).toBe(503);
    expect(mock.requests).toHaveLength(4);
  });
});

describe('after the first byte', () => {
  it('does not fail over; a mid-stream drop ends the OpenAI stream with an in-band error', async () => {
    mock.script({ match: { provider: 'openai' }, dropAfterChunks: 3 });
    const stream = await openai().chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'a b c d e f g h' }] });
    let text = '';
    const err = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).toMatch(/upstream failed mid-stream/);
    expect(text.length).toBeGreaterThan(0);
    expect(mock.requests).toHaveLength(1);
    const [span] = await h.waitForSpans(1);
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('stream_error');
  });

  it('ends an Anthropic stream with event: error', async () => {
    mock.script({ match: { provider: 'anthropic' }, dropAfterChunks: 3 });
    const err = await anthropic()
      .messages.stream({ model: 'claude-direct', max_tokens: 20, messages: [{ role: 'user', content: 'x y z w' }] })
      .finalMessage()
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    // claude-direct is not a route: the explicit form is provider/model
    const err2 = await anthropic()
      .messages.stream({ model: 'anthropic/claude-3-5-haiku-latest', max_tokens: 20, messages: [{ role: 'user', content: 'x y z w' }] })
      .finalMessage()
      .catch((e) => e);
    expect(err2).toBeInstanceOf(Anthropic.APIError);
    expect(String(err2.message)).toMatch(/upstream failed mid-stream/);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, skips the provider, probes after the cool-down', async () => {
    const avail = () => /agentcol_llm_provider_available\{provider="flaky",receiver="llm_proxy"\} (\d)/.exec(h.metrics.render())?.[1];
    mock.script({ status: 500 }, { status: 500 });
    expect((await ask('solo').catch((e) => e)).status).toBe(502);
    expect(avail()).toBe('1');
    expect((await ask('solo').catch((e) => e)).status).toBe(502);
    expect(avail()).toBe('0');
    const open = await ask('solo').catch((e) => e);
    expect(open.status).toBe(503);
    expect(open.error.code).toBe('no_provider_available');
    expect(mock.requests).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 350));
    expect((await ask('solo')).choices[0].message.content).toBe('You said: hi');
    expect(avail()).toBe('1');
  });
});

describe('strategies', () => {
  const cfg = validated({
    agents: [agent()],
    providers: { a: { kind: 'openai', base_url: 'http://a/v1', api_key: 'k' }, b: { kind: 'anthropic', base_url: 'http://b', api_key: 'k' } },
    prices: { small: { input: 0.1, output: 0.4 }, big: { input: 3, output: 15 }, mid: { input: 1, output: 2 } },
    routes: [
      { model: 'lb', strategy: 'loadbalance', targets: [{ provider: 'a', model: 'small', weight: 3 }, { provider: 'b', model: 'big', weight: 1 }] },
      { model: 'cheap', strategy: 'cheapest', targets: [{ provider: 'b', model: 'big' }, { provider: 'a', model: 'mid' }, { provider: 'a', model: 'small' }] },
      { model: 'smart', strategy: 'by_complexity', targets: [{ provider: 'a', model: 'small', tier: 'cheap' }, { provider: 'b', model: 'big', tier: 'frontier' }] },
    ],
  });
  const a = cfg.agents[0];

  it('loadbalance follows the weights', () => {
    let i = 0;
    const seq = [0.1, 0.5, 0.74, 0.76, 0.99];
    const r = new Router(cfg.routes, cfg.providers, cfg.prices, () => seq[i++]);
    const firsts = seq.map(() => r.plan('lb', a, () => 'cheap').targets[0].model);
    expect(firsts).toEqual(['small', 'small', 'small', 'big', 'big']);
    expect(r.plan('lb', a, () => 'cheap').targets).toHaveLength(2);
  });

  it('cheapest sorts by the price table', () => {
    const r = new Router(cfg.routes, cfg.providers, cfg.prices);
    expect(r.plan('cheap', a, () => 'cheap').targets.map((t) => t.model)).toEqual(['small', 'mid', 'big']);
  });

  it('by_complexity puts the estimated tier first, the other tier as fallback', () => {
    const r = new Router(cfg.routes, cfg.providers, cfg.prices);
    expect(r.plan('smart', a, () => 'frontier').targets.map((t) => t.model)).toEqual(['big', 'small']);
    expect(r.plan('smart', a, () => 'cheap').targets.map((t) => t.model)).toEqual(['small', 'big']);
  });

  it('cheapest without prices is a config error', () => {
    expect(() => validated({ agents: [], providers: { a: { kind: 'openai', base_url: 'http://a', api_key: 'k' } }, routes: [{ model: 'c', strategy: 'cheapest', targets: [{ provider: 'a', model: 'x' }] }] })).toThrow(/prices has no entry for x/);
  });

  it('breaker state machine', () => {
    let now = 0;
    const b = new CircuitBreakers(2, 100, () => now);
    b.failure('p');
    expect(b.tryAcquire('p')).toBe(true);
    b.failure('p');
    expect(b.tryAcquire('p')).toBe(false);
    now = 100;
    expect(b.tryAcquire('p')).toBe(true); // the probe
    expect(b.tryAcquire('p')).toBe(false); // only one probe
    b.failure('p');
    now = 150;
    expect(b.tryAcquire('p')).toBe(false);
    now = 200;
    expect(b.tryAcquire('p')).toBe(true);
    b.success('p');
    expect(b.state('p')).toBe('closed');
    b.failure('p', 1000);
    expect(b.tryAcquire('p')).toBe(false); // parked by Retry-After
  });
});

describe('by_complexity end to end', () => {
  it('sends a high-reasoning request to the frontier tier', async () => {
    const m = await mockWithConfig();
    const hh = await startProxy({
      providers: m.providers,
      agents: [agent()],
      routes: [{ model: 'smart', strategy: 'by_complexity', targets: [{ provider: 'openai', model: 'gpt-4o-mini', tier: 'cheap' }, { provider: 'anthropic', model: 'claude-opus-4-1', tier: 'frontier' }] }],
    });
    try {
      const c = new OpenAI({ baseURL: hh.openaiUrl, apiKey: AGENT_KEY, maxRetries: 0 });
      await c.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] });
      await c.chat.completions.create({ model: 'smart', reasoning_effort: 'high', messages: [{ role: 'user', content: 'prove it' }] });
      expect(m.mock.requests.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'claude-opus-4-1']);
    } finally {
      await hh.stop();
      await m.mock.close();
    }
  });
});
