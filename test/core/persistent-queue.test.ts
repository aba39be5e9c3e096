// The persistent sending queue (sending_queue.storage: file): append, replay, confirmation,
// rotation, torn tails, corrupt records, bounds, the directory lock, batch ids, config errors.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackpressureError, RetryableError, type ExportOptions, type Exporter, type Batch } from '../../core/component.ts';
import { ConfigError, formatIssue } from '../../core/config/issues.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { resolveExporterHelper } from '../../core/queue/config.ts';
import { queueDirName } from '../../core/queue/queue-directory.ts';
import { parseRecord, SEGMENT_HEADER_BYTES } from '../../core/queue/record-format.ts';
import { SendingQueue } from '../../core/queue/sending-queue.ts';
import { createLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { fixtureRegistry } from '../fixtures/factories.ts';
import { gate, helper, makeConfig, spanIndexes, spans, until, World } from './pipeline.fixtures.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'agentcol-pqueue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => path.join(tmp, `q${++dirs}`);

interface Exported {
  first: number;
  batchId?: string;
}

function fileQueue(dir: string, exporter: Partial<Exporter>, q: Record<string, unknown> = {}, segmentBytes?: number) {
  const metrics = new MetricsRegistry();
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  const settings = resolveExporterHelper({
    sending_queue: { enabled: true, storage: 'file', directory: dir, num_consumers: 1, ...q },
    retry_on_failure: { initial_interval: '5ms', max_interval: '5ms', max_elapsed_time: 0 },
    timeout: 0,
  });
  if (segmentBytes) settings.file!.segmentBytes = segmentBytes;
  const queue = new SendingQueue({
    id: 'store',
    exporter: { start: async () => {}, shutdown: async () => {}, export: async () => {}, ...exporter },
    settings,
    logger,
    metrics,
  });
  const metric = (name: string) => (name.includes('size') || name.includes('capacity') ? metrics.gauge(name, '') : metrics.counter(name, '')).get({ exporter: 'store' });
  return { queue, metrics, lines, metric };
}

/** An exporter that records what it got; `fail` makes every attempt fail (retryable). */
function recorder(opts: { fail?: () => boolean; wait?: Promise<void> } = {}) {
  const got: Exported[] = [];
  const exporter: Partial<Exporter> = {
    async export(_s, batch: Batch, o?: ExportOptions) {
      await opts.wait;
      if (opts.fail?.()) throw new RetryableError('store down');
      got.push({ first: spanIndexes(batch)[0], batchId: o?.batchId });
    },
  };
  return { got, exporter };
}

const segments = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.seg')).sort() : []);

describe('persistent sending queue', () => {
  it('commit resolves once the batch is in the log; a restart replays unconfirmed batches in order with their batch ids', async () => {
    const dir = freshDir();
    const seen: string[] = [];
    const a = fileQueue(dir, { export: async (_s, _b, o) => { seen.push(o!.batchId!); throw new RetryableError('store down'); } }, { num_consumers: 3 });
    await a.queue.start();
    const qdir = path.join(dir, 'store');
    for (const first of [0, 10, 20]) {
      const before = segments(qdir).reduce((n, f) => n + statSync(path.join(qdir, f)).size, 0);
      await a.queue.enqueue('traces', spans(2, first));
      const after = segments(qdir).reduce((n, f) => n + statSync(path.join(qdir, f)).size, 0);
      expect(after).toBeGreaterThan(before); // written before the commit resolved
    }
    expect(a.metric('otelcol_exporter_queue_size_bytes')).toBeGreaterThan(0);
    await until(() => new Set(seen).size === 3);
    expect(await a.queue.drain(30)).toBe(0); // nothing dropped: it stays on disk
    expect(a.lines.join('\n')).toMatch(/3 batches \(6 items\) not exported by the shutdown deadline stay on disk/);
    expect(existsSync(path.join(qdir, 'LOCK'))).toBe(false);

    const b = recorder();
    const q2 = fileQueue(dir, b.exporter);
    await q2.queue.start();
    await until(() => b.got.length === 3);
    expect(b.got.map((g) => g.first)).toEqual([0, 10, 20]);
    expect(new Set(b.got.map((g) => g.batchId))).toEqual(new Set(seen));
    expect(b.got[0].batchId).toMatch(/^store:[0-9a-f]{16}:\d+$/);
    expect(q2.metric('otelcol_exporter_queue_replayed_batches')).toBe(3);
    expect(q2.lines.join('\n')).toMatch(/replaying 3 batches \(6 items\)/);
    await q2.queue.drain(1000);
    expect(segments(qdir)).toEqual([]);

    // Confirmed batches are never replayed.
    const c = recorder();
    const q3 = fileQueue(dir, c.exporter);
    await q3.queue.start();
    await q3.queue.drain(1000);
    expect(c.got).toEqual([]);
    expect(q3.metric('otelcol_exporter_queue_replayed_batches')).toBe(0);
  });

  it('rotates segments and deletes each once every record in it is confirmed', async () => {
    const dir = freshDir();
    const g = gate();
    const r = recorder({ wait: g.promise });
    const { queue } = fileQueue(dir, r.exporter, { num_consumers: 2 }, 2048);
    await queue.start();
    for (let i = 0; i < 30; i++) await queue.enqueue('traces', spans(3, i * 3));
    const qdir = path.join(dir, 'store');
    expect(segments(qdir).length).toBeGreaterThanOrEqual(4);
    g.open();
    await until(() => r.got.length === 30);
    await until(() => segments(qdir).length === 1); // only the active one is left
    expect(r.got.map((x) => x.first)).toEqual(Array.from({ length: 30 }, (_, i) => i * 3));
    await queue.drain(1000);
    expect(segments(qdir)).toEqual([]);
  });

  async function threeOnDisk(dir: string): Promise<string> {
    const { queue } = fileQueue(dir, { export: async () => Promise.reject(new RetryableError('down')) });
    await queue.start();
    for (const first of [0, 10, 20]) await queue.enqueue('traces', spans(2, first));
    await queue.drain(20);
    const qdir = path.join(dir, 'store');
    const [seg] = segments(qdir);
    return path.join(qdir, seg);
  }

  function recordOffsets(file: string): number[] {
    const buf = readFileSync(file);
    const offs: number[] = [];
    for (let off = SEGMENT_HEADER_BYTES; off < buf.length; ) {
      const r = parseRecord(buf, off);
      if (r.kind !== 'record') throw new Error(`unexpected ${r.kind} at ${off}`);
      offs.push(off);
      off = r.record.end;
    }
    return offs;
  }

  it('truncates a torn tail with a warning and replays every complete record', async () => {
    const dir = freshDir();
    const seg = await threeOnDisk(dir);
    const size = statSync(seg).size;
    const [first] = recordOffsets(seg);
    appendFileSync(seg, readFileSync(seg).subarray(first, first + 40)); // half a record: a write cut short
    const r = recorder();
    const q = fileQueue(dir, r.exporter);
    await q.queue.start();
    expect(statSync(seg).size).toBe(size); // truncated (checked before the exports confirm and delete it)
    await until(() => r.got.length === 3);
    expect(r.got.map((x) => x.first)).toEqual([0, 10, 20]);
    expect(q.lines.join('\n')).toMatch(/ warn +persistent queue: truncating the torn tail .* at byte \d+ \(40 bytes/);
    expect(q.metric('otelcol_exporter_queue_corrupt_records')).toBe(0);
    await q.queue.drain(1000);
  });

  it('skips a record whose CRC does not match with an error and a metric, and replays the others', async () => {
    const dir = freshDir();
    const seg = await threeOnDisk(dir);
    const offs = recordOffsets(seg);
    const buf = readFileSync(seg);
    buf[offs[1] + 40] ^= 0xff; // one bit flip in the second record's payload
    writeFileSync(seg, buf);
    const r = recorder();
    const q = fileQueue(dir, r.exporter);
    await q.queue.start();
    await until(() => r.got.length === 2);
    expect(r.got.map((x) => x.first)).toEqual([0, 20]);
    expect(q.lines.join('\n')).toMatch(/ error +persistent queue: skipping a corrupt record .* \(CRC mismatch, \d+ bytes\): that batch is lost/);
    expect(q.metric('otelcol_exporter_queue_corrupt_records')).toBe(1);
    await q.queue.drain(1000);
  });

  it('resynchronizes after a damaged record header', async () => {
    const dir = freshDir();
    const seg = await threeOnDisk(dir);
    const offs = recordOffsets(seg);
    const buf = readFileSync(seg);
    buf.fill(0x5a, offs[1], offs[1] + 8); // magic and version of the second record destroyed
    writeFileSync(seg, buf);
    const r = recorder();
    const q = fileQueue(dir, r.exporter);
    await q.queue.start();
    await until(() => r.got.length === 2);
    expect(r.got.map((x) => x.first)).toEqual([0, 20]);
    expect(q.metric('otelcol_exporter_queue_corrupt_records')).toBe(1);
    await q.queue.drain(1000);
  });

  it('refuses with BackpressureError when full in batches or in bytes, and counts it', async () => {
    const g = gate();
    const byCount = fileQueue(freshDir(), recorder({ wait: g.promise }).exporter, { queue_size: 2 });
    await byCount.queue.start();
    await byCount.queue.enqueue('traces', spans(1));
    await byCount.queue.enqueue('traces', spans(1));
    await expect(byCount.queue.enqueue('traces', spans(4))).rejects.toThrow(BackpressureError);
    expect(byCount.metric('otelcol_exporter_enqueue_failed_spans')).toBe(4);

    const byBytes = fileQueue(freshDir(), recorder({ wait: g.promise }).exporter, { max_size: '1KiB' });
    await byBytes.queue.start();
    expect(byBytes.metric('otelcol_exporter_queue_capacity_bytes')).toBe(1024);
    await byBytes.queue.enqueue('traces', spans(20)); // more than 1 KiB: the next one is refused
    expect(byBytes.metric('otelcol_exporter_queue_size_bytes')).toBeGreaterThan(1024);
    await expect(byBytes.queue.enqueue('traces', spans(3))).rejects.toThrow(/persistent sending queue of exporter "store" is full \(\d+ bytes, max_size 1024\)/);
    expect(byBytes.metric('otelcol_exporter_enqueue_failed_spans')).toBe(3);
    g.open();
    await until(() => byBytes.queue.size === 0);
    expect(byBytes.metric('otelcol_exporter_queue_size_bytes')).toBe(0);
    await byBytes.queue.enqueue('traces', spans(3)); // room again
    await byCount.queue.drain(1000);
    await byBytes.queue.drain(1000);
  });

  it('keeps retrying a batch whose retries ran out instead of dropping it', async () => {
    let fail = 3;
    const r = recorder({ fail: () => fail-- > 0 });
    const q = fileQueue(freshDir(), r.exporter);
    // retry_on_failure disabled: every failure ends the retries; the batch must stay queued.
    const settings = resolveExporterHelper({ sending_queue: { enabled: true, storage: 'file', directory: freshDir(), num_consumers: 1 }, retry_on_failure: { enabled: false, initial_interval: '1ms' }, timeout: 0 });
    const queue = new SendingQueue({ id: 'store', exporter: { start: async () => {}, shutdown: async () => {}, ...r.exporter } as Exporter, settings, logger: createLogger({ write: () => {} }), metrics: q.metrics });
    await queue.start();
    await queue.enqueue('traces', spans(2, 7));
    await until(() => r.got.length === 1, 10_000);
    expect(r.got[0].first).toBe(7);
    expect(q.metrics.counter('otelcol_exporter_send_failed_spans', '').get({ exporter: 'store' })).toBe(0);
    await queue.drain(1000);
  }, 15_000);

  it('one process per directory: refuses a second open, here or in another process, and takes over a dead owner\'s lock', async () => {
    const dir = freshDir();
    const a = fileQueue(dir, {});
    await a.queue.start();
    await expect(fileQueue(dir, {}).queue.start()).rejects.toThrow(/already open in this process/);
    await a.queue.drain(100);

    // Another live process holds it.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { DirLock } = await import(${JSON.stringify(path.resolve('core/queue/dir-lock.ts'))});
      const { mkdirSync } = await import('node:fs');
      mkdirSync(${JSON.stringify(path.join(dir, 'store'))}, { recursive: true });
      DirLock.acquire(${JSON.stringify(path.join(dir, 'store'))}, () => {});
      console.log('locked');
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => child.stdout!.on('data', (d) => String(d).includes('locked') && res()));
    await expect(fileQueue(dir, {}).queue.start()).rejects.toThrow(new RegExp(`in use by another process \\(pid ${child.pid}, lock .*LOCK\\): two agentcol processes cannot share a sending queue`));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));

    // The owner died without releasing it: the next start takes over.
    const c = fileQueue(dir, {});
    await c.queue.start();
    expect(c.lines.join('\n')).toMatch(/taking over the stale lock .*pid \d+ is gone/);
    await c.queue.drain(100);
  });

  it('names each exporter\'s directory from its id, distinctly and with safe characters', () => {
    expect(queueDirName('postgres')).toBe('postgres');
    expect(queueDirName('postgres/main')).toBe('postgres-main');
    expect(queueDirName('otlp/a/b')).toBe('otlp-a_2fb');
    expect(queueDirName('otlp/a_2fb')).toBe('otlp-a_5f2fb');
    expect(queueDirName('otlp/..')).toBe('otlp-..');
  });
});

