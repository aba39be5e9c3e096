// The guard processors' bench (redaction, injection_scan), in one run:
//   1. throughput in MB/s per core: bytes of payload text scanned / CPU seconds of the whole process
//      (process.cpuUsage: the main thread and the worker pool's threads), for redaction alone,
//      injection_scan alone and both, on realistic agent payloads of 1 KB to 64 KB (chat prompts,
//      JSON tool results, RAG documents, code, logs: bench/guard-payloads.ts), in both roles:
//        - inline: the scanning functions the proxy guardrails call, on the event loop;
//        - pipeline: OTLP batches (held protobuf, as receivers hand them on) carrying the payloads as
//          span attributes and log bodies, through the processors with the worker pool;
//   2. the event-loop delay p99 (perf_hooks.monitorEventLoopDelay) of the main thread while the pool
//      works at full load through the pipeline role, and what the main thread spends per MB;
//   3. inline guardrail latency: the LLM proxy (the real agentcol command) with
//      `guardrails: [policy, injection_scan, redaction]` vs the same proxy without guardrails, 4 KB
//      requests (plain HTTP keep-alive) against the mock provider, interleaved: added p50 / p99,
//      and the agentcol process's CPU per request (all its threads, /proc schedstat). injection_scan
//      in its default flag mode is record-only (the request does not wait for it: it scans while
//      the provider answers); a third receiver runs it in block mode, on the request path, so the
//      cost of both placements is measured in the same run.
// Targets: redaction + injection_scan together >= 20 MB/s per core; event-loop delay p99 < 10 ms;
// guardrails add < 0.5 ms p50. Absolute figures on a shared 2-core machine are noise; CPU time per
// byte and the ratios measured here, in this run, are the result.
//
//   npm run bench -- guards            node --import tsx bench/guards.ts [--json]
//   BENCH_GUARDS_PARTS=inline,pipeline,proxy  BENCH_GUARDS_CPU_MS=150 (per payload, mode and round,
//   inline; the best of BENCH_GUARDS_ROUNDS=3 rounds)
//   BENCH_GUARDS_SECONDS=6 (per pipeline mode)  BENCH_GUARDS_REQUESTS=1500 (per proxy target)
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Consumer, Host, Processor, Signal } from '../core/component.ts';
import { encodeLogsProto, encodeTracesProto } from '../core/otlp/encode-proto.ts';
import { protoRequestBatch } from '../core/otlp/proto-batch.ts';
import { heldEncoding } from '../core/signals/encoded.ts';
import type { BatchBySignal, LogRecord, LogsBatch, Span, TracesBatch } from '../core/signals/types.ts';
import { silentLogger } from '../core/telemetry/logger.ts';
import { MetricsRegistry } from '../core/telemetry/metrics.ts';
import { closeSharedPool, sharedPool } from '../core/workers/pool.ts';
import injectionFactory from '../processors/injection_scan/factory.ts';
import { compileConfig as compileInjection } from '../processors/injection_scan/config.ts';
import { scanText } from '../processors/injection_scan/scan.ts';
import redactionFactory from '../processors/redaction/factory.ts';
import { compileConfig as compileRedaction } from '../processors/redaction/config.ts';
import { redactString } from '../processors/redaction/scan.ts';
import { startAgentcol, type RunningAgentcol } from '../test/helpers/agentcol-process.ts';
import { freePort } from '../test/helpers/ports.ts';
import { makePayload, PAYLOAD_KINDS, PAYLOAD_SIZES, type Payload, type PayloadKind } from './guard-payloads.ts';
import { percentile } from './latency.ts';
import { startMock } from './proxy.bench.ts';

export const TARGETS = { combinedMBps: 20, eventLoopP99Ms: 10, addedP50Ms: 0.5 };

export type Mode = 'redaction' | 'injection_scan' | 'both';
const MODES: Mode[] = ['redaction', 'injection_scan', 'both'];

export interface Throughput {
  /** MB (10^6 bytes) of payload text per CPU second, all threads of the process. */
  mbPerCoreSecond: number;
  bytes: number;
  cpuSeconds: number;
}

export interface InlineResult {
  /** Per mode: over every payload (each payload weighs the same number of bytes). */
  overall: Record<Mode, number>;
  byKind: Record<Mode, Record<PayloadKind, number>>;
  bySize: Record<Mode, Record<number, number>>;
}

