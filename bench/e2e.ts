// End-to-end load benchmark: the real agentcol command with config/default.yaml (memory_limiter,
// batch, DuckDB + PGlite) in a child process, fed by an OTLP/HTTP protobuf client on loopback that
// sends batches of 512 GenAI spans with several requests in flight. The rate counts a span once
// BOTH stores have confirmed it (the exporters' sent counters), not when the receiver answered.
// In the same run it measures protobufjs reflection decode-only speed of the same payload and
// reports the ratio, since absolute rates on a shared 2-core machine are noise.
import http from 'node:http';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { allocatePorts, REPO, startAgentcol, type Ports } from '../test/helpers/agentcol-process.ts';
import { defaultStorePaths, queryDuckDb, withPglite } from '../test/helpers/stores.ts';
import { makeGenAiTracesBatch } from './genai-payload.ts';
import { encodeTracesRequest } from '../core/otlp/encode-proto.ts';
import { protobufjsTraceRequestType } from '../core/otlp/reflection.ts';

export interface E2eOptions {
  /** Seconds of load. */
  seconds?: number;
  /** Requests in flight. */
  concurrency?: number;
  spansPerRequest?: number;
}

export interface E2eResult {
  spansAcked: number;
  spansPerSecond: number;
  protobufjsDecodeSpansPerSecond: number;
  ratio: number;
  peakRssMiB: number;
  storedDuckDb: number;
  storedPostgres: number;
  refused429: number;
  /** CPU time of the agentcol process (all threads) per acknowledged span, in µs. */
  cpuUsPerSpan: number;
  /** Cores the agentcol process kept busy on average during the load. */
  coresBusy: number;
  /** Largest number of batches waiting in each exporter's sending queue (sampled every second). */
  peakQueueBatches: Record<string, number>;
  /** Largest V8 heap used + max(external, array buffers) (what memory_limiter measures), sampled, in MiB. */
  peakLimiterMiB: number;
  /** Seconds from the end of the load until both stores had confirmed every acknowledged span. */
  drainSeconds: number;
}

/** A metric's value per exporter label, from Prometheus text. */
function perExporter(metricsText: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metricsText.matchAll(new RegExp(`^${name}\\{[^}]*exporter="([^"]+)"[^}]*\\} (\\d+)`, 'gm'))) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  return out;
}

function gauge(metricsText: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(metricsText);
  return m ? Number(m[1]) : 0;
}

function sentSpans(metricsText: string, exporter: string): number {
  return perExporter(metricsText, 'otelcol_exporter_sent_spans')[exporter] ?? 0;
}

/** utime + stime of a process, in seconds (all its threads). */
function cpuSeconds(pid: number, file = `/proc/${pid}/stat`): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds of each thread of a process, by thread id (name in /proc/.../comm). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(`${tid} ${name}`, cpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended
    }
  }
  return out;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** config/default.yaml as shipped, on free ports (BENCH_CONFIG: another file, same ports). */
function benchConfig(p: Ports): string {
  const file = process.env.BENCH_CONFIG ?? `${REPO}/config/default.yaml`;
  return readFileSync(file, 'utf8')
    .replaceAll('127.0.0.1:4317', `127.0.0.1:${p.grpc}`)
    .replaceAll('127.0.0.1:4318', `127.0.0.1:${p.http}`)
    .replaceAll('127.0.0.1:8888', `127.0.0.1:${p.metrics}`)
    .replaceAll('127.0.0.1:13133', `127.0.0.1:${p.health}`);
}

/** Where the request's trace ids are (each span's, found by its 16 bytes). */
function traceIdOffsets(payload: Buffer, batch: ReturnType<typeof makeGenAiTracesBatch>): number[] {
  const out: number[] = [];
  const ids = new Set(batch.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((sp) => sp.traceId))));
  for (const id of ids) {
    const bytes = Buffer.from(id, 'hex');
    for (let at = payload.indexOf(bytes); at >= 0; at = payload.indexOf(bytes, at + 16)) out.push(at);
  }
  return out;
}

/** protobufjs reflection decode-only rate of the same payloads, in spans/s. */
function protobufjsDecodeRate(payloads: Buffer[], spansPerRequest: number, ms = 3000): number {
  const type = protobufjsTraceRequestType();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) type.decode(payloads[n++ % payloads.length]);
  return (n * spansPerRequest) / ((performance.now() - start) / 1000);
}

