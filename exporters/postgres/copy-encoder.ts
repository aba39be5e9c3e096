// FlatTable -> the payload of COPY ... FROM. Attribute maps become typed JSON (bigint as a string,
// bytes as base64, as core/signals/attributes.ts renders them), U+0000 becomes U+FFFD (see
// core/storage/text.ts). Values are written as UTF-8 straight into a pooled byte buffer (copy-writer.ts).
//
// Two formats (copyFormat): spans go in binary format (length-prefixed fields, integers as 8 bytes),
// which spares PostgreSQL the text format's line and field scanning and the integer parsing: 35 ->
// 23 µs of PGlite CPU per GenAI span (README: Writes). Log records and metric points stay in text
// format, one line per row, tab-separated, \N for NULL, backslash escapes: their record_id is the
// hash of that line (identity.ts), which must not change between versions or a replay across an
// upgrade would store them again.
import { attributesToJson } from '../../core/signals/attributes.ts';
import type { Attributes } from '../../core/signals/types.ts';
import type { FlatTable } from '../../core/storage/flatten.ts';
import { isNested, rowName, unixNanoName, type ColumnDef, type NestedDef, type TableDef } from '../../core/storage/model.ts';
import { storableJson } from '../../core/storage/text.ts';
import type { CopyFormat } from './client.ts';
import { CopyWriter } from './copy-writer.ts';
import { hasRecordId, RECORD_ID, recordIdOf } from './identity.ts';
import { pgColumns, type PgColumn } from './schema.ts';
import { storableText } from '../../core/storage/text.ts';

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

const BIGINT_MAX = (1n << 63n) - 1n;
/**
 * A uint64 (a count, a duration) as PostgreSQL's signed bigint: a value above bigint's top is
 * stored as the top. Only absurd input gets there (a count over 9.2e18, a span ending after 2262
 * that started at 0), and one such value must not fail the batch it came in (the columnar stores
 * hold the full uint64).
 */
function toBigint(v: number | bigint): number | bigint {
  return (typeof v === 'bigint' ? v > BIGINT_MAX : v > 9223372036854775807) ? BIGINT_MAX : v;
}

function scalarEncoder(c: ColumnDef): Encode {
  const t = c.type;
  if (typeof t !== 'string') {
    if (t.list === 'uint64') return (w, v) => w.ascii(`{${(v as Array<number | bigint>).map(toBigint).join(',')}}`);
    return (w, v) => w.ascii(`{${(v as number[]).join(',')}}`);
  }
  switch (t) {
    case 'string':
      return (w, v) => w.text(v as string);
    case 'uint64':
      return (w, v) => w.ascii(String(toBigint(v as number | bigint)));
    case 'timestamp_ns':
    case 'int64':
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

/** A Nested group's row: [{"field": value, ...}, ...] from its per-field arrays, handed to `put`
 * (a text or a binary field). */
function nestedEncoder(n: NestedDef, columns: Record<string, unknown[]>, put: (w: CopyWriter, json: string) => void = (w, json) => w.json(json)): WriteRow {
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
    if (len === 0) return put(w, '[]');
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
    put(w, out + ']');
  };
}

/** Binary for tables without a record_id (spans); text for the others (see the top). */
export function copyFormat(table: TableDef): CopyFormat {
  return hasRecordId(table) ? 'text' : 'binary';
}

/** PGCOPY\n\377\r\n\0, flags 0, no header extension. */
const BINARY_SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/** What a payload starts with, before the first row (binary: the file header; text: nothing). */
export function beginCopy(format: CopyFormat, w: CopyWriter): void {
  if (format === 'text') return;
  for (const b of BINARY_SIGNATURE) w.byte(b);
  w.int32(0);
  w.int32(0);
}

/** What a payload ends with, after the last row (binary: the trailer; text: nothing). */
export function endCopy(format: CopyFormat, w: CopyWriter): void {
  if (format === 'binary') w.int16(-1);
}

export interface CopyPayload {
  table: string;
  columns: string[];
  format: CopyFormat;
  /** The rows, UTF-8 text lines or binary tuples (without beginCopy's header or endCopy's
   * trailer): a view into the writer's buffer, valid until it is reused. */
  bytes: Uint8Array;
}

/** A column's binary field, by its SQL type (schema.ts): what PostgreSQL's binary input of that
 * type reads. */
function binaryEncoder(c: PgColumn, t: FlatTable): WriteRow {
  if (isNested(c.def)) return nestedEncoder(c.def, t.columns, (w, json) => w.textField(json));
  const values = t.columns[c.source!];
  const where = (v: unknown) => `${t.table.name}.${c.name} = ${String(v)}`;
  const each = (enc: Encode): WriteRow => (w, row) => {
    const v = values[row];
    if (v === null || v === undefined) w.nullField();
    else enc(w, v);
  };
  switch (c.sqlType) {
    case 'text':
      return each((w, v) => w.textField(storableText(v as string)));
    case 'json': {
      let last: Attributes | undefined;
      let lastJson = '';
      return each((w, v) => {
        if (v !== last) {
          last = v as Attributes;
          lastJson = attributesJson(last);
        }
        w.textField(lastJson);
      });
    }
    case 'bigint': {
      const unsigned = !isNested(c.def) && c.def.type === 'uint64';
      return each((w, v) => {
        try {
          w.int64Field(unsigned ? toBigint(v as number | bigint) : (v as number | bigint));
        } catch (err) {
          throw new RangeError(`${where(v)}: ${(err as Error).message}`);
        }
      });
    }
    case 'integer':
      return each((w, v) => w.int32Field(v as number));
    case 'smallint':
      return each((w, v) => w.int16Field(v as number));
    case 'double precision':
      return each((w, v) => w.float64Field(v as number));
    case 'boolean':
      return each((w, v) => w.boolField(v as boolean));
  }
  throw new Error(`no binary COPY encoding for ${t.table.name}.${c.name} (${c.sqlType}): write ${t.table.name} in text format (copyFormat)`);
}

/** Binary tuples: a field count, then each field. */
function encodeBinary(t: FlatTable, w: CopyWriter): CopyPayload {
  const cols = pgColumns(t.table.columns).filter((c) => c.source !== undefined);
  const writers = cols.map((c) => binaryEncoder(c, t));
  const n = writers.length;
  const start = w.pos;
  for (let r = 0; r < t.rowCount; r++) {
    w.int16(n);
    for (let c = 0; c < n; c++) writers[c](w, r);
  }
  return { table: t.table.name, columns: cols.map((c) => c.name), format: 'binary', bytes: w.bytes(start) };
}

/** The COPY column list and rows of a FlatTable, appended to `w` in the table's copyFormat (a
 * payload is beginCopy, the rows of one or more encodeCopy calls, endCopy); logs and metric points
 * end with their record_id, the hash of the fields before it (identity.ts). */
export function encodeCopy(t: FlatTable, w: CopyWriter): CopyPayload {
  return copyFormat(t.table) === 'binary' ? encodeBinary(t, w) : encodeText(t, w);
}

function encodeText(t: FlatTable, w: CopyWriter): CopyPayload {
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
  return { table: t.table.name, columns: names, format: 'text', bytes: w.bytes(start) };
}
