// Batch -> rows, once per batch, shared by every store: one FlatTable per table, holding one array
// per column (by columnar name; Nested fields as 'Events.Name', one array per row).
//
// Values are kept in their cheapest exact form and rendered by each store's encoder:
//   string                -> string            timestamp_ns / timestamp_s -> bigint (clamped)
//   uint8/int32/uint32    -> number            int64/uint64 -> number | bigint (| null if nullable)
//   float64               -> number (| null)   bool -> boolean
//   attributes            -> the batch's own Attributes object (never copied, never mutated)
//   { list }              -> number[]
import type { Attributes, LogsBatch, MetricsBatch, TracesBatch, Exemplar, SpanEvent, SpanLink } from '../signals/types.ts';
import { stringifyValue } from '../signals/attributes.ts';
import {
  LOGS_TABLE,
  METRICS_TABLES,
  TRACES_TABLE,
  isNested,
  type TableDef,
} from './model.ts';
import { agentValues, clampNanos, durationNanos, serviceName, spanKindName, statusCodeName, type AgentValues } from './renderings.ts';

export interface FlatTable {
  table: TableDef;
  rowCount: number;
  columns: Record<string, unknown[]>;
}

/** An empty FlatTable with one array per column of `table`. */
export function emptyFlatTable(table: TableDef): FlatTable {
  const columns: Record<string, unknown[]> = {};
  for (const c of table.columns) {
    if (isNested(c)) for (const f of c.nested) columns[`${c.name}.${f.name}`] = [];
    else columns[c.name] = [];
  }
  return { table, rowCount: 0, columns };
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Appends the eight agent columns of one row. */
class AgentColumns {
  private readonly agentId: unknown[];
  private readonly operation: unknown[];
  private readonly provider: unknown[];
  private readonly requestModel: unknown[];
  private readonly responseModel: unknown[];
  private readonly inputTokens: unknown[];
  private readonly outputTokens: unknown[];
  private readonly toolName: unknown[];
  constructor(c: Record<string, unknown[]>) {
    this.agentId = c.AgentId;
    this.operation = c.GenAiOperation;
    this.provider = c.GenAiProvider;
    this.requestModel = c.RequestModel;
    this.responseModel = c.ResponseModel;
    this.inputTokens = c.InputTokens;
    this.outputTokens = c.OutputTokens;
    this.toolName = c.ToolName;
  }
  push(a: AgentValues): void {
    this.agentId.push(a.agentId);
    this.operation.push(a.operation);
    this.provider.push(a.provider);
    this.requestModel.push(a.requestModel);
    this.responseModel.push(a.responseModel);
    this.inputTokens.push(a.inputTokens);
    this.outputTokens.push(a.outputTokens);
    this.toolName.push(a.toolName);
  }
}

export function flattenTraces(batch: TracesBatch): FlatTable {
  const t = emptyFlatTable(TRACES_TABLE);
  const c = t.columns;
  const ts = c.Timestamp, traceId = c.TraceId, spanId = c.SpanId, parent = c.ParentSpanId, state = c.TraceState;
  const name = c.SpanName, kind = c.SpanKind, service = c.ServiceName, resAttrs = c.ResourceAttributes;
  const scopeName = c.ScopeName, scopeVersion = c.ScopeVersion, spanAttrs = c.SpanAttributes, duration = c.Duration;
  const status = c.StatusCode, statusMsg = c.StatusMessage;
  const evTs = c['Events.Timestamp'], evName = c['Events.Name'], evAttrs = c['Events.Attributes'];
  const lkTrace = c['Links.TraceId'], lkSpan = c['Links.SpanId'], lkState = c['Links.TraceState'], lkAttrs = c['Links.Attributes'];
  const agent = new AgentColumns(c);
  let n = 0;
  for (const rs of batch.resourceSpans) {
    const res = rs.resource.attributes;
    const svc = serviceName(res);
    const resAgent = agentValues(res);
    for (const ss of rs.scopeSpans) {
      const sn = ss.scope.name, sv = ss.scope.version;
      for (const sp of ss.spans) {
        ts.push(clampNanos(sp.startTimeUnixNano));
        traceId.push(sp.traceId);
        spanId.push(sp.spanId);
        parent.push(sp.parentSpanId);
        state.push(sp.traceState);
        name.push(sp.name);
        kind.push(spanKindName(sp.kind));
        service.push(svc);
        resAttrs.push(res);
        scopeName.push(sn);
        scopeVersion.push(sv);
        spanAttrs.push(sp.attributes);
        duration.push(durationNanos(sp.startTimeUnixNano, sp.endTimeUnixNano));
        status.push(statusCodeName(sp.status.code));
        statusMsg.push(sp.status.message);
        pushEvents(sp.events, evTs, evName, evAttrs);
        pushLinks(sp.links, lkTrace, lkSpan, lkState, lkAttrs);
        agent.push(agentValues(sp.attributes, resAgent));
        n++;
      }
    }
  }
  t.rowCount = n;
  return t;
}

function pushEvents(events: SpanEvent[], ts: unknown[], name: unknown[], attrs: unknown[]): void {
  if (events.length === 0) {
    ts.push(EMPTY);
    name.push(EMPTY);
    attrs.push(EMPTY);
    return;
  }
  const t = new Array<bigint>(events.length), nm = new Array<string>(events.length), at = new Array<Attributes>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    t[i] = clampNanos(e.timeUnixNano);
    nm[i] = e.name;
    at[i] = e.attributes;
  }
  ts.push(t);
  name.push(nm);
  attrs.push(at);
}

