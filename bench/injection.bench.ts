// injection_scan: detection quality on the labelled set and scan throughput.
//
//   npm run bench -- injection        (or: node --import tsx bench/injection.bench.ts)
//
// Quality: precision, recall and false-positive rate at the configured default threshold, overall,
// per split (dev: tuned on; heldout: written before tuning, never tuned on) and per category
// (test/fixtures/injection). Throughput: MB/s per core = bytes scanned / CPU seconds of this
// process (process.cpuUsage), for texts of 1 KB to 64 KB: `agent` (the seeded realistic agent
// payloads of bench/guard-payloads.ts: chat prompts, JSON tool results, retrieved documents, code,
// logs, each scanned in its role) and `hard` (the set's benign texts run together: dense with
// the words attacks use, the slow case). BENCH_INJECTION_SECONDS (default 1) per size.
import { DEFAULTS } from '../processors/injection_scan/config.ts';
import { scanText } from '../processors/injection_scan/scan.ts';
import { evaluate, loadSet, type Metrics, type Report } from '../test/fixtures/injection/evaluate.ts';
import { makePayloads, PAYLOAD_SIZES } from './guard-payloads.ts';

export interface ThroughputRow {
  payload: string;
  bytes: number;
  mbPerCpuSecond: number;
  scansPerCpuSecond: number;
  /** CPU microseconds per KiB scanned. */
  cpuUsPerKiB: number;
}

export interface InjectionBench {
  quality: Omit<Report, 'errors'>;
  throughput: ThroughputRow[];
}


/** A prompt of about `size` bytes: benign texts of the set, in a fixed interleaved order. */
function prompt(texts: string[], size: number, offset: number): string {
  let out = '';
  for (let i = offset; Buffer.byteLength(out) < size; i++) out += texts[i % texts.length] + '\n\n';
  return out.slice(0, size);
}

type Input = { text: string; role: 'user' | 'tool' | 'document' };

/** Runs `f` over the inputs for `seconds`; returns [runs, CPU seconds]. */
function cpuLoop(prompts: Input[], seconds: number, f: (p: Input) => unknown): [number, number] {
  let runs = 0;
  const c0 = process.cpuUsage();
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    f(prompts[runs % prompts.length]);
    runs++;
  }
  const c = process.cpuUsage(c0);
  return [runs, (c.user + c.system) / 1e6];
}

function throughput(name: string, inputsOfSize: (size: number) => Input[], seconds: number): ThroughputRow[] {
  return PAYLOAD_SIZES.map((size) => {
    // several different texts of this size, so one lucky text does not decide
    const prompts = inputsOfSize(size);
    for (const p of prompts) scanText(p.text, p.role); // warm up
    const bytes = prompts.reduce((a, p) => a + Buffer.byteLength(p.text), 0) / prompts.length;
    const [scans, cpu] = cpuLoop(prompts, seconds, (p) => scanText(p.text, p.role));
    return { payload: name, bytes: Math.round(bytes), mbPerCpuSecond: (bytes * scans) / 1e6 / cpu, scansPerCpuSecond: scans / cpu, cpuUsPerKiB: (cpu * 1e6) / ((bytes * scans) / 1024) };
  });
}

export async function runInjectionBench(opts: { seconds?: number } = {}): Promise<InjectionBench> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_INJECTION_SECONDS ?? 1);
  const { errors: _errors, ...quality } = evaluate(DEFAULTS.threshold);
  const benign = [...loadSet('dev'), ...loadSet('heldout')].filter((i) => i.label === 'benign');
  // interleave kinds so every prompt mixes them
  const mixed = benign.map((i, k) => ({ i, k: (k * 37) % benign.length })).sort((a, b) => a.k - b.k).map((x) => x.i.text);
  const agent = makePayloads({ variants: 2 });
  return {
    quality,
    throughput: [
      ...throughput('agent', (size) => agent.filter((p) => p.size === size), seconds),
      ...throughput('hard', (size) => Array.from({ length: 8 }, (_, k) => ({ text: prompt(mixed, size, k * 7), role: 'user' as const })), seconds),
    ],
  };
}

const pct = (x: number, n: number) => (n === 0 ? '  -  ' : x.toFixed(3));
const row = (name: string, m: Metrics) =>
  `${name.padEnd(34)} ${String(m.items).padStart(5)} ${String(m.attacks).padStart(7)} ${String(m.benign).padStart(6)}  ${pct(m.precision, m.attacks)}  ${pct(m.recall, m.attacks)}  ${pct(m.fpr, m.benign)}`;

export function formatInjectionBench(r: InjectionBench): string {
  const q = r.quality;
  const lines = [
    `injection_scan at the default threshold ${q.threshold} (test/fixtures/injection)`,
    `${'set'.padEnd(34)} ${'items'.padStart(5)} ${'attacks'.padStart(7)} ${'benign'.padStart(6)}  precis  recall  fpr`,
    row('all', q.overall),
    row('dev (tuned on)', q.splits.dev),
    row('heldout (never tuned on)', q.splits.heldout),
    '',
    ...Object.entries(q.categories).map(([k, m]) => row(k, m)),
    '',
    `targets (whole set): recall >= 0.95 ${q.overall.recall >= 0.95 ? 'met' : 'NOT met'}, false-positive rate <= 0.02 ${q.overall.fpr <= 0.02 ? 'met' : 'NOT met'}`,
    '',
    'scan throughput (MB/s per core = bytes / CPU seconds of this process)',
    ...r.throughput.map(
      (t) =>
        `  ${t.payload.padEnd(6)} ${String(t.bytes).padStart(6)} B  ${t.mbPerCpuSecond.toFixed(1).padStart(6)} MB/s  ${t.scansPerCpuSecond.toFixed(0).padStart(7)} scans/s` +
        `  ${t.cpuUsPerKiB.toFixed(0).padStart(5)} CPU µs/KiB`,
    ),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runInjectionBench();
  console.log(formatInjectionBench(r));
}