describe('persistent sending queue in the service', () => {
  function config(dir: string, b: Record<string, unknown> = {}) {
    const h = helper();
    return makeConfig({
      receivers: { test: {} },
      exporters: { 'test/mem': h, 'test/disk': { ...h, sending_queue: { ...h.sending_queue, storage: 'file', directory: dir, ...b } } },
      pipelines: [{ id: 'traces', receivers: ['test'], exporters: ['test/mem', 'test/disk'] }],
    });
  }

  it('the receiver is answered once the batch is in the log; a full log refuses it for every exporter; unexported batches survive a restart', async () => {
    const dir = freshDir();
    const qdir = path.join(dir, 'test-disk');
    const w = new World();
    const g = gate();
    w.behaviors.set('test/disk', () => g.promise);
    const svc = w.service(config(dir, { max_size: 1 }), { shutdownTimeoutMs: 50 });
    await svc.start();
    await w.push('test', spans(2, 0));
    expect(segments(qdir).length).toBe(1);
    expect(statSync(path.join(qdir, segments(qdir)[0])).size).toBeGreaterThan(SEGMENT_HEADER_BYTES);
    // max_size 1 byte: the next batch is refused, and the in-memory exporter does not get it either.
    await expect(w.push('test', spans(2, 2))).rejects.toThrow(/persistent sending queue of exporter "test\/disk" is full/);
    await until(() => (w.exported.get('test/mem') ?? []).length === 1);
    expect(w.metrics.counter('otelcol_exporter_enqueue_failed_spans', '').get({ exporter: 'test/disk' })).toBe(2);
    await svc.shutdown(); // test/disk never confirms: its batch stays on disk
    expect(w.exported.get('test/mem')!.map(spanIndexes)).toEqual([[0, 1]]);
    expect(w.logLines.join('\n')).toMatch(/1 batches \(2 items\) not exported by the shutdown deadline stay on disk/);

    const w2 = new World();
    const svc2 = w2.service(config(dir));
    await svc2.start();
    await until(() => (w2.exported.get('test/disk') ?? []).length === 1);
    expect(spanIndexes(w2.exported.get('test/disk')![0])).toEqual([0, 1]);
    expect(w2.exported.get('test/mem') ?? []).toEqual([]);
    await svc2.shutdown();
    expect(segments(qdir)).toEqual([]);
  });

  it('a second service on the same directory fails to start with a clear error', async () => {
    const dir = freshDir();
    const w = new World();
    const svc = w.service(config(dir));
    await svc.start();
    const w2 = new World();
    await expect(w2.service(config(dir)).start()).rejects.toThrow(/failed to start exporter "test\/disk": queue directory .*test-disk is already open in this process/);
    await svc.shutdown();
  });
});

