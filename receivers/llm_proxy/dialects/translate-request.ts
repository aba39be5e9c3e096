// Request translation between OpenAI Chat Completions and Anthropic Messages, for routes that send
// a client's request to a target of the other dialect. Pure: returns a new body, never mutates.
//
// OpenAI -> Anthropic
// - system/developer messages -> `system` (hoisted in order, wherever they appear; a single string
//   stays a string, otherwise text blocks).
// - user content parts: text -> text; image_url with a data: URL -> image base64 source, an http(s)
//   URL -> image url source (`detail` has no equivalent and is dropped). Audio/file parts throw.
// - assistant content + tool_calls -> text + tool_use blocks (arguments JSON-parsed; "" -> {}).
// - tool messages -> tool_result blocks in a user turn; consecutive tool results, and a user message
//   right after them, merge into ONE user turn (Anthropic requires results to follow the tool_use
//   turn directly, results first). Any consecutive same-role turns are merged likewise.
// - tools -> tools (function.parameters -> input_schema; missing -> empty object schema; `strict`
//   dropped). tool_choice: auto->auto, none->none, required->any, {function} -> {tool};
//   parallel_tool_calls:false -> disable_parallel_tool_use:true.
// - stop -> stop_sequences; max_completion_tokens ?? max_tokens -> max_tokens, which Anthropic
//   requires: DEFAULT_ANTHROPIC_MAX_TOKENS (4096) when absent.
// - temperature: OpenAI allows 0..2, Anthropic 0..1: values above 1 are clamped to 1. top_p as is.
// - reasoning_effort -> thinking.budget_tokens per REASONING_BUDGETS (none/minimal: no thinking).
//   Anthropic requires budget < max_tokens: with no explicit max, max_tokens = budget + 4096; an
//   explicit max at or under the budget lowers the budget to max-1 (floor 1024, Anthropic's minimum;
//   below that it throws). Thinking forbids forced tool_choice and temperature != 1 (throws), and is
//   not enabled while a tool loop is open (the last user turn carries tool results: Anthropic would
//   then require the previous assistant turn's signed thinking block, which OpenAI history lacks).
// - stream -> stream (Anthropic always reports usage, so stream_options is dropped); user ->
//   metadata.user_id. seed, store, metadata, service_tier, prediction and unknown fields are dropped.
// - Throws TranslationError: n>1, logprobs/top_logprobs, response_format json_object/json_schema,
//   non-zero presence/frequency penalty, logit_bias, audio output, non-function tools.
//
// Anthropic -> OpenAI
// - system -> a leading system message; text/image blocks -> content parts (image base64 -> data:
//   URL, url -> url); tool_result blocks -> tool messages placed before the rest of that user turn;
//   assistant tool_use -> tool_calls (input JSON-stringified); thinking blocks are dropped (Chat
//   Completions cannot take them back); is_error on a tool_result has no equivalent and is dropped.
// - tools -> function tools (input_schema -> parameters); tool_choice: auto->auto, any->required,
//   none->none, {tool} -> {function}; disable_parallel_tool_use -> parallel_tool_calls:false.
// - max_tokens -> max_completion_tokens (the field every current OpenAI model accepts, reasoning
//   models included); stop_sequences -> stop; temperature/top_p as is; thinking.budget_tokens ->
//   reasoning_effort (< 4096 low, < 16384 medium, else high); stream -> stream with
//   stream_options.include_usage so the proxy can meter; metadata.user_id -> user.
// - Throws TranslationError: top_k, documents, server tools, file image sources, images inside
//   tool results.
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  OpenAIChatRequest,
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIReasoningEffort,
  OpenAITool,
  OpenAIToolCall,
  OpenAIToolChoice,
} from './types.ts';

/** A request (or response) field that has no faithful equivalent in the other dialect. */
export class TranslationError extends Error {
  override name = 'TranslationError';
  constructor(
    /** JSON path of the offending field, e.g. `messages[2].content[0].type`. */
    readonly field: string,
    reason: string,
  ) {
    super(`cannot translate ${field}: ${reason}`);
  }
}

/** Anthropic requires max_tokens; OpenAI clients often omit it. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** reasoning_effort -> Anthropic thinking budget (tokens). 1024 is Anthropic's minimum budget. */
export const REASONING_BUDGETS: Record<OpenAIReasoningEffort, number | null> = {
  none: null,
  minimal: null,
  low: 1024,
  medium: 4096,
  high: 16384,
};

