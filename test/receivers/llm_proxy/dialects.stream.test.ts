// Streaming translation on real-shaped provider event sequences (text only, parallel tool use with
// partial JSON, usage chunk present/absent, in-band errors, cut streams). The translated wire
// output is read back by the official `openai` and `@anthropic-ai/sdk` clients (through a fetch
// that serves the bytes), so the shape is checked against what real clients accept.
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { formatSse, SseParser, type SseEvent } from '../../../receivers/llm_proxy/dialects/sse.ts';
import { AnthropicToOpenAIStream, OpenAIToAnthropicStream } from '../../../receivers/llm_proxy/dialects/translate-response.ts';
import { StreamUsageTracker } from '../../../receivers/llm_proxy/dialects/usage.ts';

// ---------------------------------------------------------------- upstream fixtures (wire text)

const a = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

const ANTHROPIC_TEXT =
  a('message_start', {
    message: {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-20241022',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 25, cache_creation_input_tokens: 10, cache_read_input_tokens: 100, output_tokens: 1 },
    },
  }) +
  a('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
  'event: ping\ndata: {"type": "ping"}\n\n' +
  a('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }) +
  a('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ', wörld 🦊' } }) +
  a('content_block_stop', { index: 0 }) +
  a('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } }) +
  a('message_stop', {});

const ANTHROPIC_TOOLS =
  a('message_start', {
    message: {
      id: 'msg_02',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-20241022',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 400, output_tokens: 2 },
    },
  }) +
  a('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }) +
  a('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Two cities.' } }) +
  a('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } }) +
  a('content_block_stop', { index: 0 }) +
  a('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }) +
  a('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Checking both.' } }) +
  a('content_block_stop', { index: 1 }) +
  a('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_A', name: 'weather', input: {} } }) +
  a('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '' } }) +
  a('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } }) +
  a('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: 'ris"}' } }) +
  a('content_block_stop', { index: 2 }) +
  a('content_block_start', { index: 3, content_block: { type: 'tool_use', id: 'toolu_B', name: 'weather', input: {} } }) +
  a('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '{"city":' } }) +
  a('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: ' "Oslo"}' } }) +
  a('content_block_stop', { index: 3 }) +
  // Cumulative usage: a first message_delta, then a later one that replaces it.
  a('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 60 } }) +
  a('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } }) +
  a('message_stop', {});

const oc = (delta: object, finish: string | null = null, extra: object = {}): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_1', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null, ...extra })}\n\n`;
const OPENAI_USAGE_CHUNK = `data: ${JSON.stringify({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [],
  usage: { prompt_tokens: 1200, completion_tokens: 7, total_tokens: 1207, prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
})}\n\n`;

const OPENAI_TEXT =
  oc({ role: 'assistant', content: '', refusal: null }) + oc({ content: 'Hello' }) + oc({ content: ', wörld 🦊' }) + oc({}, 'stop') + OPENAI_USAGE_CHUNK + 'data: [DONE]\n\n';

const OPENAI_TOOLS =
  oc({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'weather', arguments: '' } }] }) +
  oc({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }) +
  oc({ tool_calls: [{ index: 0, function: { arguments: 'ty": "Paris"}' } }] }) +
  oc({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'weather', arguments: '' } }] }) +
  oc({ tool_calls: [{ index: 1, function: { arguments: '{"city": "Oslo"}' } }] }) +
  oc({}, 'tool_calls') +
  'data: [DONE]\n\n'; // no usage chunk: the client did not ask for include_usage

// ---------------------------------------------------------------- helpers

interface Translator {
  push(ev: SseEvent): SseEvent[];
  end(): SseEvent[];
}

/** Parse upstream wire text (optionally cut into chunks at the given byte offsets), translate, re-serialise. */
function run(t: Translator, wire: string, cuts: number[] = []): { events: SseEvent[]; text: string } {
  const bytes = new TextEncoder().encode(wire);
  const p = new SseParser();
  const events: SseEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    for (const ev of p.push(bytes.subarray(prev, c))) events.push(...t.push(ev));
    prev = c;
  }
  for (const ev of p.end()) events.push(...t.push(ev));
  events.push(...t.end());
  return { events, text: events.map(formatSse).join('') };
}

const sseFetch = (text: string): typeof fetch =>
  (async () => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } })) as unknown as typeof fetch;

const openaiClient = (text: string) => new OpenAI({ apiKey: 'k', baseURL: 'http://mock.invalid/v1', fetch: sseFetch(text), maxRetries: 0 });
const anthropicClient = (text: string) => new Anthropic({ apiKey: 'k', baseURL: 'http://mock.invalid', fetch: sseFetch(text), maxRetries: 0 });

