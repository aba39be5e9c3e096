// SseParser / formatSse: the WHATWG event-stream rules, and robustness to arbitrary chunking
// (every split point of a sample stream, single bytes, UTF-8 code points cut in half).
import { describe, expect, it } from 'vitest';
import { formatSse, SseParser, type SseEvent } from '../../../receivers/llm_proxy/dialects/sse.ts';

const enc = new TextEncoder();
const parseAll = (s: string | Uint8Array): SseEvent[] => {
  const p = new SseParser();
  return [...p.push(s), ...p.end()];
};

// A real-shaped Anthropic stream with multi-byte text (é, 日本, an emoji = 4 UTF-8 bytes / surrogate pair).
const SAMPLE =
  ': keep-alive comment\n' +
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1"}}\n\n' +
  'event: content_block_delta\r\ndata: {"type":"content_block_delta","delta":{"text":"café 日本 🦊"}}\r\n\r\n' +
  'event: ping\rdata: {"type":"ping"}\r\r' +
  'data: line one\ndata: line two\nid: 42\n\n' +
  'data:no-space\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1"}}' },
  { event: 'content_block_delta', data: '{"type":"content_block_delta","delta":{"text":"café 日本 🦊"}}' },
  { event: 'ping', data: '{"type":"ping"}' },
  { data: 'line one\nline two', id: '42' },
  { data: 'no-space', id: '42' }, // the last event id persists
  { event: 'message_stop', data: '{"type":"message_stop"}', id: '42' },
];

describe('SseParser', () => {
  it('parses LF, CRLF and CR line endings, comments, multi-line data and ids', () => {
    expect(parseAll(SAMPLE)).toEqual(EXPECTED);
    expect(parseAll(enc.encode(SAMPLE))).toEqual(EXPECTED);
  });

  it('gives the same events for a split at every byte position', () => {
    const bytes = enc.encode(SAMPLE);
    for (let i = 0; i <= bytes.length; i++) {
      const p = new SseParser();
      const got = [...p.push(bytes.subarray(0, i)), ...p.push(bytes.subarray(i)), ...p.end()];
      expect(got, `split at byte ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events for a split at every character position of a string', () => {
    for (let i = 0; i <= SAMPLE.length; i++) {
      const p = new SseParser();
      const got = [...p.push(SAMPLE.slice(0, i)), ...p.push(SAMPLE.slice(i)), ...p.end()];
      expect(got, `split at char ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time and in three uneven pieces', () => {
    const bytes = enc.encode(SAMPLE);
    const p = new SseParser();
    const got: SseEvent[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...p.push(bytes.subarray(i, i + 1)));
    got.push(...p.end());
    expect(got).toEqual(EXPECTED);
    for (let a = 1; a < bytes.length; a += 7) {
      for (let b = a + 1; b < bytes.length; b += 13) {
        const q = new SseParser();
        const r = [...q.push(bytes.subarray(0, a)), ...q.push(bytes.subarray(a, b)), ...q.push(bytes.subarray(b)), ...q.end()];
        expect(r).toEqual(EXPECTED);
      }
    }
  });

  it('treats CR at the end of a chunk and LF at the start of the next as one line ending', () => {
    const p = new SseParser();
    expect(p.push('data: a\r')).toEqual([]);
    expect(p.push('\n\r')).toEqual([{ data: 'a' }]);
    expect(p.push('\ndata: b\r\n\r\n')).toEqual([{ data: 'b' }]);
  });

  it('follows the field rules: one leading space stripped, no colon, unknown fields, empty data', () => {
    expect(parseAll('data:  two spaces\n\n')).toEqual([{ data: ' two spaces' }]);
    expect(parseAll('data\n\n')).toEqual([{ data: '' }]); // a field with no colon: empty value
    expect(parseAll('data:\ndata:\n\n')).toEqual([{ data: '\n' }]);
    expect(parseAll('retry: 100\nfoo: bar\ndata: x\n\n')).toEqual([{ data: 'x' }]);
    // No data: nothing dispatched, and the event type does not leak into the next event.
    expect(parseAll('event: a\n\ndata: y\n\n')).toEqual([{ data: 'y' }]);
    expect(parseAll(':only a comment\n\n')).toEqual([]);
    // An id with NUL is ignored; an empty id resets it.
    expect(parseAll('id: 1\ndata: a\n\nid: x\0y\ndata: b\n\nid\ndata: c\n\n')).toEqual([
      { data: 'a', id: '1' },
      { data: 'b', id: '1' },
      { data: 'c' },
    ]);
    expect(parseAll('event:\ndata: z\n\n')).toEqual([{ data: 'z' }]);
  });

  it('drops a leading BOM (bytes and strings) but keeps one later in the data', () => {
    expect(parseAll(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('data: a\n\n')]))).toEqual([{ data: 'a' }]);
    expect(parseAll('\ufeffdata: a\n\ndata: \ufeffb\n\n')).toEqual([{ data: 'a' }, { data: '\ufeffb' }]);
    // A BOM split across chunks is still recognised.
    const p = new SseParser();
    expect([...p.push(new Uint8Array([0xef])), ...p.push(new Uint8Array([0xbb, 0xbf])), ...p.push(enc.encode('data: a\n\n'))]).toEqual([{ data: 'a' }]);
  });

  it('discards an event not terminated by a blank line at end of input', () => {
    const p = new SseParser();
    expect(p.push('data: complete\n\ndata: cut mid-ev')).toEqual([{ data: 'complete' }]);
    expect(p.end()).toEqual([]);
    const q = new SseParser();
    expect([...q.push('data: no blank line\n'), ...q.end()]).toEqual([]);
  });

  it('keeps a UTF-8 code point split across chunks intact', () => {
    const bytes = enc.encode('data: 🦊\n\n');
    const p = new SseParser();
    const got = [...p.push(bytes.subarray(0, 7)), ...p.push(bytes.subarray(7, 8)), ...p.push(bytes.subarray(8)), ...p.end()];
    expect(got).toEqual([{ data: '🦊' }]);
  });
});

describe('formatSse', () => {
  it('writes event, id and data lines ended by a blank line', () => {
    expect(formatSse({ data: '{"a":1}' })).toBe('data: {"a":1}\n\n');
    expect(formatSse({ event: 'message_stop', data: '{}' })).toBe('event: message_stop\ndata: {}\n\n');
    expect(formatSse({ event: 'e', id: '7', data: 'x' })).toBe('event: e\nid: 7\ndata: x\n\n');
    expect(formatSse({ data: 'a\nb\r\nc' })).toBe('data: a\ndata: b\ndata: c\n\n');
  });

  it('round-trips through the parser', () => {
    const events: SseEvent[] = [
      { data: '' },
      { event: 'x', data: ' leading space' },
      { data: 'multi\nline\n' },
      { event: 'content_block_delta', data: '{"text":"日本 🦊"}' },
      { data: '[DONE]' },
    ];
    expect(parseAll(events.map(formatSse).join(''))).toEqual(events);
  });
});
