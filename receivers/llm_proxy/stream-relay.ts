// Relays an upstream SSE stream to the client as events arrive (no buffering of the whole answer),
// reading usage, the response model and the answer text on the way.
//
// - Nothing is written to the client before the first upstream event: until then a failure is
//   thrown as an UpstreamFailure and routing may still fail over to the next target.
// - After the first event, an upstream failure (cut connection, stall longer than the provider
//   timeout, a stream that ends without its terminal event) ends the client's stream with an
//   in-band error event in the client's dialect, never a clean close.
// - OpenAI upstreams are asked for stream_options.include_usage; when the client did not ask for
//   it, the extra usage-only chunk is dropped here.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { scanOpenAITextChunk } from './dialects/chunk-scan.ts';
import { SseParser, formatSse, type SseEvent } from './dialects/sse.ts';
import { StreamUsageTracker, type Usage } from './dialects/usage.ts';
import { streamErrorEvent, type Dialect } from './errors.ts';
import { UpstreamFailure } from './upstream.ts';

/** Turns one upstream event into the client's events (cross-dialect routes). */
export interface EventTranslator {
  push(ev: SseEvent): string[];
  end(): string[];
}

export interface RelayOptions {
  upstream: Readable;
  upstreamDialect: Dialect;
  clientDialect: Dialect;
  translator?: EventTranslator;
  dropUsageChunk: boolean;
  idleMs: number;
  res: ServerResponse;
  /** Keep the wire events, for the response cache. */
  keepEvents: boolean;
  maxTextChars: number;
}

export interface RelayResult {
  usage: Usage | null;
  responseModel: string;
  text: string;
  finishReasons: string[];
  events?: string[];
  /** Set when the stream ended with an in-band error. */
  error?: string;
}

export const SSE_RESPONSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' };