function pushLinks(links: SpanLink[], trace: unknown[], span: unknown[], state: unknown[], attrs: unknown[]): void {
  if (links.length === 0) {
    trace.push(EMPTY);
    span.push(EMPTY);
    state.push(EMPTY);
    attrs.push(EMPTY);
    return;
  }
  trace.push(links.map((l) => l.traceId));
  span.push(links.map((l) => l.spanId));
  state.push(links.map((l) => l.traceState));
  attrs.push(links.map((l) => l.attributes));
}

export function flattenLogs(batch: LogsBatch): FlatTable {
  const t = emptyFlatTable(LOGS_TABLE);
  const c = t.columns;
  const agent = new AgentColumns(c);
  let n = 0;
  for (const rl of batch.resourceLogs) {
    const res = rl.resource.attributes;
    const svc = serviceName(res);
    const resAgent = agentValues(res);
    for (const sl of rl.scopeLogs) {
      const scope = sl.scope;
      for (const r of sl.logRecords) {
        const ns = clampNanos(r.timeUnixNano !== 0n ? r.timeUnixNano : r.observedTimeUnixNano);
        c.Timestamp.push(ns);
        c.TimestampTime.push(ns / 1_000_000_000n);
        c.TraceId.push(r.traceId);
        c.SpanId.push(r.spanId);
        c.TraceFlags.push(r.flags & 0xff);
        c.SeverityText.push(r.severityText);
        c.SeverityNumber.push(Math.min(255, Math.max(0, r.severityNumber | 0)));
        c.ServiceName.push(svc);
        c.Body.push(r.body === null || r.body === undefined ? '' : stringifyValue(r.body));
        c.ResourceSchemaUrl.push(rl.schemaUrl);
        c.ResourceAttributes.push(res);
        c.ScopeSchemaUrl.push(sl.schemaUrl);
        c.ScopeName.push(scope.name);
        c.ScopeVersion.push(scope.version);
        c.ScopeAttributes.push(scope.attributes);
        c.LogAttributes.push(r.attributes);
        c.EventName.push(r.eventName);
        agent.push(agentValues(r.attributes, resAgent));
        n++;
      }
    }
  }
  t.rowCount = n;
  return t;
}

type MetricKind = keyof typeof METRICS_TABLES;

