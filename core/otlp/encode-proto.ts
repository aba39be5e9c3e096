// Batches -> Export{Trace,Logs,Metrics}ServiceRequest protobuf bytes. Used by the OTLP exporters
// and by tests; written for correctness (proto3: default values are omitted).
import type {
  AnyValue,
  Attributes,
  Exemplar,
  ExponentialHistogramBuckets,
  InstrumentationScope,
  LogsBatch,
  Metric,
  MetricsBatch,
  NumberDataPoint,
  Resource,
  TracesBatch,
} from '../signals/types.ts';
import { hexToBytes } from './hex.ts';
import { ProtoWriter } from './proto-writer.ts';

const LEN = 2;
const VARINT = 0;
const I64 = 1;
const I32 = 5;

function str(w: ProtoWriter, field: number, s: string): void {
  if (!s) return;
  w.tag(field, LEN);
  w.string(s);
}

function uint(w: ProtoWriter, field: number, v: number): void {
  if (!v) return;
  w.tag(field, VARINT);
  w.uint32(v);
}

function time(w: ProtoWriter, field: number, v: bigint): void {
  if (!v) return;
  w.tag(field, I64);
  w.fixed64(v);
}

function id(w: ProtoWriter, field: number, hex: string): void {
  if (!hex) return;
  w.tag(field, LEN);
  w.bytes(hexToBytes(hex));
}

function fixed32(w: ProtoWriter, field: number, v: number): void {
  if (!v) return;
  w.tag(field, I32);
  w.fixed32(v);
}

function optDouble(w: ProtoWriter, field: number, v: number | null): void {
  if (v === null || v === undefined) return;
  w.tag(field, I64);
  w.double(v);
}

function isInt64(v: number): boolean {
  return Number.isSafeInteger(v) && !Object.is(v, -0);
}

export function writeAnyValue(w: ProtoWriter, v: AnyValue): void {
  if (v === null || v === undefined) return;
  switch (typeof v) {
    case 'string':
      w.tag(1, LEN);
      w.string(v);
      return;
    case 'boolean':
      w.tag(2, VARINT);
      w.bool(v);
      return;
    case 'number':
      if (isInt64(v)) {
        w.tag(3, VARINT);
        w.int64(v);
      } else {
        w.tag(4, I64);
        w.double(v);
      }
      return;
    case 'bigint':
      if (BigInt.asIntN(64, v) !== v) throw new RangeError(`integer value ${v} is outside int64, which OTLP cannot carry`);
      w.tag(3, VARINT);
      w.int64(v);
      return;
  }
  if (v instanceof Uint8Array) {
    w.tag(7, LEN);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.tag(5, LEN);
    const at = w.fork();
    for (const item of v) {
      w.tag(1, LEN);
      const a = w.fork();
      writeAnyValue(w, item);
      w.finish(a);
    }
    w.finish(at);
  } else {
    w.tag(6, LEN);
    const at = w.fork();
    attributes(w, 1, v);
    w.finish(at);
  }
}

function attributes(w: ProtoWriter, field: number, attrs: Attributes): void {
  for (const key of Object.keys(attrs)) {
    w.tag(field, LEN);
    const at = w.fork();
    str(w, 1, key);
    const v = attrs[key];
    if (v !== null && v !== undefined) {
      w.tag(2, LEN);
      const a = w.fork();
      writeAnyValue(w, v);
      w.finish(a);
    }
    w.finish(at);
  }
}

function message(w: ProtoWriter, field: number, body: () => void): void {
  w.tag(field, LEN);
  const at = w.fork();
  body();
  w.finish(at);
}

function resource(w: ProtoWriter, r: Resource): void {
  message(w, 1, () => {
    attributes(w, 1, r.attributes);
    uint(w, 2, r.droppedAttributesCount);
  });
}

function scope(w: ProtoWriter, s: InstrumentationScope): void {
  message(w, 1, () => {
    str(w, 1, s.name);
    str(w, 2, s.version);
    attributes(w, 3, s.attributes);
    uint(w, 4, s.droppedAttributesCount);
  });
}

// ---- traces ----

