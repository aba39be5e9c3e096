// The inline role: redacts the messages of one proxy request (and of its response) before they
// go on. Verdict `rewrite` with the redacted messages and counts per entity type (`count.<TYPE>`,
// never values); `allow` when nothing was found.
import type { Guard, GuardMessage, GuardVerdict } from '../../core/component.ts';
import type { Attributes } from '../../core/signals/types.ts';
import type { CompiledRedaction } from './config.ts';
import { addCounts, redactString, type Counts } from './scan.ts';

/** Counts in the verdict's attributes: the proxy records them as `agentcol.guard.<processor id>.count.<TYPE>`. */
export const GUARD_COUNT_PREFIX = 'count.';

/** Redacts messages (JSON-aware: tool arguments and tool results are often JSON). */
export function redactMessages(messages: GuardMessage[], cfg: CompiledRedaction): GuardVerdict {
  const counts: Counts = {};
  let changed = false;
  const out = messages.map((m) => {
    const r = redactString(m.content, cfg);
    if (!r.changed) return m;
    changed = true;
    addCounts(counts, r.counts);
    return { ...m, content: r.text };
  });
  if (!changed) return { action: 'allow' };
  const attributes: Attributes = {};
  const parts: string[] = [];
  for (const k of Object.keys(counts).sort()) {
    const n = counts[k as keyof Counts]!;
    attributes[GUARD_COUNT_PREFIX + k] = n;
    parts.push(`${n} ${k}`);
  }
  return { action: 'rewrite', rule: 'redaction', reason: `redacted ${parts.join(', ')}`, messages: out, attributes };
}

export function createRedactionGuard(cfg: CompiledRedaction): Guard {
  return {
    async checkRequest(req) {
      return redactMessages(req.messages, cfg);
    },
    async checkResponse(_req, res) {
      return redactMessages(res.messages, cfg);
    },
  };
}