/** Anthropic thinking budget -> reasoning_effort (inverse of REASONING_BUDGETS by thresholds). */
export function reasoningEffortFromBudget(budget: number): 'low' | 'medium' | 'high' {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

const ANTHROPIC_MIN_THINKING_BUDGET = 1024;

// ---------------------------------------------------------------- OpenAI -> Anthropic

export function anthropicRequestFromOpenAI(body: OpenAIChatRequest, targetModel: string): AnthropicRequest {
  if (!body || typeof body !== 'object') throw new TranslationError('body', 'expected a JSON object');
  if (!Array.isArray(body.messages)) throw new TranslationError('messages', 'expected an array of messages');
  rejectUnsupportedOpenAIFields(body);

  const system: AnthropicTextBlock[] = [];
  let systemAllStrings = true;
  const turns: AnthropicMessage[] = [];
  const push = (role: 'user' | 'assistant', content: string | AnthropicContentBlock[]): void => {
    const last = turns[turns.length - 1];
    if (last && last.role === role) {
      last.content = [...asBlocks(last.content), ...asBlocks(content)];
    } else {
      turns.push({ role, content });
    }
  };

  body.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!m || typeof m !== 'object') throw new TranslationError(at, 'expected a message object');
    switch (m.role) {
      case 'system':
      case 'developer': {
        if (typeof m.content === 'string') {
          if (m.content !== '') system.push({ type: 'text', text: m.content });
        } else {
          systemAllStrings = false;
          textParts(m.content, `${at}.content`).forEach((t) => t && system.push({ type: 'text', text: t }));
        }
        break;
      }
      case 'user': {
        if (typeof m.content === 'string') push('user', m.content);
        else push('user', m.content.map((p, j) => userPartToBlock(p, `${at}.content[${j}]`)));
        break;
      }
      case 'assistant': {
        const blocks: AnthropicContentBlock[] = [];
        if (typeof m.content === 'string') {
          if (m.content !== '') blocks.push({ type: 'text', text: m.content });
        } else if (Array.isArray(m.content)) {
          m.content.forEach((p, j) => {
            const text = p.type === 'text' ? p.text : p.type === 'refusal' ? p.refusal : undefined;
            if (text === undefined) throw new TranslationError(`${at}.content[${j}].type`, `unsupported assistant content part '${(p as { type: string }).type}'`);
            if (text !== '') blocks.push({ type: 'text', text });
          });
        }
        if (!blocks.length && m.refusal) blocks.push({ type: 'text', text: m.refusal });
        (m.tool_calls ?? []).forEach((tc, j) => blocks.push(toolCallToBlock(tc, `${at}.tool_calls[${j}]`)));
        // Anthropic rejects empty assistant turns; an empty one carries nothing, so it is skipped.
        // A lone text stays a plain string, as the client sent it.
        if (blocks.length) push('assistant', blocks.length === 1 && blocks[0].type === 'text' ? blocks[0].text : blocks);
        break;
      }
      case 'tool': {
        if (typeof m.tool_call_id !== 'string') throw new TranslationError(`${at}.tool_call_id`, 'a tool message needs the tool_call_id it answers');
        const result: AnthropicToolResultBlock = {
          type: 'tool_result',
          tool_use_id: m.tool_call_id,
          content: typeof m.content === 'string' ? m.content : textParts(m.content, `${at}.content`).map((text) => ({ type: 'text', text })),
        };
        push('user', [result]);
        break;
      }
      default:
        throw new TranslationError(`${at}.role`, `unsupported role '${(m as { role: string }).role}' (use system, developer, user, assistant or tool)`);
    }
  });

  const out: AnthropicRequest = {
    model: targetModel,
    messages: turns,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
  };
  if (system.length) out.system = systemAllStrings && system.length === 1 ? system[0].text : system;
  if (body.stop != null) {
    const stops = (typeof body.stop === 'string' ? [body.stop] : body.stop).filter((s) => s !== '');
    if (stops.length) out.stop_sequences = stops;
  }
  if (body.temperature != null) out.temperature = Math.min(1, body.temperature);
  if (body.top_p != null) out.top_p = body.top_p;
  if (body.stream) out.stream = true;
  if (body.user) out.metadata = { user_id: body.user };

  if (body.tools?.length) {
    out.tools = body.tools.map((t, i): AnthropicTool => {
      if (t?.type !== 'function' || !t.function?.name) {
        throw new TranslationError(`tools[${i}].type`, `only function tools translate to Anthropic (got '${t?.type}')`);
      }
      const tool: AnthropicTool = { name: t.function.name, input_schema: t.function.parameters ?? { type: 'object', properties: {} } };
      if (t.function.description) tool.description = t.function.description;
      return tool;
    });
  }
  const choice = anthropicToolChoice(body.tool_choice, body.parallel_tool_calls);
  if (choice && (out.tools || choice.type === 'none')) out.tool_choice = choice;

  const effort = body.reasoning_effort;
  if (effort != null) {
    if (!(effort in REASONING_BUDGETS)) throw new TranslationError('reasoning_effort', `unknown value '${effort}' (use none, minimal, low, medium or high)`);
    let budget = REASONING_BUDGETS[effort];
    if (budget !== null && !toolLoopOpen(turns)) {
      if (out.tool_choice && (out.tool_choice.type === 'any' || out.tool_choice.type === 'tool')) {
        throw new TranslationError('tool_choice', 'Anthropic does not allow a forced tool choice together with reasoning_effort (thinking)');
      }
      if (out.temperature !== undefined && out.temperature !== 1) {
        throw new TranslationError('temperature', 'Anthropic does not allow temperature other than 1 together with reasoning_effort (thinking); drop one of them');
      }
      const explicitMax = body.max_completion_tokens ?? body.max_tokens;
      if (explicitMax == null) {
        out.max_tokens = budget + DEFAULT_ANTHROPIC_MAX_TOKENS;
      } else if (explicitMax <= budget) {
        if (explicitMax - 1 < ANTHROPIC_MIN_THINKING_BUDGET) {
          throw new TranslationError('max_completion_tokens', `with reasoning_effort, Anthropic needs more than ${ANTHROPIC_MIN_THINKING_BUDGET} tokens (its minimum thinking budget) below the output limit; got ${explicitMax}`);
        }
        budget = explicitMax - 1;
      }
      out.thinking = { type: 'enabled', budget_tokens: budget };
    }
  }
  return out;
}