/** One FlatTable per metric type present in the batch (empty tables are left out). */
export function flattenMetrics(batch: MetricsBatch): FlatTable[] {
  const tables = new Map<MetricKind, { t: FlatTable; agent: AgentColumns }>();
  const tableFor = (k: MetricKind) => {
    let e = tables.get(k);
    if (!e) {
      const t = emptyFlatTable(METRICS_TABLES[k]);
      tables.set(k, (e = { t, agent: new AgentColumns(t.columns) }));
    }
    return e;
  };
  for (const rm of batch.resourceMetrics) {
    const res = rm.resource.attributes;
    const svc = serviceName(res);
    const resAgent = agentValues(res);
    for (const sm of rm.scopeMetrics) {
      const scope = sm.scope;
      for (const m of sm.metrics) {
        const d = m.data;
        if (!d || d.dataPoints.length === 0) continue;
        const { t, agent } = tableFor(d.type);
        const c = t.columns;
        for (const dp of d.dataPoints) {
          c.ResourceAttributes.push(res);
          c.ResourceSchemaUrl.push(rm.schemaUrl);
          c.ScopeName.push(scope.name);
          c.ScopeVersion.push(scope.version);
          c.ScopeAttributes.push(scope.attributes);
          c.ScopeDroppedAttrCount.push(scope.droppedAttributesCount >>> 0);
          c.ScopeSchemaUrl.push(sm.schemaUrl);
          c.ServiceName.push(svc);
          c.MetricName.push(m.name);
          c.MetricDescription.push(m.description);
          c.MetricUnit.push(m.unit);
          c.Attributes.push(dp.attributes);
          c.StartTimeUnix.push(clampNanos(dp.startTimeUnixNano));
          c.TimeUnix.push(clampNanos(dp.timeUnixNano));
          c.Flags.push(dp.flags >>> 0);
          agent.push(agentValues(dp.attributes, resAgent));
          t.rowCount++;
        }
        switch (d.type) {
          case 'gauge':
          case 'sum':
            for (const dp of d.dataPoints) {
              c.Value.push(dp.value);
              pushExemplars(dp.exemplars, c);
              if (d.type === 'sum') {
                c.AggregationTemporality.push(d.aggregationTemporality);
                c.IsMonotonic.push(d.isMonotonic);
              }
            }
            break;
          case 'histogram':
            for (const dp of d.dataPoints) {
              c.Count.push(dp.count);
              c.Sum.push(dp.sum);
              c.BucketCounts.push(dp.bucketCounts);
              c.ExplicitBounds.push(dp.explicitBounds);
              pushExemplars(dp.exemplars, c);
              c.Min.push(dp.min);
              c.Max.push(dp.max);
              c.AggregationTemporality.push(d.aggregationTemporality);
            }
            break;
          case 'exponential_histogram':
            for (const dp of d.dataPoints) {
              c.Count.push(dp.count);
              c.Sum.push(dp.sum);
              c.Scale.push(dp.scale);
              c.ZeroCount.push(dp.zeroCount);
              c.PositiveOffset.push(dp.positive.offset);
              c.PositiveBucketCounts.push(dp.positive.bucketCounts);
              c.NegativeOffset.push(dp.negative.offset);
              c.NegativeBucketCounts.push(dp.negative.bucketCounts);
              pushExemplars(dp.exemplars, c);
              c.Min.push(dp.min);
              c.Max.push(dp.max);
              c.AggregationTemporality.push(d.aggregationTemporality);
            }
            break;
          case 'summary':
            for (const dp of d.dataPoints) {
              c.Count.push(dp.count);
              c.Sum.push(dp.sum);
              c['ValueAtQuantiles.Quantile'].push(dp.quantileValues.map((q) => q.quantile));
              c['ValueAtQuantiles.Value'].push(dp.quantileValues.map((q) => q.value));
            }
            break;
        }
      }
    }
  }
  return [...tables.values()].map((e) => e.t);
}

function pushExemplars(ex: Exemplar[], c: Record<string, unknown[]>): void {
  if (ex.length === 0) {
    c['Exemplars.FilteredAttributes'].push(EMPTY);
    c['Exemplars.TimeUnix'].push(EMPTY);
    c['Exemplars.Value'].push(EMPTY);
    c['Exemplars.SpanId'].push(EMPTY);
    c['Exemplars.TraceId'].push(EMPTY);
    return;
  }
  c['Exemplars.FilteredAttributes'].push(ex.map((e) => e.filteredAttributes));
  c['Exemplars.TimeUnix'].push(ex.map((e) => clampNanos(e.timeUnixNano)));
  c['Exemplars.Value'].push(ex.map((e) => e.value));
  c['Exemplars.SpanId'].push(ex.map((e) => e.spanId));
  c['Exemplars.TraceId'].push(ex.map((e) => e.traceId));
}

/** The FlatTables of a batch of any signal. */
export function flattenBatch(signal: 'traces' | 'logs' | 'metrics', batch: TracesBatch | LogsBatch | MetricsBatch): FlatTable[] {
  if (signal === 'traces') {
    const t = flattenTraces(batch as TracesBatch);
    return t.rowCount ? [t] : [];
  }
  if (signal === 'logs') {
    const t = flattenLogs(batch as LogsBatch);
    return t.rowCount ? [t] : [];
  }
  return flattenMetrics(batch as MetricsBatch);
}
