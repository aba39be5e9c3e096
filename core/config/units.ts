// Parsing of the value formats config schemas declare (format: duration | bytes | endpoint).
// Each parser returns null for text it does not understand, so the validator can say where.

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1m30s", "200ms", "5s", "2h", "30d" or a number of milliseconds -> milliseconds. */
export function parseDuration(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  const s = v.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? total : null;
}

/** Milliseconds for a value the validator already accepted. */
export function durationMs(v: string | number): number {
  const ms = parseDuration(v);
  if (ms === null) throw new Error(`invalid duration ${JSON.stringify(v)}: use forms like "200ms", "5s", "1m30s"`);
  return ms;
}

/** A timer's period, which must be longer than 0 (0 would make setInterval spin every millisecond). */
export function intervalMs(v: string | number, key: string): number {
  const ms = durationMs(v);
  if (!(ms > 0)) throw new Error(`${key} must be longer than 0 (got ${JSON.stringify(v)}): set a period such as "1h", or remove it for the default`);
  return ms;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
  k: 1024, m: 1024 ** 2, g: 1024 ** 3,
};

/** "512KiB", "4MiB", "1GB", "1048576" or a number -> bytes. */
export function parseBytes(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) return null;
  const unit = BYTE_UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Math.floor(Number(m[1]) * unit);
}

export function bytesOf(v: string | number): number {
  const n = parseBytes(v);
  if (n === null) throw new Error(`invalid size ${JSON.stringify(v)}: use forms like "512KiB", "4MiB", "1GB"`);
  return n;
}

/** "host:port", ":port", "[::1]:port" -> { host, port }; host '' means all interfaces. */
export function parseEndpoint(v: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]*)):(\d{1,5})$/.exec(v.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2] ?? '', port };
}
