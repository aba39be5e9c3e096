// The anomaly processor on crafted streams: each class detected where it was injected and nowhere
// else, warm-up, pool == inline, event-time replay (shuffled within allowed_lateness, late events),
// and config errors at FILE:LINE.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../core/config/load.ts';
import { encodeTracesProto } from '../../core/otlp/encode-proto.ts';
import { protoRequestBatch } from '../../core/otlp/proto-batch.ts';
import { heldEncoding } from '../../core/signals/encoded.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import { closeSharedPool } from '../../core/workers/pool.ts';
import debug from '../../exporters/debug/factory.ts';
import otlp from '../../receivers/otlp/factory.ts';
import { compileConfig } from '../../processors/anomaly/config.ts';
import { extractEvents } from '../../processors/anomaly/events.ts';
import factory from '../../processors/anomaly/factory.ts';
import { Lane } from '../../processors/anomaly/lane.ts';
import { shardOf } from '../../processors/anomaly/shard.ts';
import { prng } from '../helpers/random.ts';
import { batchOf, batches, byTime, cls, DAY, HOUR, MIN, normalEvent, normalTraffic, run, spanOf, summary, T0, type Ev } from './anomaly.fixtures.ts';

// Two pool lanes whatever the machine, so shards: 2 really spreads agents over two threads.
process.env.AGENTCOL_WORKERS = '2';
afterAll(() => closeSharedPool());

const inline = { workers: false };
const at = (d: number, h: number, m = 0) => T0 + d * DAY + h * HOUR + m * MIN;

/** `n` events of `agent` spread over [from, from + spanMs), normal habits otherwise. */
function burst(agent: string, from: number, spanMs: number, n: number, seed: number, patch: Record<string, unknown> = {}): Ev[] {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const e = normalEvent(agent, from + Math.floor((i * spanMs) / n), r);
    return { ...e, attrs: { ...e.attrs, ...patch } as Ev['attrs'] };
  });
}

describe('normal traffic', () => {
  it('five agents, five days of office hours: no alert at all', async () => {
    const evs = byTime([1, 2, 3, 4, 5].flatMap((i) => normalTraffic(`agent-${i}`, 5, i, { sensitive: 0.01 })));
    const r = await run(batches(evs), { ...inline, escalation: { sensitive_tools: { export_table: 3 } } });
    expect(r.alerts.map(summary)).toEqual([]);
    expect(r.spans).toHaveLength(evs.length);
    expect(r.metrics.counter('agentcol_processor_anomaly_events_total', '').get({ processor: 'anomaly' })).toBe(evs.length);
  });
});

