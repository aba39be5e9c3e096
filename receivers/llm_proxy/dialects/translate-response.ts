// Response translation between Anthropic Messages and OpenAI Chat Completions: whole responses and
// streams (stateful translators fed one upstream SSE event at a time, emitting client SSE events
// as they go, so nothing is buffered beyond the current event).
//
// Mappings
// - stop_reason -> finish_reason: end_turn/stop_sequence/pause_turn -> stop, max_tokens and
//   model_context_window_exceeded -> length, tool_use -> tool_calls, refusal -> content_filter.
// - finish_reason -> stop_reason: stop -> end_turn (OpenAI does not say whether a stop sequence
//   matched, so stop_sequence stays null), length -> max_tokens, tool_calls/function_call ->
//   tool_use, content_filter -> refusal.
// - text blocks <-> message content (several Anthropic text blocks are concatenated); tool_use
//   blocks <-> tool_calls (input JSON-stringified / arguments JSON-parsed); thinking blocks have no
//   place in a Chat Completions message and are dropped; an OpenAI refusal becomes a text block.
// - usage via usage.ts, so cached tokens keep their meaning in both directions.
// - `model` in the translated response is the model the client asked for (the route alias).
// Streams
// - AnthropicToOpenAIStream: message_start -> a role chunk; text_delta -> content deltas; each
//   tool_use block -> a tool_calls entry with its own index (0, 1, … in block order), its
//   input_json_delta fragments -> `arguments` deltas; message_delta -> the finish_reason chunk;
//   message_stop -> the usage chunk (only when includeUsage) then `[DONE]`; an upstream `error`
//   event -> OpenAI's in-band `{"error": …}` (no [DONE]).
// - OpenAIToAnthropicStream: the first chunk -> message_start; content -> a text block, each tool
//   call index -> a tool_use block (arguments -> input_json_delta); a block is stopped when the next
//   one starts or the choice finishes; message_delta (stop_reason + usage, which OpenAI sends after
//   the finish chunk) and message_stop are sent at `[DONE]`; an in-band error -> `event: error`.
// - end(): after a complete stream it returns nothing; if the upstream stopped early it returns an
//   in-band error event in the client's dialect, so the client never mistakes a cut stream for a
//   clean end. fail(message) does the same on demand (e.g. upstream connection reset).
import type { SseEvent } from './sse.ts';
import { TranslationError } from './translate-request.ts';
import type {
  AnthropicContentBlock,
  AnthropicResponse,
  AnthropicStopReason,
  AnthropicStreamEvent,
  OpenAIChatChunk,
  OpenAIChatResponse,
  OpenAIFinishReason,
  OpenAIToolCall,
  OpenAIToolCallDelta,
} from './types.ts';
import { anthropicUsageFrom, openAIUsageFrom, StreamUsageTracker, usageFromAnthropic, usageFromOpenAI, type Usage } from './usage.ts';

export function finishReasonFromStopReason(r: AnthropicStopReason | string | null | undefined): OpenAIFinishReason {
  switch (r) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn, null
      return 'stop';
  }
}

export function stopReasonFromFinishReason(r: OpenAIFinishReason | string | null | undefined): AnthropicStopReason {
  switch (r) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

// ---------------------------------------------------------------- whole responses

export function openAIResponseFromAnthropic(msg: AnthropicResponse, requestedModel: string, created = Math.floor(Date.now() / 1000)): OpenAIChatResponse {
  let text = '';
  let hasText = false;
  const toolCalls: OpenAIToolCall[] = [];
  for (const b of msg.content ?? []) {
    if (b.type === 'text') {
      text += b.text;
      hasText = true;
    } else if (b.type === 'tool_use') {
      toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    }
    // thinking / redacted_thinking / server-tool blocks: no place in a chat.completion message
  }
  const message: OpenAIChatResponse['choices'][number]['message'] = {
    role: 'assistant',
    content: hasText || !toolCalls.length ? text : null,
  };
  if (toolCalls.length) message.tool_calls = toolCalls;
  const out: OpenAIChatResponse = {
    id: msg.id,
    object: 'chat.completion',
    created,
    model: requestedModel,
    choices: [{ index: 0, message, finish_reason: finishReasonFromStopReason(msg.stop_reason), logprobs: null }],
  };
  if (msg.usage) out.usage = openAIUsageFrom(usageFromAnthropic(msg.usage));
  return out;
}

export function anthropicResponseFromOpenAI(completion: OpenAIChatResponse, requestedModel: string): AnthropicResponse {
  const choice = completion.choices?.[0];
  if (!choice) throw new TranslationError('choices', 'the OpenAI response has no choices');
  const m = choice.message ?? { role: 'assistant', content: null };
  const content: AnthropicContentBlock[] = [];
  if (typeof m.content === 'string' && m.content !== '') content.push({ type: 'text', text: m.content });
  else if (m.refusal) content.push({ type: 'text', text: m.refusal });
  (m.tool_calls ?? []).forEach((tc, j) => {
    const args = tc.function?.arguments ?? '';
    let input: unknown = {};
    if (args.trim() !== '') {
      try {
        input = JSON.parse(args);
      } catch {
        throw new TranslationError(`choices[0].message.tool_calls[${j}].function.arguments`, 'the model returned arguments that are not valid JSON');
      }
    }
    content.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input });
  });
  const usage = completion.usage ? anthropicUsageFrom(usageFromOpenAI(completion.usage)) : { input_tokens: 0, output_tokens: 0 };
  return {
    id: completion.id,
    type: 'message',
    role: 'assistant',
    content,
    model: requestedModel,
    stop_reason: m.refusal && !m.content ? 'refusal' : stopReasonFromFinishReason(choice.finish_reason),
    stop_sequence: null,
    usage,
  };
}