function rejectUnsupportedOpenAIFields(b: OpenAIChatRequest): void {
  if (b.n != null && b.n !== 1) throw new TranslationError('n', `Anthropic returns one choice per request (got n=${b.n}); send n separate requests`);
  if (b.logprobs) throw new TranslationError('logprobs', 'Anthropic does not return log probabilities');
  if (b.top_logprobs != null && b.top_logprobs !== 0) throw new TranslationError('top_logprobs', 'Anthropic does not return log probabilities');
  const rf = b.response_format;
  if (rf && rf.type !== 'text') {
    throw new TranslationError('response_format', `'${rf.type}' has no Anthropic Messages equivalent; use a tool with an input_schema, or route to an OpenAI target`);
  }
  for (const k of ['presence_penalty', 'frequency_penalty'] as const) {
    const v = b[k];
    if (typeof v === 'number' && v !== 0) throw new TranslationError(k, 'Anthropic has no repetition penalties');
  }
  const bias = b.logit_bias;
  if (bias && typeof bias === 'object' && Object.keys(bias).length) throw new TranslationError('logit_bias', 'Anthropic has no logit bias');
  const mods = b.modalities;
  if (Array.isArray(mods) && mods.some((m) => m !== 'text')) throw new TranslationError('modalities', 'Anthropic only produces text');
  if (b.audio != null) throw new TranslationError('audio', 'Anthropic does not produce audio');
  if (b.functions != null || b.function_call != null) {
    throw new TranslationError(b.functions != null ? 'functions' : 'function_call', 'the deprecated functions API is not translated; use tools and tool_choice');
  }
}

function anthropicToolChoice(tc: OpenAIToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (tc === undefined) return parallel === false ? { type: 'auto', ...noParallel } : undefined;
  if (tc === 'auto') return { type: 'auto', ...noParallel };
  if (tc === 'none') return { type: 'none' };
  if (tc === 'required') return { type: 'any', ...noParallel };
  if (tc && typeof tc === 'object' && tc.type === 'function' && tc.function?.name) return { type: 'tool', name: tc.function.name, ...noParallel };
  throw new TranslationError('tool_choice', `unsupported value ${JSON.stringify(tc)} (use auto, none, required or {type:'function', function:{name}})`);
}