describe('each class on a crafted stream', () => {
  const base = () => normalTraffic('a', 5, 7);

  it('volume: a 10x burst alerts in its interval, annotates the span, and nothing else does', async () => {
    const evs = byTime([...base(), ...burst('a', at(4, 10), 15 * MIN, 180, 1)]);
    const r = await run(batches(evs), inline);
    const vol = r.alerts.filter((a) => cls(a) === 'volume');
    expect(vol.length).toBeGreaterThanOrEqual(1);
    expect(new Set(r.alerts.map(cls))).toEqual(new Set(['volume']));
    const req = vol.find((a) => a.attributes['agentcol.alert.metric'] === 'requests')!;
    expect(req.attributes).toMatchObject({ 'gen_ai.agent.id': 'a', 'agentcol.anomaly.interval_start': new Date(at(4, 10)).toISOString() });
    expect(req.attributes['agentcol.alert.baseline']).toBeGreaterThan(3);
    expect(req.attributes['agentcol.alert.baseline']).toBeLessThan(10);
    expect(req.attributes['agentcol.alert.observed']).toBeGreaterThanOrEqual(req.attributes['agentcol.alert.threshold'] as number);
    expect(Number(req.timeUnixNano / 1_000_000n)).toBeGreaterThanOrEqual(at(4, 10));
    expect(Number(req.timeUnixNano / 1_000_000n)).toBeLessThan(at(4, 10, 5));
    const span = r.spans.find((s) => s.spanId === req.spanId)!;
    expect(span.attributes).toMatchObject({ 'agentcol.anomaly.class': 'volume', 'agentcol.anomaly.score': expect.any(Number) });
    expect(req.traceId).toBe(span.traceId);
    expect(req.attributes['agentcol.alert.evidence.span_id']).toBe(span.spanId);
    expect(['warning', 'error', 'critical']).toContain(req.severityText.toLowerCase());
  });

  it('scope: a new destination alerts alone; a new tool needs a second new item', async () => {
    const evs = byTime([
      ...base(),
      ...burst('a', at(4, 11), MIN, 1, 2, { 'server.address': 'exfil.example.net' }),
      ...burst('a', at(4, 13), MIN, 1, 3, { 'gen_ai.tool.name': 'shell' }),
      ...burst('a', at(4, 15), MIN, 1, 4, { 'gen_ai.tool.name': 'curl' }),
      ...burst('a', at(4, 15, 20), MIN, 1, 5, { 'gen_ai.tool.name': 'scp' }),
    ]);
    const r = await run(batches(evs), inline);
    expect(r.alerts.map((a) => [cls(a), a.attributes['agentcol.anomaly.items']])).toEqual([
      ['scope', ['destination:exfil.example.net']],
      ['scope', ['tool:curl', 'tool:scp']],
    ]);
    expect(r.alerts[0].attributes['agentcol.alert.baseline']).toBeGreaterThan(3); // items known
  });

  it('temporal: activity at 3 a.m. alerts once the hour holds min_events; two events at 2 a.m. do not', async () => {
    const evs = byTime([...base(), ...burst('a', at(4, 2), 10 * MIN, 2, 6), ...burst('a', at(4, 3), 10 * MIN, 5, 7)]);
    const r = await run(batches(evs), inline);
    expect(r.alerts.map(cls)).toEqual(['temporal']);
    const a = r.alerts[0];
    expect(a.attributes).toMatchObject({ 'agentcol.alert.metric': 'active_fraction', 'agentcol.alert.baseline': 0, 'agentcol.alert.observed': 3 });
    expect(Number(a.timeUnixNano / 1_000_000n)).toBeGreaterThanOrEqual(at(4, 3));
    expect(Number(a.timeUnixNano / 1_000_000n)).toBeLessThan(at(4, 4));
  });

  it('escalation: a slow rise of a sensitive tool is caught by the CUSUM, the same volume is not a volume anomaly', async () => {
    const r0 = prng(11);
    const evs: Ev[] = [];
    for (const e of normalTraffic('a', 5, 7, { sensitive: 0.01 })) {
      // Day 4, 09:00-15:00: the share of export_table calls rises linearly from 0 to 40 %.
      const into = e.t - at(4, 9);
      if (into >= 0 && into < 6 * HOUR && r0() < (0.4 * into) / (6 * HOUR)) {
        e.attrs['gen_ai.tool.name'] = 'export_table';
        e.attrs['gen_ai.operation.name'] = 'execute_tool';
      }
      evs.push(e);
    }
    const cfg = { ...inline, escalation: { sensitive_tools: { export_table: 3 } } };
    const r = await run(batches(evs), cfg);
    expect(r.alerts.map(cls)).toEqual(['escalation']);
    const a = r.alerts[0];
    expect(a.attributes['agentcol.alert.metric']).toBe('risk_share');
    const t = Number(a.timeUnixNano / 1_000_000n);
    expect(t).toBeGreaterThan(at(4, 9));
    expect(t).toBeLessThan(at(4, 15));
    expect(r.spans.find((s) => s.spanId === a.spanId)?.attributes['gen_ai.tool.name']).toBe('export_table');
    // Without the drift, the same habits raise nothing.
    expect((await run(batches(normalTraffic('a', 5, 7, { sensitive: 0.01 })), cfg)).alerts).toEqual([]);
  });

  it('coordination: three agents touching the same rare data scope together', async () => {
    const evs = byTime([
      ...['a', 'b', 'c', 'd'].flatMap((x, i) => normalTraffic(x, 5, 20 + i)),
      ...burst('b', at(4, 15, 1), MIN, 1, 8, { 'agentcol.data.scope': 'payroll' }),
      ...burst('c', at(4, 15, 3), MIN, 1, 9, { 'agentcol.data.scope': 'payroll' }),
      ...burst('d', at(4, 15, 6), MIN, 1, 10, { 'agentcol.data.scope': 'payroll' }),
    ]);
    const r = await run(batches(evs), inline);
    const coord = r.alerts.filter((a) => cls(a) === 'coordination');
    expect(coord.map((a) => a.attributes['agentcol.alert.metric']).sort()).toEqual(['agents_anomalous', 'agents_on_rare_item']);
    const rare = coord.find((a) => a.attributes['agentcol.alert.metric'] === 'agents_on_rare_item')!;
    expect(rare.attributes).toMatchObject({ 'agentcol.anomaly.agents': ['b', 'c', 'd'], 'agentcol.anomaly.items': ['data_scope:payroll'], 'gen_ai.agent.id': 'd', 'agentcol.alert.observed': 3 });
    expect(r.alerts.filter((a) => cls(a) === 'scope').map((a) => a.attributes['gen_ai.agent.id'])).toEqual(['b', 'c', 'd']);
    // Two agents are not a group.
    const two = await run(batches(byTime(evs.filter((e) => !(e.agent === 'd' && e.attrs['agentcol.data.scope'] === 'payroll')))), inline);
    expect(two.alerts.filter((a) => cls(a) === 'coordination')).toEqual([]);
  });
});

