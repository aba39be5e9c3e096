// spliceTopLevelString: the alias -> provider model swap done in the request's bytes. Whatever it
// returns must parse to the same object as re-serialising would give; where a splice is not safe
// it must decline (undefined) so the proxy re-serialises.
import { describe, expect, it } from 'vitest';
import { spliceTopLevelString } from '../../../receivers/llm_proxy/json-splice.ts';

const splice = (raw: string, value: string) => spliceTopLevelString(Buffer.from(raw), 'model', value)?.toString('utf8');

describe('spliceTopLevelString', () => {
  it('replaces only the top-level member and keeps every other byte', () => {
    const raw = '{"model":"fast","messages":[{"role":"user","content":"say \\"model\\": \\"x\\" } ]"}],"stream":true}';
    const out = splice(raw, 'gpt-4o-mini')!;
    expect(out).toBe(raw.replace('"fast"', '"gpt-4o-mini"'));
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(raw), model: 'gpt-4o-mini' });
  });

  it('skips nested objects, arrays, numbers, literals and whitespace before the member', () => {
    const raw = ' { "messages" : [ {"model":"inner", "x": [1, {"y": "}"}]} ], "n": -1.5e3, "t": true, "z": null, "model" : "fast" }\n';
    const out = splice(raw, 'claude')!;
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(raw), model: 'claude' });
    expect(JSON.parse(out).messages[0].model).toBe('inner');
  });

  it('handles escapes and multi-byte text in values, and escapes the new value', () => {
    const raw = '{"messages":[{"content":"日本 \\\\ é 🎉 \\\\\\" q"}],"model":"fa\\"st"}';
    const out = splice(raw, 'a"b\\c')!;
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(raw), model: 'a"b\\c' });
  });

  it('declines when a splice could disagree with JSON.parse', () => {
    expect(splice('{"model":"a","model":"b"}', 'x')).toBeUndefined(); // duplicate: the last one wins in JSON.parse
    expect(splice('{"mod\\u0065l":"a","model":"b"}', 'x')).toBeUndefined(); // an escaped key could be a duplicate
    expect(splice('{"model":1}', 'x')).toBeUndefined(); // not a string
    expect(splice('{"messages":[]}', 'x')).toBeUndefined(); // missing
    expect(splice('[1]', 'x')).toBeUndefined();
    expect(splice('{"model":"a"', 'x')).toBeUndefined(); // truncated
    expect(splice('{"model":"a" "b":1}', 'x')).toBeUndefined(); // malformed
  });

  it('agrees with re-serialising on randomised bodies', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pieces = ['a', '"', '\\', '}', ']', '{', '[', ',', ':', 'é', '🎉', ' ', '\n', 'model'];
    const text = () => Array.from({ length: Math.floor(rnd() * 12) }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = {};
      const keys = ['messages', 'model', 'temperature', 'tools', 'stream'].sort(() => rnd() - 0.5);
      for (const k of keys) body[k] = k === 'model' ? text() : k === 'messages' ? [{ role: 'user', content: text(), model: text() }] : k === 'tools' ? [{ x: [text(), { y: text() }] }] : rnd() > 0.5 ? rnd() : null;
      const raw = rnd() > 0.5 ? JSON.stringify(body) : JSON.stringify(body, null, 2);
      const out = splice(raw, 'provider-model');
      expect(out).toBeDefined();
      expect(JSON.parse(out!)).toEqual({ ...body, model: 'provider-model' });
    }
  });
});