/**
 * The conversation ends inside a tool loop: the last turn is a user turn carrying tool results.
 * With thinking on, Anthropic then requires the assistant turn before it to start with its
 * (signed) thinking block, which an OpenAI-dialect history cannot carry.
 */
function toolLoopOpen(turns: AnthropicMessage[]): boolean {
  const last = turns[turns.length - 1];
  return !!last && last.role === 'user' && typeof last.content !== 'string' && last.content.some((b) => b.type === 'tool_result');
}

function asBlocks(c: string | AnthropicContentBlock[]): AnthropicContentBlock[] {
  return typeof c === 'string' ? (c === '' ? [] : [{ type: 'text', text: c }]) : c;
}

function textParts(parts: unknown, at: string): string[] {
  if (!Array.isArray(parts)) throw new TranslationError(at, 'expected a string or an array of content parts');
  return parts.map((p, j) => {
    if (p?.type !== 'text' || typeof p.text !== 'string') throw new TranslationError(`${at}[${j}].type`, `only text parts are allowed here (got '${p?.type}')`);
    return p.text as string;
  });
}

const DATA_URL_RE = /^data:([^;,]+)((?:;[^;,]*)*);base64,/;

function userPartToBlock(p: OpenAIContentPart, at: string): AnthropicContentBlock {
  if (p?.type === 'text') return { type: 'text', text: p.text };
  if (p?.type === 'image_url') {
    const url = p.image_url?.url;
    if (typeof url !== 'string') throw new TranslationError(`${at}.image_url.url`, 'expected a URL string');
    const m = DATA_URL_RE.exec(url);
    if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: url.slice(m[0].length) } };
    if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
    throw new TranslationError(`${at}.image_url.url`, 'Anthropic takes images as base64 data: URLs or http(s) URLs');
  }
  throw new TranslationError(`${at}.type`, `content part '${(p as { type?: string })?.type}' has no Anthropic equivalent (text and image_url translate)`);
}

function toolCallToBlock(tc: OpenAIToolCall, at: string): AnthropicContentBlock {
  if (tc?.type !== undefined && tc.type !== 'function') throw new TranslationError(`${at}.type`, `only function tool calls translate (got '${tc.type}')`);
  const args = tc?.function?.arguments;
  let input: unknown = {};
  if (typeof args === 'string' && args.trim() !== '') {
    try {
      input = JSON.parse(args);
    } catch {
      throw new TranslationError(`${at}.function.arguments`, 'not valid JSON; Anthropic needs tool input as a JSON object');
    }
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new TranslationError(`${at}.function.arguments`, 'Anthropic needs tool input as a JSON object');
  }
  return { type: 'tool_use', id: tc.id, name: tc.function.name, input };
}

// ---------------------------------------------------------------- Anthropic -> OpenAI

