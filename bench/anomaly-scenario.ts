// `npm run bench -- anomaly`: the anomaly processor against a week of simulated traffic for 50
// agents with known injected anomalies (bench/anomaly/scenario.ts, seeded: BENCH_SEED).
//
// 1. Detection: the scenario replayed in event order, as fast as the pipeline takes it (batches of
//    BENCH_ANOMALY_BATCH spans, default 256), through a Service with the anomaly processor and its
//    alerts pipeline. Per injected anomaly: detected or not, latency in the agent's events and in ms
//    from the evidence span's receipt to its alert written; false alerts per clean agent-day.
// 2. Throughput: the real agentcol command into both stores, with and without the processor
//    (BENCH_ANOMALY_ROUNDS alternating rounds, default 1); the ratio of spans/s.
// Targets: every injection detected; <= 0.1 false alerts per agent-day; alert p99 <= 50 ms after
// receipt; throughput ratio >= 0.8. BENCH_ANOMALY_SKIP=throughput (or detection) runs one part.
import { availableParallelism, loadavg } from 'node:os';
import { generateScenario } from './anomaly/scenario.ts';
import { runDetection } from './anomaly/replay.ts';
import { scoreAlerts, type ScoreReport } from './anomaly/score.ts';
import { runThroughput, type ThroughputResult } from './anomaly/throughput.ts';

export interface AnomalyBenchResult {
  seed: number;
  agents: number;
  days: number;
  events: number;
  detection?: ScoreReport & { wallMs: number; cpuUsPerEvent: number; acceleration: number; batchSize: number };
  throughput?: ThroughputResult;
  /** Why throughput was not measured (with the agentcol output). */
  throughputError?: string;
  targets: Array<{ target: string; value: string; pass: boolean }>;
}

export async function runAnomalyScenarioBench(opts: { seed?: number; batchSize?: number; rounds?: number; skip?: string } = {}): Promise<AnomalyBenchResult> {
  const s = generateScenario({ seed: opts.seed });
  const out: AnomalyBenchResult = { seed: s.seed, agents: s.agents.length, days: s.days, events: s.events.length, targets: [] };
  if (opts.skip !== 'detection') {
    const batchSize = opts.batchSize ?? 256;
    const d = await runDetection(s, { batchSize });
    const report = scoreAlerts(s, d.alerts, (i) => d.receipt[i]);
    out.detection = { ...report, wallMs: d.wallMs, cpuUsPerEvent: d.cpuUsPerEvent, acceleration: d.acceleration, batchSize };
    const missed = report.injections.filter((i) => !i.detected).map((i) => i.name);
    out.targets.push(
      { target: 'every injected anomaly detected', value: missed.length ? `missed: ${missed.join(', ')}` : `${report.injections.length}/${report.injections.length}`, pass: missed.length === 0 },
      { target: '<= 0.1 false alerts per agent-day', value: `${report.falsePerAgentDay.toFixed(3)} (${report.falseAlerts.length} in ${report.cleanAgentDays} agent-days)`, pass: report.falsePerAgentDay <= 0.1 },
      {
        target: 'alert written <= 50 ms p99 after receipt',
        value: `p99 ${report.latency.p99.toFixed(1)} ms (p50 ${report.latency.p50.toFixed(1)}, max ${report.latency.max.toFixed(1)}, ${report.latency.n} alerts${report.latency.n < 100 ? ': under 100 alerts p99 is the slowest one' : ''}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
        pass: report.latency.p99 <= 50,
      },
    );
  }
  if (opts.skip !== 'throughput') {
    // A throughput failure (e.g. a store that does not start) must not lose the detection figures.
    try {
      const t = await runThroughput(s, { rounds: opts.rounds });
      out.throughput = t;
      out.targets.push({ target: 'throughput with / without >= 0.8', value: t.ratio.toFixed(3), pass: t.ratio >= 0.8 });
    } catch (err) {
      out.targets.push({ target: 'throughput with / without >= 0.8', value: `not measured: ${(err as Error).message.split('\n')[0]}`, pass: false });
      out.throughputError = (err as Error).message;
    }
  }
  return out;
}

export function formatAnomalyBench(r: AnomalyBenchResult): string {
  const lines = [`anomaly scenario: seed ${r.seed}, ${r.agents} agents, ${r.days} days, ${r.events} spans`];
  const d = r.detection;
  if (d) {
    lines.push(
      `detection run: ${(d.wallMs / 1000).toFixed(1)} s wall (${Math.round(d.acceleration)}x real time), ${d.cpuUsPerEvent.toFixed(1)} µs CPU per span (whole process, all threads), batches of ${d.batchSize}; ${d.alerts} alerts`,
      '',
      'injection                 class         detected  latency (events / event-time min / ms)  also flagged as',
    );
    for (const i of d.injections) {
      const lat = i.detected ? `${i.latencyEvents} / ${i.latencyEventMinutes!.toFixed(1)} / ${i.latencyMs!.toFixed(1)}` : '-';
      lines.push(`${i.name.padEnd(26)}${i.class.padEnd(14)}${(i.detected ? 'yes' : 'NO').padEnd(10)}${lat.padEnd(40)}${i.flaggedAs.filter((c) => c !== i.class).join(', ')}`);
    }
    for (const i of d.injections) if (i.alert) lines.push(`  ${i.name}: ${i.alert}`);
    lines.push('', `false alerts: ${d.falseAlerts.length} in ${d.cleanAgentDays} clean agent-days = ${d.falsePerAgentDay.toFixed(3)} per agent-day; by class ${JSON.stringify(d.falseByClass)}`);
    const byMetric: Record<string, number> = {};
    for (const a of d.falseAlerts) byMetric[`${a.class}/${a.metric}`] = (byMetric[`${a.class}/${a.metric}`] ?? 0) + 1;
    lines.push(`  by class/metric ${JSON.stringify(byMetric)}`);
    for (const a of d.falseAlerts.slice(0, 5)) lines.push(`  e.g. ${new Date(a.timeMs).toISOString()} ${a.class} ${a.agent}: ${a.message}`);
  }
  const t = r.throughput;
  if (t) {
    lines.push(
      '',
      `throughput (agentcol command, OTLP/HTTP -> both stores, ${t.spans} spans per round, ${t.with.rounds} round(s) each):`,
      `  without anomaly: ${Math.round(t.without.spansPerSecond)} spans/s, ${t.without.cpuUsPerSpan.toFixed(1)} µs CPU/span`,
      `  with anomaly:    ${Math.round(t.with.spansPerSecond)} spans/s, ${t.with.cpuUsPerSpan.toFixed(1)} µs CPU/span`,
      `  ratio ${t.ratio.toFixed(3)}`,
    );
  }
  if (r.throughputError) lines.push('', `throughput not measured: ${r.throughputError.slice(0, 2000)}`);
  lines.push('', 'targets:');
  for (const x of r.targets) lines.push(`  ${x.pass ? 'PASS' : 'FAIL'}  ${x.target}: ${x.value}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runAnomalyScenarioBench({
    seed: process.env.BENCH_SEED ? Number(process.env.BENCH_SEED) : undefined,
    batchSize: process.env.BENCH_ANOMALY_BATCH ? Number(process.env.BENCH_ANOMALY_BATCH) : undefined,
    rounds: process.env.BENCH_ANOMALY_ROUNDS ? Number(process.env.BENCH_ANOMALY_ROUNDS) : undefined,
    skip: process.env.BENCH_ANOMALY_SKIP,
  });
  console.log(formatAnomalyBench(r));
}
