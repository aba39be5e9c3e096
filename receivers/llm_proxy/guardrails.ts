// The inline guardrail hook: the processors named in `guardrails`, asked in order. On the request a
// `block` stops the call (403 naming the rule), a `rewrite` replaces the message texts in the
// outgoing body (later guards see the rewritten text), a `flag` is recorded and the call goes on.
// On the response every verdict is recorded only (a streamed answer cannot be taken back).
import type { Attributes } from '../../core/signals/types.ts';
import type { Guard, GuardRequest, GuardResponse, GuardVerdict } from '../../core/guard.ts';
import { ProxyError } from './errors.ts';
import type { ExtractedMessages } from './guard-messages.ts';

export interface RecordedVerdict {
  guard: string;
  phase: 'request' | 'response';
  action: GuardVerdict['action'];
  rule?: string;
  reason?: string;
  attributes?: Attributes;
}

export class Guardrails {
  constructor(private readonly guards: Array<{ id: string; guard: Guard }>) {}

  get enabled(): boolean {
    return this.guards.length > 0;
  }

  /** Runs the request guards; applies rewrites through `extracted.slots`. Throws 403 on a block
   * (after recording it in `verdicts`). Returns true when the body was rewritten. */
  async checkRequest(req: GuardRequest, extracted: ExtractedMessages, verdicts: RecordedVerdict[]): Promise<boolean> {
    let rewritten = false;
    for (const { id, guard } of this.guards) {
      let v: GuardVerdict;
      try {
        v = await guard.checkRequest(req);
      } catch (err) {
        // A broken guard must not silently let traffic through: fail closed.
        verdicts.push({ guard: id, phase: 'request', action: 'block', rule: 'guard_error', reason: (err as Error).message });
        throw new ProxyError(403, 'permission_error', 'guardrail_error', `request blocked: guardrail "${id}" failed: ${(err as Error).message}`);
      }
      if (v.action === 'allow' && !v.attributes) continue;
      verdicts.push({ guard: id, phase: 'request', action: v.action, rule: v.rule, reason: v.reason, attributes: v.attributes });
      if (v.action === 'block') {
        const rule = v.rule ?? id;
        throw new ProxyError(403, 'permission_error', 'guardrail_blocked', `request blocked by guardrail "${id}" (rule ${rule})${v.reason ? `: ${v.reason}` : ''}`);
      }
      if (v.action === 'rewrite' && v.messages) {
        if (v.messages.length !== req.messages.length) {
          throw new ProxyError(500, 'api_error', 'guardrail_error', `guardrail "${id}" returned ${v.messages.length} rewritten messages for ${req.messages.length}`);
        }
        v.messages.forEach((m, i) => {
          if (m.content !== req.messages[i].content) {
            extracted.slots[i]?.(m.content);
            rewritten = true;
          }
        });
        req.messages = v.messages;
      }
    }
    return rewritten;
  }

  /** Response guards: recorded (a block or rewrite verdict is recorded as given, not enforced). */
  async checkResponse(req: GuardRequest, res: GuardResponse, verdicts: RecordedVerdict[]): Promise<void> {
    for (const { id, guard } of this.guards) {
      if (!guard.checkResponse) continue;
      try {
        const v = await guard.checkResponse(req, res);
        if (v.action !== 'allow' || v.attributes) verdicts.push({ guard: id, phase: 'response', action: v.action, rule: v.rule, reason: v.reason, attributes: v.attributes });
      } catch (err) {
        verdicts.push({ guard: id, phase: 'response', action: 'flag', rule: 'guard_error', reason: (err as Error).message });
      }
    }
  }
}
