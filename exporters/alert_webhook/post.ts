// One POST of one notification, with the outcome classified for the exporter helper's retry:
// 5xx, 408, 429 and connection errors are RetryableError (Retry-After honoured), any other non-2xx
// is PermanentError. Messages name only the endpoint's origin: webhook URLs carry tokens in the path.
import { PermanentError, RetryableError } from '../../core/component.ts';
import { parseRetryAfter } from '../../core/otlp/status.ts';

export interface PostTarget {
  url: URL;
  headers: Record<string, string>;
  /** Per request; 0 = none. */
  timeoutMs: number;
}

export function shownEndpoint(url: URL): string {
  return `${url.origin}/…`;
}

const HINTS: Record<number, string> = {
  400: 'the endpoint rejects the payload; check that it is a JSON webhook (a Slack incoming webhook accepts it)',
  401: 'check the credentials in headers',
  403: 'check the credentials in headers, or whether the webhook was revoked',
  404: 'check the endpoint URL (a deleted Slack webhook answers 404)',
  410: 'the webhook was removed; configure a new endpoint',
};

export async function postJson(target: PostTarget, body: string, abortSignal?: AbortSignal): Promise<void> {
  const where = shownEndpoint(target.url);
  const signals = [abortSignal, target.timeoutMs > 0 ? AbortSignal.timeout(target.timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'agentcol-alert-webhook', ...target.headers },
      body,
      signal: signals.length ? AbortSignal.any(signals) : undefined,
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${target.timeoutMs} ms` : e.cause?.code ?? e.cause?.message ?? e.message;
    throw new RetryableError(`alert webhook ${where}: POST failed: ${why}`, { cause: err });
  }
  if (res.ok) {
    await res.body?.cancel();
    return;
  }
  const text = (await res.text().catch(() => '')).trim().slice(0, 300);
  const answer = `HTTP ${res.status}${text ? ` (${JSON.stringify(text)})` : ''}`;
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    throw new RetryableError(`alert webhook ${where} answered ${answer}; will retry`, { retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
  }
  const hint = HINTS[res.status] ?? 'a 4xx answer means the endpoint will not accept this request as it is';
  throw new PermanentError(`alert webhook ${where} refused the notification: ${answer}; not retried: ${hint}`);
}
