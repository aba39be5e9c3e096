// ClickHouse failures -> the contract's errors. Data the server cannot parse or convert is
// permanent (the same rows fail again); everything else (network, HTTP 5xx, timeouts, memory,
// too many parts, a table being restored, authentication being fixed) may pass on retry.
import { PermanentError, RetryableError } from '../../core/component.ts';

/** Server error codes about the data itself (numbers from ClickHouse src/Common/ErrorCodes.cpp). */
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  16, // NO_SUCH_COLUMN_IN_TABLE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DOESNT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  467, // CANNOT_PARSE_BOOL
]);

/** The server's error code: parsed by the client from current servers' messages ("... (TYPE_NAME)");
 * older servers' messages ("Code: 44, e.displayText() = ...") it leaves unparsed. */
export function serverErrorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const m = err instanceof Error ? /^Code: (\d+)[,.]/.exec(err.message) : null;
  return m ? Number(m[1]) : undefined;
}

export function classifyClickHouseError(err: unknown, what: string): Error {
  if (err instanceof PermanentError || err instanceof RetryableError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const code = serverErrorCode(err);
  if ((code !== undefined && DATA_ERROR_CODES.has(code)) || err instanceof TypeError || err instanceof RangeError) {
    return new PermanentError(`clickhouse rejected ${what}: ${firstLine(msg)}${code !== undefined ? ` (code ${code})` : ''}`, { cause: err });
  }
  return new RetryableError(`clickhouse could not write ${what}: ${firstLine(msg)}`, { cause: err });
}

/** ClickHouse messages carry the stack trace and ", e.what() = ..." after the first line. */
export function firstLine(msg: string): string {
  return msg.split('\n')[0].replace(/, e\.what\(\) = .*$/, '').trim();
}
