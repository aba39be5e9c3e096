// Redaction inline throughput, before vs after a change, in one process, interleaved per payload:
// MB of payload per CPU second (best of 3 rounds; harmonic means over the guards bench's payloads).
// "Before" is another checkout of processors/redaction (it imports ../../core, so give it a core):
//
//   mkdir -p /tmp/before && git archive <commit> processors/redaction | tar -x -C /tmp/before
//   ln -s "$PWD/core" /tmp/before/core && ln -s "$PWD/node_modules" /tmp/before/node_modules
//   node --import tsx bench/redaction-before-after.ts /tmp/before
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { makePayloads } from './guard-payloads.ts';
import * as afterScan from '../processors/redaction/scan.ts';
import * as afterConfig from '../processors/redaction/config.ts';

type Redact = (text: string, cfg: unknown) => unknown;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx bench/redaction-before-after.ts <root of another checkout holding processors/redaction>');
  process.exit(2);
}
const before = await import(pathToFileURL(join(resolve(dir), 'processors/redaction/scan.ts')).href);
const beforeConfig = await import(pathToFileURL(join(resolve(dir), 'processors/redaction/config.ts')).href);
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
