// Checks of `sending_queue` that the JSON schema cannot express, run by the config loader so a
// mistake is reported at FILE:LINE before anything starts: file storage without a directory, and a
// directory the process cannot create or write.
import { existsSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { ConfigIssue, KeyPath } from '../config/issues.ts';
import { isPlainObject } from '../config/source.ts';

/** `config` is an exporter's validated config (defaults applied); `at` its key path. */
export function checkSendingQueue(config: unknown, at: KeyPath, issues: ConfigIssue[]): void {
  const q = isPlainObject(config) ? config.sending_queue : undefined;
  if (!isPlainObject(q)) return;
  const here = [...at, 'sending_queue'];
  if (q.storage !== 'file') {
    for (const k of ['directory', 'fsync', 'fsync_interval', 'max_size'] as const) {
      if (q[k] !== undefined) issues.push({ severity: 'warning', path: [...here, k], at: 'key', message: `${k} is only used with storage: file (the queue is in memory); add \`storage: file\` to keep batches on disk` });
    }
    return;
  }
  if (typeof q.directory !== 'string' || q.directory === '') {
    issues.push({ severity: 'error', path: here, message: 'storage: file needs a directory: add e.g. `directory: ./data/queue` (each exporter keeps its log in its own subdirectory there)' });
    return;
  }
  if (q.enabled === false) {
    issues.push({ severity: 'error', path: [...here, 'enabled'], message: 'storage: file needs the queue: set `enabled: true` (or remove storage: file to export synchronously)' });
  }
  const problem = directoryProblem(q.directory);
  if (problem) issues.push({ severity: 'error', path: [...here, 'directory'], message: problem });
}

/** Why the queue could not live under `dir` (created if missing), or undefined when it can. */
export function directoryProblem(dir: string): string | undefined {
  const abs = path.resolve(dir);
  let existing = abs;
  while (!existsSync(existing)) existing = path.dirname(existing);
  if (!statSync(existing).isDirectory()) {
    return `${JSON.stringify(dir)} cannot be a directory: ${existing} is a file; choose a directory path`;
  }
  // A real write, not access(2): root passes access() on read-only mounts and /proc.
  const probe = path.join(existing, `.agentcol-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const what = existing === abs ? 'the directory' : `its nearest existing parent ${existing}`;
    return `${JSON.stringify(dir)} is not writable (${what}: ${e.code ?? e.message}); choose a directory this user can write, or fix its permissions`;
  }
  return undefined;
}
