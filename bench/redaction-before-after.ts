// Redaction throughput, before vs after a change, in one process, interleaved: MB of payload per
// CPU second (best of 3 rounds).
//   - inline role: redactString per payload (harmonic means over the guards bench's payloads);
//   - pipeline role: the worker pool's task (pool-task.ts redactProto: decode the OTLP protobuf,
//     redact, encode) on a traces batch and a logs batch carrying every payload the way
//     bench/guards.ts sends them (chat as gen_ai.input.messages JSON, tool and code results,
//     retrieved documents, log bodies), run in this thread: the scanning the pool does, without the
//     threads' scheduling noise.
// "Before" is another checkout of processors/redaction (it imports ../../core, so give it a core):
//
//   mkdir -p /tmp/before && git archive <commit> processors/redaction | tar -x -C /tmp/before
//   ln -s "$PWD/core" /tmp/before/core && ln -s "$PWD/node_modules" /tmp/before/node_modules
//   node --import tsx bench/redaction-before-after.ts /tmp/before
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { makePayloads } from './guard-payloads.ts';
import { encodeLogsProto, encodeTracesProto } from '../core/otlp/encode-proto.ts';
import type { LogRecord, Span } from '../core/signals/types.ts';
import * as afterScan from '../processors/redaction/scan.ts';
import * as afterConfig from '../processors/redaction/config.ts';
import * as afterTask from '../processors/redaction/pool-task.ts';

type Redact = (text: string, cfg: unknown) => unknown;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx bench/redaction-before-after.ts <root of another checkout holding processors/redaction>');
  process.exit(2);
}
const before = await import(pathToFileURL(join(resolve(dir), 'processors/redaction/scan.ts')).href);
const beforeConfig = await import(pathToFileURL(join(resolve(dir), 'processors/redaction/config.ts')).href);
const beforeTask = await import(pathToFileURL(join(resolve(dir), 'processors/redaction/pool-task.ts')).href);
const impls: Array<[string, Redact, unknown]> = [
  ['before', before.redactString as Redact, beforeConfig.compileConfig({})],
  ['after', afterScan.redactString as Redact, afterConfig.compileConfig({})],
];
const payloads = makePayloads();
const rate: Record<string, Record<string, number>> = { before: {}, after: {} };
// Calls alternate between the payload and a twin one space longer: the scans remember results for
// the last text they saw (what every detector of one call shares), so one text repeated would be
// served from that memory and flatter whichever side has more of it.
const twins = new Map(payloads.map((p) => [p, [p.text, p.text + ' ']] as const));
for (const p of payloads) for (const [, f, c] of impls) f(p.text, c);
for (let round = 0; round < 3; round++)
  for (const p of payloads)
    for (const [name, f, c] of impls) {
      const c0 = process.cpuUsage();
      let bytes = 0;
      let used = 0;
      const [t0, t1] = twins.get(p)!;
      let n = 0;
      do {
        f(n++ & 1 ? t1 : t0, c);
        bytes += p.bytes;
        const u = process.cpuUsage(c0);
        used = (u.user + u.system) / 1e6;
      } while (used < 0.1);
      const key = `${p.kind}/${p.size}`;
      rate[name][key] = Math.max(rate[name][key] ?? 0, bytes / 1e6 / used);
    }
const keys = Object.keys(rate.before);
const mean = (name: string, f: (k: string) => boolean) => {
  const ks = keys.filter(f);
  return ks.length / ks.reduce((s, k) => s + 1 / rate[name][k], 0);
};
const row = (label: string, f: (k: string) => boolean) => {
  const b = mean('before', f);
  const a = mean('after', f);
  console.log(`${label.padEnd(10)} ${b.toFixed(1).padStart(7)} ${a.toFixed(1).padStart(7)} ${(a / b).toFixed(2).padStart(6)}x`);
};
console.log(`${'payload'.padEnd(10)} ${'before'.padStart(7)} ${'after'.padStart(7)}  MB/s per core`);
for (const kind of ['chat', 'tool', 'document', 'code', 'logs']) row(kind, (k) => k.startsWith(`${kind}/`));
for (const size of ['1024', '4096', '16384', '65536']) row(`${Number(size) / 1024} KB`, (k) => k.endsWith(`/${size}`));
row('all', () => true);

// ---- pipeline role: the pool task on one traces and one logs batch of every payload

const spans: Span[] = [];
const records: LogRecord[] = [];
let roundBytes = 0;
for (const p of payloads) {
  roundBytes += p.bytes;
  if (p.kind === 'logs') {
    records.push({ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, severityText: 'INFO', body: p.text, attributes: { 'service.component': 'orders-api' }, droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '' });
    continue;
  }
  const attributes: Span['attributes'] = { 'gen_ai.agent.id': 'support-agent-1', 'gen_ai.request.model': 'gpt-4o-mini' };
  if (p.kind === 'chat')
    attributes['gen_ai.input.messages'] = JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'You are a helpful support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: p.text }] },
    ]);
  else if (p.kind === 'document') attributes['gen_ai.retrieval.documents'] = p.text;
  else attributes['gen_ai.tool.call.result'] = p.text;
  const id = (n: number, len: number) => n.toString(16).padStart(len, '0');
  spans.push({
    traceId: id(spans.length + 1, 32), spanId: id(spans.length + 1, 16), traceState: '', parentSpanId: '', flags: 1, name: 'chat gpt-4o-mini', kind: 1,
    startTimeUnixNano: 1n, endTimeUnixNano: 2n, attributes, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0, status: { code: 0, message: '' },
  });
}
const resource = { attributes: { 'service.name': 'support-agent' }, droppedAttributesCount: 0 };
const scope = { name: 'bench', version: '1', attributes: {}, droppedAttributesCount: 0 };
const tracesProto = encodeTracesProto({ resourceSpans: [{ resource, scopeSpans: [{ scope, spans, schemaUrl: '' }], schemaUrl: '' }] });
const logsProto = encodeLogsProto({ resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: records, schemaUrl: '' }], schemaUrl: '' }] });
type Task = (t: { signal: 'traces' | 'logs'; parts: Uint8Array[]; config: unknown }) => unknown;
const tasks: Array<[string, Task]> = [
  ['before', beforeTask.redactProto as Task],
  ['after', afterTask.redactProto as Task],
];
const pipe: Record<string, number> = {};
// The task's code warms up slowly (a batch holds every payload: far more code than one call): two
// rounds of warm-up, then the best of six, the two sides alternating which goes first.
for (let round = 0; round < 8; round++)
  for (const [name, f] of round & 1 ? tasks.slice().reverse() : tasks) {
    const c0 = process.cpuUsage();
    let bytes = 0;
    let used = 0;
    do {
      f({ signal: 'traces', parts: [tracesProto], config: {} });
      f({ signal: 'logs', parts: [logsProto], config: {} });
      bytes += roundBytes;
      const u = process.cpuUsage(c0);
      used = (u.user + u.system) / 1e6;
    } while (used < 0.3);
    if (round > 1) pipe[name] = Math.max(pipe[name] ?? 0, bytes / 1e6 / used);
  }
console.log(`${'pipeline'.padEnd(10)} ${pipe.before.toFixed(1).padStart(7)} ${pipe.after.toFixed(1).padStart(7)} ${(pipe.after / pipe.before).toFixed(2).padStart(6)}x  (pool task: decode, redact, encode)`);
