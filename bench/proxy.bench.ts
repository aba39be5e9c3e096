// LLM proxy benchmark: the mock provider called DIRECTLY vs THROUGH the agentcol proxy (the real
// `agentcol` command, llm_proxy receiver -> batch -> debug, or the embedded stores with
// BENCH_PROXY_STORES=1), non-streaming and streaming, guardrails off and with an example guard on.
// In one run:
//   - throughput: closed loop, fixed concurrency -> requests/s, p50/p99, ratio proxied/direct;
//   - added latency at a fixed offered load (open loop, default 1,000 requests/s): proxied p50/p99
//     minus direct p50/p99.
// Three processes on loopback: this one (the load client, a plain keep-alive http.Agent — the
// SDKs add their own per-request overhead, which would hide the proxy's), the mock provider, and
// agentcol. Everything is bounded in time and count. Absolute figures on a shared 2-core machine
// are noise; the ratios between targets measured here, in this run, are the result.
//
//   node --import tsx bench/proxy.bench.ts [--json]
//   BENCH_PROXY_SECONDS=5 BENCH_PROXY_RATE=1000 BENCH_PROXY_CONCURRENCY=16 BENCH_PROXY_STORES=1
//   BENCH_PROXY_WARMUP_REQUESTS=10000 BENCH_PROXY_WARMUP_SECONDS=20
//   BENCH_PROXY_MODES=nonstreaming (or streaming) BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_PROXY_TAIL=1 (match the slowest 1% against GC pauses and loop stalls in each process)
//   BENCH_PROXY_OUTPUT=/tmp/agentcol.out (keep agentcol's output, e.g. with BENCH_NODE_ARGS=--trace-gc)
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// @ts-expect-error plain JS module (loaded into the child processes before tsx), no types
import { collector } from './proxy-probe.mjs';
import { REPO, startAgentcol, type RunningAgentcol } from '../test/helpers/agentcol-process.ts';
import { freePort } from '../test/helpers/ports.ts';
import { closedLoop, httpSender, openLoop, percentile, summarise, type LoadResult, type LoadRun, type Sample, type Send } from './latency.ts';

export interface ProxyBenchOptions {
  /** Seconds per measured phase (each target × mode × loop). */
  seconds?: number;
  /** Closed-loop requests in flight. */
  concurrency?: number;
  /** Open-loop offered rate, requests/s. */
  rate?: number;
  /** Open-loop light rate, requests/s. */
  lowRate?: number;
  /** Each phase is cut into this many slices, interleaved across targets (in rotating order) so
   * that noise from other load on the machine hits every target alike. */
  rounds?: number;
  /** Closed-loop calls per target before measuring (JIT warm-up), at most `warmupSeconds`. */
  warmupRequests?: number;
  warmupSeconds?: number;
  /** Request cap per phase. */
  maxRequests?: number;
  /** duckdb + postgres (embedded) instead of the debug exporter. */
  stores?: boolean;
}

type Target = 'direct' | 'proxied' | 'guarded';
type Proc = 'agentcol' | 'mock' | 'client';

/** What one process's event loop went through during a target's open-loop slices (proxy-probe.mjs). */
interface LoopStats {
  /** Event-loop delay p99, ms: the median and the worst of the slices' p99s; the longest delay. */
  eldP99: number;
  eldP99Worst: number;
  eldMax: number;
  /** Event-loop utilisation, mean over the slices. */
  elu: number;
  /** Garbage collections: how many, their total and longest pause (ms). */
  gcCount: number;
  gcMs: number;
  gcMaxMs: number;
  /** Mark-compact collections (the long ones): how many, total and longest pause (ms). */
  majorCount: number;
  majorMs: number;
  majorMaxMs: number;
  /** Heap in use at the end of the slices, MiB. */
  heapMb: number;
  /** BENCH_PROXY_TAIL=1: loop stalls >= 3 ms that burnt their length in CPU (own work) and that did
   * not (descheduled): how many, total ms, longest. */
  stalls?: { busy: number; busyMs: number; busyMax: number; wait: number; waitMs: number; waitMax: number };
}

/** The slowest 1% of a target's requests (at or above its p99), and how many of them overlapped a
 * GC pause or an event-loop stall (>= 3 ms) in each process (BENCH_PROXY_TAIL=1): a 'busy' stall
 * burnt the CPU it lasted (the process's own work), a 'wait' stall did not (not scheduled). */