const chunksOf = (events: SseEvent[]) => events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));

// ---------------------------------------------------------------- Anthropic -> OpenAI

describe('AnthropicToOpenAIStream', () => {
  const opts = { id: 'chatcmpl-x', model: 'fast', created: 1700000000 };

  it('text only, with the usage chunk: exact chunk sequence', () => {
    const t = new AnthropicToOpenAIStream({ ...opts, includeUsage: true });
    const { events } = run(t, ANTHROPIC_TEXT);
    const chunks = chunksOf(events);
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello' }, { content: ', wörld 🦊' }, {}, null]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, null, 'stop', null]);
    for (const c of chunks) expect([c.id, c.object, c.model, c.created]).toEqual(['chatcmpl-x', 'chat.completion.chunk', 'fast', 1700000000]);
    // input includes cache read (100) and write (10); the usage chunk has no choices.
    expect(chunks[4]).toMatchObject({ choices: [], usage: { prompt_tokens: 135, completion_tokens: 12, total_tokens: 147, prompt_tokens_details: { cached_tokens: 100 } } });
    expect(events.at(-1)).toEqual({ data: '[DONE]' });
    expect(t.done).toBe(true);
    expect(t.usage()).toEqual({ inputTokens: 135, outputTokens: 12, cacheReadTokens: 100, cacheWriteTokens: 10, estimated: false });
  });

  it('no usage chunk when the client did not ask, but usage() still reports it', () => {
    const t = new AnthropicToOpenAIStream({ ...opts, includeUsage: false });
    const chunks = chunksOf(run(t, ANTHROPIC_TEXT).events);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(t.usage()?.outputTokens).toBe(12);
  });

  it('tool use with partial JSON: tool_calls deltas with indices, thinking dropped', () => {
    const t = new AnthropicToOpenAIStream({ ...opts, includeUsage: true });
    const chunks = chunksOf(run(t, ANTHROPIC_TOOLS).events);
    expect(chunks.map((c) => c.choices[0]?.delta ?? c.usage)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Checking both.' },
      { tool_calls: [{ index: 0, id: 'toolu_A', type: 'function', function: { name: 'weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city": "Pa' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'ris"}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_B', type: 'function', function: { name: 'weather', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 1, function: { arguments: ' "Oslo"}' } }] },
      {},
      {},
      { prompt_tokens: 400, completion_tokens: 89, total_tokens: 489, prompt_tokens_details: { cached_tokens: 0 } },
    ]);
    expect(chunks[8].choices[0].finish_reason).toBe('tool_calls');
    // The later cumulative message_delta replaces the earlier one.
    expect(t.usage()).toEqual({ inputTokens: 400, outputTokens: 89, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: false });
  });

  it('is read correctly by the official openai client (text and tools)', async () => {
    const text = run(new AnthropicToOpenAIStream({ ...opts, includeUsage: true }), ANTHROPIC_TEXT).text;
    const s1 = openaiClient(text).chat.completions.stream({ model: 'fast', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
    const c1 = await s1.finalChatCompletion();
    expect(c1.choices[0].message.content).toBe('Hello, wörld 🦊');
    expect(c1.choices[0].finish_reason).toBe('stop');
    expect(c1.usage?.prompt_tokens).toBe(135);

    const tools = run(new AnthropicToOpenAIStream({ ...opts, includeUsage: false }), ANTHROPIC_TOOLS).text;
    const s2 = openaiClient(tools).chat.completions.stream({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    const c2 = await s2.finalChatCompletion();
    expect(c2.choices[0].finish_reason).toBe('tool_calls');
    expect(c2.choices[0].message.tool_calls?.map((tc) => tc.type === 'function' && [tc.id, tc.function.name, JSON.parse(tc.function.arguments)])).toEqual([
      ['toolu_A', 'weather', { city: 'Paris' }],
      ['toolu_B', 'weather', { city: 'Oslo' }],
    ]);
  });

  it('gives the same output however the upstream bytes are chunked', () => {
    const whole = run(new AnthropicToOpenAIStream({ ...opts, includeUsage: true }), ANTHROPIC_TOOLS).text;
    const len = new TextEncoder().encode(ANTHROPIC_TOOLS).length;
    for (let i = 1; i < len; i += 5) {
      expect(run(new AnthropicToOpenAIStream({ ...opts, includeUsage: true }), ANTHROPIC_TOOLS, [i, Math.min(len, i + 3)]).text).toBe(whole);
    }
  });

  it('upstream error event -> in-band OpenAI error, no [DONE]; the openai client throws', async () => {
    const cut = ANTHROPIC_TEXT.slice(0, ANTHROPIC_TEXT.indexOf('event: content_block_stop'));
    const wire = cut + a('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
    const t = new AnthropicToOpenAIStream({ ...opts, includeUsage: true });
    const { events, text } = run(t, wire);
    expect(events.at(-1)).toEqual({ data: JSON.stringify({ error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: null } }) });
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
    expect(t.usage()).toBeNull(); // no final usage: the proxy meters by estimate
    const stream = await openaiClient(text).chat.completions.create({ model: 'fast', messages: [], stream: true });
    await expect(async () => {
      for await (const _ of stream) void _;
    }).rejects.toThrow(/Overloaded/);
  });

  it('a stream cut before message_stop ends with an in-band error from end()', () => {
    const cut = ANTHROPIC_TEXT.slice(0, ANTHROPIC_TEXT.indexOf('event: message_delta'));
    const t = new AnthropicToOpenAIStream({ ...opts, includeUsage: true });
    const { events } = run(t, cut);
    expect(JSON.parse(events.at(-1)!.data).error.message).toMatch(/ended before message_stop/);
    expect(t.usage()).toBeNull();
    expect(t.end()).toEqual([]); // idempotent
    expect(t.push({ data: '{"type":"message_stop"}' })).toEqual([]);
  });
});

// ---------------------------------------------------------------- OpenAI -> Anthropic

describe('OpenAIToAnthropicStream', () => {
  const opts = { id: 'msg_x', model: 'smart' };

  it('text only with usage: exact event sequence', () => {
    const t = new OpenAIToAnthropicStream(opts);
    const { events } = run(t, OPENAI_TEXT);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
    const d = events.map((e) => JSON.parse(e.data));
    expect(d[0].message).toMatchObject({ id: 'msg_x', model: 'smart', role: 'assistant', content: [] });
    expect(d[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(d[3].delta).toEqual({ type: 'text_delta', text: ', wörld 🦊' });
    // Anthropic meaning: input_tokens excludes the cached part.
    expect(d[5]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 176, output_tokens: 7, cache_read_input_tokens: 1024, cache_creation_input_tokens: 0 },
    });
    expect(t.usage()).toEqual({ inputTokens: 1200, outputTokens: 7, cacheReadTokens: 1024, cacheWriteTokens: 0, estimated: false });
  });

  it('tool calls with partial JSON, no usage chunk', () => {
    const t = new OpenAIToAnthropicStream(opts);
    const d = run(t, OPENAI_TOOLS).events.map((e) => JSON.parse(e.data));
    expect(d.slice(1)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'call_A', name: 'weather', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"ci' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'ty": "Paris"}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_B', name: 'weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Oslo"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 0 } },
      { type: 'message_stop' },
    ]);
    expect(t.usage()).toBeNull(); // the proxy meters this one by estimate
  });

  it('text followed by a tool call opens a new block; refusal maps to stop_reason refusal', () => {
    const t = new OpenAIToAnthropicStream(opts);
    const wire =
      oc({ role: 'assistant', content: 'Let me look.' }) +
      oc({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }) +
      oc({}, 'tool_calls') +
      'data: [DONE]\n\n';
    const d = run(t, wire).events.map((e) => JSON.parse(e.data));
    expect(d.map((x) => `${x.type}${x.index ?? ''}`)).toEqual([
      'message_start',
      'content_block_start0',
      'content_block_delta0',
      'content_block_stop0',
      'content_block_start1',
      'content_block_delta1',
      'content_block_stop1',
      'message_delta',
      'message_stop',
    ]);
    const r = run(new OpenAIToAnthropicStream(opts), oc({ role: 'assistant', refusal: 'No.' }) + oc({}, 'stop') + 'data: [DONE]\n\n').events.map((e) => JSON.parse(e.data));
    expect(r[2].delta).toEqual({ type: 'text_delta', text: 'No.' });
    expect(r.at(-2).delta.stop_reason).toBe('refusal');
  });

  it('is read correctly by the official @anthropic-ai/sdk client (text and tools)', async () => {
    const m1 = await anthropicClient(run(new OpenAIToAnthropicStream(opts), OPENAI_TEXT).text)
      .messages.stream({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(m1.content).toEqual([{ type: 'text', text: 'Hello, wörld 🦊' }]);
    expect(m1.stop_reason).toBe('end_turn');
    expect(m1.usage).toMatchObject({ input_tokens: 176, output_tokens: 7, cache_read_input_tokens: 1024 });

    const m2 = await anthropicClient(run(new OpenAIToAnthropicStream(opts), OPENAI_TOOLS).text)
      .messages.stream({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(m2.stop_reason).toBe('tool_use');
    expect(m2.content).toEqual([
      { type: 'tool_use', id: 'call_A', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_B', name: 'weather', input: { city: 'Oslo' } },
    ]);
  });

  it('round trip: Anthropic stream -> OpenAI chunks -> Anthropic stream keeps text, tools and usage', async () => {
    const openaiWire = run(new AnthropicToOpenAIStream({ id: 'c', model: 'fast', created: 1, includeUsage: true }), ANTHROPIC_TOOLS).text;
    const back = new OpenAIToAnthropicStream({ id: 'msg_rt', model: 'smart' });
    const m = await anthropicClient(run(back, openaiWire).text)
      .messages.stream({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(m.content).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'toolu_A', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_B', name: 'weather', input: { city: 'Oslo' } },
    ]);
    expect(back.usage()).toEqual({ inputTokens: 400, outputTokens: 89, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: false });
  });

  it('in-band OpenAI error and cut streams end with an Anthropic error event the SDK throws on', async () => {
    const errWire = oc({ role: 'assistant', content: 'Hel' }) + `data: ${JSON.stringify({ error: { message: 'server had an error', type: 'server_error' } })}\n\n`;
    const t = new OpenAIToAnthropicStream(opts);
    const { events, text } = run(t, errWire);
    expect(events.at(-1)).toEqual({ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'server_error', message: 'server had an error' } }) });
    await expect(
      anthropicClient(text).messages.stream({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage(),
    ).rejects.toThrow(/server had an error/);

    const cut = run(new OpenAIToAnthropicStream(opts), oc({ role: 'assistant', content: 'Hel' })).events;
    expect(cut.at(-1)?.event).toBe('error');
    expect(JSON.parse(cut.at(-1)!.data).error.message).toMatch(/ended before finish_reason/);

    // A finish_reason without [DONE] (some OpenAI-compatible servers) still completes cleanly.
    const noDone = run(new OpenAIToAnthropicStream(opts), oc({ content: 'ok' }) + oc({}, 'stop')).events;
    expect(noDone.map((e) => e.event).slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('fail() ends the stream on demand, once', () => {
    const t = new OpenAIToAnthropicStream(opts);
    t.push({ data: JSON.stringify({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] }) });
    expect(t.fail('upstream connection reset')).toHaveLength(1);
    expect(t.fail('again')).toEqual([]);
    expect(t.end()).toEqual([]);
  });
});

describe('StreamUsageTracker on pass-through streams', () => {
  const feed = (tr: StreamUsageTracker, wire: string) => {
    const p = new SseParser();
    for (const ev of [...p.push(wire), ...p.end()]) tr.push(ev);
    return tr;
  };

  it('anthropic: message_start input, cumulative message_delta output (replace, not add)', () => {
    const tr = feed(new StreamUsageTracker('anthropic'), ANTHROPIC_TOOLS);
    expect(tr.usage()).toEqual({ inputTokens: 400, outputTokens: 89, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: false });
    // A message_delta that restates input counters replaces those too.
    const tr2 = feed(
      new StreamUsageTracker('anthropic'),
      ANTHROPIC_TEXT.replace('"usage":{"output_tokens":12}', '"usage":{"output_tokens":12,"input_tokens":30,"cache_read_input_tokens":100}'),
    );
    expect(tr2.usage()).toEqual({ inputTokens: 140, outputTokens: 12, cacheReadTokens: 100, cacheWriteTokens: 10, estimated: false });
  });

  it('anthropic cut short: usage() null, partialUsage() has the message_start counts', () => {
    const tr = feed(new StreamUsageTracker('anthropic'), ANTHROPIC_TEXT.slice(0, ANTHROPIC_TEXT.indexOf('event: message_delta')));
    expect(tr.usage()).toBeNull();
    expect(tr.partialUsage()).toEqual({ inputTokens: 135, outputTokens: 1, cacheReadTokens: 100, cacheWriteTokens: 10, estimated: false });
  });

  it('openai: the usage chunk when present, null when absent', () => {
    expect(feed(new StreamUsageTracker('openai'), OPENAI_TEXT).usage()).toEqual({ inputTokens: 1200, outputTokens: 7, cacheReadTokens: 1024, cacheWriteTokens: 0, estimated: false });
    expect(feed(new StreamUsageTracker('openai'), OPENAI_TOOLS).usage()).toBeNull();
  });
});
