// The exporter helper in front of every exporter: a bounded queue (capacity in batches,
// `num_consumers` concurrent exports), retry with backoff, a per-attempt timeout, and the
// collector's exporter self-metrics. The queue is in memory, or with `storage: file` an on-disk log
// (file-log.ts) that survives a crash and is replayed at the next start.
//
// Capacity counts every accepted batch not yet finished: waiting, being exported, or waiting for a
// retry. So a stalled exporter fills its own queue and then refuses, and nothing else: it never
// blocks another exporter or a receiver.
//
// Acceptance is two-phase so a fan-out can be all-or-nothing: `reserve()` synchronously claims a
// slot (or says the queue is full), then `commit(batch)` enqueues it or `release()` gives it back.
// In memory, `commit` resolves at once; with file storage, once the batch is appended to the log
// (and fsynced with fsync: always), so the receiver answers only when the batch is durable.
// With `sending_queue.enabled: false` there is no queue: `commit` exports in the caller and its
// promise carries the outcome.
import { randomBytes } from 'node:crypto';
import { BackpressureError, type Batch, type Exporter, type ExportOptions, type Logger, type Signal } from '../component.ts';
import { heldBatch, protoParts } from '../otlp/proto-batch.ts';
import { ITEM_NOUN, countItems } from '../signals/count.ts';
import type { MetricsRegistry } from '../telemetry/metrics.ts';
import type { ResolvedExporterHelper } from './config.ts';
import { FileLog, type LogRecord } from './file-log.ts';
import { exporterQueueDirectory } from './queue-directory.ts';
import { queueMetrics, type QueueMetrics } from './queue-metrics.ts';
import { Abandon, ExportGaveUpError, exportWithRetry, sleep, type RetryOptions } from './retry.ts';

/** file storage: payload bytes of queued batches also kept in memory (beyond it, a batch is read
 * back from its segment when its turn comes), so a long outage fills the disk, not the heap. */
const FILE_QUEUE_MEMORY_BYTES = 64 * 1024 * 1024;

export interface Reservation {
  /** Hands the batch over. Queued: resolves at once. Synchronous mode: resolves once exported. */
  commit(signal: Signal, batch: Batch): Promise<void>;
  release(): void;
}

interface Item {
  signal: Signal;
  /** Absent for a file-backed batch not kept in memory: read from the log when its turn comes. */
  batch: Batch | undefined;
  items: number;
  /** ExportOptions.batchId. */
  id: string;
  /** file storage: its record in the log, confirmed once exported. */
  rec?: LogRecord;
  /** file storage: payload bytes this item holds in memory. */
  memBytes: number;
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
  private readonly m: QueueMetrics;
  private readonly labels: { exporter: string };
  private readonly random?: () => number;
  /** Makes in-memory batch ids unique across runs: `<exporter id>:<run>:<n>`. */
  private readonly runId = randomBytes(8).toString('hex');
  private batchCount = 0;

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

  // ---- file storage ----
  private log: FileLog | undefined;
  /** Settles when the log is open (start) or cannot be (start failed, or drain before start). */
  private readonly opened: Promise<void>;
  private settleOpened: (err?: unknown) => void = () => {};
  private memBytes = 0;
  /** drain() gave up waiting: later outcomes no longer touch the counts (the log is closed). */
  private finalized = false;
  /** Batches and items a shutdown left on disk for the next start. */
  private leftOnDisk = { batches: 0, items: 0 };

