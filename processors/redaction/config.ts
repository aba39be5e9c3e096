// The redaction processor's config: schema (with defaults) and its compiled form.
import type { JsonSchema } from '../../core/component.ts';
import { didYouMean } from '../../core/config/suggest.ts';
import { DETECTORS, type Detector, type DetectOptions } from './detectors/index.ts';
import { ENTITY_TYPES, isEntityType, type EntityType } from './entities.ts';
import { parseEncryptionKey, parseHashKey } from './keys.ts';
import { OPERATORS, type OperatorName } from './operators.ts';

export interface RedactionConfig {
  entities?: string[];
  operators?: Record<string, OperatorName>;
  default_operator?: OperatorName;
  allow_list?: string[];
  hash_key?: string;
  encryption_key?: string;
  include_resource?: boolean;
  json?: boolean;
  summary?: boolean;
  ignored_keys?: string[];
  secret_min_length?: number;
  secret_min_entropy?: number;
  workers?: boolean;
}

/** What the processor and the guard run on: detectors chosen, operators resolved, keys parsed. */
export interface CompiledRedaction {
  readonly compiled: true;
  detectors: Detector[];
  enabled: ReadonlySet<EntityType>;
  operators: Readonly<Record<EntityType, OperatorName>>;
  /** Lower-cased values that are never redacted. */
  allow: ReadonlySet<string>;
  hashKey?: Buffer;
  encryptionKey?: Buffer;
  includeResource: boolean;
  json: boolean;
  summary: boolean;
  ignoredKeys: ReadonlySet<string>;
  detectOptions: DetectOptions;
  /** Pipeline role: scan on the worker pool (core/workers) rather than the event loop. */
  workers: boolean;
  /** The options this was compiled from, for compiling the same in a worker thread. */
  source: RedactionConfig;
}

const operatorSchema: JsonSchema = { type: 'string', enum: [...OPERATORS] };

export const DEFAULTS = {
  default_operator: 'replace' as OperatorName,
  include_resource: false,
  json: true,
  summary: true,
  secret_min_length: 12,
  secret_min_entropy: 3.2,
  workers: true,
};

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Detects PII and secrets in span and log attributes, span events and log bodies and replaces them (mask, type tag, keyed hash, encryption or drop).',
  properties: {
    entities: {
      type: 'array',
      items: { type: 'string', enum: [...ENTITY_TYPES] },
      description: 'Entity types to detect; absent means every type.',
    },
    operators: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(ENTITY_TYPES.map((t) => [t, operatorSchema])),
      description: 'Operator per entity type (mask, replace, hash, encrypt, drop); types not listed use default_operator.',
    },
    default_operator: { ...operatorSchema, default: DEFAULTS.default_operator, description: 'Operator for entity types not listed in operators.' },
    allow_list: {
      type: 'array',
      items: { type: 'string' },
      default: [],
      description: 'Values never redacted (exact, case-insensitive), e.g. your support address.',
    },
    hash_key: { type: 'string', 'x-secret': true, description: 'HMAC-SHA256 key for the hash operator (at least 16 bytes); required when any type uses hash.' },
    encryption_key: {
      type: 'string',
      'x-secret': true,
      description: 'AES-256-GCM key for the encrypt operator: 32 bytes as 64 hex characters or base64; required when any type uses encrypt.',
    },
    include_resource: { type: 'boolean', default: DEFAULTS.include_resource, description: 'Also redact resource attributes.' },
    json: { type: 'boolean', default: DEFAULTS.json, description: 'Redact inside string values that are JSON documents (string leaves only; the JSON stays valid).' },
    summary: { type: 'boolean', default: DEFAULTS.summary, description: 'Add redaction.count.<ENTITY_TYPE> attributes to each span and log record that had detections.' },
    ignored_keys: { type: 'array', items: { type: 'string' }, default: [], description: 'Attribute keys whose values are never scanned.' },
    secret_min_length: {
      type: 'integer',
      minimum: 1,
      default: DEFAULTS.secret_min_length,
      description: 'GENERIC_SECRET: minimum length of a value next to a key-like name (passwords excepted).',
    },
    workers: {
      type: 'boolean',
      default: DEFAULTS.workers,
      description: 'Pipeline role: scan batches on the worker pool (core/workers), off the event loop; results are the same as inline (false).',
    },
    secret_min_entropy: {
      type: 'number',
      minimum: 0,
      default: DEFAULTS.secret_min_entropy,
      description: 'GENERIC_SECRET: minimum Shannon entropy, in bits per character, of a value next to a key-like name (passwords excepted).',
    },
  },
};

export function isCompiled(c: unknown): c is CompiledRedaction {
  return typeof c === 'object' && c !== null && (c as { compiled?: unknown }).compiled === true;
}