export function encodeTracesProto(batch: TracesBatch): Uint8Array {
  const w = new ProtoWriter();
  for (const rs of batch.resourceSpans) {
    message(w, 1, () => {
      resource(w, rs.resource);
      for (const ss of rs.scopeSpans) {
        message(w, 2, () => {
          scope(w, ss.scope);
          for (const s of ss.spans) {
            message(w, 2, () => {
              id(w, 1, s.traceId);
              id(w, 2, s.spanId);
              str(w, 3, s.traceState);
              id(w, 4, s.parentSpanId);
              str(w, 5, s.name);
              uint(w, 6, s.kind);
              time(w, 7, s.startTimeUnixNano);
              time(w, 8, s.endTimeUnixNano);
              attributes(w, 9, s.attributes);
              uint(w, 10, s.droppedAttributesCount);
              for (const ev of s.events) {
                message(w, 11, () => {
                  time(w, 1, ev.timeUnixNano);
                  str(w, 2, ev.name);
                  attributes(w, 3, ev.attributes);
                  uint(w, 4, ev.droppedAttributesCount);
                });
              }
              uint(w, 12, s.droppedEventsCount);
              for (const l of s.links) {
                message(w, 13, () => {
                  id(w, 1, l.traceId);
                  id(w, 2, l.spanId);
                  str(w, 3, l.traceState);
                  attributes(w, 4, l.attributes);
                  uint(w, 5, l.droppedAttributesCount);
                  fixed32(w, 6, l.flags);
                });
              }
              uint(w, 14, s.droppedLinksCount);
              if (s.status.code || s.status.message) {
                message(w, 15, () => {
                  str(w, 2, s.status.message);
                  uint(w, 3, s.status.code);
                });
              }
              fixed32(w, 16, s.flags);
            });
          }
          str(w, 3, ss.schemaUrl);
        });
      }
      str(w, 3, rs.schemaUrl);
    });
  }
  return w.result();
}

// ---- logs ----

export function encodeLogsProto(batch: LogsBatch): Uint8Array {
  const w = new ProtoWriter();
  for (const rl of batch.resourceLogs) {
    message(w, 1, () => {
      resource(w, rl.resource);
      for (const sl of rl.scopeLogs) {
        message(w, 2, () => {
          scope(w, sl.scope);
          for (const r of sl.logRecords) {
            message(w, 2, () => {
              time(w, 1, r.timeUnixNano);
              uint(w, 2, r.severityNumber);
              str(w, 3, r.severityText);
              if (r.body !== null && r.body !== undefined) message(w, 5, () => writeAnyValue(w, r.body));
              attributes(w, 6, r.attributes);
              uint(w, 7, r.droppedAttributesCount);
              fixed32(w, 8, r.flags);
              id(w, 9, r.traceId);
              id(w, 10, r.spanId);
              time(w, 11, r.observedTimeUnixNano);
              str(w, 12, r.eventName);
            });
          }
          str(w, 3, sl.schemaUrl);
        });
      }
      str(w, 3, rl.schemaUrl);
    });
  }
  return w.result();
}

// ---- metrics ----

function numberValue(w: ProtoWriter, doubleField: number, intField: number, v: number): void {
  if (isInt64(v)) {
    w.tag(intField, I64);
    w.sfixed64(v);
  } else {
    w.tag(doubleField, I64);
    w.double(v);
  }
}

function exemplars(w: ProtoWriter, field: number, xs: Exemplar[]): void {
  for (const x of xs) {
    message(w, field, () => {
      time(w, 2, x.timeUnixNano);
      numberValue(w, 3, 6, x.value);
      id(w, 4, x.spanId);
      id(w, 5, x.traceId);
      attributes(w, 7, x.filteredAttributes);
    });
  }
}

function numberDataPoints(w: ProtoWriter, points: NumberDataPoint[]): void {
  for (const p of points) {
    message(w, 1, () => {
      time(w, 2, p.startTimeUnixNano);
      time(w, 3, p.timeUnixNano);
      numberValue(w, 4, 6, p.value);
      exemplars(w, 5, p.exemplars);
      attributes(w, 7, p.attributes);
      uint(w, 8, p.flags);
    });
  }
}

function packedFixed64(w: ProtoWriter, field: number, xs: number[]): void {
  if (xs.length === 0) return;
  message(w, field, () => {
    for (const x of xs) w.fixed64(BigInt(Math.trunc(x)));
  });
}

function packedDouble(w: ProtoWriter, field: number, xs: number[]): void {
  if (xs.length === 0) return;
  message(w, field, () => {
    for (const x of xs) w.double(x);
  });
}

