// Helpers for attribute maps (plain objects, see types.ts).
import type { AnyValue, Attributes } from './types.ts';

/** Creates an empty attribute map. */
export function newAttributes(): Attributes {
  return {};
}

/** Sets one attribute; safe for any key, including '__proto__'. */
export function setAttribute(attrs: Attributes, key: string, value: AnyValue): void {
  if (key === '__proto__') {
    Object.defineProperty(attrs, key, { value, enumerable: true, configurable: true, writable: true });
  } else {
    attrs[key] = value;
  }
}

/** Reads an attribute as a string ('' when absent); numbers and booleans are stringified. */
export function attrString(attrs: Attributes, key: string): string {
  const v = Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : undefined;
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : stringifyValue(v);
}

/** Reads an attribute as an integer (0 when absent or not numeric). */
export function attrInt(attrs: Attributes, key: string): number {
  const v = Object.prototype.hasOwnProperty.call(attrs, key) ? attrs[key] : undefined;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }
  return 0;
}

/**
 * A value as text, the way the OpenTelemetry Collector's ClickHouse exporter renders attribute
 * values into Map(String, String): strings as-is, scalars by their literal, bytes as base64, arrays
 * and maps as JSON.
 */
export function stringifyValue(v: AnyValue): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(v);
    default:
      if (v === null) return '';
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      return JSON.stringify(toJsonValue(v));
  }
}

/** Converts an AnyValue to something JSON.stringify accepts: bigint -> string, bytes -> base64. */
export function toJsonValue(v: AnyValue): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? v.toString() : v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const val = toJsonValue(v[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: val, enumerable: true, configurable: true, writable: true });
    else out[k] = val;
  }
  return out;
}

/** Whether JSON.stringify would render `v` differently from toJsonValue: it holds a bigint
 * (which JSON.stringify rejects) or bytes (an object of indices to it), at any depth. */
function needsConversion(v: AnyValue, depth = 0): boolean {
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  // Deep nesting is rare: let toJsonValue take it rather than recursing further here.
  if (v instanceof Uint8Array || depth > 8) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (needsConversion(v[i], depth + 1)) return true;
    return false;
  }
  for (const k in v) if (needsConversion(v[k], depth + 1)) return true;
  return false;
}

/** Attributes as a JSON text. JSON.stringify runs on the map itself (no converted copy) unless
 * some value, at any depth, is a bigint or bytes. */
export function attributesToJson(attrs: Attributes): string {
  for (const k in attrs) if (needsConversion(attrs[k])) return JSON.stringify(toJsonValue(attrs));
  return JSON.stringify(attrs);
}
