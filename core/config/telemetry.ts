// service.telemetry: the collector's shape, of which agentcol implements logs.level, metrics.level
// and the Prometheus endpoint (metrics.address, or the newer metrics.readers pull/prometheus form).
// Keys the collector has and agentcol does not implement (traces, resource, logs.encoding, ...) are
// accepted with a warning that they are ignored, so collector configs validate unchanged; keys
// neither knows are errors like anywhere else.
import type { ConfigIssue, KeyPath } from './issues.ts';
import type { JsonSchema } from './schema-types.ts';
import type { TelemetryConfig } from './types.ts';
import type { LogLevel } from '../telemetry/logger.ts';

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:8888';

const IGNORED: JsonSchema = { description: 'Accepted for OpenTelemetry Collector compatibility; ignored by agentcol.' };

/** Collector keys that are accepted and ignored, by parent path under service.telemetry. */
const IGNORED_KEYS: Record<string, string[]> = {
  '': ['traces', 'resource'],
  logs: ['development', 'encoding', 'disable_caller', 'disable_stacktrace', 'sampling', 'output_paths', 'error_output_paths', 'initial_fields', 'processors'],
  metrics: ['views'],
};

const ignored = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, IGNORED]));

const prometheusSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', default: '127.0.0.1', description: 'Interface the /metrics endpoint listens on.' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 8888 },
    without_units: IGNORED,
    without_type_suffix: IGNORED,
    without_scope_info: IGNORED,
    with_resource_constant_labels: IGNORED,
  },
};

export const telemetrySchema: JsonSchema = {
  type: 'object',
  description: "The service's own logs and metrics.",
  additionalProperties: false,
  default: {},
  properties: {
    logs: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'], default: 'info', description: 'Minimum level of the log lines agentcol writes to stderr.' },
        ...ignored(IGNORED_KEYS.logs),
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { type: 'string', enum: ['none', 'basic', 'normal', 'detailed'], default: 'normal', description: 'none disables the /metrics endpoint.' },
        address: { type: 'string', format: 'endpoint', description: `Prometheus /metrics endpoint (default ${DEFAULT_METRICS_ADDRESS}).` },
        readers: {
          type: 'array',
          description: 'The collector\'s newer form: [{pull: {exporter: {prometheus: {host, port}}}}]. Periodic (push) readers are ignored.',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              pull: {
                type: 'object',
                additionalProperties: false,
                required: ['exporter'],
                properties: { exporter: { type: 'object', additionalProperties: false, required: ['prometheus'], properties: { prometheus: prometheusSchema } } },
              },
              periodic: IGNORED,
            },
          },
        },
        ...ignored(IGNORED_KEYS.metrics),
      },
    },
    ...ignored(IGNORED_KEYS['']),
  },
};

/** Lower-cases log levels first: the collector (zap) accepts "INFO". */
export function preprocessTelemetry(v: unknown): unknown {
  const logs = (v as { logs?: { level?: unknown } } | null)?.logs;
  if (logs && typeof logs === 'object' && typeof logs.level === 'string') logs.level = logs.level.toLowerCase();
  return v;
}

/** Turns the checked telemetry section (defaults applied) into TelemetryConfig, warning about
 * what is ignored. */
export function resolveTelemetry(t: any, p: KeyPath, issues: ConfigIssue[]): TelemetryConfig {
  const warn = (path: KeyPath, message: string) => issues.push({ severity: 'warning', path: [...p, ...path], message, at: 'key' });
  for (const [parent, keys] of Object.entries(IGNORED_KEYS)) {
    const obj = parent ? t[parent] : t;
    for (const k of keys) if (obj && obj[k] !== undefined) warn(parent ? [parent, k] : [k], 'not supported by agentcol; ignored');
  }
  const m = t.metrics;
  let address: string | null = m.address ?? DEFAULT_METRICS_ADDRESS;
  if (Array.isArray(m.readers)) {
    const pulls: Array<{ host: string; port: number }> = [];
    m.readers.forEach((r: any, i: number) => {
      if (r.pull) pulls.push(r.pull.exporter.prometheus);
      if (r.periodic !== undefined) warn(['metrics', 'readers', i, 'periodic'], 'periodic (push) metric readers are not supported by agentcol; ignored');
      for (const k of ['without_units', 'without_type_suffix', 'without_scope_info', 'with_resource_constant_labels']) {
        if (r.pull?.exporter.prometheus[k] !== undefined) warn(['metrics', 'readers', i, 'pull', 'exporter', 'prometheus', k], 'not supported by agentcol; ignored');
      }
    });
    if (pulls.length) {
      if (m.address !== undefined) warn(['metrics', 'address'], 'ignored: metrics.readers sets the Prometheus endpoint');
      if (pulls.length > 1) warn(['metrics', 'readers'], 'agentcol serves one Prometheus endpoint; only the first pull reader is used');
      const { host, port } = pulls[0];
      address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    } else if (m.readers.length) {
      address = null; // readers replace address, as in the collector: no pull reader, no endpoint
    }
  }
  if (m.level === 'none') address = null;
  return { logs: { level: t.logs.level as LogLevel }, metrics: { address, level: m.level } };
}
