// PostgreSQL failures -> the contract's errors, by SQLSTATE class: data exceptions (22), integrity
// violations (23) and schema mismatches (42) are permanent; the rest (connection, resources, I/O,
// a crashed worker) may pass on retry.
import { PermanentError, RetryableError } from '../../core/component.ts';

const PERMANENT_CLASSES = new Set(['22', '23', '42']);

export function classifyPgError(err: unknown, what: string): Error {
  const e = err as { message?: string; code?: unknown };
  const msg = e?.message ?? String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if ((code && PERMANENT_CLASSES.has(code.slice(0, 2))) || err instanceof TypeError || err instanceof RangeError) {
    return new PermanentError(`postgres rejected ${what}: ${msg}${code ? ` (SQLSTATE ${code})` : ''}`, { cause: err });
  }
  return new RetryableError(`postgres could not write ${what}: ${msg}`, { cause: err });
}