function count(w: ProtoWriter, field: number, v: number): void {
  if (!v) return;
  w.tag(field, I64);
  w.fixed64(BigInt(Math.trunc(v)));
}

function expBuckets(w: ProtoWriter, field: number, b: ExponentialHistogramBuckets): void {
  message(w, field, () => {
    if (b.offset) {
      w.tag(1, VARINT);
      w.sint32(b.offset);
    }
    if (b.bucketCounts.length) message(w, 2, () => b.bucketCounts.forEach((c) => w.uint32(c)));
  });
}

function metric(w: ProtoWriter, m: Metric): void {
  str(w, 1, m.name);
  str(w, 2, m.description);
  str(w, 3, m.unit);
  const d = m.data;
  if (d) {
    switch (d.type) {
      case 'gauge':
        message(w, 5, () => numberDataPoints(w, d.dataPoints));
        break;
      case 'sum':
        message(w, 7, () => {
          numberDataPoints(w, d.dataPoints);
          uint(w, 2, d.aggregationTemporality);
          if (d.isMonotonic) {
            w.tag(3, VARINT);
            w.bool(true);
          }
        });
        break;
      case 'histogram':
        message(w, 9, () => {
          for (const p of d.dataPoints) {
            message(w, 1, () => {
              time(w, 2, p.startTimeUnixNano);
              time(w, 3, p.timeUnixNano);
              count(w, 4, p.count);
              optDouble(w, 5, p.sum);
              packedFixed64(w, 6, p.bucketCounts);
              packedDouble(w, 7, p.explicitBounds);
              exemplars(w, 8, p.exemplars);
              attributes(w, 9, p.attributes);
              uint(w, 10, p.flags);
              optDouble(w, 11, p.min);
              optDouble(w, 12, p.max);
            });
          }
          uint(w, 2, d.aggregationTemporality);
        });
        break;
      case 'exponential_histogram':
        message(w, 10, () => {
          for (const p of d.dataPoints) {
            message(w, 1, () => {
              attributes(w, 1, p.attributes);
              time(w, 2, p.startTimeUnixNano);
              time(w, 3, p.timeUnixNano);
              count(w, 4, p.count);
              optDouble(w, 5, p.sum);
              if (p.scale) {
                w.tag(6, VARINT);
                w.sint32(p.scale);
              }
              count(w, 7, p.zeroCount);
              expBuckets(w, 8, p.positive);
              expBuckets(w, 9, p.negative);
              uint(w, 10, p.flags);
              exemplars(w, 11, p.exemplars);
              optDouble(w, 12, p.min);
              optDouble(w, 13, p.max);
              if (p.zeroThreshold) optDouble(w, 14, p.zeroThreshold);
            });
          }
          uint(w, 2, d.aggregationTemporality);
        });
        break;
      case 'summary':
        message(w, 11, () => {
          for (const p of d.dataPoints) {
            message(w, 1, () => {
              time(w, 2, p.startTimeUnixNano);
              time(w, 3, p.timeUnixNano);
              count(w, 4, p.count);
              if (p.sum) optDouble(w, 5, p.sum);
              for (const q of p.quantileValues) {
                message(w, 6, () => {
                  if (q.quantile) optDouble(w, 1, q.quantile);
                  if (q.value) optDouble(w, 2, q.value);
                });
              }
              attributes(w, 7, p.attributes);
              uint(w, 8, p.flags);
            });
          }
        });
        break;
    }
  }
  attributes(w, 12, m.metadata);
}

export function encodeMetricsProto(batch: MetricsBatch): Uint8Array {
  const w = new ProtoWriter();
  for (const rm of batch.resourceMetrics) {
    message(w, 1, () => {
      resource(w, rm.resource);
      for (const sm of rm.scopeMetrics) {
        message(w, 2, () => {
          scope(w, sm.scope);
          for (const m of sm.metrics) message(w, 2, () => metric(w, m));
          str(w, 3, sm.schemaUrl);
        });
      }
      str(w, 3, rm.schemaUrl);
    });
  }
  return w.result();
}

export const encodeProto = {
  traces: encodeTracesProto,
  logs: encodeLogsProto,
  metrics: encodeMetricsProto,
} as const;

/** Aliases by message name (ExportTraceServiceRequest, ...). */
export const encodeTracesRequest = encodeTracesProto;
export const encodeLogsRequest = encodeLogsProto;
export const encodeMetricsRequest = encodeMetricsProto;
