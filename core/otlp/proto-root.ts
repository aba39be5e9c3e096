// The OTLP .proto files under ./proto loaded with protobufjs reflection. Used as the benchmark
// baseline and by tests that cross-check our hand-written codecs; never on the hot path.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';

export const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

export const PROTO_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'google/rpc/status.proto',
  'google/rpc/error_details.proto',
];

let root: protobuf.Root | undefined;

/** The protobufjs Root with every OTLP message (loaded once, synchronously). */
export function otlpProtoRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  // Resolve imports against our proto dir; google/protobuf/* are protobufjs built-ins.
  r.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') || path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  r.loadSync(PROTO_FILES, { keepCase: true });
  r.resolveAll();
  return (root = r);
}

export const REQUEST_TYPE = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
} as const;
