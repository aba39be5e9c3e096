// Where a process's latency tail comes from: event-loop delay, event-loop utilisation, garbage
// collections and (optionally) a timeline of GC pauses and loop stalls. The proxy bench uses it
// in its own process (collector()) and loads it into its children (agentcol, the mock provider)
// with `node --import <this file>` (plain JS, so it loads before tsx), driven by SIGUSR2:
//   1st SIGUSR2: start collecting; 2nd: stop and write what was seen to $PROXY_PROBE_FILE
//   (atomically; its `seq` tells the bench the answer is there); and so on.
// Nothing runs between a stop and the next start but the GC observer.
import { monitorEventLoopDelay, performance, PerformanceObserver, constants } from 'node:perf_hooks';
import { renameSync, writeFileSync } from 'node:fs';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const round = (n) => Math.round(n * 100) / 100;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * events: also list every GC and every loop stall >= stallMs with its wall-clock start
 * (performance.timeOrigin + startTime, ms), to match against the slowest requests.
 */
export function collector({ events: wantEvents = false, stallMs = 3 } = {}) {
  const eld = monitorEventLoopDelay({ resolution: 1 });
  let on = false;
  let elu;
  let gc;
  let events;
  let stallTimer;
  new PerformanceObserver((list) => {
    if (!on) return;
    for (const e of list.getEntries()) {
      const kind = KINDS[e.detail?.kind] ?? 'other';
      gc.count++;
      gc.ms += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
      const k = (gc.byKind[kind] ??= { count: 0, ms: 0, maxMs: 0 });
      k.count++;
      k.ms += e.duration;
      k.maxMs = Math.max(k.maxMs, e.duration);
      if (wantEvents) events.push({ t: performance.timeOrigin + e.startTime, ms: e.duration, what: `gc:${kind}` });
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    start() {
      on = true;
      eld.reset();
      eld.enable();
      elu = performance.eventLoopUtilization();
      gc = { count: 0, ms: 0, maxMs: 0, byKind: {} };
      events = [];
      if (wantEvents) {
        // A 1 ms timer: a gap well past 1 ms means the loop was busy or the process was not
        // scheduled. The process's CPU time over the gap tells which: a 'busy' stall burnt about as
        // much CPU as it lasted (our own work, or GC); a 'wait' stall was the machine's scheduling.
        let last = performance.now();
        let lastCpu = cpuMs();
        stallTimer = setInterval(() => {
          const now = performance.now();
          const cpu = cpuMs();
          const gap = now - last;
          if (gap - 1 >= stallMs) events.push({ t: performance.timeOrigin + last, ms: gap, cpuMs: round(cpu - lastCpu), what: cpu - lastCpu >= gap / 2 ? 'busy' : 'wait' });
          last = now;
          lastCpu = cpu;
        }, 1);
      }
    },
    stop() {
      on = false;
      eld.disable();
      clearInterval(stallTimer);
      const ms = (ns) => round(ns / 1e6);
      for (const k of Object.values(gc.byKind)) (k.ms = round(k.ms)), (k.maxMs = round(k.maxMs));
      return {
        eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean) },
        elu: round(performance.eventLoopUtilization(elu).utilization),
        gc: { ...gc, ms: round(gc.ms), maxMs: round(gc.maxMs) },
        heapMb: round(process.memoryUsage().heapUsed / 2 ** 20),
        events,
      };
    },
  };
}

const file = process.env.PROXY_PROBE_FILE;
if (file) {
  const c = collector({ events: process.env.PROXY_PROBE_EVENTS === '1', stallMs: Number(process.env.PROXY_PROBE_STALL_MS ?? 3) });
  let seq = 0;
  let collecting = false;
  process.on('SIGUSR2', () => {
    let snap = {};
    if (collecting) snap = c.stop();
    else c.start();
    collecting = !collecting;
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq: ++seq, ...snap }));
    renameSync(`${file}.tmp`, file);
  });
}
