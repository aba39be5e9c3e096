// The day rule shared by every store that keeps one table or partition per UTC day of row time
// (postgres day partitions, DuckDB day tables): a row's day is floor(unix ns / day) of its time
// column (`Timestamp`, or `TimeUnix` for metrics), and a day's table is `<table>_pYYYYMMDD`.
// Retention reads the day back from the name and drops whole days.
import { durationMs, intervalMs } from '../config/units.ts';
import type { FlatTable } from './flatten.ts';
import type { TableDef } from './model.ts';

export const DAY_NS = 86_400_000_000_000n;
export const DAY_MS = 86_400_000;

const DAY_SUFFIX = /_p(\d{4})(\d{2})(\d{2})$/;

/** The model column holding a table's row time. */
export function timeColumn(table: TableDef): 'Timestamp' | 'TimeUnix' {
  return table.signal === 'metrics' ? 'TimeUnix' : 'Timestamp';
}

/** Days since the epoch (floor) of a unix-nanosecond time; null counts as 0. */
export function dayOf(ns: bigint | number | null | undefined): bigint {
  const v = BigInt(ns ?? 0);
  return v >= 0n ? v / DAY_NS : -((-v + DAY_NS - 1n) / DAY_NS);
}

/** Days since the epoch (floor) of every row of `t`. */
export function rowDays(t: FlatTable): Set<bigint> {
  const days = new Set<bigint>();
  let last: bigint | undefined;
  for (const v of t.columns[timeColumn(t.table)] as Array<bigint | number | null>) {
    const day = dayOf(v);
    if (day !== last) days.add((last = day));
  }
  return days;
}

/** `<table>_pYYYYMMDD`, the UTC date of `day`. */
export function dayTableName(table: string, day: bigint): string {
  const ymd = new Date(Number(day) * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
  return `${table}_p${ymd}`;
}

/** The UTC day (ms at midnight) a day table or partition holds, from its name; undefined for other names. */
export function dayTableDayMs(name: string): number | undefined {
  const m = DAY_SUFFIX.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/** Whether a whole day (its midnight in ms) ended at or before `cutoffMs`: retention drops it. */
export function dayExpired(dayMs: number, cutoffMs: number): boolean {
  return dayMs + DAY_MS <= cutoffMs;
}

/** The day tables or partitions among `names` whose whole day ended at or before `cutoffMs`, oldest first. */
export function expiredDayTables(names: Iterable<string>, cutoffMs: number): string[] {
  return [...names]
    .filter((name) => {
      const day = dayTableDayMs(name);
      return day !== undefined && dayExpired(day, cutoffMs);
    })
    .sort();
}

/** What one retention run dropped from one model table (each such run is a row in retention_runs). */
export interface RetentionRun {
  table: string;
  dropped: string[];
}

/** The `retention_check_interval` an exporter keeps (default 1h); with `retention` set it must be
 * longer than 0, or retention would run every millisecond. Throws with the fix. */
export function checkedRetentionInterval(retention: string | number | undefined, interval: string | number | undefined): string | number {
  const value = interval ?? '1h';
  if (retention !== undefined && durationMs(retention) > 0) intervalMs(value, 'retention_check_interval');
  return value;
}
