// injection_scan before vs after a change, in one process: first checks that both give identical
// results (score, detectors, weights, excerpt, view) on the labelled set and the guards bench's
// payloads, then measures MB of payload per CPU second per group of payloads (kind, size, all),
// before and after alternating payload by payload, ROUNDS rounds (default 3). "Before" is another
// checkout of processors/injection_scan (self-contained):
//
//   mkdir -p /tmp/before && git archive <commit> processors/injection_scan | tar -x -C /tmp/before
//   node --import tsx bench/injection-before-after.ts /tmp/before
//   ROUNDS=3, INJ_GROUPS=all,chat,"64 KB" (only these groups)
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { makePayloads } from './guard-payloads.ts';
import { loadSet } from '../test/fixtures/injection/evaluate.ts';
import * as after from '../processors/injection_scan/scan.ts';

type Scan = (text: string, role: 'user' | 'tool' | 'document') => unknown;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx bench/injection-before-after.ts <root of another checkout holding processors/injection_scan>');
  process.exit(2);
}
const before = await import(pathToFileURL(join(resolve(dir), 'processors/injection_scan/scan.ts')).href);
const impls: Array<[string, Scan]> = [
  ['before', before.scanText as Scan],
  ['after', after.scanText as Scan],
];
const payloads = makePayloads({ variants: 2 });

// identical results
const items = [...loadSet('dev'), ...loadSet('heldout')];
const roles = ['user', 'tool', 'document'] as const;
let differ = 0;
const check = (text: string, role: (typeof roles)[number], what: string) => {
  const b = impls[0][1](text, role);
  const a = impls[1][1](text, role);
  if (!isDeepStrictEqual(a, b)) {
    if (differ++ < 5) console.log(`DIFFERENT ${what} (${role}): ${JSON.stringify(text.slice(0, 120))}\n  before ${JSON.stringify(b)}\n  after  ${JSON.stringify(a)}`);
  }
};
for (const it of items) for (const role of roles) check(it.text, role, `item ${it.id ?? ''}`);
for (const p of payloads) check(p.text, p.role, `${p.kind}/${p.size}`);
console.log(`identical results: ${differ === 0 ? 'yes' : `NO (${differ} differ)`} on ${items.length * roles.length + payloads.length} scans`);

// Each group (a payload kind, a size, all) is timed rotating over its payloads: repeating one text
// flatters both sides (V8 caches some regular-expression results per subject string).
const groups: Array<[string, typeof payloads]> = [
  ...(['chat', 'tool', 'document', 'code', 'logs'] as const).map((k) => [k, payloads.filter((p) => p.kind === k)] as [string, typeof payloads]),
  ...[1024, 4096, 16384, 65536].map((n) => [`${n / 1024} KB`, payloads.filter((p) => p.size === n)] as [string, typeof payloads]),
  ['all', payloads],
];
// INJ_GROUPS=all,chat: time only these groups (default: every group)
const only = process.env.INJ_GROUPS?.split(',');
if (only) groups.splice(0, groups.length, ...groups.filter(([label]) => only.includes(label)));
// A shared machine's load comes and goes: each round times the two on each payload of the group
// in turn (one right after the other, which first alternating), PASSES times, so both see the
// same payloads at nearly the same time (a payload is not repeated back to back: V8 caches some
// regular-expression results per subject string); the ratio reported is the median of the
// rounds' ratios, the rates the best round's.
const PASSES = 4;
const rate: Record<string, Record<string, number>> = { before: {}, after: {} };
const ratios: Record<string, number[]> = {};
const rounds = Number(process.env.ROUNDS ?? 3);
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
for (let round = 0; round < rounds; round++)
  for (const [label, group] of groups) {
    const cpu = [0, 0];
    const bytes = [0, 0];
    for (let pass = 0; pass < PASSES; pass++)
      group.forEach((p, i) => {
        for (const which of (i + pass + round) % 2 ? [1, 0] : [0, 1]) {
          const t0 = cpuSeconds();
          impls[which][1](p.text, p.role);
          cpu[which] += cpuSeconds() - t0;
          bytes[which] += p.bytes;
        }
      });
    const r = [bytes[0] / 1e6 / cpu[0], bytes[1] / 1e6 / cpu[1]];
    rate.before[label] = Math.max(rate.before[label] ?? 0, r[0]);
    rate.after[label] = Math.max(rate.after[label] ?? 0, r[1]);
    (ratios[label] ??= []).push(r[1] / r[0]);
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const us = (mb: number) => (1024 / mb).toFixed(0);
console.log(`${'payload'.padEnd(10)} ${'before'.padStart(7)} ${'after'.padStart(7)}  MB/s per core (best round of ${rounds}); after/before: median of the rounds (range)   CPU µs/KiB before, after`);
for (const [label] of groups) {
  const b = rate.before[label];
  const a = rate.after[label];
  const rs = ratios[label];
  const range = `(${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)})`;
  console.log(`${label.padEnd(10)} ${b.toFixed(1).padStart(7)} ${a.toFixed(1).padStart(7)} ${median(rs).toFixed(2).padStart(6)}x ${range.padEnd(12)} ${us(b).padStart(5)} ${us(a).padStart(5)}`);
}
