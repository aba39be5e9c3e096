// Record-only guards (core/guard.ts Guard.recordOnly, e.g. injection_scan in flag mode) do not hold
// the request: Guardrails asks them on the next turn of the event loop, with the request as it stood
// at their place in the list, and puts their verdicts where inline guards would have had them.
import { describe, expect, it } from 'vitest';
import type { Guard, GuardRequest, GuardVerdict } from '../../../core/guard.ts';
import { Guardrails, type RecordedVerdict } from '../../../receivers/llm_proxy/guardrails.ts';
import type { ExtractedMessages } from '../../../receivers/llm_proxy/guard-messages.ts';

function request(text: string): { req: GuardRequest; ex: ExtractedMessages; body: { content: string } } {
  const body = { content: text };
  return {
    req: { agent: { id: 'a', customer: 'c', roles: [] }, operation: 'chat', model: 'm', provider: '', messages: [{ role: 'user', content: text }], tools: [], scopes: [], metadata: {} },
    ex: { messages: [{ role: 'user', content: text }], tools: [], slots: [(t) => (body.content = t)] },
    body,
  };
}

/** A guard that records what it saw and answers `verdict` (or throws it when an Error). */
function guard(verdict: GuardVerdict | Error | ((req: GuardRequest) => GuardVerdict), recordOnly = false): Guard & { seen: string[] } {
  const seen: string[] = [];
  return {
    recordOnly,
    seen,
    async checkRequest(req) {
      seen.push(req.messages[0].content);
      if (verdict instanceof Error) throw verdict;
      return typeof verdict === 'function' ? verdict(req) : verdict;
    },
  };
}

const rewrite = (req: GuardRequest): GuardVerdict => ({ action: 'rewrite', rule: 'r', messages: req.messages.map((m) => ({ ...m, content: m.content.replace('secret', '<X>') })) });
const names = (v: RecordedVerdict[]) => v.map((x) => `${x.guard}:${x.action}${x.rule ? `:${x.rule}` : ''}`);

describe('record-only guardrails', () => {
  it('do not hold the request; their verdict lands in list order, on the text they stood before', async () => {
    const first = guard({ action: 'flag', rule: 'inline-first' });
    const scan = guard({ action: 'flag', rule: 'scan', attributes: { score: 0.9 } }, true);
    const redact = guard(rewrite);
    const g = new Guardrails([
      { id: 'first', guard: first },
      { id: 'scan', guard: scan },
      { id: 'redact', guard: redact },
    ]);
    const { req, ex, body } = request('my secret plan');
    const verdicts: RecordedVerdict[] = [];
    expect(await g.checkRequest(req, ex, verdicts)).toBe(true);
    expect(body.content).toBe('my <X> plan');
    // the request went on without the scan
    expect(scan.seen).toEqual([]);
    expect(names(verdicts)).toEqual(['first:flag:inline-first', 'redact:rewrite:r']);
    await g.settled(verdicts);
    expect(scan.seen).toEqual(['my secret plan']); // before the rewrite, as inline
    expect(names(verdicts)).toEqual(['first:flag:inline-first', 'scan:flag:scan', 'redact:rewrite:r']);
    expect(verdicts[1].attributes).toEqual({ score: 0.9 });
    expect(g.settled(verdicts)).toBeUndefined();
  });

  it('a failing one is recorded (guard_error) instead of blocking; an allow records nothing', async () => {
    const g = new Guardrails([
      { id: 'quiet', guard: guard({ action: 'allow' }, true) },
      { id: 'broken', guard: guard(new Error('scanner crashed'), true) },
    ]);
    const { req, ex } = request('hello');
    const verdicts: RecordedVerdict[] = [];
    await expect(g.checkRequest(req, ex, verdicts)).resolves.toBe(false);
    await g.settled(verdicts);
    expect(verdicts).toEqual([{ guard: 'broken', phase: 'request', action: 'flag', rule: 'guard_error', reason: 'scanner crashed' }]);
  });

  it('a block by a later inline guard still blocks; the record-only guard before it is still asked', async () => {
    const scan = guard({ action: 'flag', rule: 'scan' }, true);
    const g = new Guardrails([
      { id: 'scan', guard: scan },
      { id: 'policy', guard: guard({ action: 'block', rule: 'deny-all', reason: 'no' }) },
    ]);
    const { req, ex } = request('hello');
    const verdicts: RecordedVerdict[] = [];
    await expect(g.checkRequest(req, ex, verdicts)).rejects.toThrow(/blocked by guardrail "policy" \(rule deny-all\)/);
    await g.settled(verdicts);
    expect(names(verdicts)).toEqual(['scan:flag:scan', 'policy:block:deny-all']);
  });

  it('response guards run after the request\'s record-only guards recorded theirs', async () => {
    const order: string[] = [];
    const scan: Guard = { recordOnly: true, checkRequest: async () => (order.push('request scan'), { action: 'flag', rule: 'scan' }) };
    const out: Guard = { checkRequest: async () => ({ action: 'allow' }), checkResponse: async () => (order.push('response'), { action: 'flag', rule: 'resp' }) };
    const g = new Guardrails([
      { id: 'scan', guard: scan },
      { id: 'out', guard: out },
    ]);
    const { req, ex } = request('hello');
    const verdicts: RecordedVerdict[] = [];
    await g.checkRequest(req, ex, verdicts);
    await g.checkResponse(req, { messages: [{ role: 'assistant', content: 'hi' }] }, verdicts);
    expect(order).toEqual(['request scan', 'response']);
    expect(names(verdicts)).toEqual(['scan:flag:scan', 'out:flag:resp']);
  });
});