export interface PipelineModeResult extends Throughput {
  batches: number;
  /** Main-thread CPU time per MB scanned, ms (event-loop utilisation where /proc is missing). */
  mainThreadMsPerMB: number;
  /** The main thread's share of the process's CPU time. */
  mainThreadShare: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface PipelineResult {
  poolThreads: number;
  batchesInFlight: number;
  itemsPerTracesBatch: number;
  itemsPerLogsBatch: number;
  /** Payload bytes vs protobuf bytes of one round (a traces and a logs batch): what crosses to the pool. */
  payloadBytesPerRound: number;
  protobufBytesPerRound: number;
  modes: Record<Mode, PipelineModeResult>;
  /** The same monitor with nothing to do, in the same run: what the machine alone causes. */
  idleEventLoopDelayP99Ms: number;
}

export interface ProxyTarget {
  p50: number;
  p99: number;
  /** CPU of the agentcol process (all threads) per request, µs; undefined without /proc. */
  cpuUs?: number;
}

export interface ProxyResult {
  requestBytes: number;
  requests: number;
  plain: ProxyTarget;
  /** [policy, injection_scan (flag: record-only), redaction] */
  guarded: ProxyTarget;
  /** [policy, injection_scan/inline (block mode: on the request path), redaction] */
  inline: ProxyTarget;
  addedP50: number;
  addedP99: number;
  addedP50Inline: number;
  addedP99Inline: number;
  verdicts: string;
}

export interface GuardsBenchResult {
  inline?: InlineResult;
  pipeline?: PipelineResult;
  proxy?: ProxyResult;
}

const MB = 1e6;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** CPU seconds of the main thread alone (Linux: /proc/self/task/<pid>/stat, in clock ticks of
 * 10 ms); undefined elsewhere. process.cpuUsage() counts every thread. */
function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- inline role

const redactionCfg = compileRedaction({});
const injectionCfg = compileInjection({});

const INLINE: Record<Mode, (p: Payload) => void> = {
  redaction: (p) => void redactString(p.text, redactionCfg),
  injection_scan: (p) => void scanText(p.text, p.role, injectionCfg.scan),
  both: (p) => {
    scanText(p.text, p.role, injectionCfg.scan);
    redactString(p.text, redactionCfg);
  },
};

/** MB/s per core of `fn` on one payload: repeated until `cpuMs` of CPU time. */
function inlineRate(fn: (p: Payload) => void, p: Payload, cpuMs: number): number {
  fn(p); // warm
  const c0 = process.cpuUsage();
  let bytes = 0;
  let used = 0;
  do {
    fn(p);
    bytes += p.bytes;
    used = cpuSeconds(process.cpuUsage(c0));
  } while (used * 1000 < cpuMs);
  return bytes / MB / used;
}

/** Harmonic mean: the rate over payloads that each get the same number of bytes. */
const harmonic = (rates: number[]) => rates.length / rates.reduce((s, r) => s + 1 / r, 0);

export function runInline(cpuMs: number, rounds: number): InlineResult {
  const payloads = PAYLOAD_KINDS.flatMap((k) => PAYLOAD_SIZES.map((s) => makePayload(k, s)));
  const rates = new Map<string, number>();
  // Modes interleaved per payload, so that load from elsewhere on the machine hits each alike; the
  // best of `rounds` rounds (a stall elsewhere only ever slows a round down).
  for (let r = 0; r < rounds; r++)
    for (const p of payloads)
      for (const m of MODES) {
        const key = `${m}/${p.kind}/${p.size}`;
        rates.set(key, Math.max(rates.get(key) ?? 0, inlineRate(INLINE[m], p, cpuMs)));
      }
  const pick = (m: Mode, f: (p: Payload) => boolean) => harmonic(payloads.filter(f).map((p) => rates.get(`${m}/${p.kind}/${p.size}`)!));
  const per = <K extends string | number>(keys: readonly K[], f: (m: Mode, k: K) => number) =>
    Object.fromEntries(MODES.map((m) => [m, Object.fromEntries(keys.map((k) => [k, f(m, k)]))])) as Record<Mode, Record<K, number>>;
  return {
    overall: Object.fromEntries(MODES.map((m) => [m, pick(m, () => true)])) as Record<Mode, number>,
    byKind: per(PAYLOAD_KINDS, (m, k) => pick(m, (p) => p.kind === k)),
    bySize: per(PAYLOAD_SIZES, (m, s) => pick(m, (p) => p.size === s)),
  };
}

// ---------------------------------------------------------------- pipeline role

/** Where each kind of payload travels in telemetry (OpenTelemetry GenAI conventions). */
function spanFor(p: Payload, i: number): Span {
  const attributes: Span['attributes'] = { 'gen_ai.agent.id': `support-agent-${i % 7}`, 'gen_ai.request.model': 'gpt-4o-mini' };
  let name: string;
  if (p.kind === 'chat') {
    name = 'chat gpt-4o-mini';
    attributes['gen_ai.operation.name'] = 'chat';
    attributes['gen_ai.input.messages'] = JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'You are a helpful support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: p.text }] },
    ]);
  } else if (p.kind === 'document') {
    name = 'retrieve knowledge_base';
    attributes['gen_ai.operation.name'] = 'retrieval';
    attributes['gen_ai.retrieval.documents'] = p.text;
  } else {
    name = `execute_tool ${p.kind === 'code' ? 'read_file' : 'lookup_orders'}`;
    attributes['gen_ai.operation.name'] = 'execute_tool';
    attributes['gen_ai.tool.name'] = p.kind === 'code' ? 'read_file' : 'lookup_orders';
    attributes['gen_ai.tool.call.result'] = p.text;
  }
  const id = (n: number, len: number) => n.toString(16).padStart(len, '0');
  return {
    traceId: id(i + 1, 32),
    spanId: id(i + 1, 16),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name,
    kind: 1,
    startTimeUnixNano: 1_760_000_000_000_000_000n + BigInt(i) * 1_000_000n,
    endTimeUnixNano: 1_760_000_000_500_000_000n + BigInt(i) * 1_000_000n,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

function recordFor(p: Payload, i: number): LogRecord {
  return {
    timeUnixNano: 1_760_000_000_000_000_000n + BigInt(i) * 1_000_000n,
    observedTimeUnixNano: 1_760_000_000_000_000_000n + BigInt(i) * 1_000_000n,
    severityNumber: 9,
    severityText: 'INFO',
    body: p.text,
    attributes: { 'service.component': 'orders-api' },
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
  };
}

const resource = { attributes: { 'service.name': 'support-agent', 'deployment.environment.name': 'production' }, droppedAttributesCount: 0 };
const scope = { name: 'bench.guards', version: '1', attributes: {}, droppedAttributesCount: 0 };

/** One traces batch (every span kind at every size, `repeat` times) and one logs batch (every size,
 * `repeat` times), each as a held protobuf batch the way the OTLP receiver hands it on. */
function makeRound(repeat: number): { traces: TracesBatch; logs: LogsBatch; payloadBytes: number; protobufBytes: number } {
  const spans: Span[] = [];
  const records: LogRecord[] = [];
  let payloadBytes = 0;
  for (let r = 0; r < repeat; r++) {
    for (const kind of PAYLOAD_KINDS)
      for (const size of PAYLOAD_SIZES) {
        const p = makePayload(kind, size, r + 1);
        payloadBytes += p.bytes;
        if (kind === 'logs') records.push(recordFor(p, records.length));
        else spans.push(spanFor(p, spans.length));
      }
  }
  const tracesProto = encodeTracesProto({ resourceSpans: [{ resource, scopeSpans: [{ scope, spans, schemaUrl: '' }], schemaUrl: '' }] });
  const logsProto = encodeLogsProto({ resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: records, schemaUrl: '' }], schemaUrl: '' }] });
  return {
    traces: protoRequestBatch('traces', tracesProto),
    logs: protoRequestBatch('logs', logsProto),
    payloadBytes,
    protobufBytes: tracesProto.length + logsProto.length,
  };
}

