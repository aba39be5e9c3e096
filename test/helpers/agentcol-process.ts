// Runs the real `agentcol` command as a child process, the way a user runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.ts';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'agentcol.js');

export interface Ports {
  grpc: number;
  http: number;
  metrics: number;
  health: number;
}

export async function allocatePorts(): Promise<Ports> {
  return { grpc: await freePort(), http: await freePort(), metrics: await freePort(), health: await freePort() };
}

/** The embedded default pipeline (config/default.yaml) on the given ports. */
export function defaultLikeConfig(p: Ports, extra = ''): string {
  return `
extensions:
  health_check:
    endpoint: 127.0.0.1:${p.health}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${p.grpc}
      http:
        endpoint: 127.0.0.1:${p.http}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 4096
  batch: {}
exporters:
  duckdb: {}
  postgres: {}
${extra}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      address: 127.0.0.1:${p.metrics}
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [duckdb, postgres]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [duckdb, postgres]
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [duckdb, postgres]
`;
}

export interface RunningAgentcol {
  child: ChildProcess;
  dir: string;
  output(): string;
  /** SIGTERM, then wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts agentcol with `configText` in a fresh working directory and waits until health is 200. */
export async function startAgentcol(configText: string, healthPort: number, opts: { dir?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<RunningAgentcol> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'agentcol-e2e-'));
  writeFileSync(join(dir, 'agentcol.yaml'), configText);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, '--config', 'agentcol.yaml'], { cwd: dir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agentcol exited with ${child.exitCode} before it was healthy:\n${out}`);
    try {
      const r = await fetch(`http://127.0.0.1:${healthPort}/`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`agentcol did not become healthy within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    dir,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
