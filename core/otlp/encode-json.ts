// Batches -> OTLP/JSON (the protobuf JSON mapping with the OTLP exceptions: lowerCamelCase keys,
// trace/span ids as hex, enums as integers; int64/fixed64 as decimal strings; bytes as base64).
import type {
  AnyValue,
  Attributes,
  Exemplar,
  InstrumentationScope,
  LogsBatch,
  Metric,
  MetricsBatch,
  NumberDataPoint,
  Resource,
  TracesBatch,
} from '../signals/types.ts';

type Json = Record<string, unknown>;

function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** Doubles: proto3 JSON spells the non-finite ones as strings. */
function dbl(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export function anyValueToJson(v: AnyValue): Json {
  if (v === null || v === undefined) return {};
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'bigint':
      return { intValue: v.toString() };
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? { intValue: String(v) } : { doubleValue: dbl(v) };
  }
  if (v instanceof Uint8Array) return { bytesValue: b64(v) };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValueToJson) } };
  return { kvlistValue: { values: attributesToJsonList(v) } };
}

function attributesToJsonList(attrs: Attributes): Json[] {
  return Object.keys(attrs).map((key) => ({ key, value: anyValueToJson(attrs[key]) }));
}

function resource(r: Resource): Json {
  const o: Json = { attributes: attributesToJsonList(r.attributes) };
  if (r.droppedAttributesCount) o.droppedAttributesCount = r.droppedAttributesCount;
  return o;
}

function scope(s: InstrumentationScope): Json {
  const o: Json = { name: s.name };
  if (s.version) o.version = s.version;
  if (Object.keys(s.attributes).length) o.attributes = attributesToJsonList(s.attributes);
  if (s.droppedAttributesCount) o.droppedAttributesCount = s.droppedAttributesCount;
  return o;
}

/** Drops keys whose value is the proto3 default, as protobuf JSON printers do. */
function compact(o: Json): Json {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === '' || v === 0 || v === '0' || v === false || v === undefined || v === null || (Array.isArray(v) && v.length === 0)) delete o[k];
  }
  return o;
}

export function tracesToJson(batch: TracesBatch): Json {
  return {
    resourceSpans: batch.resourceSpans.map((rs) =>
      compact({
        resource: resource(rs.resource),
        scopeSpans: rs.scopeSpans.map((ss) =>
          compact({
            scope: scope(ss.scope),
            spans: ss.spans.map((s) =>
              compact({
                traceId: s.traceId,
                spanId: s.spanId,
                traceState: s.traceState,
                parentSpanId: s.parentSpanId,
                flags: s.flags,
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: s.startTimeUnixNano.toString(),
                endTimeUnixNano: s.endTimeUnixNano.toString(),
                attributes: attributesToJsonList(s.attributes),
                droppedAttributesCount: s.droppedAttributesCount,
                events: s.events.map((e) =>
                  compact({
                    timeUnixNano: e.timeUnixNano.toString(),
                    name: e.name,
                    attributes: attributesToJsonList(e.attributes),
                    droppedAttributesCount: e.droppedAttributesCount,
                  }),
                ),
                droppedEventsCount: s.droppedEventsCount,
                links: s.links.map((l) =>
                  compact({
                    traceId: l.traceId,
                    spanId: l.spanId,
                    traceState: l.traceState,
                    attributes: attributesToJsonList(l.attributes),
                    droppedAttributesCount: l.droppedAttributesCount,
                    flags: l.flags,
                  }),
                ),
                droppedLinksCount: s.droppedLinksCount,
                status: compact({ message: s.status.message, code: s.status.code }),
              }),
            ),
            schemaUrl: ss.schemaUrl,
          }),
        ),
        schemaUrl: rs.schemaUrl,
      }),
    ),
  };
}

export function logsToJson(batch: LogsBatch): Json {
  return {
    resourceLogs: batch.resourceLogs.map((rl) =>
      compact({
        resource: resource(rl.resource),
        scopeLogs: rl.scopeLogs.map((sl) =>
          compact({
            scope: scope(sl.scope),
            logRecords: sl.logRecords.map((r) =>
              compact({
                timeUnixNano: r.timeUnixNano.toString(),
                observedTimeUnixNano: r.observedTimeUnixNano.toString(),
                severityNumber: r.severityNumber,
                severityText: r.severityText,
                body: r.body === null ? undefined : anyValueToJson(r.body),
                attributes: attributesToJsonList(r.attributes),
                droppedAttributesCount: r.droppedAttributesCount,
                flags: r.flags,
                traceId: r.traceId,
                spanId: r.spanId,
                eventName: r.eventName,
              }),
            ),
            schemaUrl: sl.schemaUrl,
          }),
        ),
        schemaUrl: rl.schemaUrl,
      }),
    ),
  };
}

function exemplars(xs: Exemplar[]): Json[] {
  return xs.map((x) =>
    compact({
      filteredAttributes: attributesToJsonList(x.filteredAttributes),
      timeUnixNano: x.timeUnixNano.toString(),
      ...numberValue(x.value),
      spanId: x.spanId,
      traceId: x.traceId,
    }),
  );
}