describe('warm-up', () => {
  it('an agent raises nothing in its first 24 h, and the same behaviour alerts afterwards', async () => {
    const inject = (d: number) => [...burst('w', at(d, 12), 15 * MIN, 180, 30 + d), ...burst('w', at(d, 13), MIN, 1, 40 + d, { 'server.address': `new-${d}.example` })];
    const early = await run(batches(byTime([...normalTraffic('w', 3, 5), ...inject(0)])), inline);
    expect(early.alerts).toEqual([]);
    const later = await run(batches(byTime([...normalTraffic('w', 3, 5), ...inject(2)])), inline);
    expect(new Set(later.alerts.map(cls))).toEqual(new Set(['volume', 'scope']));
  });

  it('warmup_min_events holds an agent back however long it has been seen', async () => {
    const sparse = byTime([...burst('s', at(0, 9), MIN, 5, 1), ...burst('s', at(2, 9), MIN, 5, 2), ...burst('s', at(2, 10), MIN, 1, 3, { 'server.address': 'x.example' })]);
    expect((await run(batches(sparse), inline)).alerts).toEqual([]);
    expect((await run(batches(sparse), { ...inline, warmup_min_events: 5 })).alerts.map(cls)).toEqual(['scope']);
  });
});

/** Five agents, five days, every class injected. */
function scenario(): Ev[] {
  const evs = [1, 2, 3, 4, 5].flatMap((i) => normalTraffic(`agent-${i}`, 5, 100 + i, { sensitive: 0.01 }));
  evs.push(...burst('agent-1', at(4, 10), 15 * MIN, 180, 1));
  evs.push(...burst('agent-2', at(4, 11), MIN, 1, 2, { 'server.address': 'exfil.example.net' }));
  evs.push(...burst('agent-3', at(4, 3), 10 * MIN, 6, 3));
  for (const [i, x] of ['agent-3', 'agent-4', 'agent-5'].entries()) evs.push(...burst(x, at(4, 16, 2 * i), MIN, 1, 4 + i, { 'agentcol.data.scope': 'payroll' }));
  evs.push(...burst('agent-4', at(4, 12), 2 * HOUR, 60, 9, { 'gen_ai.tool.name': 'export_table', 'gen_ai.operation.name': 'execute_tool' }));
  return byTime(evs);
}
const scenarioConfig = { escalation: { sensitive_tools: { export_table: 3 } } };

