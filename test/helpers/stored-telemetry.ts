// What an agentcol run left in its two embedded stores (DuckDB and PGlite at their default paths),
// read back in one shape, so a test can assert the same thing on each store in one loop.
import { defaultStorePaths, queryDuckDb, withPglite } from './stores.ts';

export interface StoredSpan {
  name: string;
  spanId: string;
  attributes: Record<string, string>;
}

export interface StoredLog {
  traceId: string;
  spanId: string;
  severity: string;
  severityNumber: number;
  body: string;
  event: string;
  agent: string;
  attributes: Record<string, string>;
}

export interface StoredTelemetry {
  /** Ordered by span name, then span id. */
  spans: StoredSpan[];
  /** Ordered by event name, then body. */
  logs: StoredLog[];
}

/** JSON.stringify that writes bigints as text: for assertion messages that show stored rows. */
export const toJson = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/**
 * An attribute map as stored: PGlite gives jsonb objects, DuckDB MAP(VARCHAR, VARCHAR) values
 * (entries or key/value lists). Every value comes back as the text the columnar store holds
 * (non-strings as JSON), so both stores compare alike.
 */
export function storedAttributes(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(rawAttributes(v)).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

function rawAttributes(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return JSON.parse(v);
  if (Array.isArray(v)) return Object.fromEntries(v.map((e: { key: string; value: unknown }) => [e.key, e.value]));
  if (v && typeof v === 'object' && 'entries' in v && Array.isArray((v as { entries: unknown }).entries)) return rawAttributes((v as { entries: unknown[] }).entries);
  return (v ?? {}) as Record<string, unknown>;
}

/** The spans and log records (alerts included) of the run in `runDir`, from DuckDB and from PGlite. */
export async function readStoredTelemetry(runDir: string): Promise<{ duckdb: StoredTelemetry; postgres: StoredTelemetry }> {
  const paths = defaultStorePaths(runDir);
  const duckSpans = await queryDuckDb(paths.duckdb, 'SELECT SpanName, SpanId, SpanAttributes FROM otel_traces ORDER BY SpanName, SpanId');
  const duckLogs = await queryDuckDb(paths.duckdb, 'SELECT TraceId, SpanId, SeverityText, SeverityNumber, Body, EventName, AgentId, LogAttributes FROM otel_logs ORDER BY EventName, Body');
  const pg = await withPglite(paths.pg, async (db) => ({
    spans: (await db.query('SELECT span_name, span_id, span_attributes FROM otel_traces ORDER BY span_name, span_id')).rows as Record<string, unknown>[],
    logs: (await db.query('SELECT trace_id, span_id, severity_text, severity_number, body, event_name, agent_id, log_attributes FROM otel_logs ORDER BY event_name, body')).rows as Record<string, unknown>[],
  }));
  const span = (name: unknown, spanId: unknown, attributes: unknown): StoredSpan => ({ name: String(name), spanId: String(spanId), attributes: storedAttributes(attributes) });
  const log = (r: unknown[]): StoredLog => ({
    traceId: String(r[0]),
    spanId: String(r[1]),
    severity: String(r[2]),
    severityNumber: Number(r[3]),
    body: String(r[4]),
    event: String(r[5]),
    agent: String(r[6]),
    attributes: storedAttributes(r[7]),
  });
  return {
    duckdb: {
      spans: duckSpans.map((r) => span(r.SpanName, r.SpanId, r.SpanAttributes)),
      logs: duckLogs.map((r) => log([r.TraceId, r.SpanId, r.SeverityText, r.SeverityNumber, r.Body, r.EventName, r.AgentId, r.LogAttributes])),
    },
    postgres: {
      spans: pg.spans.map((r) => span(r.span_name, r.span_id, r.span_attributes)),
      logs: pg.logs.map((r) => log([r.trace_id, r.span_id, r.severity_text, r.severity_number, r.body, r.event_name, r.agent_id, r.log_attributes])),
    },
  };
}
