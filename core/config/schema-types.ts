// The JSON Schema subset that component config schemas are written in. core/config validates
// configs against it (with file/line locations and "did you mean" hints), fills in defaults, and
// `agentcol schema` emits the whole config's JSON Schema for editors from the same objects.
//
// Extensions (ignored by editors, used by agentcol):
//   'x-secret': true       the value is masked by `agentcol print-config` and never logged
//   format: 'duration'     a string like "200ms", "5s", "1m30s", "2h" (or a number of milliseconds)
//   format: 'bytes'        a string like "512KiB", "4MiB", "1GB" (or a number of bytes)
//   format: 'endpoint'     "host:port" (host may be empty or [ipv6])
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null' | Array<'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'>;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  /** false: unknown keys are errors (the default for objects in agentcol schemas). */
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: 'duration' | 'bytes' | 'endpoint' | 'uri';
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  examples?: unknown[];
  'x-secret'?: boolean;
}
