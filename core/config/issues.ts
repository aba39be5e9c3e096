// Config problems with their place in the YAML: every error and warning the loader, the env
// expansion, plugin loading and the validator find is collected as a ConfigIssue, so a user sees
// all of them at once as `FILE:LINE:COL: key.path: message`.
import path from 'node:path';

/** A place in a config file; `file` is absolute, lines and columns start at 1. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

export type KeyPath = Array<string | number>;

export interface ConfigIssue {
  severity: 'error' | 'warning';
  /** Where in the config tree; [] for the document itself. */
  path: KeyPath;
  message: string;
  pos?: Pos;
  /** Point at the key rather than its value (unknown keys, bad ids); set before `pos` is filled in. */
  at?: 'key';
}

/** `exporters.duckdb.path`, `service.pipelines.traces.receivers[0]`, `headers["x.y"]`. */
export function formatPath(p: KeyPath): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[^.\s\[\]"]+$/.test(seg)) out += (out ? '.' : '') + seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A file name as the user would type it: relative to the working directory when inside it. */
export function displayFile(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function formatIssue(issue: ConfigIssue, cwd?: string): string {
  const parts: string[] = [];
  if (issue.pos) parts.push(`${displayFile(issue.pos.file, cwd)}:${issue.pos.line}:${issue.pos.col}`);
  if (issue.path.length) parts.push(formatPath(issue.path));
  parts.push(issue.message);
  return parts.join(': ');
}

/** Thrown by loadConfig when the config has at least one error; carries every issue found. */
export class ConfigError extends Error {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];
  constructor(errors: ConfigIssue[], warnings: ConfigIssue[] = []) {
    const n = errors.length;
    super(`invalid configuration (${n} error${n === 1 ? '' : 's'}):\n` + errors.map((e) => '  ' + formatIssue(e)).join('\n'));
    this.name = 'ConfigError';
    this.errors = errors;
    this.warnings = warnings;
  }
}
