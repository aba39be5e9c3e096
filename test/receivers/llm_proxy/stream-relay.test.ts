// relayStream over a real node:http response: whatever the upstream chunking (so whether chunks go
// out as the bytes received or re-serialised event by event), the agent parses the same events,
// and the relay reads the same text, finish reasons and usage. A dropped usage chunk and a cut
// stream are checked across every split too.
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../../receivers/llm_proxy/dialects/sse.ts';
import { relayStream, type RelayResult } from '../../../receivers/llm_proxy/stream-relay.ts';

const chunk = (delta: unknown, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
const USAGE = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } })}\n\n`;
const WORDS = ['Hé', 'llo', ' 日本', ' "quoted"', ' back\\slash', ' 🎉'];
const STREAM = chunk({ role: 'assistant', content: '' }) + ': keep-alive comment\n\n' + WORDS.map((w) => chunk({ content: w })).join('') + chunk({}, 'stop') + USAGE + 'data: [DONE]\n\n';

type Handler = (up: PassThrough, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((_req, res) => handler(new PassThrough(), res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Feeds `bytes` to the relay in the given pieces; returns what the agent parsed and the relay's result. */
async function relay(bytes: Buffer, cuts: number[], opts: { dropUsageChunk?: boolean; endEarly?: boolean } = {}): Promise<{ events: SseEvent[]; raw: string; result: RelayResult }> {
  let result!: Promise<RelayResult>;
  handler = (up, res) => {
    result = relayStream({ upstream: up as unknown as IncomingMessage, upstreamDialect: 'openai', clientDialect: 'openai', dropUsageChunk: !!opts.dropUsageChunk, idleMs: 5000, res, keepEvents: false, maxTextChars: 1 << 20 });
    let at = 0;
    const pieces = [...cuts, bytes.length].map((c) => {
      const p = bytes.subarray(at, c);
      at = c;
      return p;
    });
    void (async () => {
      for (const p of pieces) {
        if (p.length) up.write(p);
        await new Promise((r) => setImmediate(r)); // each piece its own 'data' event
      }
      up.end();
    })();
  };
  const raw = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      })
      .on('error', reject);
  });
  const p = new SseParser();
  return { events: [...p.push(raw), ...p.end()], raw, result: await result };
}

describe('relayStream', () => {
  const bytes = Buffer.from(STREAM);

  it('gives the agent the same events and reads the same answer at every split point', async () => {
    const whole = await relay(bytes, []);
    expect(whole.raw).toBe(STREAM); // one clean chunk: passed through byte for byte
    expect(whole.result.text).toBe(WORDS.join(''));
    expect(whole.result.finishReasons).toEqual(['stop']);
    expect(whole.result.usage).toMatchObject({ inputTokens: 11, outputTokens: 7, estimated: false });
    expect(whole.result.responseModel).toBe('gpt-4o-mini-2024-07-18');
    expect(whole.result.error).toBeUndefined();
    for (let i = 1; i < bytes.length; i += 7) {
      const r = await relay(bytes, [i, Math.min(bytes.length, i + 90)]);
      expect(r.events, `split at ${i}`).toEqual(whole.events);
      expect(r.result.text).toBe(whole.result.text);
      expect(r.result.usage).toEqual(whole.result.usage);
      expect(r.result.finishReasons).toEqual(['stop']);
    }
  });

  it('drops the usage chunk the agent did not ask for, whatever the split', async () => {
    const expected = new SseParser().push(STREAM.replace(USAGE, '')).filter((e) => e.data);
    for (const cuts of [[], [bytes.indexOf('data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[]')], [5, 400]]) {
      const r = await relay(bytes, cuts, { dropUsageChunk: true });
      expect(r.events).toEqual(expected);
      expect(r.result.usage).toMatchObject({ inputTokens: 11, outputTokens: 7 });
    }
  });

  it('a stream cut mid-event ends with an in-band error after the complete events only', async () => {
    const cutAt = STREAM.indexOf(' 日本') + 3; // inside an event (and inside a UTF-8 character)
    const cut = bytes.subarray(0, Buffer.byteLength(STREAM.slice(0, cutAt)) - 1);
    for (const cuts of [[], [10], [cut.length - 3]]) {
      const r = await relay(cut, cuts);
      expect(r.result.error).toMatch(/ended before its last event/);
      const last = r.events.at(-1)!;
      expect(JSON.parse(last.data).error.message).toMatch(/upstream failed mid-stream/);
      expect(r.events.slice(0, -1).map((e) => e.data)).toEqual(
        new SseParser()
          .push(STREAM.slice(0, STREAM.lastIndexOf('data:', cutAt)))
          .map((e) => e.data),
      );
    }
  });
});