function parseJson(s: string): any {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- Anthropic stream -> OpenAI chunks

export class AnthropicToOpenAIStream {
  private tracker = new StreamUsageTracker('anthropic');
  private toolIndexByBlock = new Map<number, number>();
  private nextToolIndex = 0;
  private finished = false; // finish_reason chunk sent
  private closed = false; // [DONE] or an error sent: nothing more goes out

  constructor(private readonly o: { id: string; model: string; created: number; includeUsage: boolean }) {}

  /** True once the upstream stream completed (message_stop) or failed in-band. */
  get done(): boolean {
    return this.closed;
  }

  push(ev: SseEvent): SseEvent[] {
    if (this.closed) return [];
    const e = parseJson(ev.data) as AnthropicStreamEvent | undefined;
    if (!e || typeof e !== 'object') return []; // not JSON: nothing to translate
    this.tracker.observeAnthropicEvent(e);
    switch (e.type) {
      case 'message_start':
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'content_block_start': {
        const b = e.content_block;
        if (b?.type === 'tool_use') {
          const index = this.nextToolIndex++;
          this.toolIndexByBlock.set(e.index, index);
          return [this.chunk({ tool_calls: [{ index, id: b.id, type: 'function', function: { name: b.name, arguments: '' } }] })];
        }
        if (b?.type === 'text' && b.text) return [this.chunk({ content: b.text })];
        return [];
      }
      case 'content_block_delta': {
        const d = e.delta;
        if (d?.type === 'text_delta' && d.text) return [this.chunk({ content: d.text })];
        if (d?.type === 'input_json_delta' && d.partial_json) {
          const index = this.toolIndexByBlock.get(e.index);
          if (index === undefined) return [];
          return [this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] })];
        }
        return []; // thinking_delta, signature_delta: not part of a chat.completion.chunk
      }
      case 'message_delta':
        this.finished = true;
        return [this.chunk({}, finishReasonFromStopReason(e.delta?.stop_reason))];
      case 'message_stop': {
        const out: SseEvent[] = [];
        if (!this.finished) out.push(this.chunk({}, 'stop'));
        const u = this.tracker.usage() ?? this.tracker.partialUsage();
        if (this.o.includeUsage && u) {
          const c: OpenAIChatChunk = { id: this.o.id, object: 'chat.completion.chunk', created: this.o.created, model: this.o.model, choices: [], usage: openAIUsageFrom(u) };
          out.push({ data: JSON.stringify(c) });
        }
        out.push({ data: '[DONE]' });
        this.closed = true;
        return out;
      }
      case 'error':
        return this.fail(e.error?.message ?? 'upstream error', e.error?.type);
      default:
        return []; // ping and future event types
    }
  }

  end(): SseEvent[] {
    return this.closed ? [] : this.fail('upstream stream ended before message_stop');
  }

  /** An in-band OpenAI error event that ends the stream (the openai SDK throws an APIError on it). */
  fail(message: string, type = 'upstream_error'): SseEvent[] {
    if (this.closed) return [];
    this.closed = true;
    return [{ data: JSON.stringify({ error: { message, type, param: null, code: null } }) }];
  }

  /** Usage reported by the upstream; null if the stream ended before its final usage. */
  usage(): Usage | null {
    return this.tracker.usage();
  }

  private chunk(delta: OpenAIChatChunk['choices'][number]['delta'], finish: OpenAIFinishReason | null = null): SseEvent {
    const c: OpenAIChatChunk = {
      id: this.o.id,
      object: 'chat.completion.chunk',
      created: this.o.created,
      model: this.o.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    return { data: JSON.stringify(c) };
  }
}

// ---------------------------------------------------------------- OpenAI chunks -> Anthropic stream

