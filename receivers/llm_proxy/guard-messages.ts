// Request and response bodies as guard messages (core/guard.ts), and rewritten guard messages back
// into the request body. Each extracted message remembers where its text came from (a "slot"), so a
// rewrite verdict can put the new text back in the same place: a string content stays a string, a
// list of parts keeps its non-text parts and gets the new text in its first text part.
import type { GuardMessage, GuardRole } from '../../core/guard.ts';
import type { Dialect } from './errors.ts';

type Obj = Record<string, any>;

export interface ExtractedMessages {
  messages: GuardMessage[];
  tools: string[];
  /** Writes rewritten text back, one setter per message; undefined = not rewritable (tool calls). */
  slots: Array<((text: string) => void) | undefined>;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const out: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') out.push(p);
    else if (p && typeof p === 'object') {
      if (typeof p.text === 'string') out.push(p.text);
      else if (p.type === 'tool_result') out.push(textOf(p.content));
    }
  }
  return out.join('\n');
}

/** A setter that replaces the text of `holder[key]` (a string, or a list of text parts). */
function textSlot(holder: Obj, key: string): (text: string) => void {
  return (text) => {
    const c = holder[key];
    if (!Array.isArray(c)) {
      holder[key] = text;
      return;
    }
    let placed = false;
    const parts: unknown[] = [];
    for (const p of c) {
      if (p && typeof p === 'object' && p.type === 'text') {
        if (!placed) parts.push({ ...p, text });
        placed = true;
      } else parts.push(p);
    }
    if (!placed) parts.unshift({ type: 'text', text });
    holder[key] = parts;
  };
}

const ROLES = new Set<GuardRole>(['system', 'developer', 'user', 'assistant', 'tool']);

export function extractRequest(dialect: Dialect, operation: string, body: Obj): ExtractedMessages {
  const out: ExtractedMessages = { messages: [], tools: [], slots: [] };
  const push = (m: GuardMessage, slot?: (t: string) => void) => {
    out.messages.push(m);
    out.slots.push(slot);
  };
  if (operation === 'embeddings') {
    const input = body.input;
    if (typeof input === 'string') push({ role: 'user', content: input }, (t) => (body.input = t));
    else if (Array.isArray(input)) input.forEach((v, i) => typeof v === 'string' && push({ role: 'user', content: v }, (t) => (input[i] = t)));
    return out;
  }
  if (dialect === 'anthropic' && body.system !== undefined) push({ role: 'system', content: textOf(body.system) }, textSlot(body, 'system'));
  for (const msg of Array.isArray(body.messages) ? (body.messages as Obj[]) : []) {
    if (!msg || typeof msg !== 'object') continue;
    const role: GuardRole = ROLES.has(msg.role) ? msg.role : 'user';
    if (dialect === 'openai') {
      if (role === 'assistant' && Array.isArray(msg.tool_calls)) {
        if (msg.content) push({ role, content: textOf(msg.content) }, textSlot(msg, 'content'));
        for (const tc of msg.tool_calls as Obj[]) {
          out.tools.push(tc?.function?.name ?? '');
          push({ role, content: String(tc?.function?.arguments ?? ''), name: tc?.function?.name });
        }
        continue;
      }
      push({ role, content: textOf(msg.content), ...(msg.name ? { name: msg.name } : {}) }, textSlot(msg, 'content'));
    } else {
      const blocks = Array.isArray(msg.content) ? (msg.content as Obj[]) : null;
      const toolUses = blocks?.filter((b) => b?.type === 'tool_use') ?? [];
      const toolResults = blocks?.filter((b) => b?.type === 'tool_result') ?? [];
      for (const b of toolResults) push({ role: 'tool', content: textOf(typeof b.content === 'string' ? b.content : b.content ?? '') }, textSlot(b, 'content'));
      const text = blocks ? textOf(blocks.filter((b) => b?.type === 'text')) : textOf(msg.content);
      if (text || !blocks || (!toolUses.length && !toolResults.length)) push({ role, content: text }, textSlot(msg, 'content'));
      for (const b of toolUses) {
        out.tools.push(b.name ?? '');
        push({ role: 'assistant', content: JSON.stringify(b.input ?? {}), name: b.name });
      }
    }
  }
  for (const t of Array.isArray(body.tools) ? (body.tools as Obj[]) : []) {
    const name = dialect === 'openai' ? t?.function?.name : t?.name;
    if (typeof name === 'string' && !out.tools.includes(name)) out.tools.push(name);
  }
  return out;
}

/** The model's output as guard messages, from a complete response body in the client's dialect. */
export function extractResponse(dialect: Dialect, body: Obj | undefined, streamedText?: string): GuardMessage[] {
  if (streamedText !== undefined) return [{ role: 'assistant', content: streamedText }];
  if (!body) return [];
  const out: GuardMessage[] = [];
  if (dialect === 'openai') {
    for (const c of Array.isArray(body.choices) ? body.choices : []) {
      const m = c?.message ?? {};
      if (m.content) out.push({ role: 'assistant', content: textOf(m.content) });
      for (const tc of Array.isArray(m.tool_calls) ? m.tool_calls : []) out.push({ role: 'assistant', content: String(tc?.function?.arguments ?? ''), name: tc?.function?.name });
    }
  } else {
    for (const b of Array.isArray(body.content) ? body.content : []) {
      if (b?.type === 'text') out.push({ role: 'assistant', content: b.text });
      else if (b?.type === 'tool_use') out.push({ role: 'assistant', content: JSON.stringify(b.input ?? {}), name: b.name });
    }
  }
  return out;
}

/** Prompt texts (for token estimates and complexity). */
export function promptTexts(ex: ExtractedMessages): string[] {
  return ex.messages.map((m) => m.content);
}
