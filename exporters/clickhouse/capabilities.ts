// What a ClickHouse server can do, from its version (`SELECT version()`). The DDL (ddl.ts) and the
// row encoding (columns.ts) follow these flags. The versions are those from which the ClickHouse
// changelog lists the feature as usable without experimental settings; a server that is newer than
// all of them gets the collector's schema exactly.

export interface ServerVersion {
  major: number;
  minor: number;
  text: string;
}

export interface Capabilities {
  version: ServerVersion;
  /** LowCardinality(String) for repetitive strings (service, span and metric names). */
  lowCardinality: boolean;
  /** DateTime64(9): nanosecond timestamps in one column. Without it: DateTime + a UInt64 of nanoseconds. */
  dateTime64: boolean;
  /** Map(LowCardinality(String), String) attributes. Without it: `Name.keys` / `Name.values` arrays. */
  map: boolean;
  /** Column codecs (Delta, ZSTD). */
  codecs: boolean;
  /** Table TTL, and the ttl_only_drop_parts setting (whole parts leave, never row rewrites). */
  ttlOnlyDropParts: boolean;
  /** bloom_filter data-skipping indexes without experimental settings. */
  bloomFilterIndex: boolean;
  /** The Bool type (else UInt8). */
  bool: boolean;
  /** ALTER TABLE ... ADD COLUMN IF NOT EXISTS (else a duplicate column error is taken as done). */
  addColumnIfNotExists: boolean;
  /** Server-side batching of small inserts (async_insert / wait_for_async_insert). */
  asyncInsert: boolean;
}

export function parseVersion(text: string): ServerVersion {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  if (!m) throw new Error(`cannot read the ClickHouse server version from ${JSON.stringify(text)}`);
  return { major: Number(m[1]), minor: Number(m[2]), text: text.trim() };
}

function atLeast(v: ServerVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function capabilitiesOf(version: ServerVersion | string): Capabilities {
  const v = typeof version === 'string' ? parseVersion(version) : version;
  return {
    version: v,
    lowCardinality: atLeast(v, 19, 9),
    dateTime64: atLeast(v, 20, 5),
    map: atLeast(v, 21, 8),
    codecs: atLeast(v, 20, 1),
    ttlOnlyDropParts: atLeast(v, 20, 8),
    bloomFilterIndex: atLeast(v, 20, 1),
    bool: atLeast(v, 22, 1),
    asyncInsert: atLeast(v, 21, 11),
    addColumnIfNotExists: atLeast(v, 20, 1),
  };
}

/** Capabilities restricted to what existing tables use: inserts and later migrations must follow
 * the tables, not the server (a server upgraded under legacy tables keeps the legacy layout).
 * `columns`: the (name, type) rows of system.columns for otel_traces and otel_metrics_sum. */
export function restrictToTables(caps: Capabilities, columns: { name: string; type: string }[]): Capabilities {
  if (columns.length === 0) return caps;
  const type = (name: string) => columns.find((c) => c.name === name)?.type;
  const ts = type('Timestamp');
  const isMonotonic = type('IsMonotonic');
  return {
    ...caps,
    dateTime64: caps.dateTime64 && (ts === undefined || ts.startsWith('DateTime64')),
    map: caps.map && type('SpanAttributes.keys') === undefined,
    bool: caps.bool && (isMonotonic === undefined || isMonotonic === 'Bool'),
  };
}
