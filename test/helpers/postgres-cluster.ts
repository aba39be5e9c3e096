// A PostgreSQL cluster of its own: initdb in a temp directory with the machine's binaries, loopback
// only (a free port, the socket in the temp directory), role `agentcol` with password `agentcol`.
// test/global-postgres.ts starts the run's shared server with it; tests that stop the server (the
// outage test) start their own, so stopping it breaks no other test. halt() stops it (fast shutdown: sessions
// are cut), start() brings it back on the same port with the same data, stop() also deletes it.
import { spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface PostgresCluster {
  /** postgres://agentcol:agentcol@127.0.0.1:<port>/postgres */
  url: string;
  halt(): void;
  start(): void;
  stop(): void;
}

export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  return versions.length ? join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin') : undefined;
}

/** initdb and postgres refuse to run as root: run them as the postgres user then. */
function run(cmd: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}

export async function startPostgresCluster(settings: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('the tests need the PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql (see .ci/run), or set AGENTCOL_TEST_PG to a server for the shared tests');
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-test-pgc-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, 'agentcol\n');
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o777);
    execFileSync('chown', ['-R', 'postgres', dir]);
  }
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', data, '-U', 'agentcol', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=${settings.maxConnections ?? 50}`;
  let running = false;
  const start = () => {
    run(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
    running = true;
  };
  const halt = () => {
    if (!running) return;
    run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    running = false;
  };
  // A test process that dies without its afterAll must not leave the server running.
  const stopOnExit = () => {
    if (running) spawnSync(process.getuid?.() === 0 ? 'runuser' : join(bin, 'pg_ctl'), process.getuid?.() === 0 ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop']);
  };
  process.once('exit', stopOnExit);
  start();
  return {
    url: `postgres://agentcol:agentcol@127.0.0.1:${port}/postgres`,
    halt,
    start,
    stop() {
      try {
        halt();
      } finally {
        process.off('exit', stopOnExit);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
