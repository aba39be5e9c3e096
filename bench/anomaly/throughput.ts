// Throughput with and without the anomaly processor, in one run: the real `agentcol` command (OTLP/
// HTTP receiver, memory_limiter, [anomaly,] batch, DuckDB + PGlite, as config/default.yaml) fed the
// scenario's spans as OTLP protobuf, in event order. A span counts once both stores confirmed it
// (the exporters' sent counters). Rounds alternate (without, with, without, with...) so drift of a
// shared machine hits both sides alike; the figure is the ratio, plus agentcol CPU per span.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTracesRequest } from '../../core/otlp/encode-proto.ts';
import { allocatePorts, BIN, REPO, type RunningAgentcol } from '../../test/helpers/agentcol-process.ts';
import { anomalyOptions } from './replay.ts';
import type { Scenario } from './scenario.ts';
import { tracesBatch } from './spans.ts';

export interface ThroughputSide {
  spansPerSecond: number;
  /** agentcol process CPU (all threads) per span, µs. */
  cpuUsPerSpan: number;
  rounds: number;
}

export interface ThroughputResult {
  spans: number;
  without: ThroughputSide;
  with: ThroughputSide;
  /** with / without spans per second. */
  ratio: number;
}

function sentSpans(metricsText: string, exporter: string): number {
  const m = new RegExp(`^otelcol_exporter_sent_spans\\{[^}]*exporter="${exporter}"[^}]*\\} (\\d+)`, 'm').exec(metricsText);
  return m ? Number(m[1]) : 0;
}

/** utime + stime of a process in seconds, all threads. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function config(p: { http: number; metrics: number; health: number }, withAnomaly: boolean): string {
  // Until the distribution registers `anomaly`, load it as a plugin from its folder. (Read, not
  // imported: importing the manifest would load every component into the load generator.)
  const registered = readFileSync(`${REPO}/distributions/agentcol/manifest.ts`, 'utf8').includes('processors/anomaly/factory.ts');
  const plugins = withAnomaly && !registered ? `plugins: [${JSON.stringify(`${REPO}/processors/anomaly/factory.ts`)}]\n` : '';
  return `${plugins}
extensions: { health_check: { endpoint: 127.0.0.1:${p.health} } }
receivers: { otlp: { protocols: { http: { endpoint: 127.0.0.1:${p.http} } } } }
processors:
  memory_limiter: { check_interval: 1s, limit_mib: 1536, spike_limit_mib: 384 }
  batch: {}
${withAnomaly ? `  anomaly: ${JSON.stringify(anomalyOptions())}\n` : ''}exporters: { duckdb: {}, postgres: {} }
service:
  extensions: [health_check]
  telemetry: { metrics: { address: 127.0.0.1:${p.metrics} } }
  pipelines:
    traces: { receivers: [otlp], processors: [memory_limiter, ${withAnomaly ? 'anomaly, ' : ''}batch], exporters: [duckdb, postgres] }
    logs: { receivers: [otlp], processors: [memory_limiter, batch], exporters: [duckdb, postgres] }
`;
}

/** The agentcol command in a fresh directory, healthy within 5 min: on a loaded shared machine the
 * embedded stores alone have taken over a minute to start (test/helpers allows 60 s). */
async function startPatiently(configText: string, healthPort: number): Promise<RunningAgentcol> {
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-anomaly-bench-'));
  writeFileSync(join(dir, 'agentcol.yaml'), configText);
  const child = spawn(process.execPath, [BIN, '--config', 'agentcol.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const running: RunningAgentcol = { child, dir, output: () => out, stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`http://127.0.0.1:${healthPort}/`).then((r) => r.status === 200, () => false);
    if (ok) return running;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await running.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`agentcol did not become healthy within 5 min (exit ${child.exitCode}):\n${out}`);
}

async function oneRound(bodies: Buffer[], spans: number, withAnomaly: boolean, concurrency: number): Promise<{ seconds: number; cpu: number }> {
  const ports = await allocatePorts();
  const run = await startPatiently(config(ports, withAnomaly), ports.health);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: ports.http, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    const cpu0 = cpuSeconds(run.child.pid!);
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        for (let resets = 0; ; ) {
          // A keep-alive socket the server closed just as it was reused: send again (a few times).
          const status = await post(body).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ECONNRESET' || ++resets > 3 || run.child.exitCode !== null) throw new Error(`${err.message} (agentcol ${run.child.exitCode === null ? 'running' : `exited ${run.child.exitCode}`}):\n${run.output().slice(-3000)}`);
            return 0;
          });
          if (status === 0) continue;
          if (status === 200) break;
          if (status !== 429 && status !== 503) throw new Error(`unexpected HTTP ${status} from the receiver:\n${run.output()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
    for (;;) {
      const text = await (await fetch(metricsUrl)).text();
      if (sentSpans(text, 'duckdb') >= spans && sentSpans(text, 'postgres') >= spans) break;
      if (performance.now() - t0 > 600_000) throw new Error('stores did not confirm every span within 10 min');
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(run.child.pid!) - cpu0;
    agent.destroy();
    const code = await run.stop('SIGTERM');
    if (code !== 0) throw new Error(`agentcol exited with ${code}:\n${run.output()}`);
    return { seconds, cpu };
  } finally {
    agent.destroy();
    if (run.child.exitCode === null) await run.stop('SIGKILL');
    rmSync(run.dir, { recursive: true, force: true });
  }
}

export async function runThroughput(s: Scenario, opts: { rounds?: number; spansPerRequest?: number; concurrency?: number } = {}): Promise<ThroughputResult> {
  const per = opts.spansPerRequest ?? 512;
  const bodies: Buffer[] = [];
  for (let from = 0; from < s.events.length; from += per) bodies.push(Buffer.from(encodeTracesRequest(tracesBatch(s, from, Math.min(from + per, s.events.length)))));
  const spans = s.events.length;
  const sides = { without: { seconds: 0, cpu: 0, rounds: 0 }, with: { seconds: 0, cpu: 0, rounds: 0 } };
  for (let r = 0; r < (opts.rounds ?? 1); r++) {
    for (const withAnomaly of [false, true]) {
      const x = await oneRound(bodies, spans, withAnomaly, opts.concurrency ?? 4);
      const side = withAnomaly ? sides.with : sides.without;
      side.seconds += x.seconds;
      side.cpu += x.cpu;
      side.rounds++;
    }
  }
  const side = (x: { seconds: number; cpu: number; rounds: number }): ThroughputSide => ({ spansPerSecond: (spans * x.rounds) / x.seconds, cpuUsPerSpan: (x.cpu * 1e6) / (spans * x.rounds), rounds: x.rounds });
  const without = side(sides.without);
  const withP = side(sides.with);
  return { spans, without, with: withP, ratio: withP.spansPerSecond / without.spansPerSecond };
}
