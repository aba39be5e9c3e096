// Minimal wire types for the provider bodies the LLM proxy reads or rewrites: OpenAI Chat
// Completions (request, response, stream chunk), OpenAI embeddings, Anthropic Messages (request,
// response, stream events). Only the fields the proxy touches are spelled out; request types carry
// an index signature so that, when the client and the target speak the same dialect, unknown fields
// are forwarded untouched. Across dialects, unknown fields are dropped (see translate-request.ts).
//
// Bodies arrive as JSON from clients and upstreams, so these types describe what is expected, not
// what is guaranteed: the translators check `type`/`role` at run time and throw TranslationError on
// anything they do not recognise.

// ---------------------------------------------------------------- OpenAI Chat Completions

export interface OpenAITextPart { type: 'text'; text: string }
export interface OpenAIImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export interface OpenAIRefusalPart { type: 'refusal'; refusal: string }
/** Parts we recognise but cannot translate (audio, files); listed so the types admit them. */
export interface OpenAIOtherPart { type: 'input_audio' | 'file'; [key: string]: unknown }
export type OpenAIContentPart = OpenAITextPart | OpenAIImagePart | OpenAIRefusalPart | OpenAIOtherPart;

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string }; // arguments: a JSON text produced by the model
}

export interface OpenAISystemMessage { role: 'system' | 'developer'; content: string | OpenAITextPart[]; name?: string }
export interface OpenAIUserMessage { role: 'user'; content: string | OpenAIContentPart[]; name?: string }
export interface OpenAIAssistantMessage {
  role: 'assistant';
  content?: string | (OpenAITextPart | OpenAIRefusalPart)[] | null;
  tool_calls?: OpenAIToolCall[];
  refusal?: string | null;
  name?: string;
}
export interface OpenAIToolMessage { role: 'tool'; tool_call_id: string; content: string | OpenAITextPart[] }
export type OpenAIMessage = OpenAISystemMessage | OpenAIUserMessage | OpenAIAssistantMessage | OpenAIToolMessage;

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}
export type OpenAIToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type OpenAIReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

export type OpenAIResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null; // deprecated by OpenAI in favour of max_completion_tokens
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  reasoning_effort?: OpenAIReasoningEffort | null;
  response_format?: OpenAIResponseFormat;
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  user?: string;
  [key: string]: unknown;
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAIUsage {
  prompt_tokens: number; // includes prompt_tokens_details.cached_tokens
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown } | null;
}

export interface OpenAIChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[]; refusal?: string | null };
    finish_reason: OpenAIFinishReason | null;
    logprobs?: unknown;
  }[];
  usage?: OpenAIUsage;
  system_fingerprint?: string | null;
  [key: string]: unknown;
}

export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: OpenAIToolCallDelta[]; refusal?: string | null };
    finish_reason: OpenAIFinishReason | null;
    logprobs?: unknown;
  }[];
  /** Present (non-null) only on the extra last chunk sent when stream_options.include_usage is set. */
  usage?: OpenAIUsage | null;
  [key: string]: unknown;
}

/** What OpenAI sends in a non-2xx body, and in-band inside a stream (`data: {"error": …}`). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param?: string | null; code?: string | null };
}

// ---------------------------------------------------------------- OpenAI embeddings

export interface OpenAIEmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [key: string]: unknown;
}

export interface OpenAIEmbeddingsResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

// ---------------------------------------------------------------- Anthropic Messages

export interface AnthropicCacheControl { type: 'ephemeral'; ttl?: string }

export interface AnthropicTextBlock { type: 'text'; text: string; cache_control?: AnthropicCacheControl | null; [key: string]: unknown }
export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };
export interface AnthropicImageBlock { type: 'image'; source: AnthropicImageSource; cache_control?: AnthropicCacheControl | null }
export interface AnthropicToolUseBlock { type: 'tool_use'; id: string; name: string; input: unknown; cache_control?: AnthropicCacheControl | null }
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | (AnthropicTextBlock | AnthropicImageBlock)[];
  is_error?: boolean;
  cache_control?: AnthropicCacheControl | null;
}
export interface AnthropicThinkingBlock { type: 'thinking'; thinking: string; signature: string }
export interface AnthropicRedactedThinkingBlock { type: 'redacted_thinking'; data: string }
/** Blocks we recognise but cannot translate (documents, server tools); listed so the types admit them. */
export interface AnthropicOtherBlock { type: 'document' | 'server_tool_use' | 'web_search_tool_result' | 'search_result'; [key: string]: unknown }

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicOtherBlock;

export interface AnthropicMessage { role: 'user' | 'assistant'; content: string | AnthropicContentBlock[] }

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: AnthropicCacheControl | null;
  /** Absent or 'custom' for client tools; server tools carry a versioned type such as 'web_search_20250305'. */
  type?: string;
  [key: string]: unknown;
}

export type AnthropicToolChoice =
  | { type: 'auto' | 'any' | 'none'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean };

export type AnthropicThinking = { type: 'enabled'; budget_tokens: number } | { type: 'disabled' };

export interface AnthropicRequest {
  model: string;
  messages: AnthropicMessage[];
  system?: string | AnthropicTextBlock[];
  max_tokens: number; // required by Anthropic
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: AnthropicThinking;
  metadata?: { user_id?: string | null };
  [key: string]: unknown;
}

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens: number; // EXCLUDES cache_read and cache_creation tokens
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [key: string]: unknown;
}

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  content: AnthropicContentBlock[];
  model: string;
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
  [key: string]: unknown;
}

export type AnthropicDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

/** The `data` of each Anthropic SSE event; the SSE `event:` name equals `type`. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponse }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
      /** Cumulative totals for the whole message so far (replace, never add). */
      usage: Partial<AnthropicUsage> & { output_tokens: number };
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };

/** What Anthropic sends in a non-2xx body, and as the `error` stream event. */
export interface AnthropicErrorBody { type: 'error'; error: { type: string; message: string } }
