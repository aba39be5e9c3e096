// ${env:...} expansion, as the OpenTelemetry Collector does it (confmap with the env provider):
//
//   ${env:NAME}            the variable's value; unset -> '' and a warning naming it
//   ${env:NAME:-default}   the default when NAME is unset (an empty value is kept, as in the collector)
//   ${NAME}, ${NAME:-d}    the same: env is the default scheme, as in the collector
//   $$                     a literal $ (so $${env:X} is the text ${env:X})
//   $NAME (no braces)      left as written: the collector dropped that form, and secrets contain '$'
//
// Expansion runs on scalar values after YAML parsing, never on keys, so a value cannot change the
// document's structure. A value that is exactly one reference is re-read as YAML, so `port: ${env:PORT}`
// with PORT=4317 is the number 4317; the original text is kept (ConfigSource.rawStrings) for fields
// whose schema wants a string. Other schemes (${file:...}, ${http:...}) are errors: agentcol only has env.
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue, KeyPath } from './issues.ts';
import { isPlainObject, setKey, type ConfigSource } from './source.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Env = Record<string, string | undefined>;

export function expandEnv(source: ConfigSource, env: Env, issues: ConfigIssue[]): void {
  const walk = (v: unknown, p: KeyPath): unknown => {
    if (typeof v === 'string') return expandValue(v, p, env, source, issues);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, i]));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) setKey(out, k, walk(x, [...p, k]));
      return out;
    }
    return v;
  };
  source.value = walk(source.value, []);
}

function expandValue(text: string, p: KeyPath, env: Env, source: ConfigSource, issues: ConfigIssue[]): unknown {
  if (!text.includes('$')) return text;
  const pos = source.locations.find(p);
  const problem = (severity: ConfigIssue['severity'], message: string) => issues.push({ severity, path: p, pos, message });

  let out = '';
  let refs = 0;
  let onlyRef = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (text[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    const close = text[i + 1] === '{' ? text.indexOf('}', i + 2) : -1;
    if (close < 0) {
      out += c; // a lone '$' or an unterminated '${' is literal text
      i++;
      continue;
    }
    const ref = text.slice(i + 2, close);
    const value = resolveRef(ref, env, problem);
    refs++;
    onlyRef = i === 0 && close === text.length - 1;
    out += value;
    i = close + 1;
  }
  if (refs === 1 && onlyRef) return retype(out, p, source);
  return out;
}

function resolveRef(ref: string, env: Env, problem: (s: ConfigIssue['severity'], m: string) => void): string {
  // `env:NAME[:-default]`, or the scheme-less `NAME[:-default]`.
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):(?!-))?([^:]*)(?::-([\s\S]*))?$/.exec(ref);
  if (!m) {
    problem('error', `\${${ref}}: malformed reference — write \${env:NAME} or \${env:NAME:-default} (and $$ for a literal $)`);
    return '';
  }
  const scheme = m[1] ?? 'env';
  if (scheme !== 'env') {
    problem('error', `\${${ref}}: unsupported config provider "${scheme}" — agentcol expands only \${env:NAME} and \${env:NAME:-default} (write $$ for a literal $)`);
    return '';
  }
  const name = m[2];
  const fallback = m[3];
  if (!ENV_NAME.test(name)) {
    problem('error', `\${${ref}}: "${name}" is not a valid environment variable name (letters, digits and _, not starting with a digit)`);
    return '';
  }
  const v = env[name];
  if (v !== undefined) return v;
  if (fallback !== undefined) return fallback;
  problem('warning', `environment variable ${name} is not set; \${${ref}} expands to an empty string`);
  return '';
}

/** A whole-value reference is typed like YAML would type it: numbers, booleans, and even a map or a
 * list. Strings (and null-like text) stay exactly as the variable holds them. */
function retype(text: string, p: KeyPath, source: ConfigSource): unknown {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    return text;
  }
  if (typeof parsed === 'number' || typeof parsed === 'boolean' || (typeof parsed === 'object' && parsed !== null)) {
    source.rawStrings.set(JSON.stringify(p), text);
    return parsed;
  }
  return text;
}
