// The exporter helper in front of every exporter: a bounded in-memory queue (capacity in batches,
// `num_consumers` concurrent exports), retry with backoff, a per-attempt timeout, and the
// collector's exporter self-metrics.
//
// Capacity counts every accepted batch not yet finished: waiting, being exported, or waiting for a
// retry. That is what the queue holds in memory, so a stalled exporter fills its own queue and then
// refuses, and nothing else: it never blocks another exporter or a receiver.
//
// Acceptance is two-phase so a fan-out can be all-or-nothing: `reserve()` synchronously claims a
// slot (or says the queue is full), then `commit(batch)` enqueues it or `release()` gives it back.
// With `sending_queue.enabled: false` there is no queue: `commit` exports in the caller and its
// promise carries the outcome.
import { BackpressureError, type Batch, type Exporter, type ExportOptions, type Logger, type Signal } from '../component.ts';
import { ITEM_NOUN, countItems } from '../signals/count.ts';
import type { MetricsRegistry, Counter, Gauge } from '../telemetry/metrics.ts';
import type { ResolvedExporterHelper } from './config.ts';
import { Abandon, ExportGaveUpError, exportWithRetry, type RetryOptions } from './retry.ts';

export interface Reservation {
  /** Hands the batch over. Queued: resolves at once. Synchronous mode: resolves once exported. */
  commit(signal: Signal, batch: Batch): Promise<void>;
  release(): void;
}

interface Item {
  signal: Signal;
  batch: Batch;
  items: number;
}

interface ExporterMetrics {
  sent: Counter;
  sendFailed: Counter;
  enqueueFailed: Counter;
  queueSize: Gauge;
  queueCapacity: Gauge;
}

const metricCache = new WeakMap<MetricsRegistry, Record<Signal, Omit<ExporterMetrics, 'queueSize' | 'queueCapacity'>> & Pick<ExporterMetrics, 'queueSize' | 'queueCapacity'>>();

function exporterMetrics(m: MetricsRegistry) {
  let c = metricCache.get(m);
  if (!c) {
    const per = (signal: Signal) => {
      const noun = ITEM_NOUN[signal];
      return {
        sent: m.counter(`otelcol_exporter_sent_${noun}`, `Number of ${noun.replace('_', ' ')} successfully sent to destination.`),
        sendFailed: m.counter(`otelcol_exporter_send_failed_${noun}`, `Number of ${noun.replace('_', ' ')} in failed attempts to send to destination (dropped).`),
        enqueueFailed: m.counter(`otelcol_exporter_enqueue_failed_${noun}`, `Number of ${noun.replace('_', ' ')} failed to be added to the sending queue (refused with backpressure).`),
      };
    };
    c = {
      traces: per('traces'),
      logs: per('logs'),
      metrics: per('metrics'),
      queueSize: m.gauge('otelcol_exporter_queue_size', 'Current number of batches in the sending queue (waiting, in flight or waiting to retry).'),
      queueCapacity: m.gauge('otelcol_exporter_queue_capacity', 'Capacity of the sending queue, in batches.'),
    };
    metricCache.set(m, c);
  }
  return c;
}

export interface SendingQueueOptions {
  id: string;
  exporter: Exporter;
  settings: ResolvedExporterHelper;
  logger: Logger;
  metrics: MetricsRegistry;
  /** For tests: the backoff's random source. */
  random?: () => number;
}

export class SendingQueue {
  readonly id: string;
  private readonly exporter: Exporter;
  private readonly settings: ResolvedExporterHelper;
  private readonly logger: Logger;
  private readonly m: ReturnType<typeof exporterMetrics>;
  private readonly labels: { exporter: string };
  private readonly random?: () => number;

