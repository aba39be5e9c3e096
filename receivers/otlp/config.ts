// Config of the otlp receiver, in the OpenTelemetry Collector's shape:
//
//   receivers:
//     otlp:
//       protocols:
//         grpc:                 # present (even empty or null) = enabled, with defaults
//           endpoint: 127.0.0.1:4317
//         http:
//           endpoint: 127.0.0.1:4318
//
// A protocol is enabled when its key is present. `grpc:` with no value (YAML null) and `grpc: {}`
// both mean "enabled with defaults"; a protocol that is absent is off. At least one is required.
import type { JsonSchema } from '../../core/component.ts';
import { bytesOf, parseEndpoint } from '../../core/config/units.ts';

export interface GrpcProtocolConfig {
  endpoint: string;
  /** Largest request accepted, in MiB (the collector's name and default). */
  max_recv_msg_size_mib: number;
}

export interface CorsConfig {
  /** Origins allowed to send (e.g. "https://app.example.com"; "*" for any). */
  allowed_origins: string[];
  /** Extra request headers allowed besides the CORS-safelisted ones and Content-Type/Encoding. */
  allowed_headers: string[];
  /** Seconds browsers may cache a preflight answer; 0 leaves it to the browser. */
  max_age: number;
}

export interface HttpProtocolConfig {
  endpoint: string;
  traces_url_path: string;
  logs_url_path: string;
  metrics_url_path: string;
  /** Bytes, after parsing "20MiB" etc.; applied to the body as sent and after decompression. */
  max_request_body_size: number;
  cors?: CorsConfig;
}

export interface OtlpReceiverConfig {
  protocols: {
    grpc?: GrpcProtocolConfig;
    http?: HttpProtocolConfig;
  };
}

export const GRPC_DEFAULTS: GrpcProtocolConfig = { endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4 };
export const HTTP_DEFAULTS: HttpProtocolConfig = {
  endpoint: '127.0.0.1:4318',
  traces_url_path: '/v1/traces',
  logs_url_path: '/v1/logs',
  metrics_url_path: '/v1/metrics',
  max_request_body_size: 20 * 1024 * 1024,
};

const urlPath = (def: string, signal: string): JsonSchema => ({
  type: 'string',
  pattern: '^/',
  default: def,
  description: `URL path that accepts ${signal} (POST).`,
});

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['protocols'],
  properties: {
    protocols: {
      type: 'object',
      additionalProperties: false,
      description: 'Enabled protocols: a protocol is on when its key is present; an empty or null value means its defaults.',
      properties: {
        grpc: {
          type: ['object', 'null'],
          additionalProperties: false,
          description: 'OTLP/gRPC server. Null or {} = enabled with defaults.',
          properties: {
            endpoint: { type: 'string', format: 'endpoint', default: GRPC_DEFAULTS.endpoint, description: 'host:port to listen on (0.0.0.0:4317 for all interfaces; port 0 picks a free port).' },
            max_recv_msg_size_mib: { type: 'number', exclusiveMinimum: 0, default: GRPC_DEFAULTS.max_recv_msg_size_mib, description: 'Largest request message, in MiB.' },
          },
        },
        http: {
          type: ['object', 'null'],
          additionalProperties: false,
          description: 'OTLP/HTTP server (protobuf and JSON). Null or {} = enabled with defaults.',
          properties: {
            endpoint: { type: 'string', format: 'endpoint', default: HTTP_DEFAULTS.endpoint, description: 'host:port to listen on (0.0.0.0:4318 for all interfaces; port 0 picks a free port).' },
            traces_url_path: urlPath(HTTP_DEFAULTS.traces_url_path, 'traces'),
            logs_url_path: urlPath(HTTP_DEFAULTS.logs_url_path, 'logs'),
            metrics_url_path: urlPath(HTTP_DEFAULTS.metrics_url_path, 'metrics'),
            max_request_body_size: {
              type: ['string', 'number'],
              format: 'bytes',
              default: '20MiB',
              description: 'Largest request body, as sent and after decompression; larger requests get 413.',
            },
            cors: {
              type: 'object',
              additionalProperties: false,
              description: 'CORS for browser senders; off when absent.',
              properties: {
                allowed_origins: { type: 'array', items: { type: 'string' }, default: [] },
                allowed_headers: { type: 'array', items: { type: 'string' }, default: [] },
                max_age: { type: 'integer', minimum: 0, default: 0 },
              },
            },
          },
        },
      },
    },
  },
};

function checkEndpoint(v: unknown, key: string): string {
  if (typeof v !== 'string' || !parseEndpoint(v)) {
    throw new Error(`otlp receiver: ${key} must be "host:port" (e.g. "127.0.0.1:4317", "0.0.0.0:4317", "localhost:4317"), got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Fills defaults itself (so a YAML null protocol works whatever the validator does with it) and
 * turns sizes into numbers. Idempotent. */
export function normalize(raw: unknown): OtlpReceiverConfig {
  const cfg = (raw ?? {}) as { protocols?: Record<string, unknown> | null };
  const protocols = cfg.protocols ?? {};
  const out: OtlpReceiverConfig = { protocols: {} };
  if ('grpc' in protocols) {
    const g = (protocols.grpc ?? {}) as Partial<GrpcProtocolConfig>;
    out.protocols.grpc = {
      endpoint: checkEndpoint(g.endpoint ?? GRPC_DEFAULTS.endpoint, 'protocols.grpc.endpoint'),
      max_recv_msg_size_mib: g.max_recv_msg_size_mib ?? GRPC_DEFAULTS.max_recv_msg_size_mib,
    };
  }
  if ('http' in protocols) {
    const h = (protocols.http ?? {}) as Partial<Omit<HttpProtocolConfig, 'max_request_body_size' | 'cors'>> & {
      max_request_body_size?: string | number;
      cors?: Partial<CorsConfig> | null;
    };
    out.protocols.http = {
      endpoint: checkEndpoint(h.endpoint ?? HTTP_DEFAULTS.endpoint, 'protocols.http.endpoint'),
      traces_url_path: h.traces_url_path ?? HTTP_DEFAULTS.traces_url_path,
      logs_url_path: h.logs_url_path ?? HTTP_DEFAULTS.logs_url_path,
      metrics_url_path: h.metrics_url_path ?? HTTP_DEFAULTS.metrics_url_path,
      max_request_body_size: h.max_request_body_size === undefined ? HTTP_DEFAULTS.max_request_body_size : bytesOf(h.max_request_body_size),
    };
    if (h.cors) {
      out.protocols.http.cors = {
        allowed_origins: h.cors.allowed_origins ?? [],
        allowed_headers: h.cors.allowed_headers ?? [],
        max_age: h.cors.max_age ?? 0,
      };
    }
    const paths = [out.protocols.http.traces_url_path, out.protocols.http.logs_url_path, out.protocols.http.metrics_url_path];
    if (new Set(paths).size !== 3) throw new Error(`otlp receiver: protocols.http traces_url_path, logs_url_path and metrics_url_path must differ, got ${paths.join(', ')}`);
  }
  if (!out.protocols.grpc && !out.protocols.http) {
    throw new Error('otlp receiver: enable at least one protocol, e.g. `protocols: {grpc: {}, http: {}}` (an empty `grpc:` also enables gRPC with its defaults)');
  }
  return out;
}