/** A host with a logs pipeline that takes the alerts (counted, then dropped). */
function benchHost(metrics: MetricsRegistry, alerts: { n: number }): Host {
  const consumer: Consumer<Signal> = { consume: async (b) => void (alerts.n += (b as LogsBatch).resourceLogs.reduce((n, r) => n + r.scopeLogs.reduce((m, s) => m + s.logRecords.length, 0), 0)) };
  return { logger: silentLogger, metrics, getExtension: () => undefined, ready: () => true, getGuard: () => undefined, getPipeline: (id) => (id === 'logs' ? { signal: 'logs', consumer } : undefined) };
}

/** The processors of `mode` for one signal, in the proxy's order (injection_scan, then redaction). */
async function chain<S extends 'traces' | 'logs'>(mode: Mode, signal: S, sink: Consumer<S>, host: Host): Promise<{ head: Consumer<S>; all: Processor<S>[] }> {
  const base = { logger: silentLogger, metrics: host.metrics };
  let next: Consumer<S> = sink;
  const all: Processor<S>[] = [];
  if (mode !== 'injection_scan') all.unshift((next = redactionFactory.create({ ...base, id: 'redaction', config: redactionFactory.normalize!({}) }, signal, next) as Processor<S>));
  if (mode !== 'redaction') all.unshift((next = injectionFactory.create({ ...base, id: 'injection_scan', config: injectionFactory.normalize!({}) }, signal, next) as Processor<S>));
  for (const p of all) await p.start(host);
  return { head: next, all };
}

