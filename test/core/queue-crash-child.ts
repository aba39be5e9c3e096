// The child of test/core/queue-crash.test.ts: the real persistent sending queue in a process the
// test kills with SIGKILL at random points.
//   append mode: several appenders enqueue numbered batches; each batch the queue accepted (commit
//     resolved: the point where a receiver answers its client) is recorded in ACKS with a sync
//     write, so the record survives the kill.
//   drain mode: replays what the queue holds, exports it, shuts down cleanly.
// The exporter writes `<batchId> <first span index>` lines to OUT, with a little latency, so kills
// land between export and confirmation too.
import { appendFileSync } from 'node:fs';
import { BackpressureError, type Exporter } from '../../core/component.ts';
import { resolveExporterHelper } from '../../core/queue/config.ts';
import { SendingQueue } from '../../core/queue/sending-queue.ts';
import { createLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { spanIndexes, spans } from './pipeline.fixtures.ts';

const [dir, acksFile, outFile, mode, first] = process.argv.slice(2);
const SPANS_PER_BATCH = 3;

const exporter: Exporter = {
  start: async () => {},
  shutdown: async () => {},
  async export(_signal, batch, opts) {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    appendFileSync(outFile, `${opts?.batchId} ${spanIndexes(batch)[0] / SPANS_PER_BATCH}\n`);
  },
};
const settings = resolveExporterHelper({
  sending_queue: { enabled: true, storage: 'file', directory: dir, fsync: process.env.QUEUE_FSYNC ?? 'batch', fsync_interval: '50ms', queue_size: 100, num_consumers: 4 },
  retry_on_failure: { initial_interval: '1ms', max_interval: '1ms', max_elapsed_time: 0 },
  timeout: 0,
});
settings.file!.segmentBytes = 4096; // many rotations and deletions in a short run
const logger = createLogger({ level: 'info', write: (l) => process.stderr.write(l + '\n') });
const q = new SendingQueue({ id: 'crash', exporter, settings, logger, metrics: new MetricsRegistry() });
await q.start();

if (mode === 'drain') {
  await q.whenIdle();
  await q.drain(10_000);
  process.stdout.write('drained\n');
} else {
  let next = Number(first);
  let announced = false;
  const appender = async () => {
    for (;;) {
      const n = next++;
      try {
        await q.enqueue('traces', spans(SPANS_PER_BATCH, n * SPANS_PER_BATCH));
      } catch (err) {
        if (!(err instanceof BackpressureError)) throw err;
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      appendFileSync(acksFile, `${n}\n`);
      if (!announced) {
        announced = true;
        process.stdout.write('appending\n');
      }
    }
  };
  await Promise.all([appender(), appender(), appender(), appender()]);
}
