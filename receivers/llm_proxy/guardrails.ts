// The inline guardrail hook: the processors named in `guardrails`, asked in order. On the request a
// `block` stops the call (403 naming the rule), a `rewrite` replaces the message texts in the
// outgoing body (later guards see the rewritten text), a `flag` is recorded and the call goes on.
// On the response every verdict is recorded only (a streamed answer cannot be taken back).
// Record-only guards (Guard.recordOnly: a scanner in flag mode) cannot change the request, so the
// request does not wait for them: each is asked on the next turn of the event loop, once the
// request has gone on to the provider, with the request as it stood at its place in the list, and
// its verdict is put where it would have been had it run inline. Scanning then overlaps the
// provider's answer instead of adding to the latency.
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

interface Deferred {
  id: string;
  guard: Guard;
  req: GuardRequest;
  /** verdicts.length when its turn came: where its verdict goes. */
  at: number;
}

export class Guardrails {
  /** Record-only guards still running, by the verdict list of their call. */
  private readonly pending = new WeakMap<RecordedVerdict[], Promise<void>>();

  constructor(private readonly guards: Array<{ id: string; guard: Guard }>) {}

  get enabled(): boolean {
    return this.guards.length > 0;
  }

  /** Runs the request guards; applies rewrites through `extracted.slots`. Throws 403 on a block
   * (after recording it in `verdicts`). Returns true when the body was rewritten. */
  async checkRequest(req: GuardRequest, extracted: ExtractedMessages, verdicts: RecordedVerdict[]): Promise<boolean> {
    let rewritten = false;
    let deferred: Deferred[] | undefined;
    try {
      for (const { id, guard } of this.guards) {
        if (guard.recordOnly) {
          // a copy: a later rewrite replaces req.messages (the array this one holds stays as it is)
          (deferred ??= []).push({ id, guard, req: { ...req }, at: verdicts.length });
          continue;
        }
        rewritten = (await this.ask(id, guard, req, extracted, verdicts)) || rewritten;
      }
    } finally {
      // also when a later guard blocked: the record-only guards before it are asked as before
      if (deferred) this.defer(deferred, verdicts);
    }
    return rewritten;
  }

  /** Resolves once the record-only guards of the call with these verdicts have recorded theirs
   * (undefined when none is running): capture waits for it. */
  settled(verdicts: RecordedVerdict[]): Promise<void> | undefined {
    return this.pending.get(verdicts);
  }

  private defer(list: Deferred[], verdicts: RecordedVerdict[]): void {
    const done = new Promise<void>((resolve) => setImmediate(() => void this.runDeferred(list, verdicts).then(resolve)));
    this.pending.set(verdicts, done);
    void done.then(() => this.pending.delete(verdicts));
  }

  private async runDeferred(list: Deferred[], verdicts: RecordedVerdict[]): Promise<void> {
    let inserted = 0;
    for (const { id, guard, req, at } of list) {
      let r: RecordedVerdict | undefined;
      try {
        const v = await guard.checkRequest(req);
        if (v.action !== 'allow' || v.attributes) r = { guard: id, phase: 'request', action: v.action, rule: v.rule, reason: v.reason, attributes: v.attributes };
      } catch (err) {
        r = { guard: id, phase: 'request', action: 'flag', rule: 'guard_error', reason: (err as Error).message };
      }
      if (r) verdicts.splice(at + inserted++, 0, r);
    }
  }

  /** One inline guard: records its verdict, throws on a block, applies a rewrite. */
  private async ask(id: string, guard: Guard, req: GuardRequest, extracted: ExtractedMessages, verdicts: RecordedVerdict[]): Promise<boolean> {
    let rewritten = false;
    let v: GuardVerdict;
    try {
      v = await guard.checkRequest(req);
    } catch (err) {
      // A broken guard must not silently let traffic through: fail closed.
      verdicts.push({ guard: id, phase: 'request', action: 'block', rule: 'guard_error', reason: (err as Error).message });
      throw new ProxyError(403, 'permission_error', 'guardrail_error', `request blocked: guardrail "${id}" failed: ${(err as Error).message}`);
    }
    if (v.action === 'allow' && !v.attributes) return false;
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
    return rewritten;
  }

  /** Response guards: recorded (a block or rewrite verdict is recorded as given, not enforced),
   * after the request's record-only guards. */
  async checkResponse(req: GuardRequest, res: GuardResponse, verdicts: RecordedVerdict[]): Promise<void> {
    await this.pending.get(verdicts);
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