/** BENCH_GUARDS_MODES narrows the pipeline modes (for profiling one). */
const pipelineModes = () => (process.env.BENCH_GUARDS_MODES?.split(',') as Mode[] | undefined) ?? MODES;

export async function runPipeline(seconds: number): Promise<PipelineResult> {
  const round = makeRound(1);
  const pool = sharedPool();
  const inFlight = 2 * pool.size;
  const metrics = new MetricsRegistry();
  const alerts = { n: 0 };
  const host = benchHost(metrics, alerts);
  let handed = 0;
  const sink = <S extends Signal>(): Consumer<S> => ({
    consume: async (b) => {
      // What the next component gets: still the held protobuf, nothing decoded on the event loop.
      if (!heldEncoding(b as BatchBySignal[S])) throw new Error('the guards handed on a decoded batch: the event loop decoded it');
      handed++;
    },
  });
  const modes = {} as Record<Mode, PipelineModeResult>;
  for (const mode of pipelineModes()) {
    const traces = await chain(mode, 'traces', sink<'traces'>(), host);
    const logs = await chain(mode, 'logs', sink<'logs'>(), host);
    const oneRound = () => Promise.all([traces.head.consume(round.traces), logs.head.consume(round.logs)]);
    // Warm: every thread started, modules loaded, patterns compiled and optimised.
    for (let w = 0; w < 3; w++) await Promise.all(Array.from({ length: inFlight }, oneRound));
    const eld = monitorEventLoopDelay({ resolution: 1 });
    const elu0 = performance.eventLoopUtilization();
    const m0 = mainThreadCpuSeconds();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    eld.enable();
    let rounds = 0;
    // Full load: `inFlight` rounds outstanding at all times until the time is up.
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() - t0 < seconds * 1000) {
          await oneRound();
          rounds++;
        }
      }),
    );
    eld.disable();
    const cpu = cpuSeconds(process.cpuUsage(c0));
    const elu = performance.eventLoopUtilization(elu0);
    const m1 = mainThreadCpuSeconds();
    const mainMs = m0 !== undefined && m1 !== undefined ? (m1 - m0) * 1000 : elu.active;
    const bytes = rounds * round.payloadBytes;
    modes[mode] = {
      mbPerCoreSecond: bytes / MB / cpu,
      bytes,
      cpuSeconds: cpu,
      batches: rounds * 2,
      mainThreadMsPerMB: mainMs / (bytes / MB),
      mainThreadShare: mainMs / 1000 / cpu,
      eventLoopDelayP50Ms: eld.percentile(50) / 1e6,
      eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
      eventLoopDelayMaxMs: eld.max / 1e6,
    };
    for (const p of [...traces.all, ...logs.all]) await p.shutdown();
  }
  if (handed === 0) throw new Error('no batch came through the guards');
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((r) => setTimeout(r, Math.min(3, seconds) * 1000));
  idle.disable();
  return {
    poolThreads: pool.size,
    batchesInFlight: inFlight * 2,
    itemsPerTracesBatch: (PAYLOAD_KINDS.length - 1) * PAYLOAD_SIZES.length,
    itemsPerLogsBatch: PAYLOAD_SIZES.length,
    payloadBytesPerRound: round.payloadBytes,
    protobufBytesPerRound: round.protobufBytes,
    modes,
    idleEventLoopDelayP99Ms: idle.percentile(99) / 1e6,
  };
}

// ---------------------------------------------------------------- inline guardrails on the proxy

const AGENT_KEY = 'bench-guards-key';