  private pending: Item[] = [];
  private pendingHead = 0;
  /** Accepted or reserved and not finished: what counts against capacity. */
  private held = 0;
  private active = 0;
  private readonly inFlight = new Set<Item>();
  private closed = false;
  private started = false;
  private readonly stop = new AbortController();
  private readonly abandon = new Abandon();
  private idleWaiters: Array<() => void> = [];
  private readonly attempt: (item: Item, opts: ExportOptions) => Promise<void>;
  private readonly retryOptions: RetryOptions;

  constructor(opts: SendingQueueOptions) {
    this.id = opts.id;
    this.exporter = opts.exporter;
    this.settings = opts.settings;
    this.logger = opts.logger;
    this.random = opts.random;
    this.m = exporterMetrics(opts.metrics);
    this.labels = { exporter: opts.id };
    const exporter = this.exporter;
    this.attempt = (item, opts) => exporter.export(item.signal, item.batch, opts);
    this.retryOptions = {
      policy: this.settings.retry,
      timeoutMs: this.settings.timeoutMs,
      stop: this.stop.signal,
      abandon: this.abandon,
      random: this.random,
      onRetry: ({ attempt, delayMs, error }, item: Item) =>
        this.logger.warn(`export failed, will retry in ${Math.round(delayMs)} ms: ${(error as Error)?.message ?? error}`, { attempt, items: item.items }),
    };
    if (this.queued) this.m.queueCapacity.set(this.settings.queue.queue_size, this.labels);
    this.m.queueSize.set(0, this.labels);
  }

  get queued(): boolean {
    return this.settings.queue.enabled;
  }

  get capacity(): number {
    return this.settings.queue.queue_size;
  }

  /** Batches accepted and not finished. */
  get size(): number {
    return this.held;
  }

  /** Lets consumers run; batches committed before start wait in the queue. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Claims room for one batch, synchronously; null when the queue is full or closed. */
  reserve(): Reservation | null {
    if (this.closed) return null;
    if (!this.queued) {
      return { commit: (signal, batch) => this.exportNow(signal, batch), release: () => {} };
    }
    if (this.held >= this.capacity) return null;
    this.held++;
    return new Slot(this);
  }

  /** @internal Slot.commit */
  commitSlot(signal: Signal, batch: Batch): void {
    this.pending.push({ signal, batch, items: countItems(signal, batch) });
    this.m.queueSize.set(this.held, this.labels);
    this.pump();
  }

  /** @internal Slot.release */
  releaseSlot(): void {
    this.held--;
    this.notifyIdle();
  }

  /** Counts a refusal of this batch (the queue was full): enqueue_failed. */
  refused(signal: Signal, batch: Batch): void {
    this.m[signal].enqueueFailed.add(countItems(signal, batch), this.labels);
  }

  /** Enqueues one batch on its own (not part of a fan-out): BackpressureError when full. */
  async enqueue(signal: Signal, batch: Batch): Promise<void> {
    const r = this.reserve();
    if (!r) {
      this.refused(signal, batch);
      throw this.fullError();
    }
    return r.commit(signal, batch);
  }

  /** Shutdown began: synchronous-mode exports stop waiting between retries (one final attempt),
   * so a flush at processor shutdown cannot hang on a long backoff. Queued data keeps its retries
   * until drain(). */
  stopSynchronousRetries(): void {
    if (!this.queued) this.stop.abort(new Error('shutting down'));
  }

  /** Resolves once nothing accepted is left (waiting, in flight or retrying). */
  whenIdle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  fullError(): BackpressureError {
    return this.closed
      ? new BackpressureError(`exporter "${this.id}" is shutting down and accepts no more data`)
      : new BackpressureError(`sending queue of exporter "${this.id}" is full (${this.capacity} batches)`);
  }

