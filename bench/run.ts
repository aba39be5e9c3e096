// `npm run bench [decode|pipeline|storage|server-stores|e2e|queue|injection|proxy|guards|anomaly|crash-soak]`:
// the micro-benchmarks, the end-to-end load benchmark, the guard and LLM proxy benchmarks, in one run
// (or the one named); anomaly (the scenario replay) and crash-soak (minutes of SIGKILLs) only when named.
// Every figure that matters is a ratio between two things measured here, in this run.
import { runOtlpDecodeBench } from './otlp-decode.bench.ts';
import { runPipelineBench } from './pipeline.bench.ts';
import { runStorageBench } from './storage.bench.ts';
import { runE2eBench } from './e2e.ts';
import { formatProxyBench, runProxyBench } from './proxy.bench.ts';
import { formatInjectionBench, runInjectionBench } from './injection.bench.ts';
import { formatServerStoresBench, runServerStoresBench } from './server-stores.bench.ts';
import { formatCrashSoak, runCrashSoak } from './crash-soak.ts';
import { formatAnomalyBench, runAnomalyScenarioBench } from './anomaly-scenario.ts';
import { formatQueueAloneBench, formatQueueBench, runQueueAloneBench, runQueueBench } from './queue.bench.ts';
import { formatGuardsBench, runGuardsBench } from './guards.ts';

const only = process.argv[2];
const results: Record<string, unknown> = {};

if (!only || only === 'decode') results.decode = await runOtlpDecodeBench();
if (!only || only === 'pipeline') results.pipeline = await runPipelineBench();
if (!only || only === 'storage') results.storage = await runStorageBench();
if (!only || only === 'server-stores') {
  const r = await runServerStoresBench();
  results.serverStores = r;
  console.log('\n' + formatServerStoresBench(r));
}
// Long (minutes): only when named.
if (only === 'crash-soak') {
  const r = await runCrashSoak();
  results.crashSoak = r;
  console.log('\n' + formatCrashSoak(r));
  if ('ok' in r && !r.ok) process.exitCode = 1;
}
if (!only || only === 'e2e') {
  const e2e = await runE2eBench({ seconds: Number(process.env.BENCH_SECONDS ?? 20) });
  results.e2e = e2e;
  console.log(
    `\nend-to-end: ${Math.round(e2e.spansPerSecond)} spans/s into both stores ` +
      `(protobufjs reflection decode-only: ${Math.round(e2e.protobufjsDecodeSpansPerSecond)} spans/s; ratio ${e2e.ratio.toFixed(3)}); ` +
      `peak RSS ${e2e.peakRssMiB.toFixed(0)} MiB; stored duckdb=${e2e.storedDuckDb} postgres=${e2e.storedPostgres} of ${e2e.spansAcked} acknowledged; agentcol CPU ${e2e.cpuUsPerSpan.toFixed(1)} µs/span on ${e2e.coresBusy.toFixed(2)} cores; ` +
      `peak queue ${JSON.stringify(e2e.peakQueueBatches)} batches, memory_limiter's measure peaked at ${e2e.peakLimiterMiB.toFixed(0)} MiB; the stores drained ${e2e.drainSeconds.toFixed(1)} s after the load`,
  );
}

if (!only || only === 'queue') {
  const queueAlone = await runQueueAloneBench();
  results.queueAlone = queueAlone;
  console.log('\n' + formatQueueAloneBench(queueAlone));
  const queue = await runQueueBench({ seconds: Number(process.env.BENCH_SECONDS ?? 8), rounds: Number(process.env.BENCH_QUEUE_ROUNDS ?? 1) });
  results.queue = queue;
  console.log('\n' + formatQueueBench(queue));
}

if (!only || only === 'injection') {
  const injection = await runInjectionBench();
  results.injection = injection;
  console.log('\n' + formatInjectionBench(injection));
}

if (!only || only === 'proxy') {
  const proxy = await runProxyBench();
  results.proxy = proxy;
  console.log('\n' + formatProxyBench(proxy));
}

// redaction and injection_scan: MB/s per core inline and in the pipeline, event-loop delay, guardrail latency
if (!only || only === 'guards') {
  const guards = await runGuardsBench();
  results.guards = guards;
  console.log('\n' + formatGuardsBench(guards));
}

// The anomaly scenario (a simulated week, minutes of replay) runs only when named.
if (only === 'anomaly') {
  const anomaly = await runAnomalyScenarioBench({
    seed: process.env.BENCH_SEED ? Number(process.env.BENCH_SEED) : undefined,
    batchSize: process.env.BENCH_ANOMALY_BATCH ? Number(process.env.BENCH_ANOMALY_BATCH) : undefined,
    rounds: process.env.BENCH_ANOMALY_ROUNDS ? Number(process.env.BENCH_ANOMALY_ROUNDS) : undefined,
    skip: process.env.BENCH_ANOMALY_SKIP,
  });
  results.anomaly = { ...anomaly, detection: anomaly.detection && { ...anomaly.detection, falseAlerts: anomaly.detection.falseAlerts.length } };
  console.log('\n' + formatAnomalyBench(anomaly));
}

console.log('\n' + JSON.stringify(results, (_k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2));
