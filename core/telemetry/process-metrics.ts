// Process self-metrics, read when /metrics is scraped: memory (the collector's names), CPU, uptime,
// and event-loop delay — the number that says whether this single-threaded process keeps up.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricsRegistry } from './metrics.ts';

/** What the registered read functions look at; one per registry, so a second registration (a
 * restarted service with the same registry) swaps the histogram instead of duplicating families. */
interface State {
  loop: IntervalHistogram | null;
  startedAt: number;
}
const states = new WeakMap<MetricsRegistry, State>();

export interface ProcessMetricsHandle {
  stop(): void;
}

export function registerProcessMetrics(metrics: MetricsRegistry): ProcessMetricsHandle {
  let state = states.get(metrics);
  if (!state) {
    const s: State = { loop: null, startedAt: Date.now() };
    states.set(metrics, (state = s));
    metrics.gaugeFn('otelcol_process_uptime', 'Uptime of the process, in seconds.', () => [{ value: (Date.now() - s.startedAt) / 1000 }]);
    metrics.gaugeFn('otelcol_process_memory_rss', 'Resident set size of the process, in bytes.', () => [{ value: process.memoryUsage.rss() }]);
    metrics.gaugeFn('otelcol_process_runtime_heap_alloc_bytes', 'V8 heap in use, in bytes (the analogue of the collector\'s Go heap alloc).', () => [
      { value: process.memoryUsage().heapUsed },
    ]);
    metrics.gaugeFn('agentcol_process_runtime_external_bytes', 'Memory of Buffers and other objects outside the V8 heap, in bytes.', () => [
      { value: process.memoryUsage().external },
    ]);
    metrics.gaugeFn('agentcol_process_runtime_array_buffers_bytes', 'Memory of ArrayBuffers and SharedArrayBuffers (part of external memory; shared request bodies count here), in bytes.', () => [
      { value: process.memoryUsage().arrayBuffers },
    ]);
    metrics.gaugeFn('otelcol_process_cpu_seconds', 'Total CPU user and system time, in seconds.', () => {
      const u = process.cpuUsage();
      return [{ value: (u.user + u.system) / 1e6 }];
    });
    metrics.gaugeFn(
      'agentcol_process_event_loop_delay_seconds',
      'Event-loop delay since the previous scrape, by quantile (quantile="1" is the maximum).',
      () => {
        const h = s.loop;
        if (!h || h.count === 0) return [];
        const out = [
          { labels: { quantile: '0.5' }, value: h.percentile(50) / 1e9 },
          { labels: { quantile: '0.99' }, value: h.percentile(99) / 1e9 },
          { labels: { quantile: '1' }, value: h.max / 1e9 },
        ];
        h.reset();
        return out;
      },
    );
  }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  state.loop?.disable();
  state.loop = loop;
  const st = state;
  return {
    stop() {
      loop.disable();
      if (st.loop === loop) st.loop = null;
    },
  };
}
