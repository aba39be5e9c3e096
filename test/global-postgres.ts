// Vitest global setup: a PostgreSQL server of the test run's own, so `npm test` needs no running
// database. initdb into a temp directory with the machine's PostgreSQL binaries, listen on loopback
// only (a free port, the socket in the temp directory), role `agentcol` with password `agentcol`
// and CREATEDB; stopped and deleted when the run ends. AGENTCOL_TEST_PG (a postgres:// URL of an
// existing server whose role may create databases) skips all this.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './helpers/ports.ts';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) {
    throw new Error('the tests need the PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql, or set AGENTCOL_TEST_PG');
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** initdb and postgres refuse to run as root: run them as the postgres user then. */
function run(cmd: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.AGENTCOL_TEST_PG) {
    project.provide('pgUrl', process.env.AGENTCOL_TEST_PG);
    return undefined;
  }
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-test-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, 'agentcol\n');
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o777);
    execFileSync('chown', ['-R', 'postgres', dir]);
  }
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', data, '-U', 'agentcol', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  project.provide('pgUrl', `postgres://agentcol:agentcol@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
