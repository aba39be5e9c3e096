// The inline role (LLM proxy guardrail). On the request: scores each user message and tool result
// (per `inputs`; the system prompt and assistant messages are not scored); at or above the
// threshold, `mode: block` answers 403 (verdict block, rule = the strongest detector, reason with
// the score) and `mode: flag` records a flag verdict with `score` and `detectors`.
//
// Canary (optional): a random token is appended to the first system (or developer) message
// (verdict rewrite; a request without a system message gets none, and says so with
// `canary: false`: a rewrite must keep the message list as it is). On the response, text that
// contains the token means the system prompt leaked: verdict flag, rule canary_leak, attribute
// `canary_leak: true`. Guards have no Host, so the leak alert is that flagged verdict on the
// captured span (agentcol.guard.<id>.canary_leak), which a pipeline stores like any span.
import { randomBytes } from 'node:crypto';
import type { Guard, GuardMessage, GuardRequest, GuardVerdict } from '../../core/guard.ts';
import type { Attributes } from '../../core/signals/types.ts';
import type { CompiledInjectionScan } from './config.ts';
import { scanText, type InputRole, type ScanResult } from './scan.ts';

export const CANARY_PREFIX = 'ac-canary-';
const CANARY_RE = /ac-canary-([0-9a-f]{16})/;

function roleOf(m: GuardMessage): InputRole | undefined {
  if (m.role === 'user') return 'user';
  if (m.role === 'tool') return 'tool';
  return undefined;
}

/** The strongest scored message of a request. */
export function scoreMessages(messages: GuardMessage[], cfg: CompiledInjectionScan): { result: ScanResult; index: number; role: InputRole } | undefined {
  let best: { result: ScanResult; index: number; role: InputRole } | undefined;
  messages.forEach((m, index) => {
    const role = roleOf(m);
    if (!role || !cfg.inputs.has(role) || !m.content) return;
    const result = scanText(m.content, role, cfg.scan);
    if (!best || result.score > best.result.score) best = { result, index, role };
  });
  return best;
}

export function newCanary(): string {
  return CANARY_PREFIX + randomBytes(8).toString('hex');
}

export function createInjectionGuard(cfg: CompiledInjectionScan): Guard {
  return {
    // flag mode without a canary never blocks or rewrites: the proxy does not hold the request for
    // the scan (it runs while the provider answers; core/guard.ts)
    recordOnly: cfg.mode === 'flag' && !cfg.canary.enabled,
    async checkRequest(req: GuardRequest): Promise<GuardVerdict> {
      const best = scoreMessages(req.messages, cfg);
      const hit = best && best.result.score >= cfg.threshold ? best : undefined;
      const attributes: Attributes = {};
      let rule: string | undefined;
      let reason: string | undefined;
      if (hit) {
        rule = hit.result.detectors[0];
        reason = `prompt injection score ${hit.result.score} (threshold ${cfg.threshold}; ${hit.result.detectors.join(', ')}) in ${hit.role === 'tool' ? 'tool result' : 'user message'} ${hit.index}`;
        attributes.score = hit.result.score;
        attributes.detectors = [...hit.result.detectors];
        if (cfg.mode === 'block') return { action: 'block', rule, reason, attributes };
      }
      if (cfg.canary.enabled) {
        const i = req.messages.findIndex((m) => m.role === 'system' || m.role === 'developer');
        if (i >= 0) {
          const token = newCanary();
          const messages = req.messages.map((m, j) => (j === i ? { ...m, content: m.content + cfg.canary.template.replaceAll('{token}', token) } : m));
          attributes.canary = true;
          if (hit) attributes.flagged = true;
          return { action: 'rewrite', rule: rule ?? 'canary', reason: reason ?? 'canary token inserted into the system prompt', messages, attributes };
        }
        attributes.canary = false;
      }
      if (hit) return { action: 'flag', rule, reason, attributes };
      return Object.keys(attributes).length ? { action: 'allow', attributes } : { action: 'allow' };
    },

    async checkResponse(req, res): Promise<GuardVerdict> {
      if (!cfg.canary.enabled) return { action: 'allow' };
      let token: string | undefined;
      for (const m of req.messages) {
        if (m.role !== 'system' && m.role !== 'developer') continue;
        const t = CANARY_RE.exec(m.content);
        if (t) token = t[1];
      }
      if (!token) return { action: 'allow' };
      const leaked = res.messages.some((m) => m.content.toLowerCase().replace(/[\s\u200b-\u200d]/g, '').includes(token!));
      if (!leaked) return { action: 'allow' };
      return { action: 'flag', rule: 'canary_leak', reason: 'the response contains the canary token of the system prompt: the system prompt leaked', attributes: { canary_leak: true } };
    },
  };
}