  constructor(opts: SendingQueueOptions) {
    this.id = opts.id;
    this.exporter = opts.exporter;
    this.settings = opts.settings;
    this.logger = opts.logger;
    this.random = opts.random;
    this.m = queueMetrics(opts.metrics);
    this.labels = { exporter: opts.id };
    const exporter = this.exporter;
    this.attempt = (item, opts) => {
      if (!item.batch) throw new Error('batch not loaded'); // send() loads it before the first attempt
      return exporter.export(item.signal, item.batch, {
        batchId: item.id,
        get abortSignal() {
          return opts.abortSignal;
        },
      });
    };
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
    if (this.settings.file && this.queued) {
      this.opened = new Promise<void>((res, rej) => (this.settleOpened = (err) => (err ? rej(err) : res())));
      this.opened.catch(() => {}); // commits waiting on it get the error
      this.m.queueCapacityBytes.set(this.settings.file.maxBytes, this.labels);
      this.m.queueBytes.set(0, this.labels);
    } else {
      this.opened = Promise.resolve();
    }
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

  /** file storage: the exporter's log directory. */
  get directory(): string | undefined {
    return this.settings.file && exporterQueueDirectory(this.settings.file.directory, this.id);
  }

  /** Lets consumers run. With file storage, first opens the log (locking its directory) and queues
   * what the last run left unconfirmed, ahead of anything new. Batches committed before start wait. */
  start(): Promise<void> {
    if (this.settings.file && this.queued && !this.log) {
      try {
        this.openLog();
      } catch (err) {
        this.settleOpened(err);
        return Promise.reject(err);
      }
    }
    this.started = true;
    this.pump();
    return Promise.resolve();
  }

  private openLog(): void {
    const f = this.settings.file!;
    const directory = this.directory!;
    const { log, replay } = FileLog.open({ directory, fsync: f.fsync, fsyncIntervalMs: f.fsyncIntervalMs, segmentBytes: f.segmentBytes, logger: this.logger });
    this.log = log;
    if (log.corruptAtOpen > 0) this.m.corrupt.add(log.corruptAtOpen, this.labels);
    const items: Item[] = replay.map((rec) => ({ signal: rec.signal, batch: undefined, items: rec.items, id: `${this.id}:${rec.id}`, rec, memBytes: 0 }));
    if (items.length > 0) {
      // Ahead of anything committed before start (none in the service: receivers start last).
      this.pending = [...items, ...this.pending.slice(this.pendingHead)];
      this.pendingHead = 0;
      this.held += items.length;
      this.m.replayed.add(items.length, this.labels);
      const total = items.reduce((n, i) => n + i.items, 0);
      this.logger.info(`persistent queue: replaying ${items.length} batches (${total} items) not confirmed before the last exit`, { directory });
    }
    this.updateGauges();
    this.settleOpened();
  }

  /** Claims room for one batch, synchronously; null when the queue is full or closed. */
  reserve(): Reservation | null {
    if (this.closed) return null;
    if (!this.queued) {
      return { commit: (signal, batch) => this.exportNow(signal, batch), release: () => {} };
    }
    if (this.held >= this.capacity || this.bytesFull()) return null;
    this.held++;
    return new Slot(this);
  }

  /** A soft bound: checked when a batch is reserved, so concurrent reservations may pass it by a
   * few batches; refusing at commit would break the fan-out's all-or-nothing. */
  private bytesFull(): boolean {
    return this.log !== undefined && this.log.bytes >= this.settings.file!.maxBytes;
  }

  /** @internal Slot.commit */
  commitSlot(signal: Signal, batch: Batch): Promise<void> {
    if (!this.settings.file) {
      this.pending.push({ signal, batch, items: countItems(signal, batch), id: `${this.id}:${this.runId}:${++this.batchCount}`, memBytes: 0 });
      this.updateGauges();
      this.pump();
      return Promise.resolve();
    }
    return this.commitToLog(signal, batch);
  }

  private async commitToLog(signal: Signal, batch: Batch): Promise<void> {
    const items = countItems(signal, batch);
    let rec: LogRecord;
    try {
      const parts = protoParts(signal, batch);
      await this.opened;
      rec = await this.log!.append(signal, parts, items);
    } catch (err) {
      if (!this.finalized) {
        this.held--;
        this.m[signal].enqueueFailed.add(items, this.labels);
        this.notifyIdle();
      }
      this.logger.error(`persistent queue: could not append a batch of ${items} ${ITEM_NOUN[signal]}, refusing it: ${(err as Error).message}`);
      throw err instanceof BackpressureError ? err : new BackpressureError(`exporter "${this.id}": persistent queue: ${(err as Error).message}`);
    }
    // Durable now: if the queue already shut down, the record waits on disk for the next start.
    if (this.finalized) return;
    const keep = this.memBytes + rec.payloadLength <= FILE_QUEUE_MEMORY_BYTES;
    const memBytes = keep ? rec.payloadLength : 0;
    this.memBytes += memBytes;
    this.pending.push({ signal, batch: keep ? batch : undefined, items, id: `${this.id}:${rec.id}`, rec, memBytes });
    this.updateGauges();
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
    if (this.closed) return new BackpressureError(`exporter "${this.id}" is shutting down and accepts no more data`);
    if (this.held < this.capacity && this.bytesFull()) {
      return new BackpressureError(`persistent sending queue of exporter "${this.id}" is full (${this.log!.bytes} bytes, max_size ${this.settings.file!.maxBytes})`);
    }
    return new BackpressureError(`sending queue of exporter "${this.id}" is full (${this.capacity} batches)`);
  }

  /**
   * Shutdown: accept nothing more, cut retry waits short (one final attempt each), and wait for
   * everything accepted to be exported. After timeoutMs, in memory, what is left is dropped: logged
   * with a count and counted as send_failed; with file storage it stays in the log for the next
   * start (logged). Returns the number of items dropped at the deadline.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.closed = true;
    this.started = true;
    this.stop.abort(new Error('shutting down'));
    if (this.settings.file && !this.log) this.settleOpened(new BackpressureError(`exporter "${this.id}" is shutting down and accepts no more data`));
    this.pump();
    let finished = this.held === 0;
    if (!finished) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<boolean>((res) => this.idleWaiters.push(() => res(true)));
      const expired = new Promise<boolean>((res) => (timer = setTimeout(() => res(false), timeoutMs)));
      finished = await Promise.race([idle, expired]);
      clearTimeout(timer);
    }
    if (this.settings.file) {
      if (!finished) this.keepOnDisk();
      this.finalized = true;
      await this.closeLog();
      return 0;
    }
    if (finished) return 0;

    // Deadline: drop what is still waiting and abandon what is in flight.
    const dropped: Record<Signal, number> = { traces: 0, logs: 0, metrics: 0 };
    const left = this.takeUnfinished();
    for (const item of left) {
      dropped[item.signal] += item.items;
      this.m[item.signal].sendFailed.add(item.items, this.labels);
    }
    let total = 0;
    for (const s of Object.keys(dropped) as Signal[]) {
      if (!dropped[s]) continue;
      total += dropped[s];
      this.logger.error(`shutdown timeout: dropping ${dropped[s]} ${ITEM_NOUN[s]} not yet exported`, { batches: left.filter((i) => i.signal === s).length, timeout_ms: timeoutMs });
    }
    return total;
  }

  /** Everything waiting or in flight, taken out of the queue; in-flight exports are abandoned. */
  private takeUnfinished(): Item[] {
    const left = [...this.pending.slice(this.pendingHead), ...this.inFlight];
    this.pending = [];
    this.pendingHead = 0;
    this.inFlight.clear();
    this.held = 0;
    this.memBytes = 0;
    this.m.queueSize.set(0, this.labels);
    this.abandon.abort(new Error('shutdown timeout'));
    return left;
  }

  /** file storage, at the shutdown deadline: what is unfinished stays unconfirmed in the log. */
  private keepOnDisk(): void {
    for (const item of this.takeUnfinished()) {
      this.leftOnDisk.batches++;
      this.leftOnDisk.items += item.items;
    }
  }

  private async closeLog(): Promise<void> {
    const log = this.log;
    if (!log) return;
    await log.close();
    const { batches, items } = this.leftOnDisk;
    if (batches > 0) this.logger.warn(`persistent queue: ${batches} batches (${items} items) not exported by the shutdown deadline stay on disk; they are exported after the next start`, { directory: log.directory });
    this.m.queueBytes.set(log.bytes, this.labels);
  }

  private updateGauges(): void {
    this.m.queueSize.set(this.held, this.labels);
    if (this.log) this.m.queueBytes.set(this.log.bytes, this.labels);
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
    let requeue = false;
    try {
      if (!item.batch) item.batch = await this.load(item);
      await exportWithRetry(this.attempt, item, this.retryOptions);
      if (this.inFlight.has(item)) {
        this.m[item.signal].sent.add(item.items, this.labels);
        if (item.rec) this.log!.ack(item.rec);
      }
    } catch (err) {
      // Absent from inFlight when drain() gave up on it: already counted and logged.
      if (this.inFlight.has(item)) requeue = this.failed(item, err);
    }
    if (requeue) {
      // Not at once: with retry_on_failure disabled that would be a busy loop against a dead store.
      await sleep(Math.max(1000, this.settings.retry.initialIntervalMs), this.stop.signal);
      if (this.closed && this.inFlight.has(item)) {
        requeue = false;
        this.leftOnDisk.batches++;
        this.leftOnDisk.items += item.items;
      }
    }
    this.active--;
    if (this.inFlight.delete(item)) {
      if (requeue) {
        // Back to the head: it keeps its place in the order.
        if (this.pendingHead > 0) this.pending[--this.pendingHead] = item;
        else this.pending.unshift(item);
      } else {
        this.held--;
        this.memBytes -= item.memBytes;
        this.updateGauges();
      }
    }
    this.pump();
    this.notifyIdle();
  }

  /** An export that will not be retried any more. Returns true when the batch goes back into the
   * queue (file storage, the destination only unavailable, not shutting down). */
  private failed(item: Item, err: unknown): boolean {
    const permanent = err instanceof ExportGaveUpError ? err.permanent : true;
    if (item.rec && !permanent) {
      if (!this.closed) {
        this.logger.warn(`export failed after retrying, keeping ${item.items} ${ITEM_NOUN[item.signal]} in the persistent queue and retrying: ${(err as Error).message}`);
        return true;
      }
      // Shutting down: it stays on disk, unconfirmed, for the next start.
      this.leftOnDisk.batches++;
      this.leftOnDisk.items += item.items;
      return false;
    }
    this.m[item.signal].sendFailed.add(item.items, this.labels);
    this.logger.error(`exporting failed, dropping ${item.items} ${ITEM_NOUN[item.signal]}: ${(err as Error).message}`, {
      attempts: err instanceof ExportGaveUpError ? err.attempts : 1,
    });
    // Never exportable: confirmed, so a restart does not replay it forever.
    if (item.rec) this.log!.ack(item.rec);
    return false;
  }

  /** A file-backed batch that was not kept in memory, read back from the log. */
  private async load(item: Item): Promise<Batch> {
    const payload = await this.log!.read(item.rec!);
    return heldBatch(item.signal, [payload], item.items);
  }

  /** Synchronous mode: export in the caller; the outcome is the caller's. */
  private async exportNow(signal: Signal, batch: Batch): Promise<void> {
    const items = countItems(signal, batch);
    const item: Item = { signal, batch, items, id: `${this.id}:${this.runId}:${++this.batchCount}`, memBytes: 0 };
    try {
      await exportWithRetry(this.attempt, item, this.retryOptions);
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
    return this.q.commitSlot(signal, batch);
  }

  release(): void {
    if (this.used) return;
    this.used = true;
    this.q.releaseSlot();
  }
}
