// `agentcol print-config`: the resolved config (defaults applied) back in the shape users write,
// with secrets masked: values whose schema says x-secret, values under keys that look secret
// (password, token, api_key, authorization...) in any map, including free-form ones like headers,
// and passwords inside URLs and connection strings.
import { Document, isScalar, visit } from 'yaml';
import type { Factory, Kind } from '../component.ts';
import type { FactoryRegistry } from '../registry.ts';
import { componentSchema } from './component-schema.ts';
import type { JsonSchema } from './schema-types.ts';
import type { ComponentConfig, ResolvedConfig } from './types.ts';
import { isPlainObject, setKey } from './source.ts';

export const REDACTED = '[REDACTED]';

const SECRET_KEY = /(?:^|[_\-.])(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|key|auth|authorization|credentials?|bearer|cookie|signature)$/i;

export function looksSecret(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Masks the password in `scheme://user:pass@host` and `password=...` (libpq key/value) forms. */
export function redactInlineSecrets(s: string): string {
  return s
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/gi, `$1${REDACTED}$3`)
    .replace(/(\bpassword\s*=\s*)('[^']*'|\S+)/gi, `$1${REDACTED}`);
}

export function redact(value: unknown, schema: JsonSchema | undefined, key?: string): unknown {
  const isEmpty = value === null || value === undefined || value === '';
  if (!isEmpty && typeof value !== 'object' && (schema?.['x-secret'] || (key !== undefined && looksSecret(key)))) return REDACTED;
  if (!isEmpty && schema?.['x-secret']) return REDACTED;
  if (typeof value === 'string') return redactInlineSecrets(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, schema?.items));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, redact(v, subSchema(schema, k), k));
    return out;
  }
  return value;
}

function subSchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  const own = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
  if (own) return own;
  for (const b of schema.anyOf ?? schema.oneOf ?? []) {
    const s = subSchema(b, key);
    if (s) return s;
  }
  return undefined;
}

/** The resolved config as a plain object, secrets masked. */
export function printableConfig(config: ResolvedConfig, registry: FactoryRegistry): Record<string, unknown> {
  const section = (kind: Kind, m: Map<string, ComponentConfig>) => {
    const out: Record<string, unknown> = {};
    for (const [id, c] of m) {
      const f: Factory | undefined = registry.get(kind, c.type);
      setKey(out, id, redact(c.config, f ? componentSchema(f) : undefined));
    }
    return out;
  };
  const pipelines: Record<string, unknown> = {};
  for (const p of config.service.pipelines) pipelines[p.id] = { receivers: p.receivers, processors: p.processors, exporters: p.exporters };
  const { telemetry } = config.service;
  return {
    ...(config.plugins.length ? { plugins: config.plugins } : {}),
    receivers: section('receiver', config.receivers),
    processors: section('processor', config.processors),
    exporters: section('exporter', config.exporters),
    extensions: section('extension', config.extensions),
    service: {
      extensions: config.service.extensions,
      pipelines,
      telemetry: {
        logs: { level: telemetry.logs.level },
        metrics: telemetry.metrics.address === null ? { level: telemetry.metrics.level } : { level: telemetry.metrics.level, address: telemetry.metrics.address },
      },
    },
  };
}

export function printConfigYaml(config: ResolvedConfig, registry: FactoryRegistry): string {
  const doc = new Document(printableConfig(config, registry));
  // Lists of plain values as [a, b], the way pipelines are usually written.
  visit(doc, { Seq: (_k, seq) => void (seq.flow = seq.items.every((i) => isScalar(i))) });
  return doc.toString({ lineWidth: 0 });
}
