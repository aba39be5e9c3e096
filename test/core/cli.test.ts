// The agentcol command, run as users run it: `node bin/agentcol.js ...` in a child process.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli.ts';
import { FactoryRegistry } from '../../core/registry.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/agentcol.js');
const CONFIGS = 'test/fixtures/configs';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When the first signal was sent (ms since the epoch). */
  signalledAt?: number;
}

function agentcol(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** Starts `agentcol --config FILE`, waits for `readyText` on stderr, sends the signals, resolves on exit. */
function runUntil(config: string, readyText: string, signals: NodeJS.Signals[], gapMs = 300): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config', config], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    let signalledAt: number | undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && stderr.includes(readyText)) {
        sent = true;
        signalledAt = Date.now();
        signals.forEach((s, i) => setTimeout(() => child.kill(s), i * gapMs));
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; stderr:\n${stderr}`));
    }, 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr, signalledAt });
    });
  });
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('agentcol CLI', () => {
  it('--version and --help', async () => {
    const v = await agentcol(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: 'agentcol version 0.1.0\n' });
    const h = await agentcol(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: agentcol [--config FILE]');
    const vh = await agentcol(['validate', '-h']);
    expect(vh.stdout).toContain('Usage: agentcol validate --config FILE');
  });

  it('validate: "config OK" and exit 0', async () => {
    expect(await agentcol(['validate', '--config', `${CONFIGS}/cli-good.yaml`])).toEqual({ code: 0, stdout: 'config OK\n', stderr: '' });
  });

  it('validate: every error with FILE:LINE:COL, exit 1, no stack trace', async () => {
    const r = await agentcol(['validate', '--config', `${CONFIGS}/cli-bad.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'test/fixtures/configs/cli-bad.yaml:6:5: receivers.fixture_in.endpont: unknown key "endpont" — did you mean "endpoint"?',
      'test/fixtures/configs/cli-bad.yaml:10:21: exporters.fixture_store.flush_interval: invalid duration "soon": use a number and a unit (ns, us, ms, s, m, h, d), like "200ms", "5s", "1m30s" or "30d"',
      'test/fixtures/configs/cli-bad.yaml:16:19: service.pipelines.traces.exporters[0]: exporter "fixture_stor" is not defined under exporters — did you mean "fixture_store"?',
      '3 errors in test/fixtures/configs/cli-bad.yaml',
    ]);
    noStack(r.stderr);
  });

  it('validate: a missing file or flag, unknown commands and options', async () => {
    const missing = await agentcol(['validate', '--config', 'nope.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read config file nope.yaml: no such file');
    noStack(missing.stderr);
    expect((await agentcol(['validate'])).code).toBe(2);
    const cmd = await agentcol(['valdate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "valdate" — did you mean "validate"?');
    const opt = await agentcol(['validate', '--cnfig', 'x']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain("Unknown option '--cnfig'");
    expect((await agentcol(['validate', `${CONFIGS}/cli-good.yaml`])).stderr).toContain(`did you mean --config ${CONFIGS}/cli-good.yaml?`);
  });

  it('print-config: resolved YAML with defaults, secrets masked', async () => {
    const r = await agentcol(['print-config', '--config', `${CONFIGS}/cli-good.yaml`], { STORE_PASSWORD: 'from-env-pw' });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/from-env-pw|s3cret|abc\.def|k-123/);
    expect(r.stdout).toContain('password: "[REDACTED]"');
    expect(r.stdout).toContain('dsn: postgres://agent:[REDACTED]@db.internal:5432/agentcol');
    expect(r.stdout).toContain('Authorization: "[REDACTED]"');
    expect(r.stdout).toContain('x-tenant: acme');
    expect(r.stdout).toContain('flush_interval: 1s'); // a default
    expect(r.stdout).toContain('send_batch_size: 8192'); // the built-in batch processor's default
  });

  it('components: the built-ins, and plugins with --config; --json', async () => {
    const table = await agentcol(['components']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^KIND\s+TYPE\s+STABILITY\s+SIGNALS\s+DESCRIPTION$/);
    expect(table.stdout).toMatch(/processor\s+batch\s+beta\s+traces,logs,metrics/);
    const json = await agentcol(['components', '--json', '--config', `${CONFIGS}/cli-good.yaml`]);
    const list = JSON.parse(json.stdout);
    expect(list).toContainEqual(expect.objectContaining({ kind: 'processor', type: 'batch', origin: 'built-in', signals: ['traces', 'logs', 'metrics'] }));
    expect(list).toContainEqual(expect.objectContaining({ kind: 'receiver', type: 'fixture_in', stability: 'development', origin: 'plugin "../plugins/test-components.js"' }));
  });

  it('schema: JSON Schema of the config', async () => {
    const r = await agentcol(['schema', '--config', `${CONFIGS}/cli-good.yaml`]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.exporters.patternProperties)).toContain('^fixture_store(/\\S+)?$');
    expect(schema.properties.processors.patternProperties['^batch(/\\S+)?$'].additionalProperties).toBe(false);
  });

  it('run: starts, and SIGTERM shuts down gracefully with exit 0', async () => {
    const r = await runUntil(`${CONFIGS}/cli-good.yaml`, 'agentcol is running', ['SIGTERM']);
    expect(r.stderr).toContain('shutting down signal=SIGTERM');
    expect(r.stderr).toContain('fixture receiver stopped');
    expect(r.code).toBe(0);
  });

  it('run: a second signal during shutdown exits at once (130 for SIGINT)', async () => {
    const r = await runUntil(`${CONFIGS}/cli-slow-shutdown.yaml`, 'agentcol is running', ['SIGINT', 'SIGINT']);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('second signal');
    // The fixture's shutdown takes 20 s: exiting well before proves the second signal cut it short
    // (timed from the first signal, not from spawn, whose start-up is slow on a loaded machine).
    expect(Date.now() - r.signalledAt!).toBeLessThan(10_000);
  });

  it('run: a failed start is logged, what started is shut down, exit 1', async () => {
    const r = await agentcol(['--config', `${CONFIGS}/cli-start-fails.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed to start');
    expect(r.stderr).toContain('cannot bind 127.0.0.1:0 (fixture failure)');
    noStack(r.stderr);
  });

  it('run: an invalid config prints the errors and exits 1', async () => {
    const r = await agentcol(['--config', `${CONFIGS}/cli-bad.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cli-bad.yaml:6:5: receivers.fixture_in.endpont: unknown key "endpont"');
    noStack(r.stderr);
  });
});

describe('component commands', () => {
  const command = (name: string) => ({ name, summary: 's', help: 'h', run: async () => 0 });
  const factory = (type: string, names: string[]) => ({
    kind: 'processor' as const,
    type,
    description: 'test',
    stability: 'development' as const,
    signals: ['traces' as const],
    configSchema: { type: 'object' as const, additionalProperties: false },
    commands: names.map(command),
    create: () => {
      throw new Error('not used');
    },
  });

  it('a command name is taken once, and never one of agentcol\'s own', () => {
    const registry = new FactoryRegistry();
    registry.register(factory('a', ['reveal']));
    expect(() => registry.register(factory('b', ['reveal']), 'plugin "b"')).toThrow('command "reveal" of processor "b" (plugin "b") is already taken by processor "a"; rename it');
    expect(() => registry.register(factory('c', ['validate']))).toThrow('command "validate" of processor "c" (built-in) is already taken by agentcol itself');
    expect(registry.types('processor')).toEqual(['a']);
  });

  it('runs a component command with the arguments after its name, and its --help', async () => {
    const registry = new FactoryRegistry();
    const seen: string[][] = [];
    registry.register({ ...factory('a', []), commands: [{ name: 'echo', summary: 'echo args', help: 'Usage: agentcol echo ARGS', run: async (args, io) => (seen.push(args), io.write(args.join(' ')), 3) }] });
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(`E:${t}`), write: (t: string) => out.push(`W:${t}`), readStdin: async () => '' };
    expect(await runCli(['echo', 'x', '--config', 'y'], registry, io)).toBe(3);
    expect(seen).toEqual([['x', '--config', 'y']]);
    expect(out).toEqual(['W:x --config y']);
    expect(await runCli(['echo', '--help'], registry, io)).toBe(0);
    expect(out.at(-1)).toBe('Usage: agentcol echo ARGS');
    expect(await runCli(['reveal'], registry, io)).toBe(2);
    expect(out.at(-1)).toContain('Commands: validate, print-config, components, schema, echo.');
  });
});
