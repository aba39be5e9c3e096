// The worker pool (core/workers/pool.ts) on real threads: TypeScript task modules, keyed tasks
// staying on one thread in order, errors and crashed workers.
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../core/workers/pool.ts';

const TASKS = new URL('../fixtures/workers/tasks.ts', import.meta.url).href;
const pool = new WorkerPool(3);
afterAll(() => pool.close());

describe('worker pool', () => {
  it('runs a function of a TypeScript module on a worker thread', async () => {
    expect(await pool.run<number>(TASKS, 'add', { a: 2, b: 40 })).toBe(42);
  });

  it('runs every task of a key on one thread, in submission order', async () => {
    const keys = ['agent-a', 'agent-b', 'agent-c', 'agent-d', 'agent-e'];
    const runs = keys.flatMap((key) => Array.from({ length: 20 }, () => ({ key, p: pool.run<{ n: number; thread: number }>(TASKS, 'count', key, { key }) })));
    const results = await Promise.all(runs.map(async (r) => ({ key: r.key, ...(await r.p) })));
    for (const key of keys) {
      const mine = results.filter((r) => r.key === key);
      expect(mine.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(mine.map((r) => r.thread)).size).toBe(1);
    }
    // Keys spread over the lanes.
    expect(new Set(keys.map((k) => pool.laneOf(k))).size).toBeGreaterThan(1);
  });

  it('rejects with the task error, message intact', async () => {
    await expect(pool.run(TASKS, 'fail', 'bad input at messages[2]')).rejects.toThrow('bad input at messages[2]');
    await expect(pool.run(TASKS, 'nope', null)).rejects.toThrow(/has no exported function nope/);
  });

  it('survives a worker that dies: the task rejects, the next one runs', async () => {
    await expect(pool.run(TASKS, 'crash', null, { key: 'k' })).rejects.toThrow();
    expect(await pool.run<number>(TASKS, 'add', { a: 1, b: 1 }, { key: 'k' })).toBe(2);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new WorkerPool(0)).toThrow(/positive integer/);
  });
});
