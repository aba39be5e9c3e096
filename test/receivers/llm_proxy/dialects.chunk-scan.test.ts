// scanOpenAITextChunk (dialects/chunk-scan.ts): the JSON.parse-free read of plain OpenAI text chunks must give exactly what
// parsing gives (delta texts in order, finish reasons), or decline so the relay parses in full.
import { describe, expect, it } from 'vitest';
import { scanOpenAITextChunk } from '../../../receivers/llm_proxy/dialects/chunk-scan.ts';

/** What the relay's full-parse path reads from a chunk. */
function parsed(data: string): { texts: string[]; finish: string[] } {
  const obj = JSON.parse(data);
  const texts: string[] = [];
  const finish: string[] = [];
  for (const c of obj.choices ?? []) {
    if (typeof c?.delta?.content === 'string') texts.push(c.delta.content);
    if (c?.finish_reason) finish.push(c.finish_reason);
  }
  return { texts, finish };
}

function scanned(data: string): { texts: string[]; finish: string[] } | undefined {
  const texts: string[] = [];
  const finish: string[] = [];
  return scanOpenAITextChunk(data, texts, finish) ? { texts, finish } : undefined;
}

const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra });

describe('scanOpenAITextChunk', () => {
  it('reads text deltas and finish reasons as JSON.parse does', () => {
    for (const data of [
      chunk({ content: 'Hello' }),
      chunk({ content: ' wörld 日本 🎉' }),
      chunk({ content: 'quote " backslash \\ newline \n tab \t unicode \u2028 and "content": "x"' }),
      chunk({ content: '\\' }),
      chunk({ content: 'ends with backslash\\' }, null),
      chunk({ role: 'assistant', content: '', refusal: null }),
      chunk({}, 'stop'),
      chunk({ content: 'a' }, null, { usage: null }),
      chunk({ role: 'content' }),
      JSON.stringify({ choices: [{ delta: { content: 'a' } }, { delta: { content: 'b' }, finish_reason: 'length' }] }),
      '{ "choices" : [ { "delta" : { "content" : "spaced" } , "finish_reason" : "stop" } ] }',
    ]) {
      expect(scanned(data), data).toEqual(parsed(data));
    }
  });

  it('declines chunks it does not read in full: tool calls, usage, errors, odd shapes', () => {
    expect(scanned(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }))).toBeUndefined();
    expect(scanned(JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }))).toBeUndefined();
    expect(scanned(JSON.stringify({ error: { message: 'boom' } }))).toBeUndefined();
    expect(scanned(chunk({ content: ['part'] }))).toBeUndefined();
    expect(scanned(chunk({ content: 5 }))).toBeUndefined();
    expect(scanned('{"choices":[{"delta":{"content":"unterminated}]}')).toBeUndefined();
    expect(scanned('not json')).toBeUndefined();
  });

  it('agrees with JSON.parse on randomised texts', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const alphabet = ['a', ' ', '"', '\\', '\\"', '"content":', ':', ',', '{', '}', '[', ']', 'é', '🎉', '\n', 'null', '"finish_reason":"x"', '"error":', '"tool_calls":[1]', '"usage":{'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: Math.floor(rnd() * 10) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const data = chunk({ content: text }, rnd() > 0.8 ? 'stop' : null);
      const s = scanned(data);
      expect(s, data).toEqual(parsed(data)); // texts never make it decline: only keys do
    }
  });
});
