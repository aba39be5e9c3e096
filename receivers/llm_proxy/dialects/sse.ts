// Server-sent events, per the WHATWG HTML "event stream interpretation" algorithm:
// - lines end with CRLF, LF or CR (a CR at the end of one chunk followed by LF at the start of the
//   next is one line ending, not two);
// - `data:` lines accumulate, joined with "\n"; one optional space after the colon is removed;
// - lines starting with ":" are comments; unknown fields (and `retry:`) are ignored;
// - an empty line dispatches; an event with an empty data buffer is not dispatched;
// - the last event id persists across events (as EventSource's lastEventId does), an `id` holding
//   U+0000 is ignored;
// - bytes are decoded as UTF-8 in streaming mode, so a code point split across chunks survives; a
//   leading BOM is dropped;
// - at end of input an event not yet terminated by an empty line is discarded (the spec's rule:
//   a stream cut mid-event must not look like a complete one).
// Feed either bytes or strings to one parser, not a mix of both.

export interface SseEvent {
  /** The `event:` field; absent means the default type ("message"). */
  event?: string;
  data: string;
  id?: string;
}

export class SseParser {
  private decoder = new TextDecoder('utf-8');
  private line = ''; // an incomplete line carried over to the next chunk
  private afterCR = false; // the previous chunk ended with CR: a leading LF belongs to it
  private started = false;
  private data = '';
  private hasData = false;
  private eventType = '';
  private lastId = '';

  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // TextDecoder strips it for bytes already
    }
    return this.feed(text);
  }

  /** True when everything pushed so far ended exactly after an event (nothing carried over). */
  atEventBoundary(): boolean {
    return this.line === '' && !this.hasData && this.eventType === '' && !this.afterCR;
  }

  end(): SseEvent[] {
    const out = this.feed(this.decoder.decode());
    // Whatever is left is an unterminated event: discarded, as the spec says.
    this.line = '';
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    this.afterCR = false;
    return out;
  }

  private feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    if (text.length === 0) return out;
    let i = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (text.charCodeAt(0) === 10) i = 1;
    }
    let lineStart = i;
    const n = text.length;
    // Line ends found by native searches, not a JS loop over every character; most streams use
    // LF only, so the CR search runs once and finds nothing.
    let nextLf = text.indexOf('\n', i);
    let nextCr = text.indexOf('\r', i);
    for (;;) {
      if (nextLf >= 0 && nextLf < i) nextLf = text.indexOf('\n', i);
      if (nextCr >= 0 && nextCr < i) nextCr = text.indexOf('\r', i);
      i = nextLf < 0 ? nextCr : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
      if (i < 0) break;
      const c = text.charCodeAt(i);
      let l = text.slice(lineStart, i);
      if (this.line.length > 0) {
        l = this.line + l;
        this.line = '';
      }
      this.processLine(l, out);
      if (c === 13) {
        if (i + 1 < n) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.afterCR = true;
        }
      }
      lineStart = ++i;
    }
    if (lineStart < n) this.line += text.slice(lineStart);
    return out;
  }

  private processLine(l: string, out: SseEvent[]): void {
    if (l.length === 0) {
      if (this.hasData) {
        const ev: SseEvent = { data: this.data };
        if (this.eventType) ev.event = this.eventType;
        if (this.lastId) ev.id = this.lastId;
        out.push(ev);
      }
      this.data = '';
      this.hasData = false;
      this.eventType = '';
      return;
    }
    if (l.charCodeAt(0) === 58 /* : */) return; // comment
    const colon = l.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = l;
      value = '';
    } else {
      field = l.slice(0, colon);
      value = l.charCodeAt(colon + 1) === 32 ? l.slice(colon + 2) : l.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? this.data + '\n' + value : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default: // retry and unknown fields: ignored
    }
  }
}

/** One event in wire form, terminated by the blank line. Multi-line data becomes several `data:` lines. */
export function formatSse(ev: SseEvent): string {
  let s = '';
  if (ev.event !== undefined && ev.event !== '') s += `event: ${ev.event}\n`;
  if (ev.id !== undefined && ev.id !== '') s += `id: ${ev.id}\n`;
  const data = ev.data;
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) {
    s += `data: ${data}\n\n`;
  } else {
    for (const line of data.split(/\r\n|\r|\n/)) s += `data: ${line}\n`;
    s += '\n';
  }
  return s;
}