  /**
   * Shutdown: accept nothing more, cut retry waits short (one final attempt each), and wait for
   * everything accepted to be exported. After timeoutMs what is left is dropped: logged with a
   * count and counted as send_failed. Returns the number of items dropped at the deadline.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.closed = true;
    this.started = true;
    this.stop.abort(new Error('shutting down'));
    this.pump();
    if (this.held === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((res) => this.idleWaiters.push(() => res(true)));
    const expired = new Promise<boolean>((res) => (timer = setTimeout(() => res(false), timeoutMs)));
    const finished = await Promise.race([idle, expired]);
    clearTimeout(timer);
    if (finished) return 0;

    // Deadline: drop what is still waiting and abandon what is in flight.
    const dropped: Record<Signal, number> = { traces: 0, logs: 0, metrics: 0 };
    const left = [...this.pending.slice(this.pendingHead), ...this.inFlight];
    this.pending = [];
    this.pendingHead = 0;
    for (const item of left) {
      dropped[item.signal] += item.items;
      this.m[item.signal].sendFailed.add(item.items, this.labels);
    }
    this.inFlight.clear();
    this.held = 0;
    this.m.queueSize.set(0, this.labels);
    this.abandon.abort(new Error('shutdown timeout'));
    let total = 0;
    for (const s of Object.keys(dropped) as Signal[]) {
      if (!dropped[s]) continue;
      total += dropped[s];
      this.logger.error(`shutdown timeout: dropping ${dropped[s]} ${ITEM_NOUN[s]} not yet exported`, { batches: left.filter((i) => i.signal === s).length, timeout_ms: timeoutMs });
    }
    return total;
  }

  private pump(): void {
    if (!this.started) return;
    const max = this.settings.queue.num_consumers;
    while (this.active < max && this.pendingHead < this.pending.length) {
      const item = this.pending[this.pendingHead];
      this.pending[this.pendingHead++] = undefined as unknown as Item;
      if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
        this.pending = this.pending.slice(this.pendingHead);
        this.pendingHead = 0;
      }
      this.active++;
      this.inFlight.add(item);
      void this.send(item);
    }
  }

  private notifyIdle(): void {
    if (this.held > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** One queued export with retries; outcome counted and, on failure, logged. Never rejects. */
  private async send(item: Item): Promise<void> {
    try {
      await exportWithRetry(this.attempt, item, this.retryOptions);
      if (this.inFlight.has(item)) this.m[item.signal].sent.add(item.items, this.labels);
    } catch (err) {
      // Absent from inFlight when drain() gave up on it: already counted and logged.
      if (this.inFlight.has(item)) {
        this.m[item.signal].sendFailed.add(item.items, this.labels);
        this.logger.error(`exporting failed, dropping ${item.items} ${ITEM_NOUN[item.signal]}: ${(err as Error).message}`, {
          attempts: err instanceof ExportGaveUpError ? err.attempts : 1,
        });
      }
    }
    this.active--;
    if (this.inFlight.delete(item)) {
      this.held--;
      this.m.queueSize.set(this.held, this.labels);
    }
    this.pump();
    this.notifyIdle();
  }

  /** Synchronous mode: export in the caller; the outcome is the caller's. */
  private async exportNow(signal: Signal, batch: Batch): Promise<void> {
    const items = countItems(signal, batch);
    try {
      await exportWithRetry(this.attempt, { signal, batch, items }, this.retryOptions);
      this.m[signal].sent.add(items, this.labels);
    } catch (err) {
      this.m[signal].sendFailed.add(items, this.labels);
      const cause = err instanceof ExportGaveUpError ? err.cause : err;
      this.logger.warn(`exporting failed, returning the error to the sender: ${(err as Error).message}`, { items });
      throw cause;
    }
  }
}

/** A claimed place in a SendingQueue (see reserve()). */
class Slot implements Reservation {
  private used = false;
  constructor(private readonly q: SendingQueue) {}

  commit(signal: Signal, batch: Batch): Promise<void> {
    if (this.used) throw new Error('reservation already used');
    this.used = true;
    this.q.commitSlot(signal, batch);
    return Promise.resolve();
  }

  release(): void {
    if (this.used) return;
    this.used = true;
    this.q.releaseSlot();
  }
}
