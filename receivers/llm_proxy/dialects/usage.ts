// Token usage normalised to the OpenTelemetry GenAI meaning (gen_ai.usage.input_tokens includes
// cached tokens), from either provider dialect, whole responses or streams, and a deterministic
// estimate for streams that end without usage.
//
// - OpenAI: prompt_tokens already INCLUDES prompt_tokens_details.cached_tokens; OpenAI reports no
//   cache writes (its prompt caching is automatic and unbilled on write).
// - Anthropic: input_tokens EXCLUDES cache_read_input_tokens and cache_creation_input_tokens, so
//   input = input_tokens + cache_read + cache_creation.
// Each token class is then priced once by pricing.ts (uncached input = input - read - write).
import type { SseEvent } from './sse.ts';
import type { AnthropicUsage, OpenAIUsage } from './types.ts';

export interface Usage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Part of inputTokens served from the provider's prompt cache. */
  cacheReadTokens: number;
  /** Part of inputTokens written to the provider's prompt cache. */
  cacheWriteTokens: number;
  /** True when counted by estimateTokens() rather than reported by the provider. */
  estimated: boolean;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export function usageFromOpenAI(u: Partial<OpenAIUsage>): Usage {
  return {
    inputTokens: n(u.prompt_tokens),
    outputTokens: n(u.completion_tokens),
    cacheReadTokens: n(u.prompt_tokens_details?.cached_tokens),
    cacheWriteTokens: 0,
    estimated: false,
  };
}

export function usageFromAnthropic(u: Partial<AnthropicUsage>): Usage {
  const read = n(u.cache_read_input_tokens);
  const write = n(u.cache_creation_input_tokens);
  return {
    inputTokens: n(u.input_tokens) + read + write,
    outputTokens: n(u.output_tokens),
    cacheReadTokens: read,
    cacheWriteTokens: write,
    estimated: false,
  };
}

/** The inverse mappings, for translated responses. */
export function openAIUsageFrom(u: Usage): OpenAIUsage {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadTokens },
  };
}

export function anthropicUsageFrom(u: Usage): AnthropicUsage {
  return {
    input_tokens: Math.max(0, u.inputTokens - u.cacheReadTokens - u.cacheWriteTokens),
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cacheReadTokens,
  };
}

// Cheap pre-check so pass-through streams only JSON.parse the chunk that carries usage.
const OPENAI_USAGE_RE = /"usage"\s*:\s*\{/;

/**
 * Reads usage off a stream as its SSE events go by (pass-through or translated).
 * - anthropic: `message_start` carries the input side (and a provisional output count); each
 *   `message_delta` carries CUMULATIVE totals, so later values replace earlier ones, never add.
 * - openai: the one chunk with a non-null `usage` (sent when stream_options.include_usage is set).
 * usage() is null until the stream's final usage was seen (message_delta / usage chunk);
 * partialUsage() also returns what message_start reported, for a stream cut short.
 */
export class StreamUsageTracker {
  private raw: Partial<AnthropicUsage> | null = null;
  private openai: Usage | null = null;
  private final = false;

  constructor(readonly dialect: 'openai' | 'anthropic') {}

  /** Observe one SSE event of the upstream stream. Never throws on malformed data. */
  push(ev: SseEvent): void {
    if (this.dialect === 'openai') {
      if (!OPENAI_USAGE_RE.test(ev.data)) return;
      const obj = safeParse(ev.data);
      if (obj) this.observeOpenAIChunk(obj);
      return;
    }
    // Anthropic names every event; fall back to sniffing the data for unnamed ones.
    const t = ev.event;
    if (t === 'message_start' || t === 'message_delta' || (t === undefined && ev.data.includes('"message_'))) {
      const obj = safeParse(ev.data);
      if (obj) this.observeAnthropicEvent(obj);
    }
  }

  /** Observe an already-parsed OpenAI chunk. */
  observeOpenAIChunk(chunk: { usage?: Partial<OpenAIUsage> | null }): void {
    if (chunk.usage && typeof chunk.usage === 'object') {
      this.openai = usageFromOpenAI(chunk.usage);
      this.final = true;
    }
  }

  /** Observe an already-parsed Anthropic event (the `data` of the SSE event). */
  observeAnthropicEvent(e: { type?: string; message?: { usage?: Partial<AnthropicUsage> }; usage?: Partial<AnthropicUsage> }): void {
    if (e.type === 'message_start' && e.message?.usage) {
      this.raw = { ...e.message.usage };
    } else if (e.type === 'message_delta' && e.usage) {
      const merged: Partial<AnthropicUsage> = { ...(this.raw ?? {}) };
      // Replace each counter that is present; absent ones keep the message_start value.
      for (const k of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
        const v = e.usage[k];
        if (typeof v === 'number') merged[k] = v;
      }
      this.raw = merged;
      this.final = true;
    }
  }

  usage(): Usage | null {
    return this.final ? this.partialUsage() : null;
  }

  partialUsage(): Usage | null {
    if (this.dialect === 'openai') return this.openai;
    return this.raw ? usageFromAnthropic(this.raw) : null;
  }
}

/** True for OpenAI's extra usage-only chunk (`choices: []` with usage), to drop it for clients that did not ask for it. */
export function isOpenAIUsageOnlyChunk(ev: SseEvent): boolean {
  if (!OPENAI_USAGE_RE.test(ev.data)) return false;
  const obj = safeParse(ev.data) as { choices?: unknown[] } | null;
  return !!obj && Array.isArray(obj.choices) && obj.choices.length === 0;
}

function safeParse(s: string): Record<string, any> | null {
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- estimate

// CJK ideographs, kana and hangul: tokenizers spend about one token per character on them.
const DENSE_SCRIPT_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const WORD_RE = /[\p{L}\p{N}_]+/gu;

/**
 * A deterministic token estimate for text whose usage the provider did not report:
 *   max( ceil(UTF-16 length / 4),  words + dense-script characters )
 * ~4 characters per token is the usual figure for English BPE tokenizers; the word floor keeps
 * short-word text and CJK (about one token per character) from being undercounted. Words are runs
 * of letters/digits/underscore outside the dense scripts. Not a tokenizer: good to ~±25% on prose.
 */
export function estimateTokens(text: string): number {
  if (!text) return 0;
  const byChars = Math.ceil(text.length / 4);
  let dense = 0;
  let rest = text;
  // Fast path: only pay for the Unicode-script scan when there is non-ASCII text.
  if (/[^\x00-\x7f]/.test(text)) {
    dense = (text.match(DENSE_SCRIPT_RE) ?? []).length;
    if (dense > 0) rest = text.replace(DENSE_SCRIPT_RE, ' ');
  }
  const words = (rest.match(WORD_RE) ?? []).length;
  return Math.max(byChars, words + dense);
}

/** Per-message framing (role, separators) that chat formats add; OpenAI documents 3–4 tokens. */
export const ESTIMATE_TOKENS_PER_MESSAGE = 4;

/** Estimated usage of a call: each prompt text is one message; marked estimated: true. */
export function estimateUsage(promptTexts: string[], completionText: string): Usage {
  let input = 0;
  for (const t of promptTexts) input += estimateTokens(t) + ESTIMATE_TOKENS_PER_MESSAGE;
  return { inputTokens: input, outputTokens: estimateTokens(completionText), cacheReadTokens: 0, cacheWriteTokens: 0, estimated: true };
}
