// json.ts (one pass: validation and the string values with their keys) against what it replaces:
// JSON.parse to decide whether a text is JSON, then a walk over its string tokens (the regex walk
// the JSON-aware scan used before). Seeded valid documents and mutations of them (every kind of
// near-miss: trailing commas, raw control characters, bad escapes, bad numbers, cut documents).
import { describe, expect, it } from 'vitest';
import { jsonStrings } from '../../processors/redaction/json.ts';
import { prng } from '../helpers/random.ts';

/** The reference: JSON.parse decides; string tokens by regex; a key is a token followed by ':'; a
 * value keeps the last key unless , { } [ ] came between them. */
function reference(src: string, skip: ReadonlySet<string>) {
  try {
    JSON.parse(src);
  } catch {
    return undefined;
  }
  const out = { starts: [] as number[], ends: [] as number[], values: [] as string[], keys: [] as (string | undefined)[] };
  const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"/g;
  let lastKey: string | undefined;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(src)) !== null) {
    const end = m.index + m[0].length;
    if (lastKey !== undefined && /[,{}[\]]/.test(src.slice(last, m.index))) lastKey = undefined;
    last = end;
    let k = end;
    while (k < src.length && src.charCodeAt(k) <= 32) k++;
    if (src[k] === ':') {
      lastKey = JSON.parse(m[0]);
      continue;
    }
    if (lastKey === undefined || !skip.has(lastKey)) {
      out.starts.push(m.index);
      out.ends.push(end);
      out.values.push(JSON.parse(m[0]));
      out.keys.push(lastKey);
    }
    lastKey = undefined;
  }
  return out;
}

const STRINGS = ['', 'a', 'jane@example.com', 'say \\"hi\\"', 'tab\\there', '\\u00e9\\ud83d\\ude00', '\\\\', 'back\\\\\\"slash', '{\\"inner\\": [1, \\"x\\"]}', 'é ü 😀', '\\/'];
const KEYS = ['name', 'email', 'notes', 'api_key', 'a\\"b', ''];

function doc(r: () => number, depth = 0): string {
  const x = r();
  const ws = () => [' ', '', '\n  ', '\t', '\r\n'][Math.floor(r() * 5)];
  if (depth > 3 || x < 0.3) return `"${STRINGS[Math.floor(r() * STRINGS.length)]}"`;
  if (x < 0.4) return ['0', '-0', '12', '-3.25', '1e10', '2E-3', '6.02e+23'][Math.floor(r() * 7)];
  if (x < 0.45) return ['true', 'false', 'null'][Math.floor(r() * 3)];
  if (x < 0.7) return `[${ws()}${Array.from({ length: Math.floor(r() * 4) }, () => ws() + doc(r, depth + 1) + ws()).join(',')}]`;
  return `{${ws()}${Array.from({ length: Math.floor(r() * 4) }, () => `${ws()}"${KEYS[Math.floor(r() * KEYS.length)]}"${ws()}:${ws()}${doc(r, depth + 1)}${ws()}`).join(',')}}`;
}

const NOISE = [',', ':', '"', '\\', '{', '}', '[', ']', ' ', '\n', '\x01', '\x1f', '\u2028', '\ufeff', '0', '-', '.', 'e', '+', 'x', 'u', 'tru', 'nul', '\\u12', '\\x'];

describe('redaction JSON scan', () => {
  it('accepts exactly what JSON.parse accepts and finds the same values and keys as the token walk', () => {
    const r = prng(31);
    const skip = new Set(['notes']);
    let valid = 0;
    let invalid = 0;
    let values = 0;
    for (let i = 0; i < 20000; i++) {
      let s = (r() < 0.5 ? '' : ' \n'.slice(0, Math.floor(r() * 3))) + (r() < 0.5 ? doc(r) : `[${doc(r)}]`);
      if (i % 2 === 1) {
        // one to three edits: insert, delete or replace a code unit
        for (let e = 1 + Math.floor(r() * 3); e > 0; e--) {
          const at = Math.floor(r() * (s.length + 1));
          const k = r();
          const noise = NOISE[Math.floor(r() * NOISE.length)];
          s = k < 0.4 ? s.slice(0, at) + noise + s.slice(at) : k < 0.7 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + noise + s.slice(at + 1);
        }
      }
      const want = reference(s, skip);
      expect(jsonStrings(s, skip), JSON.stringify(s)).toEqual(want);
      if (want) {
        valid++;
        values += want.values.length;
      } else invalid++;
    }
    expect(valid).toBeGreaterThan(10000);
    expect(invalid).toBeGreaterThan(5000);
    expect(values).toBeGreaterThan(10000);
  });

  it('stays linear on long and deep documents', () => {
    for (const s of ['['.repeat(200_000) + ']'.repeat(200_000), `["${'\\\\'.repeat(100_000)}"]`, `[${'"a",'.repeat(50_000)}"b"]`, `{"a":"${'x'.repeat(200_000)}\n"}`, `[${'1,'.repeat(100_000)}1]`]) {
      jsonStrings(s.slice(0, 2000) + s.slice(-2000), new Set()); // warm up (compiled code, not the interpreter, is timed)
      let best = Infinity;
      for (let run = 0; run < 3 && best >= 200; run++) {
        const t0 = performance.now();
        jsonStrings(s, new Set());
        best = Math.min(best, performance.now() - t0);
      }
      expect(best, s.slice(0, 20)).toBeLessThan(200);
    }
  });
});
