// Validation of a plain value against the JSON Schema subset of schema-types.ts, collecting every
// problem (with its key path) and returning the value with schema defaults filled in, deeply.
//
// Beyond JSON Schema, to match how collector configs are written:
// - an object with `properties` and no `additionalProperties` rejects unknown keys;
// - YAML null (`grpc:` with nothing after it) for an object means `{}`; for anything else with a
//   default it means "use the default";
// - a value that was exactly `${env:X}` and got re-typed (a number, a bool) is given back as the
//   original text where the schema wants a string;
// - oneOf is checked like anyOf (the first branch that fits wins), which is what a user means.
import type { JsonSchema } from './schema-types.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';
import { parseBytes, parseDuration, parseEndpoint } from './units.ts';
import { didYouMean } from './suggest.ts';
import { isPlainObject, setKey } from './source.ts';

type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export interface CheckContext {
  issues: ConfigIssue[];
  /** See ConfigSource.rawStrings. */
  rawStrings?: Map<string, string>;
}

export function checkValue(value: unknown, schema: JsonSchema, p: KeyPath, ctx: CheckContext): unknown {
  const raw = ctx.rawStrings?.get(JSON.stringify(p));
  if (raw !== undefined && typeof value !== 'string' && allows(schema, 'string') && !allows(schema, typeOf(value))) value = raw;

  if (value === null && !allows(schema, 'null')) {
    if (allows(schema, 'object')) value = {};
    else if (schema.default !== undefined) return checkValue(clone(schema.default), schema, p, ctx);
  }

  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return checkBranches(value, schema, branches, p, ctx);

  const err = (message: string) => {
    ctx.issues.push({ severity: 'error', path: p, message });
    return value;
  };

  const types = declaredTypes(schema);
  const t = typeOf(value);
  if (types && !types.some((want) => want === t || (want === 'number' && t === 'integer'))) {
    return err(`expected ${describe(schema)}, got ${describeValue(value)}`);
  }
  if (schema.const !== undefined && !deepEqual(value, schema.const)) return err(`must be ${JSON.stringify(schema.const)}, got ${describeValue(value)}`);
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    const hint = typeof value === 'string' ? didYouMean(value, schema.enum.filter((e): e is string => typeof e === 'string')) : '';
    return err(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${describeValue(value)}${hint}`);
  }

  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) err(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) err(`${JSON.stringify(value)} does not match the pattern ${schema.pattern}`);
  }
  if (schema.format && (typeof value === 'string' || typeof value === 'number')) {
    const problem = formatProblem(schema.format, value);
    if (problem) return err(problem);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) err(`must be at least ${schema.minimum}, got ${value}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) err(`must be greater than ${schema.exclusiveMinimum}, got ${value}`);
    if (schema.maximum !== undefined && value > schema.maximum) err(`must be at most ${schema.maximum}, got ${value}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) err(`needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) err(`takes at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`);
    if (schema.items) return value.map((item, i) => checkValue(item, schema.items!, [...p, i], ctx));
  }
  if (isPlainObject(value)) return checkObject(value, schema, p, ctx);
  return value;
}

function checkObject(value: Record<string, unknown>, schema: JsonSchema, p: KeyPath, ctx: CheckContext): Record<string, unknown> {
  const props = schema.properties ?? {};
  const extra = schema.additionalProperties ?? (schema.properties ? false : true);
  const out: Record<string, unknown> = {};
  // Schema order first, so print-config reads like the component's documentation.
  for (const [k, sub] of Object.entries(props)) {
    if (Object.hasOwn(value, k) && value[k] !== undefined) setKey(out, k, checkValue(value[k], sub, [...p, k], ctx));
    else if (schema.required?.includes(k)) ctx.issues.push({ severity: 'error', path: p, at: 'key', message: `missing required key "${k}"${sub.description ? ` (${sub.description})` : ''}` });
    else if (sub.default !== undefined) setKey(out, k, checkValue(clone(sub.default), sub, [...p, k], ctx));
  }
  for (const [k, v] of Object.entries(value)) {
    if (Object.hasOwn(props, k)) continue;
    if (extra === false) {
      const valid = Object.keys(props);
      const hint = didYouMean(k, valid);
      const list = hint || !valid.length ? '' : ` (valid keys: ${valid.join(', ')})`;
      ctx.issues.push({ severity: 'error', path: [...p, k], at: 'key', message: `unknown key "${k}"${hint}${list}` });
    } else setKey(out, k, extra === true ? v : checkValue(v, extra, [...p, k], ctx));
  }
  return out;
}

