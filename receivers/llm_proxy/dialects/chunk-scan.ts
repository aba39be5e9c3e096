// Reads the plain OpenAI stream chunk — a text delta, maybe a finish reason — without JSON.parse.
// A relayed stream holds one chunk per word or two, and building each chunk's object (eight keys,
// nested choices) was most of the relay's CPU. One pass over the characters visits each string
// once; a chunk with anything else worth reading (tool calls, usage, an error, a content that is
// not a string) is declined, and the caller parses it in full.

function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Index of the quote closing the string opened at `q`, or -1; `esc.v` is set when the string
 * holds a backslash. */
function stringEnd(s: string, q: number, esc: { v: boolean }, noBackslash: boolean): number {
  // Without a backslash anywhere in the chunk the next quote closes the string: a native search.
  if (noBackslash) return s.indexOf('"', q + 1);
  const n = s.length;
  for (let i = q + 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i;
    if (c === 0x5c) {
      esc.v = true;
      i++;
    }
  }
  return -1;
}

const enum Key {
  Other,
  Content,
  FinishReason,
  Decline,
  NullOnly,
}

function keyOf(s: string, from: number, len: number): Key {
  switch (len) {
    case 7:
      return s.startsWith('content', from) ? Key.Content : Key.Other;
    case 13:
      return s.startsWith('finish_reason', from) ? Key.FinishReason : s.startsWith('function_call', from) ? Key.Decline : Key.Other;
    case 5:
      return s.startsWith('usage', from) ? Key.NullOnly : s.startsWith('error', from) ? Key.Decline : Key.Other;
    case 10:
      return s.startsWith('tool_calls', from) ? Key.Decline : Key.Other;
    default:
      return Key.Other;
  }
}

const esc = { v: false };

/**
 * Appends the chunk's `content` strings to `texts` and its `finish_reason` strings to
 * `finishReasons` (at any depth, in order: for the chat-completion chunk shape these are
 * `choices[].delta.content` and `choices[].finish_reason`) and returns true; or returns false,
 * appending nothing, when the chunk must be parsed in full: it has tool calls, a function call,
 * usage or an error, a content or finish reason that is neither a string nor null, or it is not
 * a well-formed object.
 */
export function scanOpenAITextChunk(data: string, texts: string[], finishReasons: string[]): boolean {
  const n = data.length;
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(n - 1) !== 0x7d) return false;
  const t0 = texts.length;
  const f0 = finishReasons.length;
  const noBackslash = data.indexOf('\\') < 0;
  let i = 1;
  for (;;) {
    // Next string (key or value); everything between strings is structure, numbers or literals.
    const q = data.indexOf('"', i);
    if (q < 0) return true;
    esc.v = false;
    const e = stringEnd(data, q, esc, noBackslash);
    if (e < 0) break;
    const afterKey = skipWs(data, e + 1);
    if (data.charCodeAt(afterKey) !== 0x3a /* : */ || esc.v) {
      // A value string, or a key with escapes (never one of ours as the provider writes them).
      i = e + 1;
      continue;
    }
    const key = keyOf(data, q + 1, e - q - 1);
    i = afterKey + 1;
    if (key === Key.Other) continue;
    if (key === Key.Decline) break;
    const v = skipWs(data, i);
    const c = data.charCodeAt(v);
    if (c === 0x6e /* n */ && data.startsWith('null', v)) {
      i = v + 4;
      continue;
    }
    if (c !== 0x22 || key === Key.NullOnly) break;
    esc.v = false;
    const ve = stringEnd(data, v, esc, noBackslash);
    if (ve < 0) break;
    let value: string;
    if (!esc.v) value = data.slice(v + 1, ve);
    else {
      try {
        value = JSON.parse(data.slice(v, ve + 1)) as string;
      } catch {
        break;
      }
    }
    if (key === Key.Content) texts.push(value);
    else if (value) finishReasons.push(value);
    i = ve + 1;
  }
  texts.length = t0;
  finishReasons.length = f0;
  return false;
}
