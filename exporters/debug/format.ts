// Text renderings of a batch for the three verbosities, after the collector's debug exporter.
import type { AnyValue, Attributes, Batch, LogsBatch, MetricsBatch, Signal, TracesBatch } from '../../core/signals/types.ts';
import { stringifyValue } from '../../core/signals/attributes.ts';
import { countItems } from '../../core/signals/count.ts';
import type { Metric } from '../../core/signals/types.ts';

/** basic: one line with counts. */
export function formatBasic(signal: Signal, batch: Batch, id: string): string {
  if (signal === 'traces') {
    const b = batch as TracesBatch;
    return `TracesExporter ${JSON.stringify({ exporter: id, 'resource spans': b.resourceSpans.length, spans: countItems(signal, b) })}\n`;
  }
  if (signal === 'logs') {
    const b = batch as LogsBatch;
    return `LogsExporter ${JSON.stringify({ exporter: id, 'resource logs': b.resourceLogs.length, 'log records': countItems(signal, b) })}\n`;
  }
  const b = batch as MetricsBatch;
  let metrics = 0;
  for (const rm of b.resourceMetrics) for (const sm of rm.scopeMetrics) metrics += sm.metrics.length;
  return `MetricsExporter ${JSON.stringify({ exporter: id, 'resource metrics': b.resourceMetrics.length, metrics, 'data points': countItems(signal, b) })}\n`;
}

/** normal: one line per span, log record or data point. */
export function formatNormal(signal: Signal, batch: Batch): string {
  const lines: string[] = [];
  if (signal === 'traces') {
    for (const rs of (batch as TracesBatch).resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const s of ss.spans) lines.push(join(s.name, s.traceId, s.spanId, attrsInline(s.attributes)));
  } else if (signal === 'logs') {
    for (const rl of (batch as LogsBatch).resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const r of sl.logRecords) lines.push(join(stringifyValue(r.body), attrsInline(r.attributes)));
  } else {
    for (const rm of (batch as MetricsBatch).resourceMetrics)
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) for (const p of points(m)) lines.push(join(`${m.name}{${attrsInline(p.attributes, ',')}}`, p.value));
  }
  return lines.map((l) => l + '\n').join('');
}

function points(m: Metric): Array<{ attributes: Attributes; value: string }> {
  const d = m.data;
  if (!d) return [];
  switch (d.type) {
    case 'gauge':
    case 'sum':
      return d.dataPoints.map((p) => ({ attributes: p.attributes, value: String(p.value) }));
    case 'histogram':
    case 'exponential_histogram':
      return d.dataPoints.map((p) => ({ attributes: p.attributes, value: `count=${p.count} sum=${p.sum ?? ''} min=${p.min ?? ''} max=${p.max ?? ''}` }));
    case 'summary':
      return d.dataPoints.map((p) => ({ attributes: p.attributes, value: `count=${p.count} sum=${p.sum} ${p.quantileValues.map((q) => `q${q.quantile}=${q.value}`).join(' ')}`.trim() }));
  }
}

