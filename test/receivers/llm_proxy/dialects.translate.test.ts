// Request and whole-response translation between OpenAI Chat Completions and Anthropic Messages:
// every field mapping, the merge rules Anthropic imposes, round trips, and the TranslationErrors.
import { describe, expect, it } from 'vitest';
import {
  anthropicRequestFromOpenAI,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  openAIRequestFromAnthropic,
  REASONING_BUDGETS,
  reasoningEffortFromBudget,
  TranslationError,
} from '../../../receivers/llm_proxy/dialects/translate-request.ts';
import {
  anthropicResponseFromOpenAI,
  finishReasonFromStopReason,
  openAIResponseFromAnthropic,
  stopReasonFromFinishReason,
} from '../../../receivers/llm_proxy/dialects/translate-response.ts';
import type { AnthropicRequest, AnthropicResponse, OpenAIChatRequest, OpenAIChatResponse } from '../../../receivers/llm_proxy/dialects/types.ts';

const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

// A full agent turn: system, image, tool call, two parallel tool results, follow-up user text.
const OPENAI_AGENT: OpenAIChatRequest = {
  model: 'fast',
  messages: [
    { role: 'system', content: 'You are terse.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris and Oslo? See photo.' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/sky.jpg' } },
      ],
    },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '18C sunny' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '4C snow' }] },
    { role: 'user', content: 'Which is warmer?' },
  ],
  tools: [{ type: 'function', function: { name: 'weather', description: 'Current weather', parameters: WEATHER_SCHEMA, strict: true } }],
  tool_choice: 'auto',
  max_completion_tokens: 500,
  temperature: 0.3,
  top_p: 0.9,
  stop: ['END'],
  stream: true,
  stream_options: { include_usage: true },
  user: 'agent-7',
};