/** Validates what the schema cannot say and compiles the config; throws with a message that says how to fix it. */
export function compileConfig(raw: unknown): CompiledRedaction {
  if (isCompiled(raw)) return raw;
  const c = (raw ?? {}) as RedactionConfig;
  if (typeof c !== 'object' || Array.isArray(c)) throw new Error('expected a map of redaction options, e.g. redaction: {}');

  let enabled: EntityType[];
  if (c.entities === undefined) enabled = [...ENTITY_TYPES];
  else {
    if (!Array.isArray(c.entities)) throw new Error('entities must be a list of entity types, e.g. [EMAIL_ADDRESS, CREDIT_CARD]');
    if (c.entities.length === 0) throw new Error('entities is empty: nothing would be redacted; remove entities to detect every type');
    enabled = [];
    for (const e of c.entities) {
      if (!isEntityType(e)) throw new Error(`entities: unknown entity type "${e}"${suggest(e)}; known: ${ENTITY_TYPES.join(', ')}`);
      if (!enabled.includes(e)) enabled.push(e);
    }
  }

  const def = c.default_operator ?? DEFAULTS.default_operator;
  if (!(OPERATORS as readonly string[]).includes(def)) throw new Error(`default_operator: unknown operator "${def}"; use one of ${OPERATORS.join(', ')}`);
  const operators = Object.fromEntries(ENTITY_TYPES.map((t) => [t, def])) as Record<EntityType, OperatorName>;
  for (const [k, op] of Object.entries(c.operators ?? {})) {
    if (!isEntityType(k)) throw new Error(`operators: unknown entity type "${k}"${suggest(k)}`);
    if (!(OPERATORS as readonly string[]).includes(op)) throw new Error(`operators.${k}: unknown operator "${op}"; use one of ${OPERATORS.join(', ')}`);
    if (!enabled.includes(k)) throw new Error(`operators.${k} is set but ${k} is not in entities; add it to entities or remove operators.${k}`);
    operators[k] = op;
  }

  const using = (op: OperatorName) => enabled.filter((t) => operators[t] === op);
  let hashKey: Buffer | undefined;
  let encryptionKey: Buffer | undefined;
  const hashed = using('hash');
  if (hashed.length > 0) {
    if (!c.hash_key) throw new Error(`the hash operator (used for ${hashed.join(', ')}) needs hash_key: set hash_key: \${env:AGENTCOL_REDACTION_HASH_KEY} (at least 16 bytes, e.g. openssl rand -base64 32)`);
    hashKey = parseHashKey(c.hash_key);
  } else if (c.hash_key) hashKey = parseHashKey(c.hash_key);
  const encrypted = using('encrypt');
  if (encrypted.length > 0) {
    if (!c.encryption_key) {
      throw new Error(`the encrypt operator (used for ${encrypted.join(', ')}) needs encryption_key: set encryption_key: \${env:AGENTCOL_REDACTION_KEY} (32 bytes: openssl rand -base64 32)`);
    }
    encryptionKey = parseEncryptionKey(c.encryption_key);
  } else if (c.encryption_key) encryptionKey = parseEncryptionKey(c.encryption_key);

  const minLen = c.secret_min_length ?? DEFAULTS.secret_min_length;
  const minEnt = c.secret_min_entropy ?? DEFAULTS.secret_min_entropy;
  if (!Number.isInteger(minLen) || minLen < 1) throw new Error(`secret_min_length must be a positive integer, got ${minLen}`);
  if (typeof minEnt !== 'number' || !(minEnt >= 0)) throw new Error(`secret_min_entropy must be a number >= 0 (bits per character), got ${minEnt}`);

  return {
    compiled: true,
    detectors: enabled.map((t) => DETECTORS.get(t)!),
    enabled: new Set(enabled),
    operators,
    allow: new Set((c.allow_list ?? []).map((s) => String(s).toLowerCase())),
    hashKey,
    encryptionKey,
    includeResource: c.include_resource ?? DEFAULTS.include_resource,
    json: c.json ?? DEFAULTS.json,
    summary: c.summary ?? DEFAULTS.summary,
    ignoredKeys: new Set(c.ignored_keys ?? []),
    detectOptions: { secretMinLength: minLen, secretMinEntropy: minEnt },
    workers: c.workers ?? DEFAULTS.workers,
    source: c,
  };
}

function suggest(name: string): string {
  const up = String(name).toUpperCase().replace(/[\s-]/g, '_');
  if (isEntityType(up)) return ` — did you mean "${up}"? (entity types are upper case)`;
  const containing = ENTITY_TYPES.filter((t) => t.includes(up));
  if (up.length >= 3 && containing.length > 0 && containing.length <= 3) return ` — did you mean ${containing.map((t) => `"${t}"`).join(' or ')}?`;
  return didYouMean(up, ENTITY_TYPES);
}
