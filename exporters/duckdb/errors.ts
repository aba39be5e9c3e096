// DuckDB failures -> the contract's errors: data DuckDB refuses is permanent (retrying the same
// rows cannot succeed); everything else (I/O, a closed or locked database, out of memory) may pass.
import { PermanentError, RetryableError } from '../../core/component.ts';

const DATA_ERRORS = /^(Conversion|Constraint|Invalid Input|Out of Range|Mismatch Type|Invalid type|Parser|Binder) Error/i;

export function classifyDuckDBError(err: unknown, what: string): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof TypeError || err instanceof RangeError || DATA_ERRORS.test(msg)) {
    return new PermanentError(`duckdb rejected ${what}: ${msg}`, { cause: err });
  }
  return new RetryableError(`duckdb could not write ${what}: ${msg}`, { cause: err });
}