describe('anthropicRequestFromOpenAI', () => {
  it('translates a full agent turn', () => {
    const a = anthropicRequestFromOpenAI(OPENAI_AGENT, 'claude-3-5-haiku-latest');
    expect(a).toEqual({
      model: 'claude-3-5-haiku-latest',
      system: 'You are terse.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris and Oslo? See photo.' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/sky.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Oslo' } },
          ],
        },
        {
          // Both tool results and the follow-up question: ONE user turn, results first.
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '18C sunny' },
            { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '4C snow' }] },
            { type: 'text', text: 'Which is warmer?' },
          ],
        },
      ],
      tools: [{ name: 'weather', description: 'Current weather', input_schema: WEATHER_SCHEMA }],
      tool_choice: { type: 'auto' },
      max_tokens: 500,
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'agent-7' },
    });
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(OPENAI_AGENT);
    anthropicRequestFromOpenAI(OPENAI_AGENT, 'm');
    expect(OPENAI_AGENT).toEqual(copy);
  });

  it('defaults max_tokens to 4096 and prefers max_completion_tokens over max_tokens', () => {
    const base = { model: 'x', messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(anthropicRequestFromOpenAI(base, 'm').max_tokens).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
    expect(DEFAULT_ANTHROPIC_MAX_TOKENS).toBe(4096);
    expect(anthropicRequestFromOpenAI({ ...base, max_tokens: 77 }, 'm').max_tokens).toBe(77);
    expect(anthropicRequestFromOpenAI({ ...base, max_tokens: 77, max_completion_tokens: 88 }, 'm').max_tokens).toBe(88);
  });

  it('hoists system and developer messages, as blocks when there are several or parts', () => {
    const a = anthropicRequestFromOpenAI(
      {
        model: 'x',
        messages: [
          { role: 'system', content: 'A' },
          { role: 'developer', content: [{ type: 'text', text: 'B' }] },
          { role: 'user', content: 'hi' },
          { role: 'system', content: 'C' },
        ],
      },
      'm',
    );
    expect(a.system).toEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'text', text: 'C' },
    ]);
    expect(a.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('merges consecutive same-role messages and skips empty assistant turns', () => {
    const a = anthropicRequestFromOpenAI(
      {
        model: 'x',
        messages: [
          { role: 'user', content: 'one' },
          { role: 'user', content: 'two' },
          { role: 'assistant', content: '' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '' } }] },
        ],
      },
      'm',
    );
    expect(a.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
    ]);
  });

  it('keeps assistant text, text parts and refusals', () => {
    const a = anthropicRequestFromOpenAI(
      {
        model: 'x',
        messages: [
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: '', refusal: 'I cannot.' },
          { role: 'user', content: 'q2' },
          { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'refusal', refusal: 'B' }] },
        ],
      },
      'm',
    );
    expect(a.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'I cannot.' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
    ]);
  });

  it('maps tool_choice and parallel_tool_calls', () => {
    const base: OpenAIChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }], tools: OPENAI_AGENT.tools };
    const tc = (extra: Partial<OpenAIChatRequest>) => anthropicRequestFromOpenAI({ ...base, ...extra }, 'm').tool_choice;
    expect(tc({ tool_choice: 'auto' })).toEqual({ type: 'auto' });
    expect(tc({ tool_choice: 'none' })).toEqual({ type: 'none' });
    expect(tc({ tool_choice: 'required' })).toEqual({ type: 'any' });
    expect(tc({ tool_choice: { type: 'function', function: { name: 'weather' } } })).toEqual({ type: 'tool', name: 'weather' });
    expect(tc({ tool_choice: 'required', parallel_tool_calls: false })).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(tc({ parallel_tool_calls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(tc({})).toBeUndefined();
    // A tool without parameters gets an empty object schema (Anthropic requires input_schema).
    const a = anthropicRequestFromOpenAI({ ...base, tools: [{ type: 'function', function: { name: 'now' } }] }, 'm');
    expect(a.tools).toEqual([{ name: 'now', input_schema: { type: 'object', properties: {} } }]);
  });

  it('maps stop (string or array), temperature (clamped to 1) and stream', () => {
    const base = { model: 'x', messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(anthropicRequestFromOpenAI({ ...base, stop: 'X' }, 'm').stop_sequences).toEqual(['X']);
    expect(anthropicRequestFromOpenAI({ ...base, stop: null }, 'm').stop_sequences).toBeUndefined();
    expect(anthropicRequestFromOpenAI({ ...base, temperature: 1.7 }, 'm').temperature).toBe(1);
    expect(anthropicRequestFromOpenAI({ ...base, temperature: 0 }, 'm').temperature).toBe(0);
    const s = anthropicRequestFromOpenAI({ ...base, stream: false, stream_options: { include_usage: true } }, 'm');
    expect(s.stream).toBeUndefined();
    expect('stream_options' in s).toBe(false);
  });

  it('maps reasoning_effort to a thinking budget that fits under max_tokens', () => {
    const base = { model: 'x', messages: [{ role: 'user' as const, content: 'prove it' }] };
    expect(REASONING_BUDGETS).toEqual({ none: null, minimal: null, low: 1024, medium: 4096, high: 16384 });
    const high = anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'high' }, 'm');
    expect(high.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
    expect(high.max_tokens).toBe(16384 + 4096);
    const low = anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'low', max_completion_tokens: 8000 }, 'm');
    expect(low.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(low.max_tokens).toBe(8000);
    // An explicit limit below the budget lowers the budget (OpenAI counts reasoning inside it too).
    const tight = anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'high', max_completion_tokens: 3000 }, 'm');
    expect(tight.thinking).toEqual({ type: 'enabled', budget_tokens: 2999 });
    expect(tight.max_tokens).toBe(3000);
    expect(() => anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'low', max_completion_tokens: 1000 }, 'm')).toThrow(/max_completion_tokens/);
    expect(anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'minimal' }, 'm').thinking).toBeUndefined();
    expect(() => anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'extreme' as never }, 'm')).toThrow(/reasoning_effort/);
    expect(() => anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'high', temperature: 0.2 }, 'm')).toThrow(/temperature/);
    expect(() =>
      anthropicRequestFromOpenAI({ ...base, reasoning_effort: 'high', tools: OPENAI_AGENT.tools, tool_choice: 'required' }, 'm'),
    ).toThrow(/tool_choice/);
  });

  it('does not enable thinking inside an open tool loop (no thinking blocks to replay)', () => {
    const loop = anthropicRequestFromOpenAI(
      {
        model: 'x',
        reasoning_effort: 'medium',
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c', content: 'sunny' },
        ],
      },
      'm',
    );
    expect(loop.thinking).toBeUndefined();
  });

  it('throws a TranslationError naming the field for what Anthropic cannot do', () => {
    const base = { model: 'x', messages: [{ role: 'user' as const, content: 'hi' }] };
    const cases: [Partial<OpenAIChatRequest>, string][] = [
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ top_logprobs: 3 }, 'top_logprobs'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [{ response_format: { type: 'json_schema', json_schema: { name: 's' } } }, 'response_format'],
      [{ presence_penalty: 0.5 }, 'presence_penalty'],
      [{ frequency_penalty: -1 }, 'frequency_penalty'],
      [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
      [{ modalities: ['text', 'audio'] }, 'modalities'],
      [{ tools: [{ type: 'custom', custom: { name: 'x' } } as never] }, 'tools[0].type'],
      [{ tool_choice: 'sometimes' as never, tools: OPENAI_AGENT.tools }, 'tool_choice'],
      [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] }, 'messages[0].content[0].image_url.url'],
      [{ messages: [{ role: 'function', content: 'x' } as never] }, 'messages[0].role'],
      [
        { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] },
        'messages[0].tool_calls[0].function.arguments',
      ],
    ];
    for (const [extra, field] of cases) {
      let err: unknown;
      try {
        anthropicRequestFromOpenAI({ ...base, ...extra } as OpenAIChatRequest, 'm');
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(TranslationError);
      expect((err as TranslationError).field).toBe(field);
      expect((err as TranslationError).message).toContain(field);
    }
    // Harmless defaults are accepted.
    expect(() => anthropicRequestFromOpenAI({ ...base, n: 1, logprobs: false, presence_penalty: 0, response_format: { type: 'text' } }, 'm')).not.toThrow();
  });
});