describe('batch ids', () => {
  it('the in-memory queue gives each batch its own id, the same on every attempt', async () => {
    const ids: string[] = [];
    let attempts = 0;
    const q = new SendingQueue({
      id: 'mem',
      exporter: {
        start: async () => {},
        shutdown: async () => {},
        export: async (_s, _b, o) => {
          ids.push(o!.batchId!);
          if (++attempts === 1) throw new RetryableError('once');
        },
      },
      settings: resolveExporterHelper({ sending_queue: { num_consumers: 1 }, retry_on_failure: { initial_interval: '1ms', max_interval: '1ms' }, timeout: 0 }),
      logger: createLogger({ write: () => {} }),
      metrics: new MetricsRegistry(),
    });
    await q.start();
    await q.enqueue('traces', spans(1));
    await q.enqueue('traces', spans(1));
    await until(() => ids.length === 3);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).toMatch(/^mem:[0-9a-f]{16}:1$/);
    await q.drain(100);
  });
});

describe('sending_queue config errors', () => {
  const ROOT = path.resolve(import.meta.dirname, '../..');
  const FILE = path.join(ROOT, 'config/agent.yaml');
  async function errors(yaml: string): Promise<string[]> {
    try {
      await loadConfigText(yaml, FILE, { registry: fixtureRegistry(), env: {} });
    } catch (err) {
      if (err instanceof ConfigError) return err.errors.map((e) => formatIssue(e, ROOT));
      throw err;
    }
    throw new Error('expected the config to be invalid');
  }
  const config = (queue: string) => `receivers:
  otlp:
exporters:
  duckdb:
    sending_queue:
${queue}
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [duckdb]
`;

  it('file storage without a directory', async () => {
    expect(await errors(config('      storage: file'))).toEqual([
      'config/agent.yaml:6:7: exporters.duckdb.sending_queue: storage: file needs a directory: add e.g. `directory: ./data/queue` (each exporter keeps its log in its own subdirectory there)',
    ]);
  });

  it('a bad fsync value', async () => {
    expect(await errors(config(`      storage: file\n      directory: ${tmp}\n      fsync: alway`))).toEqual([
      'config/agent.yaml:8:14: exporters.duckdb.sending_queue.fsync: must be one of "always", "batch", "never", got string "alway" — did you mean "always"?',
    ]);
  });

  it('a directory that cannot be created or written', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, '');
    expect(await errors(config(`      storage: file\n      directory: ${file}/queue`))).toEqual([
      `config/agent.yaml:7:18: exporters.duckdb.sending_queue.directory: "${file}/queue" cannot be a directory: ${file} is a file; choose a directory path`,
    ]);
    const [line] = await errors(config('      storage: file\n      directory: /proc/agentcol-queue'));
    expect(line).toMatch(/^config\/agent\.yaml:7:18: exporters\.duckdb\.sending_queue\.directory: "\/proc\/agentcol-queue" is not writable \(its nearest existing parent \/proc: E[A-Z]+\); choose a directory this user can write, or fix its permissions$/);
  });

  it('warns about file-storage keys on an in-memory queue', async () => {
    const r = await loadConfigText(config('      directory: ./q\n      fsync: always'), FILE, { registry: fixtureRegistry(), env: {} });
    expect(r.warnings.map((w) => formatIssue(w, ROOT))).toEqual([
      'config/agent.yaml:6:7: exporters.duckdb.sending_queue.directory: directory is only used with storage: file (the queue is in memory); add `storage: file` to keep batches on disk',
      'config/agent.yaml:7:7: exporters.duckdb.sending_queue.fsync: fsync is only used with storage: file (the queue is in memory); add `storage: file` to keep batches on disk',
    ]);
  });

  it('storage: file with the queue disabled', async () => {
    expect(await errors(config(`      enabled: false\n      storage: file\n      directory: ${tmp}`))).toEqual([
      'config/agent.yaml:6:16: exporters.duckdb.sending_queue.enabled: storage: file needs the queue: set `enabled: true` (or remove storage: file to export synchronously)',
    ]);
  });
});
