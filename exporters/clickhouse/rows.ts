// A FlatTable (core/storage/flatten.ts) as JSONEachRow objects for the physical columns of
// columns.ts. Bigints become strings (ClickHouse reads quoted integers; JSON numbers stop at 2^53),
// timestamps the text ClickHouse parses for DateTime / DateTime64 in UTC, NaN and infinities the
// words ClickHouse reads.
import type { AnyValue, Attributes } from '../../core/signals/types.ts';
import { stringifyValue } from '../../core/signals/attributes.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import type { ChColumn, Encoding } from './columns.ts';

const NS_PER_S = 1_000_000_000n;
/** DateTime is a UInt32 of seconds. */
const MAX_DATETIME_S = 4_294_967_295n;

let lastSecond = -1n;
let lastSecondText = '';

function secondsText(s: bigint): string {
  if (s === lastSecond) return lastSecondText;
  const text = new Date(Number(s) * 1000).toISOString();
  lastSecond = s;
  lastSecondText = `${text.slice(0, 10)} ${text.slice(11, 19)}`;
  return lastSecondText;
}

function clampSeconds(s: bigint): bigint {
  return s < 0n ? 0n : s > MAX_DATETIME_S ? MAX_DATETIME_S : s;
}

/** Unix nanoseconds as DateTime64(9) text: '2023-11-14 22:13:20.123456789'. */
export function dateTime64Text(ns: bigint): string {
  const s = ns / NS_PER_S;
  return `${secondsText(s)}.${(ns - s * NS_PER_S).toString().padStart(9, '0')}`;
}

function float(v: number | null): number | string | null {
  if (v === null || Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

function int(v: number | bigint | null): number | string | null {
  return typeof v === 'bigint' ? v.toString() : v;
}

function attrText(v: AnyValue): string {
  return typeof v === 'string' ? v : stringifyValue(v);
}

/** Attribute maps rendered once per object: a resource's map repeats on every row of the resource. */
class AttributeRenderer {
  private last?: Attributes;
  private map: Record<string, string> = {};
  private keys: string[] = [];
  private values: string[] = [];

  private render(a: Attributes): void {
    if (a === this.last) return;
    this.last = a;
    this.map = Object.create(null) as Record<string, string>; // "__proto__" is an attribute key like any other
    this.keys = Object.keys(a);
    this.values = this.keys.map((k) => attrText(a[k]));
    for (let i = 0; i < this.keys.length; i++) this.map[this.keys[i]] = this.values[i];
  }

  asMap(a: Attributes): Record<string, string> {
    this.render(a);
    return this.map;
  }
  asKeys(a: Attributes): string[] {
    this.render(a);
    return this.keys;
  }
  asValues(a: Attributes): string[] {
    this.render(a);
    return this.values;
  }
}

function encoder(e: Encoding, attrs: AttributeRenderer): (v: any) => unknown {
  switch (e) {
    case 'string':
      return (v: string) => v;
    case 'datetime64':
      return (v: bigint) => dateTime64Text(v);
    case 'datetime_ns':
      return (v: bigint) => secondsText(clampSeconds(v / NS_PER_S));
    case 'datetime_s':
      return (v: bigint) => secondsText(clampSeconds(v));
    case 'nanos':
      return (v: bigint) => v.toString();
    case 'int':
      return int;
    case 'float':
      return float;
    case 'bool':
      return (v: boolean) => v;
    case 'uint8_bool':
      return (v: boolean) => (v ? 1 : 0);
    case 'map':
      return (v: Attributes) => attrs.asMap(v);
    case 'keys':
      return (v: Attributes) => attrs.asKeys(v);
    case 'values':
      return (v: Attributes) => attrs.asValues(v);
    case 'int_list':
      return (v: Array<number | bigint>) => v.map(int);
    case 'float_list':
      return (v: number[]) => v.map(float);
  }
}

/** One object per row, keyed by physical column name. */
export function toRows(t: FlatTable, columns: ChColumn[]): Record<string, unknown>[] {
  const rows = new Array<Record<string, unknown>>(t.rowCount);
  for (let i = 0; i < t.rowCount; i++) rows[i] = {};
  for (const c of columns) {
    const source = t.columns[c.source];
    if (!source) throw new TypeError(`${t.table.name}: no values for column ${c.source}`);
    // Group fields get their own renderer: a per-element map would evict the row-level one.
    const enc = encoder(c.encoding, new AttributeRenderer());
    if (c.group) {
      for (let i = 0; i < t.rowCount; i++) rows[i][c.name] = (source[i] as unknown[]).map(enc);
    } else {
      for (let i = 0; i < t.rowCount; i++) rows[i][c.name] = enc(source[i]);
    }
  }
  return rows;
}