const ANTHROPIC_AGENT: AnthropicRequest = {
  model: 'smart',
  system: [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: 'Cite sources.', cache_control: { type: 'ephemeral' } },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'need the tool', signature: 'sig' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C sunny' },
        { type: 'text', text: 'Thanks. Umbrella?' },
      ],
    },
  ],
  tools: [{ name: 'weather', description: 'Current weather', input_schema: WEATHER_SCHEMA }],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  max_tokens: 16000,
  stop_sequences: ['END', 'STOP'],
  top_p: 0.95, // with thinking on, Anthropic allows top_p 0.95..1 and no temperature
  stream: true,
  thinking: { type: 'enabled', budget_tokens: 8000 },
  metadata: { user_id: 'agent-9' },
};

describe('openAIRequestFromAnthropic', () => {
  it('translates a full agent turn', () => {
    expect(openAIRequestFromAnthropic(ANTHROPIC_AGENT, 'gpt-4o-mini')).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Cite sources.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        // The tool result comes out as a tool message BEFORE the rest of that user turn.
        { role: 'tool', tool_call_id: 'toolu_1', content: '18C sunny' },
        { role: 'user', content: 'Thanks. Umbrella?' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Current weather', parameters: WEATHER_SCHEMA } }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      max_completion_tokens: 16000,
      stop: ['END', 'STOP'],
      top_p: 0.95,
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: 'medium',
      user: 'agent-9',
    });
  });

  it('maps tool_choice, thinking budgets and url images', () => {
    const base: AnthropicRequest = { model: 'x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: ANTHROPIC_AGENT.tools };
    const tc = (t: AnthropicRequest['tool_choice']) => openAIRequestFromAnthropic({ ...base, tool_choice: t }, 'm').tool_choice;
    expect(tc({ type: 'auto' })).toBe('auto');
    expect(tc({ type: 'none' })).toBe('none');
    expect(tc({ type: 'any' })).toBe('required');
    expect(tc({ type: 'tool', name: 'weather' })).toEqual({ type: 'function', function: { name: 'weather' } });
    expect([1024, 4095, 4096, 16383, 16384, 32000].map(reasoningEffortFromBudget)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
    expect(openAIRequestFromAnthropic({ ...base, thinking: { type: 'disabled' } }, 'm').reasoning_effort).toBeUndefined();
    const img = openAIRequestFromAnthropic(
      { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] },
      'm',
    );
    expect(img.messages).toEqual([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }]);
    const nonStream = openAIRequestFromAnthropic(base, 'm');
    expect(nonStream.stream).toBeUndefined();
    expect(nonStream.stream_options).toBeUndefined();
  });

  it('keeps several tool results as consecutive tool messages, multi-part results as text parts', () => {
    const o = openAIRequestFromAnthropic(
      {
        model: 'x',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'a', content: [{ type: 'text', text: 'A1' }, { type: 'text', text: 'A2' }] },
              { type: 'tool_result', tool_use_id: 'b', is_error: true, content: 'boom' },
              { type: 'tool_result', tool_use_id: 'c' },
            ],
          },
        ],
      },
      'm',
    );
    expect(o.messages).toEqual([
      { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: 'A1' }, { type: 'text', text: 'A2' }] },
      { role: 'tool', tool_call_id: 'b', content: 'boom' },
      { role: 'tool', tool_call_id: 'c', content: '' },
    ]);
  });

  it('throws a TranslationError naming the field for what OpenAI cannot do', () => {
    const base: AnthropicRequest = { model: 'x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const cases: [Partial<AnthropicRequest>, string][] = [
      [{ top_k: 5 }, 'top_k'],
      [{ tools: [{ type: 'web_search_20250305', name: 'web_search', input_schema: {} }] }, 'tools[0].type'],
      [{ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages[0].content[0].type'],
      [{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, 'messages[0].content[0].source.type'],
      [
        {
          messages: [
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] }] },
          ],
        },
        'messages[0].content[0].content[0].type',
      ],
      [{ system: [{ type: 'image' } as never] }, 'system[0].type'],
    ];
    for (const [extra, field] of cases) {
      expect(() => openAIRequestFromAnthropic({ ...base, ...extra }, 'm'), field).toThrow(TranslationError);
      try {
        openAIRequestFromAnthropic({ ...base, ...extra }, 'm');
      } catch (e) {
        expect((e as TranslationError).field).toBe(field);
      }
    }
  });
});

