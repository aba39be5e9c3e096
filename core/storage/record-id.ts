// The identity of a log record or metric point, which OTLP does not give them: a hash of the text a
// store writes for the row (its resource, scope and record), so replaying a batch yields the same
// ids and the store can skip rows it holds (postgres: unique key; clickhouse: ReplacingMergeTree).
import { hash } from 'node:crypto';

/** 128 bits of SHA-256 of `rowText` (or of its UTF-8 bytes: the same id), as 32 lower-case hex
 * digits. */
export function recordId(rowText: string | Uint8Array): string {
  return hash('sha256', rowText, 'hex').slice(0, 32);
}
