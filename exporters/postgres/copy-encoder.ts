// FlatTable -> the payload of COPY ... FROM (text format): one line per row, tab-separated,
// \N for NULL, backslash escapes. Attribute maps become typed JSON (bigint as a string, bytes as
// base64, as core/signals/attributes.ts renders them), U+0000 becomes U+FFFD (see core/storage/text.ts).
import { attributesToJson } from '../../core/signals/attributes.ts';
import type { Attributes } from '../../core/signals/types.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { isNested, rowName, unixNanoName, type ColumnDef, type NestedDef } from '../../core/storage/model.ts';
import { storableJson, storableText } from '../../core/storage/text.ts';
import { hasRecordId, RECORD_ID, recordIdOf } from './identity.ts';
import { pgColumns } from './schema.ts';

type Encode = (v: unknown) => string;

const NEEDS_ESCAPE = /[\\\n\r\t\u0000]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u0000': '\uFFFD' };

/** A value as a COPY text field (the caller has handled NULL). */
export function copyText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\n\r\t\u0000]/g, (c) => ESCAPES[c]) : s;
}

/** Typed JSON of an attribute map, storable in json and jsonb. */
export function attributesJson(a: Attributes): string {
  return storableJson(attributesToJson(a));
}

/** JSON text as a COPY field. JSON.stringify escapes every control character, so of COPY's
 * specials only the backslash can occur: doubled with one native replaceAll, not a regex. */
function copyJson(json: string): string {
  return json.indexOf('\\') < 0 ? json : json.replaceAll('\\', '\\\\');
}

/** JSON of a number; jsonb has no NaN / Infinity, so those are null. */
function jsonNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

function scalarEncoder(c: ColumnDef): Encode {
  const t = c.type;
  if (typeof t !== 'string') return (v) => `{${(v as number[]).join(',')}}`;
  switch (t) {
    case 'string':
      return (v) => copyText(v as string);
    case 'timestamp_ns':
    case 'int64':
    case 'uint64':
    case 'uint8':
    case 'int32':
    case 'uint32':
    case 'float64':
      return (v) => String(v);
    case 'timestamp_s':
      return (v) => new Date(Number(v as bigint) * 1000).toISOString();
    case 'bool':
      return (v) => (v ? 't' : 'f');
    case 'attributes': {
      // Remembers the last map: a resource's attributes repeat on every row of the resource.
      let last: Attributes | undefined;
      let lastText = '';
      return (v) => {
        if (v !== last) {
          last = v as Attributes;
          lastText = copyJson(attributesJson(last));
        }
        return lastText;
      };
    }
  }
}

/** A Nested group's row: [{"field": value, ...}, ...] from its per-field arrays. */
function nestedEncoder(n: NestedDef, columns: Record<string, unknown[]>): (row: number) => string {
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
  return (row) => {
    const len = first[row].length;
    if (len === 0) return '[]';
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
    return copyJson(out + ']');
  };
}

export interface CopyPayload {
  table: string;
  columns: string[];
  text: string;
}

/** The COPY column list and text payload of a FlatTable; logs and metric points end with their
 * record_id, the hash of the fields before it (identity.ts). */
export function encodeCopy(t: FlatTable): CopyPayload {
  const cols = pgColumns(t.table.columns).filter((c) => c.source !== undefined);
  const writers: Array<(row: number) => string> = cols.map((c) => {
    if (isNested(c.def)) return nestedEncoder(c.def, t.columns);
    const values = t.columns[c.source!];
    const enc = scalarEncoder(c.def);
    return (row) => {
      const v = values[row];
      return v === null || v === undefined ? '\\N' : enc(v);
    };
  });
  // String concatenation builds ropes, flattened once by the caller's UTF-8 encode: cheaper than
  // joining per-row field arrays.
  const last = writers.length - 1;
  const names = cols.map((c) => c.name);
  let text = '';
  if (hasRecordId(t.table)) {
    names.push(RECORD_ID);
    for (let r = 0; r < t.rowCount; r++) {
      let line = '';
      for (let c = 0; c < last; c++) line += writers[c](r) + '\t';
      line += writers[last](r);
      text += line + '\t' + recordIdOf(line) + '\n';
    }
  } else {
    for (let r = 0; r < t.rowCount; r++) {
      let line = '';
      for (let c = 0; c < last; c++) line += writers[c](r) + '\t';
      text += line + writers[last](r) + '\n';
    }
  }
  return { table: t.table.name, columns: names, text };
}

