import { describe, expect, it } from 'vitest';
import { attrInt, attrString, attributesToJson, countSpans, setAttribute, stringifyValue } from '../../core/signals/index.ts';

describe('attributes', () => {
  it('sets __proto__ as a plain key without touching the prototype', () => {
    const a: Record<string, any> = {};
    setAttribute(a, '__proto__', 'x');
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(JSON.parse(attributesToJson(a))).toEqual(JSON.parse('{"__proto__":"x"}'));
  });
  it('reads strings and ints leniently', () => {
    const a = { s: 'x', n: 42, b: true, big: 2n ** 60n, str: '17' };
    expect(attrString(a, 's')).toBe('x');
    expect(attrString(a, 'n')).toBe('42');
    expect(attrString(a, 'missing')).toBe('');
    expect(attrInt(a, 'str')).toBe(17);
    expect(attrInt(a, 'big')).toBe(2 ** 60);
    expect(attrInt(a, 's')).toBe(0);
  });
  it('stringifies like the collector ClickHouse exporter', () => {
    expect(stringifyValue([1, 'a', { k: 2n }])).toBe('[1,"a",{"k":"2"}]');
    expect(stringifyValue(new Uint8Array([1, 2, 3]))).toBe('AQID');
    expect(attributesToJson({ a: 1, b: 2n })).toBe('{"a":1,"b":"2"}');
  });
  it('counts spans', () => {
    expect(countSpans({ resourceSpans: [{ resource: { attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', spans: [{} as any, {} as any] }] }] })).toBe(2);
  });
});