function proxyConfig(p: { mockPort: number; mockKey: string; plain: number; guarded: number; inline: number; health: number; metrics: number }): string {
  const receiver = (port: number, guardrails: string) => `
    endpoint: 127.0.0.1:${port}
    agents:
      - { id: bench-agent, key: ${AGENT_KEY}, customer: bench, roles: [support] }
    providers:
      openai: { kind: openai, base_url: "http://127.0.0.1:${p.mockPort}/v1", api_key: ${p.mockKey}, timeout: 10s }
    routes:
      - { model: fast, targets: [{ provider: openai, model: gpt-4o-mini }] }
    guardrails: ${guardrails}`;
  return `
extensions:
  health_check: { endpoint: 127.0.0.1:${p.health} }
receivers:
  llm_proxy:${receiver(p.plain, '[]')}
  llm_proxy/guarded:${receiver(p.guarded, '[policy, injection_scan, redaction]')}
  llm_proxy/inline:${receiver(p.inline, '[policy, injection_scan/inline, redaction]')}
processors:
  batch: {}
  policy:
    default: allow
    rules:
      - { name: support-no-prod-tools, effect: deny, roles: [support], tools: ["prod_*"], reason: support agents cannot touch production }
      - { name: no-finance, effect: deny, scopes: [finance], reason: financial data needs approval }
  injection_scan: {}
  injection_scan/inline: { mode: block }
  redaction: {}
exporters:
  debug: { verbosity: basic, sampling_initial: 1, sampling_thereafter: 100000 }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }
  pipelines:
    traces: { receivers: [llm_proxy, llm_proxy/guarded, llm_proxy/inline], processors: [batch], exporters: [debug] }
    logs: { receivers: [llm_proxy, llm_proxy/guarded, llm_proxy/inline], processors: [batch], exporters: [debug] }
`;
}

function post(port: number, body: string, agent: http.Agent): Promise<{ ms: number; status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.from(body);
    const t0 = performance.now();
    const req = http.request(
      { host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { authorization: `Bearer ${AGENT_KEY}`, 'content-type': 'application/json', 'content-length': buf.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(buf);
  });
}

/** The guard verdicts the proxy counted (agentcol_llm_guard_verdicts_total), e.g. "llm_proxy/guarded: redaction request rewrite 3201". */
async function guardVerdicts(metricsPort: number): Promise<string> {
  const text = await new Promise<string>((resolve, reject) =>
    http.get({ host: '127.0.0.1', port: metricsPort, path: '/metrics' }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(b));
      res.on('error', reject);
    }).on('error', reject),
  );
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('agentcol_llm_guard_verdicts_total{')) continue;
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(line)?.[1] ?? '?';
    out.push(`${label('receiver')}: ${label('guard')} ${label('phase')} ${label('action')} ${line.slice(line.lastIndexOf(' ') + 1)}`);
  }
  return out.length ? out.join(', ') : 'none';
}

/** CPU time of every thread of process `pid` so far, µs (Linux /proc schedstat); undefined elsewhere. */
function processCpuUs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended meanwhile
      }
    }
    return ns / 1000;
  } catch {
    return undefined;
  }
}

const TARGET_NAMES = ['plain', 'guarded', 'inline'] as const;
type TargetName = (typeof TARGET_NAMES)[number];

