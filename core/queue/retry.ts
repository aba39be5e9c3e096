// One export with the exporterhelper's retry and timeout semantics: each attempt is bounded by
// `timeout`; retryable failures wait an exponential backoff (at least the error's retryAfterMs);
// PermanentError is never retried; max_elapsed_time ends it. `stop` (the service is draining) cuts
// the current wait short and allows one final attempt.
import { PermanentError, RetryableError, isPermanent } from '../component.ts';
import type { RetryPolicy } from './config.ts';
import { ExponentialBackoff } from './backoff.ts';

export interface RetryOptions {
  policy: RetryPolicy;
  /** Per attempt; 0 disables. */
  timeoutMs: number;
  /** Aborted when the service drains: no more waiting, one final attempt. */
  stop?: AbortSignal;
  /** Aborted when the service gives up on this export: the current attempt is abandoned. */
  abandon?: AbortSignal;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Why an export was given up; `cause` is the last attempt's error. */
export class ExportGaveUpError extends Error {
  constructor(message: string, readonly attempts: number, readonly permanent: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'ExportGaveUpError';
  }
}

export async function exportWithRetry(attempt: (abortSignal: AbortSignal) => Promise<void>, opts: RetryOptions): Promise<void> {
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
      await attemptWithTimeout(attempt, opts.timeoutMs, opts.abandon);
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
    opts.onRetry?.({ attempt: attempts, delayMs: delay, error });
    if (!stop?.aborted) await sleep(delay, stop);
  }
}

async function attemptWithTimeout(attempt: (abortSignal: AbortSignal) => Promise<void>, timeoutMs: number, abandon?: AbortSignal): Promise<void> {
  const ac = new AbortController();
  if (timeoutMs <= 0 && !abandon) return attempt(ac.signal);
  let timer: NodeJS.Timeout | undefined;
  let onAbandon: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        const err = new RetryableError(`export attempt timed out after ${timeoutMs} ms`);
        ac.abort(err);
        reject(err);
      }, timeoutMs);
    }
    if (abandon) {
      onAbandon = () => {
        ac.abort(abandon.reason);
        reject(new PermanentError('export abandoned at shutdown'));
      };
      if (abandon.aborted) onAbandon();
      else abandon.addEventListener('abort', onAbandon, { once: true });
    }
  });
  try {
    await Promise.race([attempt(ac.signal), limits]);
  } finally {
    clearTimeout(timer);
    if (onAbandon) abandon!.removeEventListener('abort', onAbandon);
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
