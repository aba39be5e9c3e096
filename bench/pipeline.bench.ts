// Micro-benchmarks of the runtime's hot paths, on GenAI spans in 512-span batches (what an SDK
// sends): the batch processor merging 16 of them into 8192-span batches (and splitting to a max
// size), against a bare concatenation; and the sending queue in front of an exporter, against
// calling the exporter directly. Figures that matter are the ratios.
// Run alone: node --import tsx bench/pipeline.bench.ts
import { Bench } from 'tinybench';
import type { Consumer, Exporter } from '../core/component.ts';
import { resolveExporterHelper } from '../core/queue/config.ts';
import { SendingQueue } from '../core/queue/sending-queue.ts';
import { ExportersFanout } from '../core/pipeline/fanout.ts';
import { MetricsRegistry } from '../core/telemetry/metrics.ts';
import { silentLogger } from '../core/telemetry/logger.ts';
import type { TracesBatch } from '../core/signals/types.ts';
import { countItems } from '../core/signals/count.ts';
import batchFactory from '../processors/batch/factory.ts';
import { appendBatch } from '../processors/batch/split.ts';
import { makeGenAiTracesBatch } from './genai-payload.ts';

export interface PipelineBenchResult {
  spansPerBatch: number;
  batchesPerRound: number;
  /** Rounds (16 x 512 spans in, one 8192-span batch out) per second; the bare one counts and
   * concatenates only. */
  bareConcatOps: number;
  batchProcessorOps: number;
  batchProcessorSplitOps: number;
  /** batchProcessorOps / bareConcatOps: the cost of tickets, timers and metrics. */
  ratioBatchVsConcat: number;
  /** Rounds of 16 batches exported per second. */
  directExportOps: number;
  queuedExportOps: number;
  fanoutTwoQueuesOps: number;
  /** queuedExportOps / directExportOps: the cost of the queue, its slots and metrics. */
  ratioQueueVsDirect: number;
  spansPerSecondThroughBatchAndQueue: number;
}

export async function runPipelineBench(opts: { time?: number } = {}): Promise<PipelineBenchResult> {
  const SPANS = 512;
  const ROUND = 16;
  const inputs: TracesBatch[] = Array.from({ length: ROUND }, (_, i) => makeGenAiTracesBatch(SPANS, i + 1));
  const metrics = new MetricsRegistry();
  let sink: unknown;

  const noopNext: Consumer<'traces'> = {
    consume: async (b) => {
      sink = b;
    },
  };
  const batchProc = (config: Record<string, unknown>) =>
    batchFactory.create({ id: 'batch', config: batchFactory.normalize!({ send_batch_size: 8192, send_batch_max_size: 0, timeout: '10s', ...config }), logger: silentLogger, metrics }, 'traces', noopNext);
  const whole = batchProc({});
  const split = batchProc({ send_batch_max_size: 8192, send_batch_size: 2048 });

  const noopExporter: Exporter = { start: async () => {}, shutdown: async () => {}, export: async (_s, b) => void (sink = b) };
  const queue = (id: string) => {
    const q = new SendingQueue({ id, exporter: noopExporter, settings: resolveExporterHelper({ sending_queue: { enabled: true, queue_size: 1000, num_consumers: 10 }, timeout: 0 }), logger: silentLogger, metrics });
    q.start();
    return q;
  };
  const q1 = queue('one');
  const qa = queue('a');
  const qb = queue('b');
  const fanout = new ExportersFanout('traces', [qa, qb]);
  const throughBatch = batchFactory.create(
    { id: 'batch/e2e', config: batchFactory.normalize!({ send_batch_size: 8192, send_batch_max_size: 0, timeout: '10s' }), logger: silentLogger, metrics },
    'traces',
    { consume: (b) => q1.enqueue('traces', b) },
  );

  const bench = new Bench({ time: opts.time ?? 1500, warmupTime: 300 });
  bench
    .add('bare concat 16x512 -> 8192', () => {
      // The least a batcher does: count each input's items and concatenate.
      const out: TracesBatch = { resourceSpans: [] };
      let n = 0;
      for (const b of inputs) {
        n += countItems('traces', b);
        appendBatch('traces', out, b);
      }
      sink = [out, n];
    })
    .add('batch processor 16x512 -> 8192', async () => {
      await Promise.all(inputs.map((b) => whole.consume(b)));
    })
    .add('batch processor 16x512 -> 4x2048 (split)', async () => {
      await Promise.all(inputs.map((b) => split.consume(b)));
    })
    .add('direct export x16', async () => {
      for (const b of inputs) await noopExporter.export('traces', b);
    })
    .add('sending queue x16', async () => {
      for (const b of inputs) await q1.enqueue('traces', b);
      await q1.whenIdle();
    })
    .add('fan-out to two queues x16', async () => {
      for (const b of inputs) await fanout.consume(b);
      await Promise.all([qa.whenIdle(), qb.whenIdle()]);
    })
    .add('batch processor + queue 16x512', async () => {
      await Promise.all(inputs.map((b) => throughBatch.consume(b)));
      await q1.whenIdle();
    });
  await bench.run();
  void sink;
  await Promise.all([whole.shutdown(), split.shutdown(), throughBatch.shutdown()]);
  await Promise.all([q1, qa, qb].map((q) => q.drain(1000)));

  const hz = (name: string) => {
    const t = bench.getTask(name)?.result as { throughput?: { mean: number }; hz?: number } | undefined;
    return t?.throughput?.mean ?? t?.hz ?? 0;
  };
  const bareConcatOps = hz('bare concat 16x512 -> 8192');
  const batchProcessorOps = hz('batch processor 16x512 -> 8192');
  const directExportOps = hz('direct export x16');
  const queuedExportOps = hz('sending queue x16');
  return {
    spansPerBatch: SPANS,
    batchesPerRound: ROUND,
    bareConcatOps,
    batchProcessorOps,
    batchProcessorSplitOps: hz('batch processor 16x512 -> 4x2048 (split)'),
    ratioBatchVsConcat: batchProcessorOps / bareConcatOps,
    directExportOps,
    queuedExportOps,
    fanoutTwoQueuesOps: hz('fan-out to two queues x16'),
    ratioQueueVsDirect: queuedExportOps / directExportOps,
    spansPerSecondThroughBatchAndQueue: hz('batch processor + queue 16x512') * SPANS * ROUND,
  };
}

function print(r: PipelineBenchResult): void {
  const f = (n: number) => n.toFixed(0).padStart(9);
  console.log(`Pipeline runtime, rounds of ${r.batchesPerRound} x ${r.spansPerBatch} GenAI spans`);
  console.log(`  bare concat -> 8192            ${f(r.bareConcatOps)} rounds/s`);
  console.log(`  batch processor -> 8192        ${f(r.batchProcessorOps)} rounds/s  (${r.ratioBatchVsConcat.toFixed(3)}x bare concat)`);
  console.log(`  batch processor split -> 2048  ${f(r.batchProcessorSplitOps)} rounds/s`);
  console.log(`  direct export                  ${f(r.directExportOps)} rounds/s`);
  console.log(`  sending queue                  ${f(r.queuedExportOps)} rounds/s  (${r.ratioQueueVsDirect.toFixed(3)}x direct)`);
  console.log(`  fan-out to two queues          ${f(r.fanoutTwoQueuesOps)} rounds/s`);
  console.log(`  batch + queue                  ${f(r.spansPerSecondThroughBatchAndQueue)} spans/s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  print(await runPipelineBench());
}
