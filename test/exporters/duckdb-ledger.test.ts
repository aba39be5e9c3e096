// The DuckDB batch ledger (exporters/duckdb/ledger.ts): a batch replayed with the id it had (the
// persistent queue after a crash, a retry) is stored once, across restarts, in the worker and on
// the calling thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Exporter } from '../../core/component.ts';
import { countItems } from '../../core/signals/count.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import factory from '../../exporters/duckdb/factory.ts';
import { makeAllMetrics, makeGenAiTraces } from '../core/storage-fixtures.ts';
import { queryDuckDb } from '../helpers/stores.ts';

const ctx = { id: 'duckdb', logger: silentLogger, metrics: new MetricsRegistry() };
const dir = mkdtempSync(join(tmpdir(), 'agentcol-duck-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(path: string, worker: boolean): Promise<Exporter> {
  const ex = factory.create({ ...ctx, config: factory.normalize!({ path, worker }) });
  await ex.start({} as never);
  return ex;
}

const n = async (path: string, table: string) => Number((await queryDuckDb(path, `SELECT count(*) AS n FROM ${table}`))[0].n);
const metricPoints = async (path: string) => {
  let sum = 0;
  for (const k of ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary']) sum += await n(path, `otel_metrics_${k}`);
  return sum;
};

for (const worker of [true, false]) {
  describe(`duckdb batch ledger (${worker ? 'worker thread' : 'calling thread'})`, () => {
    const path = join(dir, `ledger-${worker}.duckdb`);

    it('stores a batch replayed under its id once, also after a restart; other ids and batches without one are written', async () => {
      const traces = makeGenAiTraces(700, 4);
      const metrics = makeAllMetrics();
      let ex = await started(path, worker);
      await ex.export('traces', traces, { batchId: 'q:seg1:1' });
      await ex.export('traces', traces, { batchId: 'q:seg1:1' });
      await ex.export('metrics', metrics, { batchId: 'q:seg1:2' });
      await ex.export('metrics', metrics, { batchId: 'q:seg1:2' });
      await ex.shutdown();
      // The restarted agentcol replays both (their removal from the queue was lost in the crash).
      ex = await started(path, worker);
      await ex.export('traces', traces, { batchId: 'q:seg1:1' });
      await ex.export('metrics', metrics, { batchId: 'q:seg1:2' });
      await ex.shutdown();
      expect(await n(path, 'otel_traces')).toBe(700);
      expect(await metricPoints(path)).toBe(countItems('metrics', metrics));
      const ledger = await queryDuckDb(path, 'SELECT batch_id, rows FROM agentcol_batches ORDER BY batch_id');
      expect(ledger.map((r) => [r.batch_id, Number(r.rows)])).toEqual([['q:seg1:1', 700], ['q:seg1:2', countItems('metrics', metrics)]]);

      // A new batch (new id) with the same content is new data; so is a batch without an id.
      ex = await started(path, worker);
      await ex.export('traces', makeGenAiTraces(10, 5), { batchId: 'q:seg2:1' });
      await ex.export('traces', makeGenAiTraces(10, 5));
      await ex.shutdown();
      expect(await n(path, 'otel_traces')).toBe(720);
    }, 180_000); // three starts of the store (a worker thread each): slow on a loaded machine
  });
}