export function relayStream(o: RelayOptions): Promise<RelayResult> {
  const { upstream, res } = o;
  const parser = new SseParser();
  const tracker = new StreamUsageTracker(o.upstreamDialect);
  const result: RelayResult = { usage: null, responseModel: '', text: '', finishReasons: [], events: o.keepEvents ? [] : undefined };
  let started = false;
  let terminal = false;
  let settled = false;
  let paused = false;

  return new Promise<RelayResult>((resolve, reject) => {
    const timer = setTimeout(() => fail(`the upstream stream stalled for ${o.idleMs} ms`, 'timeout'), o.idleMs);

    // Events of one upstream chunk are gathered and leave in one write (one chunk of the chunked
    // response, one pass through the stream machinery) rather than one write per event.
    let pending: string | Buffer = '';
    const write = (wire: string) => {
      result.events?.push(wire);
      pending += wire;
    };
    const flush = () => {
      if (pending.length === 0) return;
      if (!started) {
        started = true;
        res.writeHead(200, SSE_RESPONSE_HEADERS);
      }
      const wire = pending;
      pending = '';
      if (!res.write(wire) && !paused) {
        // The agent reads slower than the provider sends: stop reading upstream until it drains.
        paused = true;
        upstream.pause();
        res.once('drain', () => {
          paused = false;
          upstream.resume();
        });
      }
    };

    const observe = (ev: SseEvent) => {
      if (ev.data === '[DONE]') {
        terminal = true;
        return;
      }
      // Most OpenAI chunks are one text delta: read without building the object.
      if (o.upstreamDialect === 'openai' && result.responseModel) {
        const t = scratch.length;
        if (scanOpenAITextChunk(ev.data, scratch, result.finishReasons)) {
          for (let k = t; k < scratch.length; k++) appendText(scratch[k]);
          scratch.length = 0;
          return;
        }
      }
      let obj: Record<string, any>;
      try {
        obj = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (o.upstreamDialect === 'openai') {
        tracker.observeOpenAIChunk(obj);
        if (!result.responseModel && typeof obj.model === 'string') result.responseModel = obj.model;
        for (const c of Array.isArray(obj.choices) ? obj.choices : []) {
          const d = c?.delta;
          if (typeof d?.content === 'string') appendText(d.content);
          for (const tc of Array.isArray(d?.tool_calls) ? d.tool_calls : []) if (typeof tc?.function?.arguments === 'string') appendText(tc.function.arguments);
          if (c?.finish_reason) result.finishReasons.push(c.finish_reason);
        }
        if (obj.error) result.error = String(obj.error?.message ?? 'upstream error');
        return obj;
      }
      tracker.observeAnthropicEvent(obj);
      switch (obj.type) {
        case 'message_start':
          if (typeof obj.message?.model === 'string') result.responseModel = obj.message.model;
          break;
        case 'content_block_delta':
          if (typeof obj.delta?.text === 'string') appendText(obj.delta.text);
          else if (typeof obj.delta?.partial_json === 'string') appendText(obj.delta.partial_json);
          break;
        case 'message_delta':
          if (obj.delta?.stop_reason) result.finishReasons.push(obj.delta.stop_reason);
          break;
        case 'message_stop':
          terminal = true;
          break;
        case 'error':
          terminal = true;
          result.error = String(obj.error?.message ?? 'upstream error');
          break;
      }
      return obj;
    };

    // The answer text in pieces, joined once at the end.
    const pieces: string[] = [];
    const scratch: string[] = [];
    let textChars = 0;
    const appendText = (t: string) => {
      if (textChars < o.maxTextChars) {
        pieces.push(t);
        textChars += t.length;
      }
    };

    /** Observes one event; false when it must not reach the client (the usage chunk it did not ask for). */
    const pass = (ev: SseEvent): boolean => {
      const obj = observe(ev);
      return !(o.dropUsageChunk && obj && Array.isArray(obj.choices) && obj.choices.length === 0 && obj.usage);
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      result.text = pieces.join('');
      clearTimeout(timer);
      cleanup();
      result.usage = tracker.usage() ?? tracker.partialUsage();
      if (result.usage && !tracker.usage()) result.usage = null; // partial: let the caller estimate
      if (!res.writableEnded) res.end();
      resolve(result);
    };

    const fail = (message: string, kind: 'connection' | 'timeout') => {
      if (settled) return;
      if (!started) {
        settled = true;
        clearTimeout(timer);
        cleanup();
        upstream.destroy();
        reject(new UpstreamFailure(kind, message));
        return;
      }
      result.error = message;
      const wire = streamErrorEvent(o.clientDialect, `upstream failed mid-stream: ${message}`);
      result.events = undefined; // never cache a broken stream
      if (!res.destroyed) res.write(wire);
      upstream.destroy();
      finish();
    };

    let chunks = 0;
    const onData = (chunk: Buffer) => {
      timer.refresh();
      const cleanStart = parser.atEventBoundary();
      const events = parser.push(chunk);
      if (o.translator) {
        for (const ev of events) {
          observe(ev);
          for (const wire of o.translator.push(ev)) write(wire);
        }
      } else {
        const kept = events.filter(pass);
        // Pass-through: a chunk that starts and ends on event boundaries (its last byte a line
        // end, so no split character either), with every event kept, goes out as the bytes
        // received: no re-serialising, no re-encoding. A leading BOM is the parser's to drop.
        const last = chunk[chunk.length - 1];
        const whole = cleanStart && (last === 0x0a || last === 0x0d) && parser.atEventBoundary() && !(chunks === 0 && chunk[0] === 0xef);
        if (whole && kept.length === events.length && events.length > 0) {
          if (result.events) for (const ev of events) result.events.push(formatSse(ev));
          pending = chunk;
        } else for (const ev of kept) write(formatSse(ev));
      }
      chunks++;
      flush();
    };
    const onEvent = (ev: SseEvent) => {
      if (o.translator) {
        observe(ev);
        for (const wire of o.translator.push(ev)) write(wire);
      } else if (pass(ev)) write(formatSse(ev));
    };
    const onEnd = () => {
      for (const ev of parser.end()) onEvent(ev);
      // OpenAI-compatible servers sometimes omit [DONE]: a finish_reason already marks a full answer.
      const complete = terminal || (o.upstreamDialect === 'openai' && result.finishReasons.length > 0);
      if (!complete) {
        flush(); // the complete events seen so far go out before the in-band error
        return fail('the upstream stream ended before its last event', 'connection');
      }
      if (o.translator) for (const wire of o.translator.end()) write(wire);
      flush();
      if (!started) res.writeHead(200, SSE_RESPONSE_HEADERS);
      finish();
    };
    const onError = (err: NodeJS.ErrnoException) => fail(`the upstream connection was cut (${err.code ?? err.message})`, 'connection');
    const onClientClose = () => {
      if (!res.writableFinished && !settled) {
        // The agent went away: stop the upstream call; what was sent is still captured.
        result.error = 'client closed the connection';
        upstream.destroy();
        finish();
      }
    };
    const cleanup = () => {
      upstream.off('data', onData).off('end', onEnd).off('error', onError);
      res.off('close', onClientClose);
    };
    upstream.on('data', onData).on('end', onEnd).on('error', onError);
    res.on('close', onClientClose);
  });
}

/** Replays cached wire events as a stream. */
export function replayStream(res: ServerResponse, events: string[]): void {
  res.writeHead(200, SSE_RESPONSE_HEADERS);
  for (const e of events) res.write(e);
  res.end();
}
