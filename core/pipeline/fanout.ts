// The two fan-outs of the graph.
//
// ExportersFanout ends a pipeline: one batch to the sending queue of every exporter the pipeline
// lists, all-or-nothing. Every queue must have room (checked synchronously, slots reserved) before
// any gets the batch, so a full queue refuses the batch for all exporters and a client's retry
// never duplicates into an exporter that had room.
//
// PipelinesFanout starts the pipelines a receiver feeds: the collector's fanoutconsumer rule for
// copies — pipelines that mutate data each get their own structuredClone, except the last mutating
// one when no read-only pipeline shares the original.
import { isPermanent, type Batch, type Consumer, type Signal } from '../component.ts';
import type { Reservation, SendingQueue } from '../queue/sending-queue.ts';

export class ExportersFanout<S extends Signal> implements Consumer<S> {
  constructor(
    private readonly signal: S,
    private readonly queues: SendingQueue[],
  ) {}

  async consume(batch: Batch): Promise<void> {
    const reservations: Reservation[] = [];
    const full: SendingQueue[] = [];
    for (const q of this.queues) {
      const r = q.reserve();
      if (r) reservations.push(r);
      else full.push(q);
    }
    if (full.length > 0) {
      for (const r of reservations) r.release();
      for (const q of full) q.refused(this.signal, batch);
      throw full[0].fullError();
    }
    // Queued exporters accept at once; synchronous ones (sending_queue.enabled: false) export now.
    // Commit the synchronous ones first and the queued ones only if those succeeded, holding the
    // queued slots meanwhile, so a failed synchronous export does not leave a copy in a queue.
    const sync: Promise<void>[] = [];
    const queued: Reservation[] = [];
    this.queues.forEach((q, i) => (q.queued ? queued.push(reservations[i]) : sync.push(reservations[i].commit(this.signal, batch))));
    if (sync.length > 0) {
      const results = await Promise.allSettled(sync);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        for (const r of queued) r.release();
        throw failed.reason;
      }
    }
    // In memory a commit resolves at once; with file storage once the batch is durable, so the
    // receiver answers only then. A failed append (disk full) refuses the batch with backpressure.
    if (queued.length === 1) return queued[0].commit(this.signal, batch);
    await Promise.all(queued.map((r) => r.commit(this.signal, batch)));
  }
}

export interface PipelineEntry<S extends Signal> {
  id: string;
  consumer: Consumer<S>;
  mutatesData: boolean;
}

export class PipelinesFanout<S extends Signal> implements Consumer<S> {
  private readonly mutable: Consumer<S>[];
  private readonly readonly: Consumer<S>[];

  constructor(pipelines: PipelineEntry<S>[]) {
    this.mutable = pipelines.filter((p) => p.mutatesData).map((p) => p.consumer);
    this.readonly = pipelines.filter((p) => !p.mutatesData).map((p) => p.consumer);
  }

  async consume(batch: Batch): Promise<void> {
    const calls: Promise<void>[] = [];
    const b = batch as never;
    for (let i = 0; i < this.mutable.length; i++) {
      const last = i === this.mutable.length - 1;
      calls.push(callSafely(this.mutable[i], last && this.readonly.length === 0 ? b : structuredClone(b)));
    }
    for (const c of this.readonly) calls.push(callSafely(c, b));
    const results = await Promise.allSettled(calls);
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    if (errors.length === 0) return;
    // A retryable error wins, so the sender retries; permanent only when every failure is.
    throw errors.find((e) => !isPermanent(e)) ?? errors[0];
  }
}

function callSafely<S extends Signal>(c: Consumer<S>, batch: never): Promise<void> {
  try {
    return c.consume(batch);
  } catch (err) {
    return Promise.reject(err);
  }
}
