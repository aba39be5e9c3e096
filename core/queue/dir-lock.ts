// One process per queue directory: a LOCK file holding the owner's pid (and, on Linux, its start
// time, so a pid reused after a crash — pid 1 in every container — is not mistaken for the owner).
// A lock whose owner is gone is stale (the process crashed) and is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Directories locked by this process: a second open from the same process is refused too. */
const heldHere = new Set<string>();

export class DirLock {
  private constructor(readonly file: string, private readonly dir: string) {}

  /** Takes the lock on `dir` or throws an error that names the owner and the way out. */
  static acquire(dir: string, onStale: (msg: string) => void): DirLock {
    const abs = path.resolve(dir);
    const file = path.join(abs, 'LOCK');
    if (heldHere.has(abs)) throw new Error(`queue directory ${abs} is already open in this process (lock ${file}): give each exporter and each agentcol its own directory`);
    const me = `${process.pid} ${startTime(process.pid) ?? ''}`.trim();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, me + '\n');
        closeSync(fd);
        heldHere.add(abs);
        return new DirLock(file, abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(file);
      if (owner && isAlive(owner.pid, owner.start)) {
        throw new Error(
          `queue directory ${abs} is in use by another process (pid ${owner.pid}, lock ${file}): two agentcol processes cannot share a sending queue; ` +
            `give each its own sending_queue.directory, or stop pid ${owner.pid}`,
        );
      }
      onStale(`taking over the stale lock ${file} (${owner ? `pid ${owner.pid} is gone` : 'unreadable'}; the previous process did not shut down cleanly)`);
      try {
        unlinkSync(file);
      } catch {
        // Another process took it over first: the next attempt reads its pid.
      }
    }
    throw new Error(`could not take the lock ${file}: another process keeps replacing it`);
  }

  release(): void {
    heldHere.delete(this.dir);
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readOwner(file: string): { pid: number; start?: string } | undefined {
  try {
    const [pid, start] = readFileSync(file, 'utf8').trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, start } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number, start: string | undefined): boolean {
  if (pid === process.pid) return false; // our own pid from a previous life (heldHere covers this one)
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(pid);
  return start === undefined || now === undefined || now === start;
}

/** The process start time in clock ticks since boot (/proc/PID/stat field 22); Linux only. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
