// FlatTable -> the payload of COPY ... FROM (text format): one line per row, tab-separated,
// \N for NULL, backslash escapes. Attribute maps become typed JSON (bigint as a string, bytes as
// base64, as core/signals/attributes.ts renders them), U+0000 becomes U+FFFD (see core/storage/text.ts).
// Values are written as UTF-8 straight into a pooled byte buffer (copy-writer.ts).
import { attributesToJson } from '../../core/signals/attributes.ts';
import type { Attributes } from '../../core/signals/types.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { isNested, rowName, unixNanoName, type ColumnDef, type NestedDef } from '../../core/storage/model.ts';
import { storableJson } from '../../core/storage/text.ts';
import { CopyWriter } from './copy-writer.ts';
import { hasRecordId, RECORD_ID, recordIdOf } from './identity.ts';
import { pgColumns } from './schema.ts';

export { copyText } from './copy-writer.ts';

type Encode = (w: CopyWriter, v: unknown) => void;
type WriteRow = (w: CopyWriter, row: number) => void;

/** Typed JSON of an attribute map, storable in json and jsonb. */
export function attributesJson(a: Attributes): string {
  return storableJson(attributesToJson(a));
}

/** JSON of a number; jsonb has no NaN / Infinity, so those are null. */
function jsonNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

const TAB = 0x09;
const NEWLINE = 0x0a;

function scalarEncoder(c: ColumnDef): Encode {
  const t = c.type;
  if (typeof t !== 'string') return (w, v) => w.ascii(`{${(v as number[]).join(',')}}`);
  switch (t) {
    case 'string':
      return (w, v) => w.text(v as string);
    case 'timestamp_ns':
    case 'int64':
    case 'uint64':
    case 'uint8':
    case 'int32':
    case 'uint32':
    case 'float64':
      return (w, v) => w.ascii(String(v));
    case 'timestamp_s':
      return (w, v) => w.ascii(new Date(Number(v as bigint) * 1000).toISOString());
    case 'bool':
      return (w, v) => w.byte(v ? 0x74 : 0x66); // t / f
    case 'attributes': {
      // Remembers the last map: a resource's attributes repeat on every row of the resource.
      let last: Attributes | undefined;
      let lastJson = '';
      return (w, v) => {
        if (v !== last) {
          last = v as Attributes;
          lastJson = attributesJson(last);
        }
        w.json(lastJson);
      };
    }
  }
}

/** A Nested group's row: [{"field": value, ...}, ...] from its per-field arrays. */
function nestedEncoder(n: NestedDef, columns: Record<string, unknown[]>): WriteRow {
  const fields = n.nested.map((f) => {
    const key = JSON.stringify(f.type === 'timestamp_ns' ? unixNanoName(rowName(f.name)) : rowName(f.name));
    const values = columns[`${n.name}.${f.name}`] as unknown[][];
    let render: (v: unknown) => string;
    switch (f.type) {
      case 'timestamp_ns':
        render = (v) => String(v); // jsonb numbers are numeric: nanoseconds stay exact
        break;
      case 'attributes':
        render = (v) => attributesJson(v as Attributes);
        break;
      case 'float64':
        render = (v) => jsonNumber(v as number);
        break;
      default:
        render = (v) => storableJson(JSON.stringify(v));
    }
    return { key, values, render };
  });
  const first = fields[0].values;
  return (w, row) => {
    const len = first[row].length;
    if (len === 0) return w.ascii('[]');
    let out = '[';
    for (let i = 0; i < len; i++) {
      if (i) out += ',';
      out += '{';
      for (let f = 0; f < fields.length; f++) {
        const fd = fields[f];
        out += (f ? ',' : '') + fd.key + ':' + fd.render(fd.values[row][i]);
      }
      out += '}';
    }
    w.json(out + ']');
  };
}

export interface CopyPayload {
  table: string;
  columns: string[];
  /** The rows as COPY text, UTF-8: a view into the writer's buffer, valid until it is reused. */
  bytes: Uint8Array;
}

/** The COPY column list and payload of a FlatTable, appended to `w`; logs and metric points end
 * with their record_id, the hash of the fields before it (identity.ts). */
export function encodeCopy(t: FlatTable, w: CopyWriter): CopyPayload {
  const cols = pgColumns(t.table.columns).filter((c) => c.source !== undefined);
  const writers: WriteRow[] = cols.map((c) => {
    if (isNested(c.def)) return nestedEncoder(c.def, t.columns);
    const values = t.columns[c.source!];
    const enc = scalarEncoder(c.def);
    return (w, row) => {
      const v = values[row];
      if (v === null || v === undefined) w.ascii('\\N');
      else enc(w, v);
    };
  });
  const last = writers.length - 1;
  const names = cols.map((c) => c.name);
  const start = w.pos;
  const withId = hasRecordId(t.table);
  if (withId) names.push(RECORD_ID);
  for (let r = 0; r < t.rowCount; r++) {
    const line = w.pos;
    for (let c = 0; c < last; c++) {
      writers[c](w, r);
      w.byte(TAB);
    }
    writers[last](w, r);
    if (withId) {
      const id = recordIdOf(w.bytes(line)); // the row's bytes: the id its text would get
      w.byte(TAB);
      w.ascii(id);
    }
    w.byte(NEWLINE);
  }
  return { table: t.table.name, columns: names, bytes: w.bytes(start) };
}
