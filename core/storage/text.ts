// Text that every store can hold. PostgreSQL text and jsonb reject U+0000 (and jsonb rejects
// escaped lone surrogates); DuckDB's C string API stops at the first NUL. So both stores hold
// U+0000 as U+FFFD (the replacement character), the same in both, and nothing else is changed.

const NUL = '\u0000';

/** `s` with every U+0000 replaced by U+FFFD. */
export function storableText(s: string): string {
  return s.indexOf(NUL) < 0 ? s : s.replaceAll(NUL, '\uFFFD');
}

// In JSON.stringify output, '\\' escapes come in pairs for a literal backslash; matching those
// pairs first keeps a literal "\u0000" (backslash, 'u', ...) in the data from being rewritten.
const JSON_UNSTORABLE = /\\(?:\\|u0000|u[dD][89abAB][0-9a-fA-F]{2}|u[dD][c-fC-F][0-9a-fA-F]{2})/g;

/** JSON text (from JSON.stringify) that jsonb accepts: \u0000 and lone-surrogate escapes become
 * \ufffd. JSON.stringify only escapes surrogates that are unpaired, so paired ones are untouched. */
export function storableJson(json: string): string {
  if (json.indexOf('\\u') < 0) return json;
  return json.replace(JSON_UNSTORABLE, (m) => (m === '\\\\' ? m : '\\ufffd'));
}
