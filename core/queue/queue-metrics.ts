// The sending queue's self-metrics: the collector's exporter metrics, plus the persistent queue's.
import type { Signal } from '../component.ts';
import { ITEM_NOUN } from '../signals/count.ts';
import type { Counter, Gauge, MetricsRegistry } from '../telemetry/metrics.ts';

export interface SignalMetrics {
  sent: Counter;
  sendFailed: Counter;
  enqueueFailed: Counter;
}

export type QueueMetrics = Record<Signal, SignalMetrics> & {
  queueSize: Gauge;
  queueCapacity: Gauge;
  /** file storage: bytes of records not yet confirmed, and the max_size bound. */
  queueBytes: Gauge;
  queueCapacityBytes: Gauge;
  /** file storage: batches read back from disk at start (not confirmed before the last exit). */
  replayed: Counter;
  /** file storage: records (or unreadable stretches) skipped because their checksum failed. */
  corrupt: Counter;
};

const cache = new WeakMap<MetricsRegistry, QueueMetrics>();

export function queueMetrics(m: MetricsRegistry): QueueMetrics {
  let c = cache.get(m);
  if (!c) {
    const per = (signal: Signal): SignalMetrics => {
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
      queueBytes: m.gauge('otelcol_exporter_queue_size_bytes', 'Bytes of batches in the persistent sending queue not yet confirmed by the exporter (storage: file).'),
      queueCapacityBytes: m.gauge('otelcol_exporter_queue_capacity_bytes', 'Capacity of the persistent sending queue in bytes (max_size; storage: file).'),
      replayed: m.counter('otelcol_exporter_queue_replayed_batches', 'Batches read back from the persistent sending queue at start: accepted before the last exit and not confirmed by the exporter.'),
      corrupt: m.counter('otelcol_exporter_queue_corrupt_records', 'Records of the persistent sending queue skipped at start because they failed their checksum (their data is lost).'),
    };
    cache.set(m, c);
  }
  return c;
}
