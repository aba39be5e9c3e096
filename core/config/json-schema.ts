// `agentcol schema`: a JSON Schema (draft 2020-12) of the whole config file, built from the same
// factory schemas the validator uses, for editors (yaml-language-server: add
// `# yaml-language-server: $schema=./agentcol.schema.json` at the top of the config).
//
// Differences from the component schemas, so editors agree with agentcol:
// - `additionalProperties: false` is written out where agentcol implies it;
// - objects also accept null (`otlp:` with nothing means `{}`);
// - numbers, booleans, enums and formatted strings also accept text with a `${env:...}` reference;
// - formats duration, bytes and endpoint (unknown to editors) become patterns.
import type { Kind } from '../component.ts';
import type { FactoryRegistry } from '../registry.ts';
import { SIGNALS, type Signal } from '../signals/types.ts';
import { componentSchema } from './component-schema.ts';
import type { JsonSchema } from './schema-types.ts';
import { telemetrySchema } from './telemetry.ts';

type Out = Record<string, unknown>;

const ENV_REF = '\\$\\{[^}]+\\}';
const FORMAT_PATTERNS: Record<string, string> = {
  duration: '^(0|(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h|d))+)$',
  bytes: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]([iI]?[bB])?|[bB])?\\s*$',
  endpoint: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\[\\]]*):\\d{1,5}$',
};
const ID_NAME = '(/\\S+)?$';

export function buildConfigJsonSchema(registry: FactoryRegistry, version = ''): Out {
  const section = (kind: Kind): Out => {
    const patternProperties: Out = {};
    for (const type of registry.types(kind)) patternProperties[`^${type}${ID_NAME}`] = toJsonSchema(componentSchema(registry.get(kind, type)!));
    return { type: ['object', 'null'], description: `${kind} ids (type or type/name) and their settings`, patternProperties, additionalProperties: false };
  };
  const idList = (kind: 'receiver' | 'processor' | 'exporter', signal: Signal): Out => {
    const types = registry.types(kind).filter((t) => (registry.get(kind, t) as { signals: Signal[] }).signals.includes(signal));
    return { type: 'array', items: { type: 'string', pattern: `^(${types.join('|') || '(?!)'})${ID_NAME}` } };
  };
  const pipelineSchemas: Out = {};
  for (const s of SIGNALS) {
    pipelineSchemas[`^${s}(/.+)?$`] = {
      type: 'object',
      additionalProperties: false,
      required: ['receivers', 'exporters'],
      properties: { receivers: { ...idList('receiver', s), minItems: 1 }, processors: idList('processor', s), exporters: { ...idList('exporter', s), minItems: 1 } },
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://agentcol.dev/schema/config.json',
    title: `agentcol configuration${version ? ` (${version})` : ''}`,
    type: 'object',
    additionalProperties: false,
    properties: {
      plugins: { type: 'array', description: 'npm packages or paths (relative to this file) whose default export is a component factory.', items: { type: 'string', minLength: 1 } },
      receivers: section('receiver'),
      processors: section('processor'),
      exporters: section('exporter'),
      extensions: section('extension'),
      connectors: { description: 'Not supported by agentcol.', type: ['object', 'null'], maxProperties: 0 },
      service: {
        type: 'object',
        additionalProperties: false,
        required: ['pipelines'],
        properties: {
          extensions: { type: 'array', items: { type: 'string' } },
          pipelines: { type: 'object', minProperties: 1, patternProperties: pipelineSchemas, additionalProperties: false },
          telemetry: toJsonSchema(telemetrySchema),
        },
      },
    },
  };
}

/** One agentcol schema as standard JSON Schema (see the notes at the top). */
export function toJsonSchema(s: JsonSchema): Out {
  const out: Out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([p, sub]) => [p, toJsonSchema(sub)]));
    else if (k === 'items') out.items = toJsonSchema(v as JsonSchema);
    else if (k === 'additionalProperties') out.additionalProperties = typeof v === 'object' ? toJsonSchema(v as JsonSchema) : v;
    else if (k === 'anyOf' || k === 'oneOf') out.anyOf = (v as JsonSchema[]).map(toJsonSchema); // see check.ts: oneOf is checked as anyOf
    else if (k === 'format' && FORMAT_PATTERNS[v as string]) continue;
    else out[k] = v;
  }
  const types = s.type ? (Array.isArray(s.type) ? s.type : [s.type]) : s.properties ? ['object'] : undefined;
  if (s.properties && s.additionalProperties === undefined) out.additionalProperties = false;
  if (types?.includes('object') && !types.includes('null')) out.type = [...types, 'null'];

  const pattern = s.format ? FORMAT_PATTERNS[s.format] : undefined;
  const needsEnvAlternative =
    pattern !== undefined || s.enum !== undefined || s.pattern !== undefined || (types && !types.includes('string') && types.some((t) => t === 'number' || t === 'integer' || t === 'boolean'));
  if (!needsEnvAlternative) return out;
  // Keep the description and default at the top for hover/completion; alternatives below.
  const { description, default: def, ...rest } = out;
  const alternatives: Out[] = [];
  if (pattern) {
    const nonString = (types ?? ['string']).filter((t) => t !== 'string');
    if (nonString.length) alternatives.push({ ...rest, type: nonString });
    alternatives.push({ ...rest, type: 'string', pattern });
  } else alternatives.push(rest);
  alternatives.push({ type: 'string', pattern: ENV_REF });
  return { ...(description !== undefined ? { description } : {}), ...(def !== undefined ? { default: def } : {}), anyOf: alternatives };
}
