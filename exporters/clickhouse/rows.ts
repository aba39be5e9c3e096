// A FlatTable (core/storage/flatten.ts) as JSONEachRow text for the physical columns of columns.ts,
// written directly rather than through JSON.stringify of row objects (twice as fast: a resource's
// attribute map, repeated on every row, is rendered once). Bigints become strings (ClickHouse reads quoted integers; JSON numbers stop at 2^53),
// timestamps the text ClickHouse parses for DateTime / DateTime64 in UTC, NaN and infinities the
// words ClickHouse reads.
import type { AnyValue, Attributes } from '../../core/signals/types.ts';
import { stringifyValue } from '../../core/signals/attributes.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { recordId } from '../../core/storage/record-id.ts';
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

const q = (s: string) => `"${s}"`;

function float(v: number | null): string {
  if (v === null) return 'null';
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? '"nan"' : v > 0 ? '"inf"' : '"-inf"';
}

function int(v: number | bigint | null): string {
  return v === null ? 'null' : typeof v === 'bigint' ? q(v.toString()) : String(v);
}

function attrText(v: AnyValue): string {
  return typeof v === 'string' ? v : stringifyValue(v);
}

/** Attribute maps as JSON, rendered once per object (a resource's map repeats on every row), and
 * once for both the `.keys` and `.values` columns of the legacy layout. */
class AttributeJson {
  private last?: Attributes;
  map = '';
  keys = '';
  values = '';
  constructor(private readonly asMap: boolean) {}

  render(a: Attributes): this {
    if (a === this.last) return this;
    this.last = a;
    const keys = Object.keys(a);
    if (this.asMap) {
      let out = '{';
      for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}${JSON.stringify(keys[i])}:${JSON.stringify(attrText(a[keys[i]]))}`;
      this.map = `${out}}`;
    } else {
      let ks = '[';
      let vs = '[';
      for (let i = 0; i < keys.length; i++) {
        const sep = i ? ',' : '';
        ks += sep + JSON.stringify(keys[i]);
        vs += sep + JSON.stringify(attrText(a[keys[i]]));
      }
      this.keys = `${ks}]`;
      this.values = `${vs}]`;
    }
    return this;
  }
}

/** The JSON text of one value of a column. */
function encoder(e: Encoding, attrs: () => AttributeJson): (v: any) => string {
  switch (e) {
    case 'string':
      return (v: string) => JSON.stringify(v);
    case 'datetime64':
      return (v: bigint) => q(dateTime64Text(v));
    case 'datetime_ns':
      return (v: bigint) => q(secondsText(clampSeconds(v / NS_PER_S)));
    case 'datetime_s':
      return (v: bigint) => q(secondsText(clampSeconds(v)));
    case 'nanos':
      return (v: bigint) => q(v.toString());
    case 'int':
      return int;
    case 'float':
      return float;
    case 'bool':
      return (v: boolean) => (v ? 'true' : 'false');
    case 'uint8_bool':
      return (v: boolean) => (v ? '1' : '0');
    case 'map': {
      const json = attrs();
      return (v: Attributes) => json.render(v).map;
    }
    case 'keys': {
      const json = attrs();
      return (v: Attributes) => json.render(v).keys;
    }
    case 'values': {
      const json = attrs();
      return (v: Attributes) => json.render(v).values;
    }
    case 'int_list':
      return (v: Array<number | bigint>) => `[${v.map(int).join(',')}]`;
    case 'float_list':
      return (v: number[]) => `[${v.map(float).join(',')}]`;
  }
}

/** The rows of `t` as JSONEachRow text, one object per line keyed by physical column name;
 * `withRecordId`: each line ends with RecordId, the hash of the fields before it (dedup.ts). */
export function jsonEachRow(t: FlatTable, columns: ChColumn[], withRecordId = false): string {
  // One renderer per source column, shared by its `.keys` and `.values` columns.
  const renderers = new Map<string, AttributeJson>();
  const plan = columns.map((c, i) => {
    const source = t.columns[c.source];
    if (!source) throw new TypeError(`${t.table.name}: no values for column ${c.source}`);
    const attrs = () => {
      let r = renderers.get(c.source);
      if (!r) renderers.set(c.source, (r = new AttributeJson(c.encoding === 'map')));
      return r;
    };
    const enc = encoder(c.encoding, attrs);
    const element = c.group ? (v: unknown[]) => `[${v.map(enc).join(',')}]` : enc;
    return { prefix: `${i ? ',' : '{'}${JSON.stringify(c.name)}:`, source, element };
  });
  let out = '';
  if (withRecordId) {
    for (let r = 0; r < t.rowCount; r++) {
      let line = '';
      for (const p of plan) line += p.prefix + p.element(p.source[r] as never);
      out += `${line},"RecordId":"${recordId(line)}"}\n`;
    }
    return out;
  }
  for (let r = 0; r < t.rowCount; r++) {
    for (const p of plan) out += p.prefix + p.element(p.source[r] as never);
    out += '}\n';
  }
  return out;
}