describe('worker pool', () => {
  it('gives the same alerts and annotations as a single thread, on one shard or two, also when batches arrive together', async () => {
    const evs = scenario();
    const single = await run(batches(evs), { ...scenarioConfig, workers: false });
    expect(new Set(single.alerts.map(cls))).toEqual(new Set(['volume', 'scope', 'temporal', 'escalation', 'coordination']));
    const annotated = (r: typeof single) => r.spans.filter((s) => s.attributes['agentcol.anomaly.class']).map((s) => `${s.spanId} ${s.attributes['agentcol.anomaly.classes']} ${s.attributes['agentcol.anomaly.score']}`);
    expect(annotated(single).length).toBeGreaterThan(5);
    // The agents of the scenario really land on both shards.
    expect(new Set(['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5'].map((a) => shardOf(a, 2)))).toEqual(new Set([0, 1]));
    for (const shards of [1, 2]) {
      const pooled = await run(batches(evs), { ...scenarioConfig, workers: true, shards });
      expect(pooled.alerts.map(summary)).toEqual(single.alerts.map(summary));
      expect(annotated(pooled)).toEqual(annotated(single));
      expect(pooled.metrics.render()).toContain('agentcol_processor_anomaly_agents_tracked{processor="anomaly"} 5');
    }
    const together = await run(batches(evs), { ...scenarioConfig, workers: true, shards: 2 }, { concurrent: true });
    expect(together.alerts.map(summary)).toEqual(single.alerts.map(summary));
    // Batches still held as the protobuf they arrived in (what the OTLP receiver hands on): the
    // shards decode them; the event loop decodes only the batches it annotates.
    const held = batches(evs).map((b) => protoRequestBatch('traces', encodeTracesProto(b)));
    expect(held.every((b) => heldEncoding(b))).toBe(true);
    const fromProto = await run(held, { ...scenarioConfig, workers: true, shards: 2 });
    expect(fromProto.alerts.map(summary)).toEqual(single.alerts.map(summary));
    expect(annotated(fromProto)).toEqual(annotated(single));
  });
});

describe('event time', () => {
  const key = (a: { attributes: Record<string, unknown>; timeUnixNano: bigint }) => {
    const x = a.attributes;
    const where = x['agentcol.anomaly.interval_start'] ?? x['agentcol.anomaly.items'] ?? Math.floor(Number(a.timeUnixNano / 1_000_000n) / HOUR);
    return `${x['agentcol.alert.class']} ${x['gen_ai.agent.id']} ${x['agentcol.alert.metric']} ${JSON.stringify(where)}`;
  };
  /** A lane's state with orders that carry no meaning (maps, item lists) sorted. */
  function normalised(evs: Ev[]): unknown {
    const lane = new Lane(compileConfig(scenarioConfig));
    lane.score(extractEvents(batchOf(evs.map((e, i) => spanOf(e, i + 1)))));
    return lane.snapshot().map((s) => ({
      ...s,
      items: [...s.items].sort(),
      hours: [...s.hours].sort(),
      growth: s.growth.map(([b, g]) => [b, { ...g, items: [...g.items].sort() }]).sort(),
      open: s.open.map((o) => ({ ...o, top: o.top && { risk: o.top.risk, t: o.top.t } })),
    }));
  }

  it('events shuffled within allowed_lateness give the same alerts and the same baselines', async () => {
    const evs = scenario();
    const r = prng(99);
    // Every event arrives up to 50 s after its time (allowed_lateness is 1m): a local shuffle.
    const shuffled = evs.map((e) => ({ e, arrive: e.t + r() * 50_000 })).sort((a, b) => a.arrive - b.arrive).map((x) => x.e);
    expect(shuffled).not.toEqual(evs);
    const inOrder = await run(batches(evs), { ...scenarioConfig, workers: false });
    const replayed = await run(batches(shuffled), { ...scenarioConfig, workers: false });
    expect(replayed.alerts.map(key).sort()).toEqual(inOrder.alerts.map(key).sort());
    expect(replayed.metrics.counter('agentcol_processor_anomaly_late_events_total', '').get({ processor: 'anomaly' })).toBe(0);
    expect(normalised(shuffled)).toEqual(normalised(evs));
  });

  it('events later than allowed_lateness are counted late, deterministically, and never break the stream', async () => {
    const evs = scenario();
    // One agent's 10:00-11:00 events of day 3 arrive two hours late.
    const lateOnes = evs.filter((e) => e.agent === 'agent-2' && e.t >= at(3, 10) && e.t < at(3, 11));
    const rest = evs.filter((e) => !lateOnes.includes(e));
    const cut = rest.findIndex((e) => e.t >= at(3, 13));
    const stream = [...rest.slice(0, cut), ...lateOnes, ...rest.slice(cut)];
    const one = await run(batches(stream), { ...scenarioConfig, workers: false });
    const two = await run(batches(stream), { ...scenarioConfig, workers: true });
    expect(one.metrics.counter('agentcol_processor_anomaly_late_events_total', '').get({ processor: 'anomaly' })).toBe(lateOnes.length);
    expect(two.alerts.map(summary)).toEqual(one.alerts.map(summary));
    expect(one.spans).toHaveLength(stream.length);
  });

  it('scores by the spans\' timestamps, not by when they arrive', async () => {
    // The whole five days replayed in one go at machine speed still has a temporal anomaly at 3 a.m.
    const r = await run(batches(scenario(), 5000), { ...scenarioConfig, workers: false });
    expect(r.alerts.some((a) => cls(a) === 'temporal' && a.attributes['gen_ai.agent.id'] === 'agent-3')).toBe(true);
  });
});