function numberValue(v: number): Json {
  return Number.isSafeInteger(v) && !Object.is(v, -0) ? { asInt: String(v) } : { asDouble: dbl(v) };
}

function numberPoints(points: NumberDataPoint[]): Json[] {
  return points.map((p) => {
    const o = compact({
      attributes: attributesToJsonList(p.attributes),
      startTimeUnixNano: p.startTimeUnixNano.toString(),
      timeUnixNano: p.timeUnixNano.toString(),
      exemplars: exemplars(p.exemplars),
      flags: p.flags,
    });
    // The value is a oneof: keep it even when zero.
    return Object.assign(o, numberValue(p.value));
  });
}

const optional = (v: number | null) => (v === null ? undefined : dbl(v));

function metric(m: Metric): Json {
  const o: Json = compact({ name: m.name, description: m.description, unit: m.unit, metadata: attributesToJsonList(m.metadata) });
  const d = m.data;
  if (!d) return o;
  switch (d.type) {
    case 'gauge':
      o.gauge = { dataPoints: numberPoints(d.dataPoints) };
      break;
    case 'sum':
      o.sum = compact({ dataPoints: numberPoints(d.dataPoints), aggregationTemporality: d.aggregationTemporality, isMonotonic: d.isMonotonic });
      break;
    case 'histogram':
      o.histogram = compact({
        aggregationTemporality: d.aggregationTemporality,
        dataPoints: d.dataPoints.map((p) =>
          Object.assign(
            compact({
              attributes: attributesToJsonList(p.attributes),
              startTimeUnixNano: p.startTimeUnixNano.toString(),
              timeUnixNano: p.timeUnixNano.toString(),
              count: String(p.count),
              bucketCounts: p.bucketCounts.map(String),
              explicitBounds: p.explicitBounds.map(dbl),
              exemplars: exemplars(p.exemplars),
              flags: p.flags,
            }),
            // optional doubles: present even when zero.
            stripUndefined({ sum: optional(p.sum), min: optional(p.min), max: optional(p.max) }),
          ),
        ),
      });
      if (!o.histogram || !(o.histogram as Json).dataPoints) (o.histogram as Json).dataPoints = [];
      break;
    case 'exponential_histogram':
      o.exponentialHistogram = compact({
        aggregationTemporality: d.aggregationTemporality,
        dataPoints: d.dataPoints.map((p) =>
          Object.assign(
            compact({
              attributes: attributesToJsonList(p.attributes),
              startTimeUnixNano: p.startTimeUnixNano.toString(),
              timeUnixNano: p.timeUnixNano.toString(),
              count: String(p.count),
              scale: p.scale,
              zeroCount: String(p.zeroCount),
              positive: compact({ offset: p.positive.offset, bucketCounts: p.positive.bucketCounts.map(String) }),
              negative: compact({ offset: p.negative.offset, bucketCounts: p.negative.bucketCounts.map(String) }),
              flags: p.flags,
              exemplars: exemplars(p.exemplars),
              zeroThreshold: p.zeroThreshold === 0 ? 0 : dbl(p.zeroThreshold),
            }),
            stripUndefined({ sum: optional(p.sum), min: optional(p.min), max: optional(p.max) }),
          ),
        ),
      });
      if (!(o.exponentialHistogram as Json).dataPoints) (o.exponentialHistogram as Json).dataPoints = [];
      break;
    case 'summary':
      o.summary = {
        dataPoints: d.dataPoints.map((p) =>
          compact({
            attributes: attributesToJsonList(p.attributes),
            startTimeUnixNano: p.startTimeUnixNano.toString(),
            timeUnixNano: p.timeUnixNano.toString(),
            count: String(p.count),
            sum: dbl(p.sum),
            quantileValues: p.quantileValues.map((q) => ({ quantile: dbl(q.quantile), value: dbl(q.value) })),
            flags: p.flags,
          }),
        ),
      };
      break;
  }
  return o;
}

function stripUndefined(o: Json): Json {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function metricsToJson(batch: MetricsBatch): Json {
  return {
    resourceMetrics: batch.resourceMetrics.map((rm) =>
      compact({
        resource: resource(rm.resource),
        scopeMetrics: rm.scopeMetrics.map((sm) =>
          compact({ scope: scope(sm.scope), metrics: sm.metrics.map(metric), schemaUrl: sm.schemaUrl }),
        ),
        schemaUrl: rm.schemaUrl,
      }),
    ),
  };
}

const utf8 = new TextEncoder();

export function encodeTracesJson(batch: TracesBatch): Uint8Array {
  return utf8.encode(JSON.stringify(tracesToJson(batch)));
}
export function encodeLogsJson(batch: LogsBatch): Uint8Array {
  return utf8.encode(JSON.stringify(logsToJson(batch)));
}
export function encodeMetricsJson(batch: MetricsBatch): Uint8Array {
  return utf8.encode(JSON.stringify(metricsToJson(batch)));
}

export const encodeJson = {
  traces: encodeTracesJson,
  logs: encodeLogsJson,
  metrics: encodeMetricsJson,
} as const;