describe('request round trips', () => {
  it('OpenAI -> Anthropic -> OpenAI keeps the conversation, tools and sampling', () => {
    const { stream_options: _so, ...rest } = OPENAI_AGENT;
    const back = openAIRequestFromAnthropic(anthropicRequestFromOpenAI(OPENAI_AGENT, 'claude'), 'fast');
    expect(back).toEqual({
      ...rest,
      // What changes on the way: image `detail` is dropped, a lone-text tool result becomes parts,
      // the tool loses `strict`, and streams ask for usage.
      messages: [
        rest.messages[0],
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris and Oslo? See photo.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/sky.jpg' } },
          ],
        },
        rest.messages[2],
        rest.messages[3],
        rest.messages[4],
        rest.messages[5],
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Current weather', parameters: WEATHER_SCHEMA } }],
      stream_options: { include_usage: true },
    });
  });

  it('Anthropic -> OpenAI -> Anthropic keeps the conversation, tools and sampling', () => {
    const back = anthropicRequestFromOpenAI(openAIRequestFromAnthropic(ANTHROPIC_AGENT, 'gpt'), 'smart');
    expect(back.messages).toEqual([
      ANTHROPIC_AGENT.messages[0],
      // thinking blocks cannot cross Chat Completions
      { role: 'assistant', content: ANTHROPIC_AGENT.messages[1].content.slice(1) },
      ANTHROPIC_AGENT.messages[2],
    ]);
    expect(back.system).toEqual([
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Cite sources.' }, // cache_control has no OpenAI form
    ]);
    expect(back.tools).toEqual(ANTHROPIC_AGENT.tools);
    expect(back.tool_choice).toEqual(ANTHROPIC_AGENT.tool_choice);
    expect(back.stop_sequences).toEqual(ANTHROPIC_AGENT.stop_sequences);
    expect([back.max_tokens, back.top_p, back.stream, back.metadata]).toEqual([16000, 0.95, true, { user_id: 'agent-9' }]);
    // The conversation ends in an open tool loop whose thinking block was lost on the way, so
    // thinking stays off rather than produce a request Anthropic rejects.
    expect(back.thinking).toBeUndefined();
    const closed = { ...ANTHROPIC_AGENT, messages: ANTHROPIC_AGENT.messages.slice(0, 1) };
    expect(anthropicRequestFromOpenAI(openAIRequestFromAnthropic(closed, 'gpt'), 'smart').thinking).toEqual({ type: 'enabled', budget_tokens: 4096 }); // 8000 -> medium -> 4096
  });
});

