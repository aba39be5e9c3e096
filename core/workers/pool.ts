// The worker pool: CPU-heavy work (guard scanning, anomaly scoring) runs here, off the event loop.
// One pool per process, shared by every component, made of single-thread Piscina lanes:
//   - a task with a `key` always runs on the lane the key hashes to, one at a time and in submission
//     order, so state a task module keeps per key (one agent's baselines) lives in exactly one
//     thread and sees its events in order;
//   - a task without a key goes to the lane with the shortest queue.
// A task is `fn` exported by a module (a file URL), called with one structured-cloneable argument.
// The pool starts on first use and is closed by the Service at shutdown (closeSharedPool).
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

export interface TaskOptions {
  /** Routes every task of this key to the same thread, in submission order. */
  key?: string;
  transferList?: ArrayBuffer[];
}

/** FNV-1a: a stable, fast string hash for lane selection. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class WorkerPool {
  private readonly lanes: Piscina[];
  /** Tasks submitted to each lane and not yet settled: what an unkeyed task balances on (Piscina's
   * utilization is a lifetime average, and computing it summarises histograms on every call). */
  private readonly outstanding: number[];
  /** The last task of each key still running: the next one waits for it (Piscina starts a thread's
   * queued tasks while an async one awaits, so order per key is kept here). */
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(readonly size = defaultSize()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${size}`);
    const filename = new URL('./entry.mjs', import.meta.url).href;
    // --cpu-prof passes through, so profiling agentcol profiles the pool's threads too.
    const execArgv = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
    // recordTiming off: nothing reads Piscina's run/wait histograms, and recording costs the event loop per task.
    this.lanes = Array.from({ length: size }, (_, i) => new Piscina({ filename, name: 'default', minThreads: 1, maxThreads: 1, idleTimeout: 60_000, recordTiming: false, execArgv, env: { ...process.env, AGENTCOL_WORKER_LANE: String(i) } }));
    this.outstanding = new Array<number>(size).fill(0);
  }

  /** Runs `fn` of `moduleUrl` (e.g. new URL('./scan.ts', import.meta.url).href) on `arg`. */
  run<R>(moduleUrl: string, fn: string, arg: unknown, opts: TaskOptions = {}): Promise<R> {
    const index = this.laneIndex(opts.key);
    const lane = this.lanes[index];
    this.outstanding[index]++;
    const settled = () => void this.outstanding[index]--;
    const start = () => {
      let p: Promise<R>;
      try {
        p = lane.run({ module: moduleUrl, fn, arg }, { transferList: opts.transferList }) as Promise<R>;
      } catch (err) {
        settled();
        throw err;
      }
      p.then(settled, settled);
      return p;
    };
    const key = opts.key;
    if (key === undefined) return start();
    const prev = this.tails.get(key);
    const task = prev ? prev.then(start, start) : start();
    const tail = task.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return task;
  }

  /** The lane index a key maps to (for tests and diagnostics). */
  laneOf(key: string): number {
    return hash(key) % this.lanes.length;
  }

  private laneIndex(key: string | undefined): number {
    if (key !== undefined) return this.laneOf(key);
    let best = 0;
    for (let i = 1; i < this.lanes.length; i++) if (this.outstanding[i] < this.outstanding[best]) best = i;
    return best;
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.close({ force: true })));
  }
}

/** One thread per core: the event loop's thread competes with them, but scanning is bursty. */
function defaultSize(): number {
  const env = Number(process.env.AGENTCOL_WORKERS);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

let shared: WorkerPool | undefined;

/** The process's pool (AGENTCOL_WORKERS threads, default one per core), started on first use. */
export function sharedPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}

export async function closeSharedPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
}
