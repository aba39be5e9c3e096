// Config of the llm_proxy receiver (see README.md for every option):
//
//   receivers:
//     llm_proxy:
//       endpoint: 127.0.0.1:8080
//       agents:    [{ id, key | key_sha256, customer, roles, allowed_cidrs, limits?, models? }]
//       providers: { name: { kind: openai|anthropic, base_url, api_key | api_key_file, timeout? } }
//       routes:    [{ model, strategy, targets: [{ provider, model, weight?, tier? }] }]
//       prices:    { model: { input, output, cache_read?, cache_write? } }   # USD per million tokens
//       guardrails: [processor ids]
//       cache:     { ttl, max_entries }
//       limits:    { requests_per_minute, tokens_per_minute }              # per agent
//       customers: { name: { limits } }                                   # per customer, aggregate
import { createHash } from 'node:crypto';
import type { JsonSchema } from '../../core/component.ts';
import { bytesOf, durationMs, parseEndpoint } from '../../core/config/units.ts';
import { parseCidr, type Cidr } from './cidr.ts';

export type ProviderKind = 'openai' | 'anthropic';
export type Strategy = 'fallback' | 'loadbalance' | 'cheapest' | 'by_complexity';
export type Tier = 'cheap' | 'frontier';

export interface LimitsConfig {
  /** 0 = unlimited. */
  requests_per_minute: number;
  tokens_per_minute: number;
}

export interface AgentConfig {
  id: string;
  /** SHA-256 of the key, 32 bytes; the clear key is dropped at normalize time. */
  keyDigest: Buffer;
  customer: string;
  roles: string[];
  allowedCidrs: Cidr[];
  limits: LimitsConfig;
  /** Route aliases this agent may use; undefined = all. */
  models?: string[];
}

export interface ProviderConfig {
  name: string;
  kind: ProviderKind;
  base_url: string;
  api_key?: string;
  api_key_file?: string;
  timeoutMs: number;
  anthropic_version: string;
}

export interface TargetConfig {
  provider: string;
  model: string;
  weight: number;
  tier: Tier;
}

export interface RouteConfig {
  model: string;
  strategy: Strategy;
  targets: TargetConfig[];
}

export interface PriceConfig {
  input: number;
  output: number;
  cache_read?: number;
  cache_write?: number;
}

export interface LlmProxyConfig {
  endpoint: string;
  agents: AgentConfig[];
  providers: Map<string, ProviderConfig>;
  routes: Map<string, RouteConfig>;
  prices: Map<string, PriceConfig>;
  guardrails: string[];
  cache?: { ttlMs: number; maxEntries: number };
  limits: LimitsConfig;
  customerLimits: Map<string, LimitsConfig>;
  circuitBreaker: { failureThreshold: number; cooldownMs: number };
  maxRequestBodySize: number;
  capture: { bodies: boolean; maxBodyBytes: number; flushIntervalMs: number; maxBatch: number };
}

