// Usage normalisation (OpenTelemetry GenAI meaning), the token estimate, pricing (each token class
// priced once, unknown price -> null) and the by_complexity estimate (determinism and tiers).
import { describe, expect, it } from 'vitest';
import {
  anthropicUsageFrom,
  estimateTokens,
  estimateUsage,
  isOpenAIUsageOnlyChunk,
  openAIUsageFrom,
  usageFromAnthropic,
  usageFromOpenAI,
  type Usage,
} from '../../../receivers/llm_proxy/dialects/usage.ts';
import { costUsd, type Price } from '../../../receivers/llm_proxy/dialects/pricing.ts';
import { estimateComplexity } from '../../../receivers/llm_proxy/dialects/complexity.ts';

describe('usage normalisation', () => {
  it('OpenAI: prompt_tokens already includes cached_tokens', () => {
    expect(usageFromOpenAI({ prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920 } })).toEqual({
      inputTokens: 2006,
      outputTokens: 300,
      cacheReadTokens: 1920,
      cacheWriteTokens: 0,
      estimated: false,
    });
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: null })).toMatchObject({ inputTokens: 10, cacheReadTokens: 0 });
  });

  it('Anthropic: input_tokens excludes cache reads and writes, so they are added', () => {
    expect(usageFromAnthropic({ input_tokens: 21, output_tokens: 393, cache_read_input_tokens: 188086, cache_creation_input_tokens: 1200 })).toEqual({
      inputTokens: 21 + 188086 + 1200,
      outputTokens: 393,
      cacheReadTokens: 188086,
      cacheWriteTokens: 1200,
      estimated: false,
    });
    expect(usageFromAnthropic({ input_tokens: 5, output_tokens: 1, cache_read_input_tokens: null })).toMatchObject({ inputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('converts back to each dialect without double counting', () => {
    const u: Usage = { inputTokens: 1500, outputTokens: 40, cacheReadTokens: 1000, cacheWriteTokens: 200, estimated: false };
    expect(anthropicUsageFrom(u)).toEqual({ input_tokens: 300, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 200 });
    expect(usageFromAnthropic(anthropicUsageFrom(u))).toEqual(u);
    expect(openAIUsageFrom(u)).toEqual({ prompt_tokens: 1500, completion_tokens: 40, total_tokens: 1540, prompt_tokens_details: { cached_tokens: 1000 } });
  });

  it('recognises OpenAI’s usage-only chunk', () => {
    expect(isOpenAIUsageOnlyChunk({ data: '{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}' })).toBe(true);
    expect(isOpenAIUsageOnlyChunk({ data: '{"id":"c","choices":[{"index":0,"delta":{}}],"usage":null}' })).toBe(false);
    expect(isOpenAIUsageOnlyChunk({ data: '[DONE]' })).toBe(false);
  });
});

describe('estimateTokens / estimateUsage', () => {
  it('is ~4 characters per token on English prose, with a word floor', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('hello')).toBe(2); // ceil(5/4)
    const prose = 'The quick brown fox jumps over the lazy dog near the riverbank.';
    expect(estimateTokens(prose)).toBe(Math.ceil(prose.length / 4));
    expect(estimateTokens('a b c d e f g h')).toBe(8); // short words: the word floor wins over 15/4
  });

  it('counts CJK at about one token per character', () => {
    expect(estimateTokens('日本語のテキストです')).toBe(10);
    expect(estimateTokens('hello 世界')).toBe(3); // 1 word + 2 characters
  });

  it('is deterministic and monotonic in length', () => {
    const t = 'Summarise the following report. '.repeat(50);
    expect(estimateTokens(t)).toBe(estimateTokens(t));
    expect(estimateTokens(t + t)).toBeGreaterThan(estimateTokens(t));
  });

  it('estimateUsage adds per-message framing and marks the result estimated', () => {
    expect(estimateUsage(['You are terse.', 'hello'], 'Hi there, how can I help?')).toEqual({
      inputTokens: estimateTokens('You are terse.') + 4 + estimateTokens('hello') + 4,
      outputTokens: estimateTokens('Hi there, how can I help?'),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      estimated: true,
    });
  });
});

