// Exact-match response cache: key = SHA-256 of the customer, the endpoint and the request body
// with its keys sorted (so key order does not matter). Entries expire after `ttl` and the least
// recently used one goes when `max_entries` is reached (a Map keeps insertion order; a hit
// re-inserts). Concurrent identical requests share one upstream call (single-flight): the first
// one runs, the others wait for its result and replay it.
import { createHash } from 'node:crypto';

export interface CachedResponse {
  status: number;
  contentType: string;
  /** Non-streamed: the body. Streamed: the SSE events as sent to the client, in order. */
  body?: Buffer;
  events?: string[];
  /** What the capture records for a hit. */
  responseModel: string;
  provider: string;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number };
  responseText: string;
}

export class ResponseCache {
  private readonly entries = new Map<string, { value: CachedResponse; expires: number }>();
  private readonly inflight = new Map<string, Promise<CachedResponse | undefined>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  static key(customer: string, endpoint: string, body: unknown): string {
    return createHash('sha256').update(customer).update('\0').update(endpoint).update('\0').update(stableStringify(body)).digest('hex');
  }

  get(key: string): CachedResponse | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: CachedResponse): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The pending result of an identical request in flight, if any. */
  pending(key: string): Promise<CachedResponse | undefined> | undefined {
    return this.inflight.get(key);
  }

  /** Marks a request as the leader for `key`; call the returned function with its result (or
   * undefined when it failed or is not cacheable) exactly once. */
  lead(key: string): (result: CachedResponse | undefined) => void {
    let resolve!: (r: CachedResponse | undefined) => void;
    this.inflight.set(key, new Promise((r) => (resolve = r)));
    return (result) => {
      this.inflight.delete(key);
      if (result) this.set(key, result);
      resolve(result);
    };
  }
}

/** JSON with object keys sorted, for cache keys. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const keys = Object.keys(v as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
}
