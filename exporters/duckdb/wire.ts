// How a FlatTable crosses to the DuckDB worker thread cheaply. postMessage's structured clone costs
// per value (every short string and attribute object is written and rebuilt one by one), so the
// main thread sends few, large values instead: each string column as ONE string (the values
// joined) plus their lengths (a Uint32Array), each attribute-map column as its distinct maps
// rendered once (a resource's attributes repeat on every row) plus one map index per row, and
// lists as per-row counts plus their items, flattened. Other columns (numbers, bigints) go as they are.
// The worker cuts the strings back out (substring) and fills DataChunks from them.
import { stringifyValue } from '../../core/signals/attributes.ts';
import type { AnyValue, Attributes } from '../../core/signals/types.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { TABLES, isNested, type ColumnType, type TableDef } from '../../core/storage/model.ts';

const EMPTY: readonly never[] = Object.freeze([]) as readonly never[];

/** Length entry of a NULL string. */
const NULL = 0xffffffff;

export interface WireStrings {
  text: string;
  lens: Uint32Array;
}

export type WireColumn =
  | { k: 'str'; s: WireStrings }
  | { k: 'raw'; v: unknown[] }
  /** ids[row]: index of the row's map among the distinct ones (NULL: none); sizes[map]: its entries;
   * keys/vals: the entries of every distinct map, in order. */
  | { k: 'map'; ids: Uint32Array; sizes: Uint32Array; keys: WireStrings; vals: WireStrings }
  | { k: 'list'; counts: Uint32Array; items: WireColumn };

export interface WireTable {
  name: string;
  rowCount: number;
  columns: Record<string, WireColumn>;
}

/** A map column as the worker hands it to ChunkWriter: [key, value, key, value, ...], rendered. */
export type RenderedMap = string[];

const TABLE_BY_NAME = new Map<string, TableDef>(TABLES.map((t) => [t.name, t]));

function columnTypes(table: TableDef): Array<[string, ColumnType, boolean]> {
  const out: Array<[string, ColumnType, boolean]> = [];
  for (const c of table.columns) {
    if (isNested(c)) for (const f of c.nested) out.push([`${c.name}.${f.name}`, f.type, true]);
    else out.push([c.name, c.type, false]);
  }
  return out;
}
const TYPES = new Map(TABLES.map((t) => [t.name, columnTypes(t)]));

function encodeStrings(values: unknown[]): WireStrings {
  const lens = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') lens[i] = v.length;
    else if (v === null || v === undefined) lens[i] = NULL;
    else throw new TypeError(`expected a string, got ${typeof v}`);
  }
  return { text: values.join(''), lens };
}

function encodeMaps(values: unknown[]): WireColumn {
  const ids = new Uint32Array(values.length);
  const sizes: number[] = [];
  const keys: string[] = [];
  const vals: string[] = [];
  let last: Attributes | undefined;
  for (let i = 0; i < values.length; i++) {
    const a = values[i] as Attributes | null | undefined;
    if (a === null || a === undefined) {
      ids[i] = NULL;
      continue;
    }
    if (a !== last) {
      last = a;
      const ks = Object.keys(a);
      for (const k of ks) {
        const v: AnyValue = a[k];
        keys.push(k);
        vals.push(typeof v === 'string' ? v : stringifyValue(v));
      }
      sizes.push(ks.length);
    }
    ids[i] = sizes.length - 1;
  }
  return { k: 'map', ids, sizes: Uint32Array.from(sizes), keys: encodeStrings(keys), vals: encodeStrings(vals) };
}

function encodeColumn(values: unknown[], type: ColumnType): WireColumn {
  if (type === 'string') return { k: 'str', s: encodeStrings(values) };
  if (type === 'attributes') return encodeMaps(values);
  return { k: 'raw', v: values };
}

function encodeList(values: unknown[], type: ColumnType): WireColumn {
  const counts = new Uint32Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += counts[i] = (values[i] as unknown[]).length;
  const items = new Array<unknown>(total);
  let j = 0;
  if (total) for (let i = 0; i < values.length; i++) for (const item of values[i] as unknown[]) items[j++] = item;
  return { k: 'list', counts, items: encodeColumn(items, type) };
}

/** On the main thread: the table as a few large values. Throws TypeError on a malformed value. */
export function encodeTable(t: FlatTable): WireTable {
  const columns: Record<string, WireColumn> = {};
  for (const [key, type, nested] of TYPES.get(t.table.name) ?? columnTypes(t.table)) {
    const values = t.columns[key];
    // A model list column ({ list }) holds number arrays: they go as they are.
    columns[key] = nested ? encodeList(values, type) : encodeColumn(values, type);
  }
  return { name: t.table.name, rowCount: t.rowCount, columns };
}

function decodeStrings(w: WireStrings): Array<string | null> {
  const out = new Array<string | null>(w.lens.length);
  let at = 0;
  for (let i = 0; i < w.lens.length; i++) {
    const n = w.lens[i];
    if (n === NULL) out[i] = null;
    else {
      out[i] = w.text.substring(at, at + n);
      at += n;
    }
  }
  return out;
}

function decodeColumn(c: WireColumn): unknown[] {
  switch (c.k) {
    case 'str':
      return decodeStrings(c.s);
    case 'raw':
      return c.v;
    case 'map': {
      const keys = decodeStrings(c.keys) as string[];
      const vals = decodeStrings(c.vals) as string[];
      const maps = new Array<RenderedMap>(c.sizes.length);
      let e = 0;
      for (let m = 0; m < c.sizes.length; m++) {
        const kv = new Array<string>(c.sizes[m] * 2);
        for (let j = 0; j < kv.length; j += 2, e++) {
          kv[j] = keys[e];
          kv[j + 1] = vals[e];
        }
        maps[m] = kv;
      }
      const out = new Array<RenderedMap | null>(c.ids.length);
      for (let i = 0; i < c.ids.length; i++) out[i] = c.ids[i] === NULL ? null : maps[c.ids[i]];
      return out;
    }
    case 'list': {
      const items = decodeColumn(c.items);
      const out = new Array<readonly unknown[]>(c.counts.length);
      let j = 0;
      for (let i = 0; i < c.counts.length; i++) {
        const n = c.counts[i];
        out[i] = n === 0 ? EMPTY : items.slice(j, j + n);
        j += n;
      }
      return out as unknown[];
    }
  }
}

/** In the worker: the FlatTable back, map columns as RenderedMap (ChunkWriter takes both forms). */
export function decodeTable(w: WireTable): FlatTable {
  const table = TABLE_BY_NAME.get(w.name);
  if (!table) throw new TypeError(`unknown table ${w.name}`);
  const columns: Record<string, unknown[]> = {};
  for (const key of Object.keys(w.columns)) columns[key] = decodeColumn(w.columns[key]);
  return { table, rowCount: w.rowCount, columns };
}

/** The ArrayBuffers of a WireTable, to transfer rather than copy. */
export function transferList(w: WireTable): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const walk = (c: WireColumn) => {
    if (c.k === 'str') out.push(c.s.lens.buffer as ArrayBuffer);
    else if (c.k === 'map') out.push(c.ids.buffer as ArrayBuffer, c.sizes.buffer as ArrayBuffer, c.keys.lens.buffer as ArrayBuffer, c.vals.lens.buffer as ArrayBuffer);
    else if (c.k === 'list') {
      out.push(c.counts.buffer as ArrayBuffer);
      walk(c.items);
    }
  };
  for (const c of Object.values(w.columns)) walk(c);
  return out;
}
