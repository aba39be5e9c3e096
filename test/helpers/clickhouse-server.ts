// A ClickHouse server of a test file's own: a minimal config.xml + users.xml in a temp directory
// (data, tmp, logs and user_files there), loopback only, free HTTP and TCP ports, no interserver
// port; the machine's server binary (Debian's clickhouse-server, 18.16 here, or a newer
// `clickhouse` multi-binary). Stopped with SIGTERM (SIGKILL after 10 s) and deleted by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface ClickHouseTestServer {
  /** http://127.0.0.1:<port> */
  url: string;
  username: string;
  password: string;
  /** Rows of a SELECT (JSONEachRow), or [] for statements. */
  query<T = Record<string, unknown>>(sql: string, database?: string): Promise<T[]>;
  /** Stops the process, keeping the data (start() brings it back on the same ports). SIGTERM waits
   * for a clean shutdown (about 8 s on 18.16); SIGKILL is a crash. */
  halt(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  start(): Promise<void>;
  /** Stops the process and deletes the data. */
  stop(): Promise<void>;
}

function serverCommand(): { cmd: string; args: string[] } {
  if (existsSync('/usr/bin/clickhouse')) return { cmd: '/usr/bin/clickhouse', args: ['server'] };
  for (const p of ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server']) if (existsSync(p)) return { cmd: p, args: [] };
  throw new Error('the clickhouse exporter tests need a ClickHouse server binary: apt-get install clickhouse-server (see .ci/run)');
}

const xml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${xml(dir)}/logs/server.log</log><errorlog>${xml(dir)}/logs/server.err.log</errorlog></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${xml(dir)}/data/</path>
  <tmp_path>${xml(dir)}/tmp/</tmp_path>
  <user_files_path>${xml(dir)}/user_files/</user_files_path>
  <format_schema_path>${xml(dir)}/format_schemas/</format_schema_path>
  <users_config>${xml(dir)}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
</yandex>
`;
}

function usersXml(password: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password>${xml(password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
}

async function ping(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return r.ok && (await r.text()).startsWith('Ok');
  } catch {
    return false;
  }
}

export async function startClickHouse(): Promise<ClickHouseTestServer> {
  const { cmd, args } = serverCommand();
  const dir = mkdtempSync(join(tmpdir(), 'agentcol-test-ch-'));
  for (const d of ['data', 'tmp', 'logs', 'user_files', 'format_schemas']) mkdirSync(join(dir, d));
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  const password = 'agentcol-test-pw';
  writeFileSync(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort));
  writeFileSync(join(dir, 'users.xml'), usersXml(password));
  const url = `http://127.0.0.1:${httpPort}`;
  const auth = `Basic ${Buffer.from(`default:${password}`).toString('base64')}`;
  let proc: ChildProcess | undefined;

  const logTail = () => {
    const f = join(dir, 'logs', 'server.err.log');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '';
  };

  const start = async () => {
    let output = '';
    const p = spawn(cmd, [...args, `--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
    p.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
    proc = p;
    const deadline = Date.now() + 60_000;
    while (!(await ping(url))) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`clickhouse server exited (${p.exitCode ?? p.signalCode}): ${output}\n${logTail()}`);
      if (Date.now() > deadline) throw new Error(`clickhouse server did not answer /ping within 60 s: ${output}\n${logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  // A test process that dies without afterAll must not leave the server running.
  const killOnExit = () => proc?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const halt = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    username: 'default',
    password,
    async query<T>(sql: string, database = 'default'): Promise<T[]> {
      const isSelect = /^\s*(SELECT|SHOW|DESCRIBE|WITH)\b/i.test(sql);
      const r = await fetch(`${url}/?database=${encodeURIComponent(database)}`, {
        method: 'POST',
        headers: { authorization: auth },
        body: isSelect ? `${sql} FORMAT JSONEachRow` : sql,
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`clickhouse: ${text.split('\n')[0]} (query: ${sql.slice(0, 200)})`);
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
    },
    halt,
    start,
    async stop() {
      await halt();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