export async function runProxy(requests: number): Promise<ProxyResult> {
  const mock = await startMock();
  const ports = { plain: await freePort(), guarded: await freePort(), inline: await freePort(), health: await freePort(), metrics: await freePort() };
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-guards-bench-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let run: RunningAgentcol | undefined;
  try {
    run = await startAgentcol(proxyConfig({ mockPort: mock.port, mockKey: mock.key, ...ports }), ports.health, { dir });
    const pid = run.child.pid!;
    // 4 KB of user message (a chat prompt with a few PII items) and a system prompt; a distinct
    // request every time (the ticket number), so nothing can be cached.
    const prompt = makePayload('chat', 4096, 3).text;
    let seq = 0;
    const body = () =>
      JSON.stringify({
        model: 'fast',
        messages: [
          { role: 'system', content: 'You are a support assistant for an online shop. Answer briefly and cite the order number.' },
          { role: 'user', content: `${prompt} (ticket ${++seq})` },
        ],
      });
    const requestBytes = Buffer.byteLength(body());
    // Check each answers, and that the guarded ones really ran the guards (the PII is gone).
    for (const t of TARGET_NAMES) {
      const probe = await post(ports[t], body(), agent);
      if (probe.status !== 200) throw new Error(`proxy (${t}) answered ${probe.status}: ${probe.text.slice(0, 300)}`);
    }
    // Warm up every path, then one request at a time in blocks of BLOCK per target, rotating
    // which target goes first, so all see the same machine. A block's CPU is the process's over
    // the block (work a call leaves for later, capture and a record-only scan, lands in its own
    // block but for the last call's).
    for (let i = 0; i < 300; i++) await post(ports[TARGET_NAMES[i % 3]], body(), agent);
    const BLOCK = 10;
    const lat: Record<TargetName, number[]> = { plain: [], guarded: [], inline: [] };
    const cpu: Record<TargetName, number> = { plain: 0, guarded: 0, inline: 0 };
    let cpuKnown = processCpuUs(pid) !== undefined;
    for (let b = 0; b * BLOCK < requests; b++) {
      for (let k = 0; k < 3; k++) {
        const t = TARGET_NAMES[(b + k) % 3];
        const c0 = processCpuUs(pid);
        for (let i = 0; i < BLOCK; i++) {
          const r = await post(ports[t], body(), agent);
          if (r.status !== 200) throw new Error(`HTTP ${r.status} (${t}): ${r.text.slice(0, 300)}`);
          lat[t].push(r.ms);
        }
        const c1 = processCpuUs(pid);
        if (c0 === undefined || c1 === undefined) cpuKnown = false;
        else cpu[t] += c1 - c0;
      }
    }
    const verdicts = await guardVerdicts(ports.metrics);
    if (!/redaction/.test(verdicts)) throw new Error(`the guarded proxy recorded no redaction verdict (${verdicts}): the guards did not run`);
    const stats = (t: TargetName): ProxyTarget => {
      const a = [...lat[t]].sort((x, y) => x - y);
      return { p50: percentile(a, 50), p99: percentile(a, 99), cpuUs: cpuKnown ? cpu[t] / a.length : undefined };
    };
    const [sp, sg, si] = TARGET_NAMES.map(stats);
    return {
      requestBytes,
      requests: lat.plain.length,
      plain: sp,
      guarded: sg,
      inline: si,
      addedP50: sg.p50 - sp.p50,
      addedP99: sg.p99 - sp.p99,
      addedP50Inline: si.p50 - sp.p50,
      addedP99Inline: si.p99 - sp.p99,
      verdicts,
    };
  } finally {
    agent.destroy();
    if (run) {
      const code = await run.stop();
      if (code !== 0) console.error(`agentcol exited with ${code}:\n${run.output().slice(-4000)}`);
    }
    await mock.stop();
  }
}

// ---------------------------------------------------------------- the whole bench

export async function runGuardsBench(opts: { parts?: string[]; cpuMs?: number; rounds?: number; seconds?: number; requests?: number } = {}): Promise<GuardsBenchResult> {
  const parts = opts.parts ?? (process.env.BENCH_GUARDS_PARTS ?? 'inline,pipeline,proxy').split(',');
  const r: GuardsBenchResult = {};
  if (parts.includes('inline')) r.inline = runInline(opts.cpuMs ?? Number(process.env.BENCH_GUARDS_CPU_MS ?? 150), opts.rounds ?? Number(process.env.BENCH_GUARDS_ROUNDS ?? 3));
  if (parts.includes('pipeline')) {
    try {
      r.pipeline = await runPipeline(opts.seconds ?? Number(process.env.BENCH_GUARDS_SECONDS ?? 6));
    } finally {
      await closeSharedPool();
    }
  }
  if (parts.includes('proxy')) r.proxy = await runProxy(opts.requests ?? Number(process.env.BENCH_GUARDS_REQUESTS ?? 1500));
  return r;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : String(n));
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : String(n));
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