export async function runE2eBench(opts: E2eOptions = {}): Promise<E2eResult> {
  const seconds = opts.seconds ?? 20;
  const concurrency = opts.concurrency ?? 16;
  const spansPerRequest = opts.spansPerRequest ?? 512;

  // Distinct payloads (distinct trace ids), encoded up front so the client costs little CPU.
  const payloads: Buffer[] = [];
  const idOffsets: number[][] = [];
  for (let i = 0; i < 64; i++) {
    const batch = makeGenAiTracesBatch(spansPerRequest, i + 1);
    const payload = Buffer.from(encodeTracesRequest(batch));
    payloads.push(payload);
    idOffsets.push(traceIdOffsets(payload, batch));
  }

  const ports = await allocatePorts();
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the agentcol process.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean);
  const config = benchConfig(ports);
  // A BENCH_CONFIG may feed one store only (to measure its share): wait for and count what it has.
  const stores = (['duckdb', 'postgres'] as const).filter((e) => new RegExp(`exporters: \\[[^\\]]*\\b${e}\\b`).test(config));
  const run = await startAgentcol(config, ports.health, { nodeArgs });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let acked = 0;
  let refused = 0;
  let seq = 0;
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: ports.http, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  const peakQueueBatches: Record<string, number> = {};
  let peakLimiterBytes = 0;
  // BENCH_VERBOSE=1 prints each sample: queue depths, sent spans, RSS.
  const sample = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const queues = perExporter(text, 'otelcol_exporter_queue_size');
    for (const [e, n] of Object.entries(queues)) peakQueueBatches[e] = Math.max(peakQueueBatches[e] ?? 0, n);
    // memory_limiter's measure (processors/memory_limiter/memory.ts): heap + max(external, arrayBuffers)
    const limiter =
      gauge(text, 'otelcol_process_runtime_heap_alloc_bytes') +
      Math.max(gauge(text, 'agentcol_process_runtime_external_bytes'), gauge(text, 'agentcol_process_runtime_array_buffers_bytes'));
    peakLimiterBytes = Math.max(peakLimiterBytes, limiter);
    if (process.env.BENCH_VERBOSE) {
      const sent = perExporter(text, 'otelcol_exporter_sent_spans');
      console.log(`${((performance.now() - startAt) / 1000).toFixed(0)}s queue=${JSON.stringify(queues)} sent=${JSON.stringify(sent)} acked=${acked} limiter=${(limiter / 2 ** 20).toFixed(0)}MiB rss=${(gauge(text, 'otelcol_process_memory_rss') / 2 ** 20).toFixed(0)}MiB`);
    }
  };
  let startAt = performance.now();
  const sampler = setInterval(() => void sample().catch(() => {}), 1000);

  try {
    const cpuStart = cpuSeconds(run.child.pid!);
    const threadsStart = threadCpu(run.child.pid!);
    const start = (startAt = performance.now());
    const deadline = start + seconds * 1000;
    // The 64 payloads repeat, each time with new trace ids (the request number in their first 4
    // bytes): every span is new to the stores, which skip spans they already hold.
    const worker = async () => {
      while (performance.now() < deadline) {
        const n = seq++;
        const body = Buffer.from(payloads[n % payloads.length]); // a copy: requests still in flight keep theirs
        for (const at of idOffsets[n % payloads.length]) body.writeUInt32BE(n, at);
        const status = await post(body);
        if (status === 200) acked += spansPerRequest;
        else if (status === 429 || status === 503) {
          refused++;
          await new Promise((r) => setTimeout(r, 50));
        } else throw new Error(`unexpected HTTP ${status} from the receiver`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    // Wait until both stores confirmed everything that was acknowledged.
    const loadEnd = performance.now();
    for (;;) {
      const text = await (await fetch(metricsUrl)).text();
      if (stores.every((e) => sentSpans(text, e) >= acked)) break;
      if (performance.now() - deadline > 120_000) throw new Error('stores did not catch up within 120 s');
      await new Promise((r) => setTimeout(r, 200)); // each scrape costs agentcol ~1 ms of CPU
    }
    const elapsed = (performance.now() - start) / 1000;
    const drainSeconds = (performance.now() - loadEnd) / 1000;
    clearInterval(sampler);
    const cpu = cpuSeconds(run.child.pid!) - cpuStart;
    if (process.env.BENCH_VERBOSE) {
      // Per thread: the main thread, each store's worker, V8's and libuv's helpers.
      const rows = [...threadCpu(run.child.pid!)].map(([t, s]) => [t, ((s - (threadsStart.get(t) ?? 0)) * 1e6) / acked] as const).filter(([, us]) => us >= 0.5);
      for (const [t, us] of rows.sort((a, b) => b[1] - a[1])) console.log(`  thread ${t}: ${us.toFixed(1)} µs/span`);
    }
    const rss = peakRssMiB(run.child.pid!);
    agent.destroy();
    const code = await run.stop('SIGTERM');
    if (code !== 0) throw new Error(`agentcol exited with ${code}:\n${run.output()}`);

    const paths = defaultStorePaths(run.dir);
    const [{ n: storedDuckDb }] = !stores.includes('duckdb') ? [{ n: 0 }] : await queryDuckDb(paths.duckdb, 'SELECT count(*)::BIGINT AS n FROM otel_traces');
    const storedPostgres = !stores.includes('postgres') ? 0 : await withPglite(paths.pg, async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM otel_traces')).rows[0].n);
    const decode = protobufjsDecodeRate(payloads, spansPerRequest);
    const spansPerSecond = acked / elapsed;
    return {
      spansAcked: acked,
      spansPerSecond,
      protobufjsDecodeSpansPerSecond: decode,
      ratio: spansPerSecond / decode,
      peakRssMiB: rss,
      storedDuckDb: Number(storedDuckDb),
      storedPostgres: Number(storedPostgres),
      refused429: refused,
      cpuUsPerSpan: (cpu * 1e6) / acked,
      coresBusy: cpu / elapsed,
      peakQueueBatches,
      peakLimiterMiB: peakLimiterBytes / 2 ** 20,
      drainSeconds,
    };
  } finally {
    clearInterval(sampler);
    agent.destroy();
    if (run.child.exitCode === null) await run.stop('SIGKILL');
    rmSync(run.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runE2eBench();
  console.log(JSON.stringify(r, null, 2));
}
