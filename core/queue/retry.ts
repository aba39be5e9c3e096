// One export with the exporterhelper's retry and timeout semantics: each attempt is bounded by
// `timeout`; retryable failures wait an exponential backoff (at least the error's retryAfterMs);
// PermanentError is never retried; max_elapsed_time ends it. `stop` (the service is draining) cuts
// the current wait short and allows one final attempt.
import { PermanentError, RetryableError, isPermanent } from '../component.ts';
import type { RetryPolicy } from './config.ts';
import { ExponentialBackoff } from './backoff.ts';

export interface AttemptOptions {
  readonly abortSignal: AbortSignal;
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Per attempt; 0 disables. */
  timeoutMs: number;
  /** Aborted when the service drains: no more waiting, one final attempt. */
  stop?: AbortSignal;
  /** Fired when the service gives up on this export: the current attempt is abandoned. */
  abandon?: Abandon;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }, arg: any) => void;
}

/** Like an AbortController for many attempts at once, without an EventTarget listener per
 * attempt (that cost more than the rest of the queue's bookkeeping). */
export class Abandon {
  aborted = false;
  reason: unknown;
  private readonly listeners = new Set<() => void>();

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const f of this.listeners) f();
    this.listeners.clear();
  }

  /** Calls f on abort (at once if already aborted); returns the unsubscribe. */
  on(f: () => void): () => void {
    if (this.aborted) {
      f();
      return () => {};
    }
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }
}

/** Why an export was given up; `cause` is the last attempt's error. */
export class ExportGaveUpError extends Error {
  constructor(message: string, readonly attempts: number, readonly permanent: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'ExportGaveUpError';
  }
}

/** Runs attempt(arg, attemptOptions) until it succeeds or retrying ends; `arg` rather than a
 * closure keeps the per-export cost down on the hot path. */
export async function exportWithRetry<T>(attempt: (arg: T, opts: AttemptOptions) => Promise<void>, arg: T, opts: RetryOptions): Promise<void> {
  const { policy, stop } = opts;
  const backoff = new ExponentialBackoff(policy, opts.random);
  const startedAt = Date.now();
  let attempts = 0;
  let attemptsSinceStop = 0;
  for (;;) {
    if (opts.abandon?.aborted) throw new ExportGaveUpError(`abandoned at shutdown after ${attempts} attempt(s)`, attempts, false, opts.abandon.reason);
    attempts++;
    if (stop?.aborted) attemptsSinceStop++;
    let error: unknown;
    try {
      await attemptWithTimeout(attempt, arg, opts.timeoutMs, opts.abandon);
      return;
    } catch (err) {
      error = err;
    }
    const reason = describe(error);
    if (isPermanent(error)) throw new ExportGaveUpError(`permanent error: ${reason}`, attempts, true, error);
    if (!policy.enabled) throw new ExportGaveUpError(`failed (retry_on_failure disabled): ${reason}`, attempts, false, error);
    if (stop?.aborted && attemptsSinceStop >= 1) throw new ExportGaveUpError(`failed at shutdown after ${attempts} attempt(s): ${reason}`, attempts, false, error);
    let delay = backoff.next(Date.now() - startedAt);
    if (delay === null) {
      throw new ExportGaveUpError(`no more retries left after ${attempts} attempt(s) in ${Date.now() - startedAt} ms (max_elapsed_time ${policy.maxElapsedMs} ms): ${reason}`, attempts, false, error);
    }
    const retryAfter = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    if (typeof retryAfter === 'number' && retryAfter > delay) delay = retryAfter;
    opts.onRetry?.({ attempt: attempts, delayMs: delay, error }, arg);
    if (!stop?.aborted) await sleep(delay, stop);
  }
}

/** An AbortSignal made only if the exporter asks for it: AbortController is the costliest part of
 * an attempt, and most exporters never look. */
class LazyAbort {
  private controller: AbortController | null = null;
  private reason: unknown = undefined;
  private aborted = false;

  get signal(): AbortSignal {
    if (this.aborted) return AbortSignal.abort(this.reason);
    return (this.controller ??= new AbortController()).signal;
  }

  /** Export options whose abortSignal is created on first read. */
  options(): AttemptOptions {
    const self = this;
    return {
      get abortSignal() {
        return self.signal;
      },
    };
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

async function attemptWithTimeout<T>(attempt: (arg: T, opts: AttemptOptions) => Promise<void>, arg: T, timeoutMs: number, abandon?: Abandon): Promise<void> {
  if (timeoutMs <= 0 && !abandon) return attempt(arg, new LazyAbort().options());
  const lazy = new LazyAbort();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        const err = new RetryableError(`export attempt timed out after ${timeoutMs} ms`);
        lazy.abort(err);
        reject(err);
      }, timeoutMs);
    }
    if (abandon) {
      unsubscribe = abandon.on(() => {
        lazy.abort(abandon.reason);
        reject(new PermanentError('export abandoned at shutdown'));
      });
    }
  });
  try {
    await Promise.race([attempt(arg, lazy.options()), limits]);
  } finally {
    clearTimeout(timer);
    unsubscribe?.();
  }
}

/** Resolves after ms, or as soon as `stop` aborts. */
export function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