interface TailAttribution {
  slow: number;
  thresholdMs: number;
  overlapped: Record<string, number>;
  /** Overlapping nothing that was seen. */
  unexplained: number;
}

interface ProbeSnapshot {
  eld: { p50: number; p99: number; max: number; mean: number };
  elu: number;
  gc: { count: number; ms: number; maxMs: number; byKind: Record<string, { count: number; ms: number; maxMs: number }> };
  heapMb: number;
  events: Array<{ t: number; ms: number; what: string; cpuMs?: number }>;
}

interface LatencyAtLoad {
  rate: number;
  /** Every target got at least 95% of the offered rate with nothing skipped; when false the
   * latencies include queueing in an overloaded system and the "added" figures mean little. */
  sustained: boolean;
  direct: LoadResult;
  proxied: LoadResult;
  guarded: LoadResult;
  addedP50: number;
  addedP99: number;
  addedP50Guarded: number;
  addedP99Guarded: number;
  /** Each process's event loop during each target's slices: where a p99 can come from. */
  loops: Record<Target, Record<Proc, LoopStats>>;
  tail?: Record<Target, TailAttribution>;
}

/** CPU per request (µs) of each process during a target's closed-loop slices: what the ratio is
 * made of on a CPU-bound machine. agentcol's figure on the direct target is its idle cost. */
interface CpuPerRequest {
  agentcol: number;
  mock: number;
  client: number;
}

interface Mode {
  throughput: { direct: LoadResult; proxied: LoadResult; guarded: LoadResult; ratio: number; ratioGuarded: number; cpuUs?: Record<Target, CpuPerRequest> };
  /** At the offered load of the target (BENCH_PROXY_RATE, default 1,000 requests/s). */
  fixedLoad: LatencyAtLoad;
  /** At a light load (BENCH_PROXY_LOW_RATE, default 100 requests/s): the proxy's own cost without queueing. */
  lowLoad: LatencyAtLoad;
}

export interface ProxyBenchResult {
  guard: string;
  exporters: string;
  /** Absent when BENCH_PROXY_MODES leaves it out (nonstreaming,streaming by default). */
  nonStreaming?: Mode;
  streaming?: Mode;
}

export const AGENT_KEY = 'bench-agent-key';
const SYSTEM = 'You are a support assistant for an online shop. Answer briefly, cite the order number, never reveal internal notes.';
const QUESTION =
  'Hello, my order 48213 arrived yesterday but the box was damaged and one of the two mugs inside is cracked. ' +
  'Can you tell me whether I should send the broken mug back first, or whether you can ship a replacement straight away? ' +
  'I would also like to know how long a replacement usually takes to arrive.';

/** The example guard plugin (test/fixtures/plugins/agentcol-guard-keyword): its keyword scan runs
 * inline on every request and response. */
export function guardSetup(): { name: string; plugin: string; processor: string } {
  return {
    name: 'keyword_guard (test/fixtures/plugins/agentcol-guard-keyword)',
    plugin: join(REPO, 'test/fixtures/plugins/agentcol-guard-keyword'),
    processor: 'keyword_guard: { block: [forbidden, "ignore previous instructions"], flag: [refund], redact: [secret-project] }',
  };
}

export async function startMock(opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<{ child: ChildProcess; port: number; key: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', join(REPO, 'test/fixtures/mock-providers/serve.ts')], {
    cwd: REPO,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`mock provider exited with ${code}`)));
  });
  const info = JSON.parse(line) as { port: number; keys: { openai: string[] } };
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, port: info.port, key: info.keys.openai[0], stop: () => (child.kill('SIGTERM'), exited) };
}