const duration = (def: string, description: string): JsonSchema => ({ type: ['string', 'number'], format: 'duration', default: def, description });
const limitsSchema = (withDefaults: boolean): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    requests_per_minute: { type: 'integer', minimum: 0, ...(withDefaults ? { default: 0 } : {}), description: 'Requests per minute; 0 = unlimited.' },
    tokens_per_minute: { type: 'integer', minimum: 0, ...(withDefaults ? { default: 0 } : {}), description: 'Tokens (input + output) per minute; 0 = unlimited.' },
  },
});

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['agents', 'providers', 'routes'],
  properties: {
    endpoint: { type: 'string', format: 'endpoint', default: '127.0.0.1:8080', description: 'host:port to listen on (port 0 picks a free port).' },
    agents: {
      type: 'array',
      description: 'Registered agents; any other key gets 401.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1, description: 'Agent id (gen_ai.agent.id on captured spans).' },
          key: { type: 'string', minLength: 1, 'x-secret': true, description: 'The agent key, e.g. ${env:SUPPORT_BOT_KEY}. Only its SHA-256 is kept.' },
          key_sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'SHA-256 of the key, hex (instead of key).' },
          customer: { type: 'string', default: '', description: 'Customer, for metering, limits and the cache partition.' },
          roles: { type: 'array', items: { type: 'string' }, default: [] },
          allowed_cidrs: { type: 'array', items: { type: 'string' }, default: [], description: 'Source networks allowed (IPv4/IPv6); empty = any.' },
          limits: limitsSchema(false),
          models: { type: 'array', items: { type: 'string' }, description: 'Route aliases this agent may use; all when absent.' },
        },
      },
    },
    providers: {
      type: 'object',
      description: 'Upstream providers by name.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'base_url'],
        properties: {
          kind: { type: 'string', enum: ['openai', 'anthropic'] },
          base_url: { type: 'string', pattern: '^https?://', description: 'e.g. https://api.openai.com/v1 or https://api.anthropic.com' },
          api_key: { type: 'string', 'x-secret': true, description: 'Provider key, e.g. ${env:OPENAI_API_KEY}.' },
          api_key_file: { type: 'string', minLength: 1, description: 'File holding the key; re-read on SIGHUP and when it changes.' },
          timeout: duration('60s', 'Time to the response headers, and the longest gap between stream chunks.'),
          anthropic_version: { type: 'string', default: '2023-06-01', description: 'anthropic-version header sent to anthropic providers.' },
        },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['model', 'targets'],
        properties: {
          model: { type: 'string', minLength: 1, description: 'The alias agents ask for.' },
          strategy: { type: 'string', enum: ['fallback', 'loadbalance', 'cheapest', 'by_complexity'], default: 'fallback' },
          targets: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['provider', 'model'],
              properties: {
                provider: { type: 'string', minLength: 1 },
                model: { type: 'string', minLength: 1 },
                weight: { type: 'number', minimum: 0, default: 1, description: 'loadbalance weight.' },
                tier: { type: 'string', enum: ['cheap', 'frontier'], default: 'cheap', description: 'by_complexity tier.' },
              },
            },
          },
        },
      },
    },
    prices: {
      type: 'object',
      description: 'USD per million tokens, by provider model.',
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['input', 'output'],
        properties: {
          input: { type: 'number', minimum: 0 },
          output: { type: 'number', minimum: 0 },
          cache_read: { type: 'number', minimum: 0 },
          cache_write: { type: 'number', minimum: 0 },
        },
      },
    },
    guardrails: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Processor ids run inline, in order.' },
    cache: {
      type: 'object',
      additionalProperties: false,
      description: 'Exact-match response cache; off when absent.',
      properties: {
        ttl: duration('5m', 'How long an answer is reused.'),
        max_entries: { type: 'integer', minimum: 1, default: 10000 },
      },
    },
    limits: { ...limitsSchema(true), default: {}, description: 'Per-agent limits (overridable per agent).' },
    customers: {
      type: 'object',
      default: {},
      description: 'Per-customer settings: limits shared by all agents of the customer.',
      additionalProperties: { type: 'object', additionalProperties: false, properties: { limits: limitsSchema(true) } },
    },
    circuit_breaker: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        failure_threshold: { type: 'integer', minimum: 1, default: 5, description: 'Consecutive failures that open the breaker.' },
        cooldown: duration('30s', 'How long an open breaker waits before one probe request.'),
      },
    },
    max_request_body_size: { type: ['string', 'number'], format: 'bytes', default: '20MiB' },
    capture: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        bodies: { type: 'boolean', default: true, description: 'Put request and response bodies in the log record.' },
        max_body_size: { type: ['string', 'number'], format: 'bytes', default: '256KiB', description: 'Captured bodies are cut at this size.' },
        flush_interval: duration('100ms', 'Captured spans and logs are handed to the pipelines at least this often.'),
        max_batch: { type: 'integer', minimum: 1, default: 512 },
      },
    },
  },
};

type Raw = Record<string, any>;

function fail(msg: string): never {
  throw new Error(`llm_proxy receiver: ${msg}`);
}

function limitsOf(raw: Raw | undefined, base: LimitsConfig): LimitsConfig {
  return { requests_per_minute: raw?.requests_per_minute ?? base.requests_per_minute, tokens_per_minute: raw?.tokens_per_minute ?? base.tokens_per_minute };
}

/** Validated config -> typed config; checks references across sections. Not idempotent on its
 * own output (keys become digests), so factory.create accepts either shape. */