export function openAIRequestFromAnthropic(body: AnthropicRequest, targetModel: string): OpenAIChatRequest {
  if (!body || typeof body !== 'object') throw new TranslationError('body', 'expected a JSON object');
  if (!Array.isArray(body.messages)) throw new TranslationError('messages', 'expected an array of messages');
  if (body.top_k != null) throw new TranslationError('top_k', 'OpenAI Chat Completions has no top_k; use top_p');

  const messages: OpenAIMessage[] = [];
  if (body.system != null) {
    if (typeof body.system === 'string') {
      if (body.system !== '') messages.push({ role: 'system', content: body.system });
    } else {
      const texts = body.system.map((b, i) => {
        if (b?.type !== 'text') throw new TranslationError(`system[${i}].type`, `only text blocks are allowed in system (got '${b?.type}')`);
        return b.text;
      });
      if (texts.length === 1) messages.push({ role: 'system', content: texts[0] });
      else if (texts.length > 1) messages.push({ role: 'system', content: texts.map((text) => ({ type: 'text' as const, text })) });
    }
  }

  body.messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!m || typeof m !== 'object') throw new TranslationError(at, 'expected a message object');
    if (m.role === 'user') {
      if (typeof m.content === 'string') {
        messages.push({ role: 'user', content: m.content });
        return;
      }
      const parts: OpenAIContentPart[] = [];
      m.content.forEach((b, j) => {
        const bat = `${at}.content[${j}]`;
        if (b.type === 'tool_result') messages.push(toolResultToMessage(b, bat));
        else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
        else if (b.type === 'image') parts.push(imageToPart(b, bat));
        else throw new TranslationError(`${bat}.type`, `user content block '${b.type}' has no OpenAI Chat Completions equivalent`);
      });
      if (parts.length) {
        // A lone text part reads more naturally (and survives more OpenAI-compatible servers) as a string.
        messages.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? parts[0].text : parts });
      }
      return;
    }
    if (m.role === 'assistant') {
      if (typeof m.content === 'string') {
        messages.push({ role: 'assistant', content: m.content });
        return;
      }
      const texts: string[] = [];
      const toolCalls: OpenAIToolCall[] = [];
      m.content.forEach((b, j) => {
        if (b.type === 'text') texts.push(b.text);
        else if (b.type === 'tool_use') toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
        else if (b.type === 'thinking' || b.type === 'redacted_thinking') return; // no input form in Chat Completions
        else throw new TranslationError(`${at}.content[${j}].type`, `assistant content block '${b.type}' has no OpenAI Chat Completions equivalent`);
      });
      // Several text blocks stay separate as text parts; one is a plain string; none with tool calls is null.
      const content = texts.length > 1 ? texts.map((text) => ({ type: 'text' as const, text })) : texts.length === 1 ? texts[0] : toolCalls.length ? null : '';
      const msg: OpenAIMessage = { role: 'assistant', content };
      if (toolCalls.length) msg.tool_calls = toolCalls;
      messages.push(msg);
      return;
    }
    throw new TranslationError(`${at}.role`, `unsupported role '${(m as { role: string }).role}' (use user or assistant)`);
  });

  const out: OpenAIChatRequest = { model: targetModel, messages, max_completion_tokens: body.max_tokens };
  if (body.stop_sequences?.length) out.stop = body.stop_sequences;
  if (body.temperature != null) out.temperature = body.temperature;
  if (body.top_p != null) out.top_p = body.top_p;
  if (body.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (body.metadata?.user_id) out.user = body.metadata.user_id;
  if (body.thinking?.type === 'enabled') out.reasoning_effort = reasoningEffortFromBudget(body.thinking.budget_tokens);

  if (body.tools?.length) {
    out.tools = body.tools.map((t, i): OpenAITool => {
      if (t?.type !== undefined && t.type !== 'custom') {
        throw new TranslationError(`tools[${i}].type`, `Anthropic server tool '${t.type}' has no OpenAI Chat Completions equivalent`);
      }
      if (!t?.name) throw new TranslationError(`tools[${i}].name`, 'a tool needs a name');
      const fn: OpenAITool['function'] = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } };
      if (t.description) fn.description = t.description;
      return { type: 'function', function: fn };
    });
  }
  const tc = body.tool_choice;
  if (tc) {
    if (tc.type === 'auto') out.tool_choice = 'auto';
    else if (tc.type === 'any') out.tool_choice = 'required';
    else if (tc.type === 'none') out.tool_choice = 'none';
    else if (tc.type === 'tool') out.tool_choice = { type: 'function', function: { name: tc.name } };
    else throw new TranslationError('tool_choice.type', `unsupported value '${(tc as { type: string }).type}' (use auto, any, none or tool)`);
    if (tc.type !== 'none' && tc.disable_parallel_tool_use && out.tools) out.parallel_tool_calls = false;
  }
  return out;
}

function imageToPart(b: AnthropicImageBlock, at: string): OpenAIContentPart {
  const s = b.source;
  if (s?.type === 'base64') return { type: 'image_url', image_url: { url: `data:${s.media_type};base64,${s.data}` } };
  if (s?.type === 'url') return { type: 'image_url', image_url: { url: s.url } };
  throw new TranslationError(`${at}.source.type`, `image source '${(s as { type?: string })?.type}' has no OpenAI equivalent (base64 and url translate)`);
}

function toolResultToMessage(b: AnthropicToolResultBlock, at: string): OpenAIMessage {
  if (b.content === undefined || typeof b.content === 'string') return { role: 'tool', tool_call_id: b.tool_use_id, content: b.content ?? '' };
  const parts = b.content.map((c, k) => {
    if (c.type !== 'text') throw new TranslationError(`${at}.content[${k}].type`, `OpenAI tool messages carry text only (got '${c.type}')`);
    return { type: 'text' as const, text: c.text };
  });
  return { role: 'tool', tool_call_id: b.tool_use_id, content: parts };
}