function checkBranches(value: unknown, schema: JsonSchema, branches: JsonSchema[], p: KeyPath, ctx: CheckContext): unknown {
  const { anyOf: _a, oneOf: _o, ...base } = schema;
  const tries = branches.map((b) => {
    const sub: CheckContext = { issues: [], rawStrings: ctx.rawStrings };
    const merged: JsonSchema = { ...base, ...b, properties: b.properties ?? base.properties };
    const result = checkValue(value, merged, p, sub);
    return { result, issues: sub.issues, typeFits: fitsType(merged, value) };
  });
  const ok = tries.find((t) => t.issues.length === 0);
  if (ok) return ok.result;
  const fitting = tries.filter((t) => t.typeFits);
  if (fitting.length) {
    const best = fitting.reduce((a, b) => (b.issues.length < a.issues.length ? b : a));
    ctx.issues.push(...best.issues);
  } else {
    ctx.issues.push({ severity: 'error', path: p, message: `expected ${branches.map((b) => describe({ ...base, ...b })).join(' or ')}, got ${describeValue(value)}` });
  }
  return value;
}

function fitsType(schema: JsonSchema, value: unknown): boolean {
  const types = declaredTypes(schema);
  const t = typeOf(value);
  return !types || types.some((want) => want === t || (want === 'number' && t === 'integer'));
}

function declaredTypes(schema: JsonSchema): JsonType[] | undefined {
  if (schema.type) return Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return undefined;
}

function allows(schema: JsonSchema, t: JsonType): boolean {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.some((b) => allows({ ...b, type: b.type ?? schema.type }, t));
  const types = declaredTypes(schema);
  return !types || types.includes(t) || (t === 'integer' && types.includes('number'));
}

function typeOf(v: unknown): JsonType {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'object') return 'object';
  return typeof v as JsonType;
}

const TYPE_WORDS: Record<JsonType, string> = {
  object: 'a map', array: 'a list', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean (true or false)', null: 'nothing',
};

/** "a duration like \"5s\"", "an integer", "a string or a list"... */
function describe(schema: JsonSchema): string {
  if (schema.format === 'duration') return 'a duration like "200ms", "5s" or "1m30s"';
  if (schema.format === 'bytes') return 'a size like "512KiB", "4MiB" or a number of bytes';
  if (schema.format === 'endpoint') return 'an endpoint "host:port"';
  const types = declaredTypes(schema);
  if (!types) return 'a value';
  return types.filter((t) => t !== 'null').map((t) => TYPE_WORDS[t]).join(' or ') || 'nothing';
}

function describeValue(v: unknown): string {
  const t = typeOf(v);
  if (t === 'null') return 'an empty value';
  if (t === 'object') return 'a map';
  if (t === 'array') return 'a list';
  const text = JSON.stringify(v) ?? String(v);
  return `${t === 'integer' ? 'number' : t} ${text.length > 60 ? text.slice(0, 57) + '..."' : text}`;
}

function formatProblem(format: NonNullable<JsonSchema['format']>, v: string | number): string | undefined {
  switch (format) {
    case 'duration':
      return parseDuration(v) === null ? `invalid duration ${JSON.stringify(v)}: use a number and a unit (ns, us, ms, s, m, h, d), like "200ms", "5s", "1m30s" or "30d"` : undefined;
    case 'bytes':
      return parseBytes(v) === null ? `invalid size ${JSON.stringify(v)}: use a number of bytes or a unit (KiB, MiB, GiB, KB, MB, GB), like "512KiB"` : undefined;
    case 'endpoint':
      if (typeof v !== 'string') return `invalid endpoint ${v}: write "host:port", like "127.0.0.1:4317" or ":4317"`;
      return parseEndpoint(v) === null ? `invalid endpoint ${JSON.stringify(v)}: write "host:port", like "127.0.0.1:4317", ":4317" or "[::1]:4317"` : undefined;
    case 'uri':
      if (typeof v !== 'string') return `invalid URL ${v}`;
      try {
        new URL(v);
        return undefined;
      } catch {
        return `invalid URL ${JSON.stringify(v)}: write a full URL like "https://host:4318"`;
      }
  }
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