export function normalize(input: unknown): LlmProxyConfig {
  const raw = (input ?? {}) as Raw;
  const endpoint = String(raw.endpoint ?? '127.0.0.1:8080');
  if (!parseEndpoint(endpoint)) fail(`endpoint must be "host:port" (e.g. "127.0.0.1:8080"), got ${JSON.stringify(endpoint)}`);
  const limits = limitsOf(raw.limits, { requests_per_minute: 0, tokens_per_minute: 0 });

  const providers = new Map<string, ProviderConfig>();
  for (const [name, p] of Object.entries((raw.providers ?? {}) as Record<string, Raw>)) {
    if (p.api_key !== undefined && p.api_key_file !== undefined) fail(`providers.${name}: set api_key or api_key_file, not both`);
    if (p.api_key === undefined && p.api_key_file === undefined) fail(`providers.${name}: set api_key (e.g. \${env:OPENAI_API_KEY}) or api_key_file`);
    providers.set(name, {
      name,
      kind: p.kind,
      base_url: String(p.base_url).replace(/\/+$/, ''),
      api_key: p.api_key,
      api_key_file: p.api_key_file,
      timeoutMs: durationMs(p.timeout ?? '60s'),
      anthropic_version: p.anthropic_version ?? '2023-06-01',
    });
  }

  const routes = new Map<string, RouteConfig>();
  ((raw.routes ?? []) as Raw[]).forEach((r, i) => {
    if (routes.has(r.model)) fail(`routes[${i}]: model "${r.model}" is routed twice`);
    const targets = (r.targets as Raw[]).map((t, j) => {
      if (!providers.has(t.provider)) {
        fail(`routes[${i}].targets[${j}]: provider "${t.provider}" is not defined under providers (defined: ${[...providers.keys()].join(', ') || 'none'})`);
      }
      return { provider: t.provider, model: t.model, weight: t.weight ?? 1, tier: (t.tier ?? 'cheap') as Tier };
    });
    const strategy = (r.strategy ?? 'fallback') as Strategy;
    if (strategy === 'loadbalance' && !targets.some((t) => t.weight > 0)) fail(`routes[${i}]: loadbalance needs at least one target with weight > 0`);
    routes.set(r.model, { model: r.model, strategy, targets });
  });

  const prices = new Map<string, PriceConfig>(Object.entries((raw.prices ?? {}) as Record<string, PriceConfig>));
  for (const r of routes.values()) {
    if (r.strategy === 'cheapest') {
      const missing = r.targets.filter((t) => !prices.has(t.model)).map((t) => t.model);
      if (missing.length) fail(`route "${r.model}" uses strategy cheapest but prices has no entry for ${missing.join(', ')}: add them under prices`);
    }
  }

  const seen = new Set<string>();
  const agents = ((raw.agents ?? []) as Raw[]).map((a, i): AgentConfig => {
    if (seen.has(a.id)) fail(`agents[${i}]: agent id "${a.id}" is defined twice`);
    seen.add(a.id);
    let keyDigest: Buffer;
    if (a.keyDigest instanceof Uint8Array) keyDigest = Buffer.from(a.keyDigest);
    else if (typeof a.key === 'string' && a.key_sha256 === undefined) keyDigest = createHash('sha256').update(a.key).digest();
    else if (typeof a.key_sha256 === 'string' && a.key === undefined) keyDigest = Buffer.from(a.key_sha256, 'hex');
    else fail(`agents[${i}] (${a.id}): set exactly one of key or key_sha256`);
    if (keyDigest.length !== 32) fail(`agents[${i}] (${a.id}): key_sha256 must be 64 hex digits`);
    const allowedCidrs = ((a.allowed_cidrs ?? a.allowedCidrs ?? []) as (string | Cidr)[]).map((c, j) => {
      if (typeof c !== 'string') return c;
      const parsed = parseCidr(c);
      if (!parsed) fail(`agents[${i}].allowed_cidrs[${j}]: ${JSON.stringify(c)} is not a CIDR like 10.0.0.0/8, 127.0.0.1 or fd00::/8`);
      return parsed;
    });
    if (a.models) for (const m of a.models) if (!routes.has(m)) fail(`agents[${i}].models: "${m}" is not a route model (routes: ${[...routes.keys()].join(', ')})`);
    return { id: a.id, keyDigest, customer: a.customer ?? '', roles: a.roles ?? [], allowedCidrs, limits: limitsOf(a.limits, limits), models: a.models };
  });
  const digests = new Set(agents.map((a) => a.keyDigest.toString('hex')));
  if (digests.size !== agents.length) fail('two agents share the same key: give every agent its own key');

  const customerLimits = new Map<string, LimitsConfig>();
  for (const [name, c] of Object.entries((raw.customers ?? {}) as Record<string, Raw>)) {
    customerLimits.set(name, limitsOf(c?.limits, { requests_per_minute: 0, tokens_per_minute: 0 }));
  }

  const cb = (raw.circuit_breaker ?? {}) as Raw;
  const cap = (raw.capture ?? {}) as Raw;
  return {
    endpoint,
    agents,
    providers,
    routes,
    prices,
    guardrails: raw.guardrails ?? [],
    cache: raw.cache ? { ttlMs: durationMs(raw.cache.ttl ?? '5m'), maxEntries: raw.cache.max_entries ?? 10000 } : undefined,
    limits,
    customerLimits,
    circuitBreaker: { failureThreshold: cb.failure_threshold ?? 5, cooldownMs: durationMs(cb.cooldown ?? '30s') },
    maxRequestBodySize: bytesOf(raw.max_request_body_size ?? '20MiB'),
    capture: {
      bodies: cap.bodies ?? true,
      maxBodyBytes: bytesOf(cap.max_body_size ?? '256KiB'),
      flushIntervalMs: durationMs(cap.flush_interval ?? '100ms'),
      maxBatch: cap.max_batch ?? 512,
    },
  };
}

/** The factory may be handed a normalized config (built in code) or a validated raw one. */
export function ensureNormalized(c: unknown): LlmProxyConfig {
  return c && (c as LlmProxyConfig).providers instanceof Map ? (c as LlmProxyConfig) : normalize(c);
}
