// Authentication, source-address checks, request errors and /v1/models, through the real SDKs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { MockProvider } from '../../fixtures/mock-providers/index.ts';
import { addressToBigInt, allowedBy, parseCidr } from '../../../receivers/llm_proxy/cidr.ts';
import { AGENT_KEY, agent, mockWithConfig, startProxy, validated, type ProxyHarness } from './harness.ts';

let mock: MockProvider;
let h: ProxyHarness;
const routes = [{ model: 'fast', targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] }, { model: 'claude', targets: [{ provider: 'anthropic', model: 'claude-3-5-haiku-latest' }] }];

beforeAll(async () => {
  const m = await mockWithConfig();
  mock = m.mock;
  h = await startProxy({
    providers: m.providers,
    routes,
    agents: [
      agent(),
      { id: 'remote-bot', key_sha256: createHash('sha256').update('remote-key').digest('hex'), customer: 'globex', allowed_cidrs: ['10.0.0.0/8', 'fd00::/8'] },
      { id: 'limited-models', key: 'limited-key', models: ['claude'] },
    ],
  });
});
afterAll(async () => {
  await h?.stop();
  await mock?.close();
});

const openai = (key = AGENT_KEY) => new OpenAI({ baseURL: h.openaiUrl, apiKey: key, maxRetries: 0 });
const anthropic = (key = AGENT_KEY) => new Anthropic({ baseURL: h.url, apiKey: key, maxRetries: 0 });

describe('authentication', () => {
  it('answers an unknown key with 401 in the OpenAI shape', async () => {
    const err = await openai('nope').chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(mock.requests).toHaveLength(0);
  });

  it('answers an unknown key with 401 in the Anthropic shape on /v1/messages', async () => {
    const err = await anthropic('nope').messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('accepts x-api-key as well as Bearer', async () => {
    const res = await fetch(`${h.url}/v1/models`, { headers: { 'x-api-key': AGENT_KEY } });
    expect(res.status).toBe(200);
    const none = await fetch(`${h.url}/v1/models`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('missing_api_key');
  });

  it('answers 403 when the source address is outside allowed_cidrs', async () => {
    const err = await openai('remote-key').chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.error.code).toBe('address_not_allowed');
    expect(err.message).toContain('remote-bot');
    expect(h.metrics.render()).toMatch(/agentcol_llm_rejected_total\{code="address_not_allowed",receiver="llm_proxy",status="403"\} 1/);
  });
});

describe('request errors', () => {
  it('answers bad JSON and a missing model with 400 and a clear message', async () => {
    const post = (body: string) => fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json' }, body });
    const bad = await post('{"model":');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const noModel = await post('{"messages":[]}');
    expect(noModel.status).toBe(400);
    expect((await noModel.json()).error.message).toMatch(/missing "model"/);
  });

  it('answers an unknown model with 404 model_not_found naming the known ones', async () => {
    const err = await openai().chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.error.code).toBe('model_not_found');
    expect(err.message).toContain('fast, claude');
  });

  it('routes provider/model explicitly', async () => {
    const r = await openai().chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.model).toBe('gpt-4o-2024-07-18');
  });

  it('refuses a route outside the agent\'s models list with 403', async () => {
    const err = await openai('limited-key').chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.error.code).toBe('model_not_allowed');
  });

  it('answers unknown paths with 404', async () => {
    const res = await fetch(`${h.url}/v1/completions`, { method: 'POST', headers: { authorization: `Bearer ${AGENT_KEY}` }, body: '{}' });
    expect(res.status).toBe(404);
  });
});

describe('GET /v1/models', () => {
  it('lists the route aliases the agent may use', async () => {
    const all = await openai().models.list();
    expect(all.data.map((m) => m.id)).toEqual(['fast', 'claude']);
    const limited = await openai('limited-key').models.list();
    expect(limited.data.map((m) => m.id)).toEqual(['claude']);
  });
});

describe('cidr', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const list = ['127.0.0.0/8', 'fd00::/8'].map((c) => parseCidr(c)!);
    expect(allowedBy(list, '127.0.0.1')).toBe(true);
    expect(allowedBy(list, '::ffff:127.0.0.1')).toBe(true);
    expect(allowedBy(list, 'fd12::1')).toBe(true);
    expect(allowedBy(list, '10.0.0.1')).toBe(false);
    expect(allowedBy(list, '::1')).toBe(false);
    expect(allowedBy([parseCidr('::1')!], '::1')).toBe(true);
    expect(allowedBy([], 'anything')).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('nope')).toBeNull();
    expect(addressToBigInt('::ffff:10.0.0.1')).toBe(addressToBigInt('10.0.0.1'));
  });

  it('rejects bad config with messages naming the key', () => {
    expect(() => validated({ agents: [{ id: 'a', key: 'k', allowed_cidrs: ['10.0.0/8x'] }], providers: {}, routes: [] })).toThrow(/allowed_cidrs\[0\]/);
    expect(() => validated({ agents: [{ id: 'a' }], providers: {}, routes: [] })).toThrow(/exactly one of key or key_sha256/);
    expect(() => validated({ agents: [], providers: { p: { kind: 'openai', base_url: 'http://x' } }, routes: [] })).toThrow(/api_key/);
    expect(() => validated({ agents: [], providers: {}, routes: [{ model: 'm', targets: [{ provider: 'nope', model: 'x' }] }] })).toThrow(/provider "nope" is not defined/);
  });
});