describe('costUsd', () => {
  const u = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0): Usage => ({
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    estimated: false,
  });

  it('prices input and output per million tokens', () => {
    const gpt4oMini: Price = { input: 0.15, output: 0.6, cache_read: 0.075 };
    expect(costUsd(u(1_000_000, 1_000_000), gpt4oMini)).toBeCloseTo(0.75, 12);
    expect(costUsd(u(1000, 500), gpt4oMini)).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 15);
  });

  it('prices each token class once: cached input is not also charged as input', () => {
    // The example price, an OpenAI call with 1920 of 2006 prompt tokens cached.
    const p: Price = { input: 0.15, output: 0.6, cache_read: 0.075 };
    const cost = costUsd(usageFromOpenAI({ prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920 } }), p);
    expect(cost).toBeCloseTo((86 * 0.15 + 1920 * 0.075 + 300 * 0.6) / 1e6, 15);
    // Anthropic-style with a write premium and a read discount (Claude 3.5 Haiku list prices).
    const haiku: Price = { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 };
    const usage = usageFromAnthropic({ input_tokens: 100, output_tokens: 50, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 2_000 });
    expect(costUsd(usage, haiku)).toBeCloseTo((100 * 0.8 + 10_000 * 0.08 + 2_000 * 1 + 50 * 4) / 1e6, 15);
  });

  it('defaults cache prices to the input price', () => {
    expect(costUsd(u(1000, 0, 600, 300), { input: 2, output: 8 })).toBeCloseTo((1000 * 2) / 1e6, 15);
  });

  it('returns null, not 0, when the price is unknown', () => {
    expect(costUsd(u(10, 10), undefined)).toBeNull();
    expect(costUsd(u(10, 10), null)).toBeNull();
    expect(costUsd(u(0, 0), { input: 1, output: 1 })).toBe(0);
  });
});

describe('estimateComplexity', () => {
  const chat = (...contents: string[]) => contents.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content }));

  it('a short question is cheap', () => {
    const r = estimateComplexity({ messages: chat('What is the capital of France?'), toolCount: 0, reasoning: false });
    expect(r.tier).toBe('cheap');
    expect(r.score).toBeLessThan(0.05);
  });

  it('high reasoning alone is frontier; low is not', () => {
    expect(estimateComplexity({ messages: chat('hi'), toolCount: 0, reasoning: 'high' }).tier).toBe('frontier');
    expect(estimateComplexity({ messages: chat('hi'), toolCount: 0, reasoning: 'low' }).tier).toBe('cheap');
    expect(estimateComplexity({ messages: chat('hi'), toolCount: 0, reasoning: '20000' }).tier).toBe('frontier'); // a thinking budget
    expect(estimateComplexity({ messages: chat('hi'), toolCount: 0, reasoning: 'minimal' }).score).toBeLessThan(0.01);
  });

  it('adds tools, code, long output, turns and size, with a reason for each', () => {
    const code = 'Fix this:\n```ts\nconst x: number = "1";\n```';
    const r = estimateComplexity({ messages: chat(code), toolCount: 3, reasoning: true, maxTokens: 8000 });
    expect(r.tier).toBe('frontier'); // 0.15 tools + 0.30 reasoning + 0.15 code + 0.15 output + size
    expect(r.reasons.join('\n')).toMatch(/3 tools offered \(\+0\.15\)/);
    expect(r.reasons.join('\n')).toMatch(/reasoning medium \(\+0\.3\)/);
    expect(r.reasons.join('\n')).toMatch(/code block/);
    expect(r.reasons.join('\n')).toMatch(/long output requested/);
    expect(r.reasons.at(-1)).toMatch(/>= threshold 0.5: frontier/);

    const big = estimateComplexity({ messages: chat('word '.repeat(40_000)), toolCount: 0, reasoning: false });
    expect(big.score).toBeCloseTo(0.35, 3); // size saturates at its weight
    expect(big.tier).toBe('cheap');
    const long = estimateComplexity({ messages: chat(...Array(30).fill('ok')), toolCount: 0, reasoning: false });
    expect(long.score).toBeCloseTo(0.1 + 0.35 * (30 * 1) / 8000, 3);
  });

  it('is deterministic and honours the threshold parameter', () => {
    const req = { messages: chat('Write a parser.', 'Sure.', 'In Rust, with tests.'), toolCount: 9, reasoning: 'medium', maxTokens: 4096 };
    const r1 = estimateComplexity(req);
    expect(estimateComplexity(structuredClone(req))).toEqual(r1);
    expect(r1.score).toBeCloseTo(0.2 + 0.3 + 0.15 + 0.01 + 0.001, 2);
    expect(r1.tier).toBe('frontier');
    expect(estimateComplexity(req, 0.9).tier).toBe('cheap');
    expect(estimateComplexity(req, 0).tier).toBe('frontier');
  });

  it('caps the score at 1', () => {
    const r = estimateComplexity({ messages: chat('```\n' + 'x '.repeat(50_000) + '\n```', ...Array(40).fill('more')), toolCount: 20, reasoning: 'high', maxTokens: 32000 });
    expect(r.score).toBe(1);
  });
});