export class OpenAIToAnthropicStream {
  private tracker = new StreamUsageTracker('openai');
  private started = false;
  private closed = false;
  private nextBlock = 0;
  private open: { kind: 'text' | 'tool'; index: number } | null = null;
  private toolBlocks = new Map<number, number>(); // OpenAI tool_calls index -> Anthropic block index
  private finish: OpenAIFinishReason | null = null;
  private refused = false;

  /** id: the Anthropic message id to send (e.g. `msg_…`); model: the model the client asked for. */
  constructor(private readonly o: { id: string; model: string }) {}

  get done(): boolean {
    return this.closed;
  }

  push(ev: SseEvent): SseEvent[] {
    if (this.closed) return [];
    if (ev.data === '[DONE]') return this.complete();
    const c = parseJson(ev.data) as (OpenAIChatChunk & { error?: { message?: string; type?: string } }) | undefined;
    if (!c || typeof c !== 'object') return [];
    if (c.error) return this.fail(c.error.message ?? 'upstream error', c.error.type);
    const out: SseEvent[] = [];
    this.start(out);
    this.tracker.observeOpenAIChunk(c);
    const choice = c.choices?.[0];
    if (!choice) return out; // the usage-only chunk
    const d = choice.delta ?? {};
    if (typeof d.content === 'string' && d.content !== '') this.text(d.content, out);
    if (typeof d.refusal === 'string' && d.refusal !== '') {
      this.refused = true;
      this.text(d.refusal, out);
    }
    if (Array.isArray(d.tool_calls)) for (const tc of d.tool_calls) this.tool(tc, out);
    if (choice.finish_reason) {
      this.finish = choice.finish_reason;
      this.closeBlock(out);
    }
    return out;
  }

  end(): SseEvent[] {
    if (this.closed) return [];
    // Some OpenAI-compatible servers omit [DONE]; a finish_reason already marks a complete answer.
    if (this.finish) return this.complete();
    return this.fail('upstream stream ended before finish_reason');
  }

  /** An in-band Anthropic `error` event that ends the stream (the Anthropic SDK throws on it). */
  fail(message: string, type = 'api_error'): SseEvent[] {
    if (this.closed) return [];
    this.closed = true;
    return [this.event({ type: 'error', error: { type, message } })];
  }

  usage(): Usage | null {
    return this.tracker.usage();
  }

  private event(e: AnthropicStreamEvent): SseEvent {
    return { event: e.type, data: JSON.stringify(e) };
  }

  private start(out: SseEvent[]): void {
    if (this.started) return;
    this.started = true;
    // Input tokens are unknown until OpenAI's usage chunk at the end; message_delta carries them.
    out.push(
      this.event({
        type: 'message_start',
        message: { id: this.o.id, type: 'message', role: 'assistant', content: [], model: this.o.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
      }),
    );
  }

  private closeBlock(out: SseEvent[]): void {
    if (!this.open) return;
    out.push(this.event({ type: 'content_block_stop', index: this.open.index }));
    this.open = null;
  }

  private text(text: string, out: SseEvent[]): void {
    if (this.open?.kind !== 'text') {
      this.closeBlock(out);
      this.open = { kind: 'text', index: this.nextBlock++ };
      out.push(this.event({ type: 'content_block_start', index: this.open.index, content_block: { type: 'text', text: '' } }));
    }
    out.push(this.event({ type: 'content_block_delta', index: this.open.index, delta: { type: 'text_delta', text } }));
  }

  private tool(tc: OpenAIToolCallDelta, out: SseEvent[]): void {
    const key = typeof tc.index === 'number' ? tc.index : 0;
    let block = this.toolBlocks.get(key);
    if (block === undefined) {
      this.closeBlock(out);
      block = this.nextBlock++;
      this.toolBlocks.set(key, block);
      this.open = { kind: 'tool', index: block };
      const id = tc.id ?? `toolu_${this.o.id}_${key}`;
      out.push(this.event({ type: 'content_block_start', index: block, content_block: { type: 'tool_use', id, name: tc.function?.name ?? '', input: {} } }));
    }
    // Fragments of an earlier (already stopped) tool call are still sent to its own block index.
    const args = tc.function?.arguments;
    if (args) out.push(this.event({ type: 'content_block_delta', index: block, delta: { type: 'input_json_delta', partial_json: args } }));
  }

  private complete(): SseEvent[] {
    const out: SseEvent[] = [];
    this.start(out);
    this.closeBlock(out);
    const u = this.tracker.usage();
    const stop = this.refused && this.finish === 'stop' ? 'refusal' : stopReasonFromFinishReason(this.finish);
    out.push(this.event({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: u ? anthropicUsageFrom(u) : { output_tokens: 0 } }));
    out.push(this.event({ type: 'message_stop' }));
    this.closed = true;
    return out;
  }
}