// ---------------------------------------------------------------- responses

const ANTHROPIC_MSG: AnthropicResponse = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-3-5-haiku-20241022',
  content: [
    { type: 'thinking', thinking: 'hmm', signature: 's' },
    { type: 'text', text: 'Checking ' },
    { type: 'text', text: 'both.' },
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50 },
};

describe('response translation', () => {
  it('maps stop_reason <-> finish_reason', () => {
    expect(['end_turn', 'stop_sequence', 'pause_turn', 'max_tokens', 'model_context_window_exceeded', 'tool_use', 'refusal', null].map(finishReasonFromStopReason)).toEqual([
      'stop',
      'stop',
      'stop',
      'length',
      'length',
      'tool_calls',
      'content_filter',
      'stop',
    ]);
    expect(['stop', 'length', 'tool_calls', 'function_call', 'content_filter', null].map(stopReasonFromFinishReason)).toEqual([
      'end_turn',
      'max_tokens',
      'tool_use',
      'tool_use',
      'refusal',
      'end_turn',
    ]);
  });

  it('openAIResponseFromAnthropic: text, tool calls, finish_reason, normalised usage', () => {
    expect(openAIResponseFromAnthropic(ANTHROPIC_MSG, 'fast', 1700000000)).toEqual({
      id: 'msg_01',
      object: 'chat.completion',
      created: 1700000000,
      model: 'fast',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking both.',
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      // prompt_tokens includes cache reads and writes, as OpenAI's does.
      usage: { prompt_tokens: 1150, completion_tokens: 20, total_tokens: 1170, prompt_tokens_details: { cached_tokens: 1000 } },
    });
    const toolsOnly = openAIResponseFromAnthropic({ ...ANTHROPIC_MSG, content: [ANTHROPIC_MSG.content[3]] }, 'fast');
    expect(toolsOnly.choices[0].message.content).toBeNull();
    expect(openAIResponseFromAnthropic({ ...ANTHROPIC_MSG, content: [] }, 'fast').choices[0].message.content).toBe('');
  });

  it('anthropicResponseFromOpenAI: text, tool calls, stop_reason, normalised usage', () => {
    const completion: OpenAIChatResponse = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 1200, completion_tokens: 30, total_tokens: 1230, prompt_tokens_details: { cached_tokens: 1024 } },
    };
    expect(anthropicResponseFromOpenAI(completion, 'smart')).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'smart',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      // Anthropic's input_tokens excludes cached tokens.
      usage: { input_tokens: 176, output_tokens: 30, cache_read_input_tokens: 1024, cache_creation_input_tokens: 0 },
    });
    const refusal = anthropicResponseFromOpenAI(
      { ...completion, choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help.' }, finish_reason: 'stop' }] },
      'smart',
    );
    expect(refusal.content).toEqual([{ type: 'text', text: 'I cannot help.' }]);
    expect(refusal.stop_reason).toBe('refusal');
    expect(() =>
      anthropicResponseFromOpenAI(
        { ...completion, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] }, finish_reason: 'tool_calls' }] },
        'smart',
      ),
    ).toThrow(TranslationError);
    expect(() => anthropicResponseFromOpenAI({ ...completion, choices: [] }, 'smart')).toThrow(/choices/);
  });

  it('round-trips a response through both dialects', () => {
    const there = openAIResponseFromAnthropic(ANTHROPIC_MSG, 'fast', 1);
    const back = anthropicResponseFromOpenAI(there, 'claude');
    expect(back.content).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
    ]);
    expect(back.stop_reason).toBe('tool_use');
    // Cache writes are folded into plain input by OpenAI's usage shape; reads survive.
    expect(back.usage).toEqual({ input_tokens: 150, output_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0 });
  });
});