/** detailed: every field, indented like the collector's text dump. */
export function formatDetailed(signal: Signal, batch: Batch): string {
  const out: string[] = [];
  const kv = (label: string, v: unknown) => out.push(`    ${label.padEnd(15)}: ${v}`);
  const attrs = (title: string, a: Attributes, indent = '') => {
    const keys = Object.keys(a);
    if (keys.length === 0) return;
    out.push(`${indent}${title}:`);
    for (const k of keys) out.push(`${indent}     -> ${k}: ${typed(a[k])}`);
  };
  const resourceHead = (kind: string, i: number, r: { resource: { attributes: Attributes }; schemaUrl: string }) => {
    out.push(`${kind} #${i}`, `Resource SchemaURL: ${r.schemaUrl}`);
    attrs('Resource attributes', r.resource.attributes);
  };
  const scopeHead = (kind: string, i: number, s: { scope: { name: string; version: string; attributes: Attributes }; schemaUrl: string }) => {
    out.push(`${kind} #${i}`, `${kind} SchemaURL: ${s.schemaUrl}`, `InstrumentationScope ${s.scope.name} ${s.scope.version}`);
    attrs('InstrumentationScope attributes', s.scope.attributes);
  };
  if (signal === 'traces') {
    (batch as TracesBatch).resourceSpans.forEach((rs, i) => {
      resourceHead('ResourceSpans', i, rs);
      rs.scopeSpans.forEach((ss, j) => {
        scopeHead('ScopeSpans', j, ss);
        ss.spans.forEach((s, k) => {
          out.push(`Span #${k}`);
          kv('Trace ID', s.traceId);
          kv('Parent ID', s.parentSpanId);
          kv('ID', s.spanId);
          kv('Name', s.name);
          kv('Kind', SPAN_KIND[s.kind] ?? s.kind);
          kv('Start time', nanosToIso(s.startTimeUnixNano));
          kv('End time', nanosToIso(s.endTimeUnixNano));
          kv('Status code', STATUS[s.status.code] ?? s.status.code);
          kv('Status message', s.status.message);
          attrs('Attributes', s.attributes);
          s.events.forEach((e, n) => {
            out.push(`SpanEvent #${n}`, `     -> Name: ${e.name}`, `     -> Timestamp: ${nanosToIso(e.timeUnixNano)}`);
            attrs('     -> Attributes', e.attributes);
          });
          s.links.forEach((l, n) => {
            out.push(`SpanLink #${n}`, `     -> Trace ID: ${l.traceId}`, `     -> ID: ${l.spanId}`);
            attrs('     -> Attributes', l.attributes);
          });
        });
      });
    });
  } else if (signal === 'logs') {
    (batch as LogsBatch).resourceLogs.forEach((rl, i) => {
      resourceHead('ResourceLog', i, rl);
      rl.scopeLogs.forEach((sl, j) => {
        scopeHead('ScopeLogs', j, sl);
        sl.logRecords.forEach((r, k) => {
          out.push(`LogRecord #${k}`);
          out.push(`ObservedTimestamp: ${nanosToIso(r.observedTimeUnixNano)}`, `Timestamp: ${nanosToIso(r.timeUnixNano)}`);
          out.push(`SeverityText: ${r.severityText}`, `SeverityNumber: ${r.severityNumber}`, `Body: ${typed(r.body)}`);
          if (r.eventName) out.push(`EventName: ${r.eventName}`);
          attrs('Attributes', r.attributes);
          out.push(`Trace ID: ${r.traceId}`, `Span ID: ${r.spanId}`, `Flags: ${r.flags}`);
        });
      });
    });
  } else {
    (batch as MetricsBatch).resourceMetrics.forEach((rm, i) => {
      resourceHead('ResourceMetrics', i, rm);
      rm.scopeMetrics.forEach((sm, j) => {
        scopeHead('ScopeMetrics', j, sm);
        sm.metrics.forEach((m, k) => {
          out.push(`Metric #${k}`, 'Descriptor:', `     -> Name: ${m.name}`, `     -> Description: ${m.description}`, `     -> Unit: ${m.unit}`, `     -> DataType: ${m.data?.type ?? 'Empty'}`);
          points(m).forEach((p, n) => {
            out.push(`DataPoint #${n}`);
            attrs('Data point attributes', p.attributes);
            out.push(`Value: ${p.value}`);
          });
        });
      });
    });
  }
  return out.map((l) => l + '\n').join('');
}

const SPAN_KIND = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS = ['Unset', 'Ok', 'Error'];

function typed(v: AnyValue): string {
  if (v === null) return 'Empty()';
  if (typeof v === 'string') return `Str(${v})`;
  if (typeof v === 'boolean') return `Bool(${v})`;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return `Int(${v})`;
  if (typeof v === 'number') return `Double(${v})`;
  if (v instanceof Uint8Array) return `Bytes(${stringifyValue(v)})`;
  if (Array.isArray(v)) return `Slice(${stringifyValue(v)})`;
  return `Map(${stringifyValue(v)})`;
}

function attrsInline(a: Attributes, sep = ' '): string {
  return Object.keys(a)
    .map((k) => `${k}=${stringifyValue(a[k])}`)
    .join(sep);
}

function join(...parts: unknown[]): string {
  return parts.filter((p) => p !== '').join(' ');
}

function nanosToIso(ns: bigint): string {
  if (ns === 0n) return '1970-01-01 00:00:00 +0000 UTC';
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${frac} +0000 UTC`;
}
