// kill -9 at random points of a process appending to the persistent sending queue: after a restart
// every batch the queue accepted is exported, and all exports of one batch carry one batch id (so
// an exporter deduplicating on ExportOptions.batchId stores each exactly once).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = path.join(import.meta.dirname, 'queue-crash-child.ts');
const KILLS = 10;

function run(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string; waitFor: (text: string) => Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 20_000;
    while (!out.includes(text)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`child never printed "${text}":\n${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { child, output: () => out, waitFor, exited };
}

/** Complete lines only: a kill may cut the last one short. */
function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}

const tmp = mkdtempSync(path.join(tmpdir(), 'agentcol-queue-crash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('persistent sending queue under SIGKILL', () => {
  for (const fsync of ['batch', 'always'] as const) {
    it(`fsync: ${fsync} — every accepted batch is exported after ${KILLS} kills, each under one batch id`, async () => {
      const dir = path.join(tmp, fsync);
      const acks = path.join(tmp, `${fsync}.acks`);
      const out = path.join(tmp, `${fsync}.out`);
      const env = { QUEUE_FSYNC: fsync };
      const replays: string[] = [];
      for (let k = 0; k < KILLS; k++) {
        const c = run([dir, acks, out, 'append', String(k * 1_000_000)], env);
        await c.waitFor('appending');
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
        c.child.kill('SIGKILL');
        await c.exited;
        replays.push(/replaying (\d+) batches/.exec(c.output())?.[1] ?? '0');
      }
      const last = run([dir, acks, out, 'drain'], env);
      expect(await last.exited, last.output()).toBe(0);
      expect(last.output()).toContain('drained');

      const accepted = lines(acks).map(Number);
      const idsByBatch = new Map<number, Set<string>>();
      for (const l of lines(out)) {
        const [id, n] = l.split(' ');
        let ids = idsByBatch.get(Number(n));
        if (!ids) idsByBatch.set(Number(n), (ids = new Set()));
        ids.add(id);
      }
      expect(accepted.length).toBeGreaterThan(KILLS * 10);
      const lost = accepted.filter((n) => !idsByBatch.has(n));
      expect(lost, `accepted but never exported (replays per start: ${replays.join(', ')})`).toEqual([]);
      const split = [...idsByBatch].filter(([, ids]) => ids.size !== 1);
      expect(split, 'a batch exported under more than one batch id').toEqual([]);
      // Some restarts found unconfirmed batches to replay: the kills did land mid-stream.
      expect(replays.some((r) => r !== '0')).toBe(true);
      // Fully confirmed: nothing left on disk but the lock-free, empty directory.
      expect(readdirSync(path.join(dir, 'crash')).filter((f) => f.endsWith('.seg'))).toEqual([]);
    }, 120_000);
  }
});