export function formatGuardsBench(r: GuardsBenchResult): string {
  const lines = ['guard processors bench (redaction, injection_scan; MB = 10^6 bytes of payload text; per core = per CPU second of all threads)'];
  if (r.inline) {
    const i = r.inline;
    lines.push('  inline role (the scanning functions, on the event loop), MB/s per core (harmonic means: each payload weighs the same bytes):');
    lines.push(`    ${'payload'.padEnd(10)} ${MODES.map((m) => m.padStart(15)).join('')}`);
    for (const k of PAYLOAD_KINDS) lines.push(`    ${k.padEnd(10)} ${MODES.map((m) => f1(i.byKind[m][k]).padStart(15)).join('')}`);
    for (const s of PAYLOAD_SIZES) lines.push(`    ${`${s / 1024} KB`.padEnd(10)} ${MODES.map((m) => f1(i.bySize[m][s]).padStart(15)).join('')}`);
    lines.push(`    ${'all'.padEnd(10)} ${MODES.map((m) => f1(i.overall[m]).padStart(15)).join('')}`);
    lines.push(`    redaction + injection_scan inline: ${f1(i.overall.both)} MB/s per core (target >= ${TARGETS.combinedMBps}): ${verdict(i.overall.both >= TARGETS.combinedMBps)}`);
  }
  if (r.pipeline) {
    const p = r.pipeline;
    lines.push(
      `  pipeline role (held OTLP protobuf batches of ${p.itemsPerTracesBatch} spans + ${p.itemsPerLogsBatch} log records, ${p.batchesInFlight} batches in flight, pool of ${p.poolThreads} threads):`,
      `    per round ${f2(p.payloadBytesPerRound / MB)} MB of payload in ${f2(p.protobufBytesPerRound / MB)} MB of protobuf crosses to the pool and back per processor`,
    );
    for (const m of MODES) {
      const x = p.modes[m];
      if (!x) continue;
      lines.push(
        `    ${m.padEnd(15)} ${f1(x.mbPerCoreSecond).padStart(7)} MB/s per core   main thread ${f2(x.mainThreadMsPerMB)} ms CPU per MB (${f1(100 * x.mainThreadShare)}% of the CPU)   event-loop delay p50 ${f2(x.eventLoopDelayP50Ms)} ms, p99 ${f2(x.eventLoopDelayP99Ms)} ms, max ${f2(x.eventLoopDelayMaxMs)} ms`,
      );
    }
    lines.push(`    event-loop delay p99 with nothing to do, same run: ${f2(p.idleEventLoopDelayP99Ms)} ms (what the machine's other load causes)`);
    const b = p.modes.both;
    if (b) {
    lines.push(`    redaction + injection_scan in the pipeline: ${f1(b.mbPerCoreSecond)} MB/s per core (target >= ${TARGETS.combinedMBps}): ${verdict(b.mbPerCoreSecond >= TARGETS.combinedMBps)}`);
    lines.push(`    event-loop delay p99 at full load: ${f2(b.eventLoopDelayP99Ms)} ms (target < ${TARGETS.eventLoopP99Ms}): ${verdict(b.eventLoopDelayP99Ms < TARGETS.eventLoopP99Ms)}`);
    }
  }
  if (r.proxy) {
    const x = r.proxy;
    const cpu = (t: ProxyTarget) => (t.cpuUs === undefined ? '' : `  agentcol CPU ${t.cpuUs.toFixed(0)} us/request`);
    const added = (t: ProxyTarget) => (t.cpuUs === undefined || x.plain.cpuUs === undefined ? '' : ` (+${(t.cpuUs - x.plain.cpuUs).toFixed(0)} us CPU)`);
    lines.push(
      `  inline guardrails on the LLM proxy (${x.requestBytes} B requests, ${x.requests} per target, blocks of 10 rotating; verdicts: ${x.verdicts}):`,
      `    without guardrails  p50 ${f2(x.plain.p50)} ms  p99 ${f2(x.plain.p99)} ms${cpu(x.plain)}`,
      `    [policy, injection_scan, redaction]  p50 ${f2(x.guarded.p50)} ms  p99 ${f2(x.guarded.p99)} ms${cpu(x.guarded)}${added(x.guarded)}   (injection_scan flag mode: record-only)`,
      `    [policy, injection_scan/inline (mode: block), redaction]  p50 ${f2(x.inline.p50)} ms  p99 ${f2(x.inline.p99)} ms${cpu(x.inline)}${added(x.inline)}   (the scan on the request path)`,
      `    added latency p50 ${f2(x.addedP50)} ms (target < ${TARGETS.addedP50Ms}): ${verdict(x.addedP50 < TARGETS.addedP50Ms)}; p99 ${f2(x.addedP99)} ms; with the scan on the request path p50 ${f2(x.addedP50Inline)} ms, p99 ${f2(x.addedP99Inline)} ms`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runGuardsBench();
  console.log(formatGuardsBench(r));
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, (_k, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2));
}