describe('snapshots', () => {
  it('a lane reports every agent, or only those changed since its last changed-snapshot', () => {
    const lane = new Lane(compileConfig({}));
    const evs = byTime(['x', 'y', 'z'].flatMap((a, i) => normalTraffic(a, 1, i + 1)));
    lane.score(extractEvents(batchOf(evs.map((e, i) => spanOf(e, i + 1)))));
    expect(lane.snapshot(true).map((s) => s.agent)).toEqual(['x', 'y', 'z']);
    expect(lane.snapshot(true)).toEqual([]);
    lane.score(extractEvents(batchOf([spanOf(evs.filter((e) => e.agent === 'y').at(-1)!, 999)])));
    expect(lane.snapshot(true).map((s) => s.agent)).toEqual(['y']);
    expect(lane.snapshot().map((s) => s.agent)).toEqual(['x', 'y', 'z']);
    // A snapshot restores to the same state: JSON round trip included.
    const copy = new Lane(compileConfig({}));
    copy.restore(JSON.parse(JSON.stringify(lane.snapshot())));
    expect(copy.snapshot()).toEqual(lane.snapshot());
  });
});

describe('config', () => {
  it('defaults compile; bad values fail with how to fix them', () => {
    const c = compileConfig({});
    expect(c).toMatchObject({ intervalMs: 300_000, latenessMs: 60_000, warmupMs: DAY, alertsPipeline: 'logs', workers: true });
    expect(compileConfig(c)).toBe(c);
    expect(() => compileConfig({ interval: '1m', allowed_lateness: '5m' })).toThrow(/allowed_lateness \(5m\) must not exceed interval \(1m\)/);
    expect(() => compileConfig({ state: {} as never })).toThrow(/state\.exporter is required/);
  });

  it('config errors point at FILE:LINE through the config loader', async () => {
    const registry = new FactoryRegistry();
    for (const f of [otlp, debug, factory]) registry.register(f);
    const text = (anomaly: string) => `receivers: { otlp: { protocols: { http: {} } } }\nexporters: { debug: {} }\nprocessors:\n  anomaly:\n${anomaly}\nservice:\n  pipelines:\n    traces: { receivers: [otlp], processors: [anomaly], exporters: [debug] }\n    logs: { receivers: [otlp], exporters: [debug] }\n`;
    const load = (a: string) => loadConfigText(text(a), path.join('/tmp', 'agentcol.yaml'), { registry, env: {} }).then(() => 'ok', (e) => String(e.message));
    expect(await load('    volume:\n      z_treshold: 3')).toMatch(/agentcol\.yaml:6:7: processors\.anomaly\.volume\.z_treshold: unknown key "z_treshold" — did you mean "z_threshold"\?/);
    expect(await load('    interval: 1m\n    allowed_lateness: 5m')).toMatch(/agentcol\.yaml:\d+:\d+: processors\.anomaly: allowed_lateness \(5m\) must not exceed interval/);
    expect(await load('    escalation:\n      sensitive_tools: { drop_db: high }')).toMatch(/agentcol\.yaml:6:\d+: processors\.anomaly\.escalation\.sensitive_tools\.drop_db: .*number/);
    expect(await load('    coordination: { kinds: [tools] }')).toMatch(/agentcol\.yaml:5:\d+: processors\.anomaly\.coordination\.kinds\[0\]: must be one of .*did you mean "tool"\?/);
    expect(await load('    warmup: 1h')).toBe('ok');
  });
});
