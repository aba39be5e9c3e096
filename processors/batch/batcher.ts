// The batch processor. Items accumulate into one open batch, sent downstream when it reaches
// send_batch_size or when `timeout` has passed since its first item, and split so no sent batch
// exceeds send_batch_max_size.
//
// Unlike the collector's (which acknowledges at once and can lose what it holds), consume()
// resolves only once every item it brought was handed downstream successfully, and rejects with the
// downstream error otherwise: a full exporter queue still reaches the sender as backpressure.
import type { Batch, Consumer, Host, Logger, MetricsRegistry, Processor, Signal } from '../../core/component.ts';
import { countItems, emptyBatch } from '../../core/signals/count.ts';
import { mergeHeld } from '../../core/signals/encoded.ts';
import type { BatchBySignal } from '../../core/signals/types.ts';
import type { Counter, Histogram } from '../../core/telemetry/metrics.ts';
import type { BatchSettings } from './config.ts';
import { appendBatch, splitBatch } from './split.ts';

/** One consume() call waiting for the output batches that carry its items. */
interface Ticket {
  outstanding: number;
  settled: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

interface OpenBatch {
  /** What was added, merged at flush: held (still encoded) batches merge without decoding. */
  pieces: Batch[];
  items: number;
  tickets: Ticket[];
}

type Trigger = 'size' | 'timeout' | 'shutdown';

export class BatchProcessor<S extends Signal> implements Processor<S> {
  private open: OpenBatch;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly labels: { processor: string };
  private readonly sizeTrigger: Counter;
  private readonly timeoutTrigger: Counter;
  private readonly sendSize: Histogram;

  constructor(
    id: string,
    private readonly signal: S,
    private readonly settings: BatchSettings,
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.open = this.newBatch();
    this.labels = { processor: id };
    this.sizeTrigger = metrics.counter('otelcol_processor_batch_batch_size_trigger_send', 'Number of times the batch was sent due to a size trigger.');
    this.timeoutTrigger = metrics.counter('otelcol_processor_batch_timeout_trigger_send', 'Number of times the batch was sent due to a timeout trigger.');
    this.sendSize = metrics.histogram('otelcol_processor_batch_batch_send_size', 'Number of items in the batch that was sent.', [
      10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000,
    ]);
  }

  async start(_host: Host): Promise<void> {}

  consume(batch: Batch): Promise<void> {
    const n = countItems(this.signal, batch);
    if (n === 0) return Promise.resolve();
    if (this.stopped) return this.next.consume(batch as never); // after shutdown: pass through
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { outstanding: 0, settled: false, resolve, reject };
      this.add(batch, n, ticket);
    });
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.open.items > 0) this.flush('shutdown');
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private add(batch: Batch, n: number, ticket: Ticket): void {
    const { sendBatchSize, sendBatchMaxSize, timeoutMs } = this.settings;
    let rest = batch;
    let restItems = n;
    while (restItems > 0) {
      const room = sendBatchMaxSize > 0 ? sendBatchMaxSize - this.open.items : Infinity;
      let piece = rest;
      let pieceItems = restItems;
      if (restItems > room) {
        [piece, rest] = splitBatch(this.signal, rest, room);
        pieceItems = room;
      }
      restItems -= pieceItems;
      this.append(piece, pieceItems, ticket);
      if (sendBatchMaxSize > 0 && this.open.items >= sendBatchMaxSize) this.flush('size');
      else if (sendBatchSize > 0 && this.open.items >= sendBatchSize) this.flush('size');
    }
    if (this.open.items === 0) return;
    if (timeoutMs === 0) this.flush('timeout');
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.open.items > 0) this.flush('timeout');
      }, timeoutMs);
    }
  }

  private append(piece: Batch, items: number, ticket: Ticket): void {
    this.open.pieces.push(piece);
    this.open.items += items;
    const t = this.open.tickets;
    if (t[t.length - 1] !== ticket) {
      t.push(ticket);
      ticket.outstanding++;
    }
  }

  private flush(trigger: Trigger): void {
    const out = this.open;
    this.open = this.newBatch();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (trigger === 'size') this.sizeTrigger.add(1, this.labels);
    else this.timeoutTrigger.add(1, this.labels);
    this.sendSize.observe(out.items, this.labels);

    let sent: Promise<void>;
    try {
      sent = this.next.consume(this.merge(out.pieces) as never);
    } catch (err) {
      sent = Promise.reject(err);
    }
    const done = sent.then(
      () => {
        for (const t of out.tickets) if (--t.outstanding === 0 && !t.settled) settle(t, true);
      },
      (err) => {
        if (trigger === 'shutdown') this.logger.error(`sending the last batch at shutdown failed: ${(err as Error)?.message ?? err}`, { items: out.items });
        for (const t of out.tickets) {
          t.outstanding--;
          if (!t.settled) settle(t, false, err);
        }
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private merge(pieces: Batch[]): Batch {
    if (pieces.length === 1) return pieces[0];
    const held = mergeHeld(this.signal, pieces as BatchBySignal[S][]);
    if (held) return held;
    const out = emptyBatch(this.signal);
    for (const p of pieces) appendBatch(this.signal, out, p);
    return out;
  }

  private newBatch(): OpenBatch {
    return { pieces: [], items: 0, tickets: [] };
  }
}

function settle(t: Ticket, ok: boolean, err?: unknown): void {
  t.settled = true;
  if (ok) t.resolve();
  else t.reject(err);
}