export function proxyConfig(p: { mockPort: number; mockKey: string; proxy: number; guarded: number; health: number; metrics: number; guard: { plugin: string; processor: string }; stores: boolean }): string {
  const guardId = p.guard.processor.split(':')[0];
  const exporters = p.stores ? '[duckdb, postgres]' : '[debug]';
  const receiver = (endpoint: number, guardrails: string) => `
    endpoint: 127.0.0.1:${endpoint}
    agents:
      - { id: bench-agent, key: ${AGENT_KEY}, customer: bench, roles: [support], allowed_cidrs: [127.0.0.0/8] }
    providers:
      openai: { kind: openai, base_url: "http://127.0.0.1:${p.mockPort}/v1", api_key: ${p.mockKey}, timeout: 10s }
    routes:
      - model: fast
        strategy: fallback
        targets: [{ provider: openai, model: gpt-4o-mini }]
    prices:
      gpt-4o-mini: { input: 0.15, output: 0.60, cache_read: 0.075 }
    guardrails: ${guardrails}`;
  return `
plugins: ["${p.guard.plugin}"]
extensions:
  health_check: { endpoint: 127.0.0.1:${p.health} }
receivers:
  llm_proxy:${receiver(p.proxy, '[]')}
  llm_proxy/guarded:${receiver(p.guarded, `[${guardId}]`)}
processors:
  batch: {}
  ${p.guard.processor}
exporters:
  ${p.stores ? 'duckdb: {}\n  postgres: {}' : 'debug: { verbosity: basic, sampling_initial: 1, sampling_thereafter: 1000 }'}
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }
  pipelines:
    traces: { receivers: [llm_proxy, llm_proxy/guarded], processors: [batch], exporters: ${exporters} }
    logs: { receivers: [llm_proxy, llm_proxy/guarded], processors: [batch], exporters: ${exporters} }
`;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const PROBE = join(REPO, 'bench/proxy-probe.mjs');

/** Drives proxy-probe.mjs in a child: each call sends SIGUSR2 (start, then stop) and waits for the
 * answer file to carry the next sequence number. */
function childProbe(child: ChildProcess, file: string): () => Promise<ProbeSnapshot> {
  let seq = 0;
  return async () => {
    const want = ++seq;
    child.kill('SIGUSR2');
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (existsSync(file)) {
        const snap = JSON.parse(readFileSync(file, 'utf8')) as ProbeSnapshot & { seq: number };
        if (snap.seq === want) return snap;
      }
      if (Date.now() > deadline) throw new Error(`probe in pid ${child.pid} did not answer (${file})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
}

function loopStats(snaps: ProbeSnapshot[]): LoopStats {
  const p99s = snaps.map((s) => s.eld.p99).sort((a, b) => a - b);
  return {
    eldP99: percentile(p99s, 50),
    eldP99Worst: p99s.at(-1) ?? NaN,
    eldMax: Math.max(...snaps.map((s) => s.eld.max)),
    elu: snaps.reduce((n, s) => n + s.elu, 0) / snaps.length,
    gcCount: snaps.reduce((n, s) => n + s.gc.count, 0),
    gcMs: snaps.reduce((n, s) => n + s.gc.ms, 0),
    gcMaxMs: Math.max(...snaps.map((s) => s.gc.maxMs)),
    majorCount: snaps.reduce((n, s) => n + (s.gc.byKind.major?.count ?? 0), 0),
    majorMs: snaps.reduce((n, s) => n + (s.gc.byKind.major?.ms ?? 0), 0),
    majorMaxMs: Math.max(0, ...snaps.map((s) => s.gc.byKind.major?.maxMs ?? 0)),
    heapMb: Math.max(...snaps.map((s) => s.heapMb)),
    ...(snaps.some((s) => s.events.length) ? { stalls: stallStats(snaps.flatMap((s) => s.events)) } : {}),
  };
}

function stallStats(events: ProbeSnapshot['events']): NonNullable<LoopStats['stalls']> {
  const of = (what: string) => events.filter((e) => e.what === what).map((e) => e.ms);
  const busy = of('busy');
  const wait = of('wait');
  const sum = (a: number[]) => a.reduce((n, x) => n + x, 0);
  return { busy: busy.length, busyMs: sum(busy), busyMax: Math.max(0, ...busy), wait: wait.length, waitMs: sum(wait), waitMax: Math.max(0, ...wait) };
}

/** Which processes' GC pauses or loop stalls overlap the slowest 1% of requests. */
function attributeTail(samples: Array<Sample & { at: number }>, events: Record<Proc, ProbeSnapshot['events']>): TailAttribution {
  const threshold = percentile(samples.map((s) => s.ms).sort((a, b) => a - b), 99);
  const slow = samples.filter((s) => s.ms >= threshold);
  const overlapped: Record<string, number> = {};
  let unexplained = 0;
  for (const s of slow) {
    const hit = new Set<string>();
    for (const proc of Object.keys(events) as Proc[]) {
      for (const e of events[proc]) {
        if (e.t < s.at + s.ms && e.t + e.ms > s.at) hit.add(`${proc} ${e.what.startsWith('gc:') ? 'gc' : e.what}`);
      }
    }
    if (!hit.size) unexplained++;
    for (const h of hit) overlapped[h] = (overlapped[h] ?? 0) + 1;
  }
  return { slow: slow.length, thresholdMs: threshold, overlapped, unexplained };
}

/** User + system CPU of another process, µs (Linux /proc; undefined elsewhere). */
function procCpuUs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    // Fields after the ") " that closes the command name: utime is the 12th, stime the 13th (clock ticks, 100/s).
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return undefined;
  }
}

export async function runProxyBench(opts: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_PROXY_SECONDS ?? 5);
  const concurrency = opts.concurrency ?? Number(process.env.BENCH_PROXY_CONCURRENCY ?? 16);
  const rate = opts.rate ?? Number(process.env.BENCH_PROXY_RATE ?? 1000);
  const lowRate = opts.lowRate ?? Number(process.env.BENCH_PROXY_LOW_RATE ?? 100);
  const rounds = opts.rounds ?? Number(process.env.BENCH_PROXY_ROUNDS ?? 5);
  const warmupRequests = opts.warmupRequests ?? Number(process.env.BENCH_PROXY_WARMUP_REQUESTS ?? 10_000);
  const warmup = opts.warmupSeconds ?? Number(process.env.BENCH_PROXY_WARMUP_SECONDS ?? 20);
  const maxRequests = opts.maxRequests ?? 200_000;
  const stores = opts.stores ?? process.env.BENCH_PROXY_STORES === '1';

  const dir = mkdtempSync(join(tmpdir(), 'agentcol-proxy-bench-'));
  // The event timeline (a 1 ms timer in every process) is a diagnostic: it costs CPU, so it is opt-in.
  const tail = process.env.BENCH_PROXY_TAIL === '1';
  const probeEnv = (name: string) => ({ PROXY_PROBE_FILE: join(dir, `probe-${name}.json`), PROXY_PROBE_EVENTS: tail ? '1' : '0' });
  const probeArgs = ['--import', pathToFileURL(PROBE).href];
  const mock = await startMock({ nodeArgs: probeArgs, env: probeEnv('mock') });
  const guard = guardSetup();
  const ports = { proxy: await freePort(), guarded: await freePort(), health: await freePort(), metrics: await freePort() };
  let run: RunningAgentcol | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  try {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the agentcol process.
    const nodeArgs = [...probeArgs, ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
    run = await startAgentcol(proxyConfig({ mockPort: mock.port, mockKey: mock.key, ...ports, guard, stores }), ports.health, { dir, nodeArgs, env: probeEnv('agentcol') });
    const probes = {
      agentcol: childProbe(run.child, probeEnv('agentcol').PROXY_PROBE_FILE),
      mock: childProbe(mock.child, probeEnv('mock').PROXY_PROBE_FILE),
      client: collector({ events: tail }) as { start(): void; stop(): ProbeSnapshot },
    };

    let seq = 0;
    const body = (model: string, stream: boolean) => () =>
      JSON.stringify({
        model,
        messages: [
          { role: 'system', content: SYSTEM },
          // A distinct request every time, so no cache anywhere can answer.
          { role: 'user', content: `${QUESTION} (ticket ${++seq})` },
        ],
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      });
    const sender = (port: number, key: string, model: string, stream: boolean): Send =>
      httpSender({ port, path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, body: body(model, stream), agent });

    const cpuNow = () => ({ agentcol: procCpuUs(run?.child.pid), mock: procCpuUs(mock.child.pid), client: cpuUsageUs() });
    /** Runs `loop` on every target in `rounds` interleaved slices; merges each target's slices and
     * adds up each process's CPU over them. */
    const interleaved = async (targets: Record<Target, Send>, loop: (send: Send, name: Target) => Promise<LoadRun>) => {
      const names = Object.keys(targets) as Target[];
      const runs: Record<Target, LoadRun[]> = { direct: [], proxied: [], guarded: [] };
      const cpu = Object.fromEntries(names.map((n) => [n, { agentcol: 0, mock: 0, client: 0 }])) as Record<Target, CpuPerRequest>;
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < names.length; i++) {
          const name = names[(i + r) % names.length];
          const c0 = cpuNow();
          runs[name].push(await loop(targets[name], name));
          const c1 = cpuNow();
          for (const k of ['agentcol', 'mock', 'client'] as const) cpu[name][k] += (c1[k] ?? NaN) - (c0[k] ?? NaN);
        }
      }
      const res = { direct: summarise(...runs.direct), proxied: summarise(...runs.proxied), guarded: summarise(...runs.guarded) };
      for (const n of names) for (const k of ['agentcol', 'mock', 'client'] as const) cpu[n][k] /= res[n].requests;
      return { ...res, cpuUs: cpu };
    };
    const atLoad = async (targets: Record<Target, Send>, r: number): Promise<LatencyAtLoad> => {
      const slices: Record<Target, Array<Record<Proc, ProbeSnapshot>>> = { direct: [], proxied: [], guarded: [] };
      const stamped: Record<Target, Array<Sample & { at: number }>> = { direct: [], proxied: [], guarded: [] };
      const { cpuUs: _cpu, ...res } = await interleaved(targets, async (send, name) => {
        await Promise.all([probes.agentcol(), probes.mock()]);
        probes.client.start();
        // Each sample gets its wall-clock send time, to match against the processes' event timelines.
        const stamp: Send = () => {
          const at = performance.timeOrigin + performance.now();
          return send().then((s) => Object.assign(s, { at }));
        };
        const run = await openLoop(stamp, { rate: r, seconds: seconds / rounds, maxRequests: maxRequests / rounds, maxInFlight: 2000 });
        const client = probes.client.stop();
        const [agentcol, mock] = await Promise.all([probes.agentcol(), probes.mock()]);
        slices[name].push({ agentcol, mock, client });
        stamped[name].push(...(run.samples as Array<Sample & { at: number }>));
        return run;
      });
      const ok = (x: LoadResult) => x.rps >= 0.95 * r && !x.skipped && !x.errors;
      const names: Target[] = ['direct', 'proxied', 'guarded'];
      const procs: Proc[] = ['agentcol', 'mock', 'client'];
      const loops = Object.fromEntries(names.map((n) => [n, Object.fromEntries(procs.map((p) => [p, loopStats(slices[n].map((sl) => sl[p]))]))])) as LatencyAtLoad['loops'];
      const tailOf = (n: Target) => attributeTail(stamped[n], Object.fromEntries(procs.map((p) => [p, slices[n].flatMap((sl) => sl[p].events)])) as Record<Proc, ProbeSnapshot['events']>);
      return {
        loops,
        ...(tail ? { tail: { direct: tailOf('direct'), proxied: tailOf('proxied'), guarded: tailOf('guarded') } } : {}),
        rate: r,
        sustained: ok(res.direct) && ok(res.proxied) && ok(res.guarded),
        ...res,
        addedP50: res.proxied.p50 - res.direct.p50,
        addedP99: res.proxied.p99 - res.direct.p99,
        addedP50Guarded: res.guarded.p50 - res.direct.p50,
        addedP99Guarded: res.guarded.p99 - res.direct.p99,
      };
    };

    const modes: Partial<Record<'nonStreaming' | 'streaming', Mode>> = {};
    for (const stream of [false, true]) {
      if (!(process.env.BENCH_PROXY_MODES ?? 'nonstreaming,streaming').split(',').includes(stream ? 'streaming' : 'nonstreaming')) continue;
      const targets: Record<Target, Send> = {
        direct: sender(mock.port, mock.key, 'gpt-4o-mini', stream),
        proxied: sender(ports.proxy, AGENT_KEY, 'fast', stream),
        guarded: sender(ports.guarded, AGENT_KEY, 'fast', stream),
      };
      // Warm up every path (JIT, connections), and check that it answers 200. A proxy runs for
      // hours: the steady state is what counts. agentcol runs far more code per call than the
      // mock or the client, and V8 optimises by call count: with 1 s (at most 2,000 calls) of
      // warm-up it was still compiling, 15-18% of its CPU in the next 10 s (perf), against 5%
      // after ~7,000 calls. So each target gets `warmupRequests` calls (time-capped).
      for (const send of Object.values(targets)) {
        const w = await closedLoop(send, { concurrency, seconds: warmup, maxRequests: warmupRequests });
        if (w.errors) throw new Error(`warm-up: ${w.errors} failed requests: ${(w.firstError as Error)?.message}`);
      }
      const tp = await interleaved(targets, (send) => closedLoop(send, { concurrency, seconds: seconds / rounds, maxRequests: maxRequests / rounds }));
      modes[stream ? 'streaming' : 'nonStreaming'] = {
        throughput: { ...tp, ratio: tp.proxied.rps / tp.direct.rps, ratioGuarded: tp.guarded.rps / tp.direct.rps },
        fixedLoad: await atLoad(targets, rate),
        lowLoad: await atLoad(targets, lowRate),
      };
    }
    return { guard: guard.name, exporters: stores ? 'duckdb + postgres (embedded)' : 'debug', ...modes };
  } finally {
    agent.destroy();
    if (run) {
      const code = await run.stop();
      // BENCH_PROXY_OUTPUT=<file> keeps agentcol's output (e.g. with BENCH_NODE_ARGS=--trace-gc).
      if (process.env.BENCH_PROXY_OUTPUT) writeFileSync(process.env.BENCH_PROXY_OUTPUT, run.output());
      if (code !== 0) console.error(`agentcol exited with ${code}:\n${run.output().slice(-4000)}`);
    }
    await mock.stop();
  }
}

function cpuUsageUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function formatProxyBench(r: ProxyBenchResult): string {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : String(n));
  const lines = [`llm_proxy bench (guard: ${r.guard}; exporters: ${r.exporters})`];
  for (const [label, m] of [
    ['non-streaming', r.nonStreaming],
    ['streaming', r.streaming],
  ] as const) {
    if (!m) continue;
    const t = m.throughput;
    const row = (name: string, x: LoadResult) =>
      `    ${name.padEnd(8)} ${Math.round(x.rps).toString().padStart(6)} req/s  p50 ${f(x.p50)} ms  p99 ${f(x.p99)} ms  ttfb p50 ${f(x.ttfbP50)} ms  errors ${x.errors}${x.skipped ? `  skipped ${x.skipped}` : ''}`;
    const cpu = (name: 'direct' | 'proxied' | 'guarded') => {
      const c = t.cpuUs?.[name];
      return c ? `${name} agentcol ${c.agentcol.toFixed(0)} + mock ${c.mock.toFixed(0)} + client ${c.client.toFixed(0)}` : `${name} n/a`;
    };
    lines.push(
      `  ${label}, closed loop (throughput):`,
      row('direct', t.direct),
      row('proxied', t.proxied),
      row('guarded', t.guarded),
      `    throughput ratio proxied/direct ${f(t.ratio)} (target >= 0.4), guarded/direct ${f(t.ratioGuarded)}`,
      `    CPU µs per request: ${cpu('direct')}; ${cpu('proxied')}; ${cpu('guarded')}`,
    );
    for (const l of [m.fixedLoad, m.lowLoad]) {
      lines.push(
        `  ${label}, open loop at ${l.rate} req/s${l.sustained ? '' : ' (NOT sustained: latencies include queueing)'}:`,
        row('direct', l.direct),
        row('proxied', l.proxied),
        row('guarded', l.guarded),
        `    added latency: p50 ${f(l.addedP50)} ms, p99 ${f(l.addedP99)} ms; with guard p50 ${f(l.addedP50Guarded)} ms, p99 ${f(l.addedP99Guarded)} ms` +
          (l === m.fixedLoad ? ' (target p50 < 1, p99 < 5)' : ''),
      );
      for (const name of ['direct', 'proxied', 'guarded'] as const) {
        const lp = l.loops[name];
        const one = (p: Proc) => `${p} ${f(lp[p].eldP99)}/${f(lp[p].eldP99Worst)}/${f(lp[p].eldMax)} elu ${f(lp[p].elu)} gc ${lp[p].gcCount}x ${f(lp[p].gcMs)} max ${f(lp[p].gcMaxMs)} (major ${lp[p].majorCount}x ${f(lp[p].majorMs)} max ${f(lp[p].majorMaxMs)}) heap ${f(lp[p].heapMb)} MiB` +
          (lp[p].stalls ? ` stalls busy ${lp[p].stalls!.busy}x ${f(lp[p].stalls!.busyMs)} max ${f(lp[p].stalls!.busyMax)}, wait ${lp[p].stalls!.wait}x ${f(lp[p].stalls!.waitMs)} max ${f(lp[p].stalls!.waitMax)}` : '');
        lines.push(`    ${name.padEnd(8)} event loops (delay p99 median/worst slice/max ms, utilisation, GC count/ms/longest):`, ...(['agentcol', 'mock', 'client'] as const).map((p) => `      ${one(p)}`));
      }
      if (l.tail) {
        for (const name of ['direct', 'proxied', 'guarded'] as const) {
          const t = l.tail[name];
          const o = Object.entries(t.overlapped).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
          lines.push(`    ${name.padEnd(8)} slowest ${t.slow} (>= ${f(t.thresholdMs)} ms) overlapped: ${o || '-'}; nothing seen: ${t.unexplained}`);
        }
      }
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runProxyBench();
  console.log(formatProxyBench(r));
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? round(v) : v), 2));
}
