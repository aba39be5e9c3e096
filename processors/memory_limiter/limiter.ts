// Measures memory every check_interval; while usage is above the soft limit (limit - spike) new
// data is refused with BackpressureError, which receivers turn into 429 / RESOURCE_EXHAUSTED. Above
// the hard limit it also asks for a garbage collection when the process exposes one (--expose-gc).
import { BackpressureError, type Batch, type Consumer, type Host, type Logger, type MetricsRegistry, type Processor, type Signal } from '../../core/component.ts';
import { ITEM_NOUN, countItems } from '../../core/signals/count.ts';
import type { Counter } from '../../core/telemetry/metrics.ts';
import type { LimiterSettings } from './config.ts';
import { heapSizeLimitBytes, memoryUsageBytes } from './memory.ts';

const MIB = 1024 * 1024;

export class MemoryLimiter<S extends Signal> implements Processor<S> {
  private timer: NodeJS.Timeout | null = null;
  private refusing = false;
  private lastUsage = 0;
  private readonly refused: Counter;
  private readonly labels: { processor: string };

  constructor(
    id: string,
    private readonly signal: S,
    private readonly settings: LimiterSettings,
    private readonly next: Consumer<S>,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
    private readonly measure: () => number = memoryUsageBytes,
  ) {
    this.labels = { processor: id };
    this.refused = metrics.counter(`otelcol_processor_refused_${ITEM_NOUN[signal]}`, `Number of ${ITEM_NOUN[signal].replace('_', ' ')} refused by a processor (memory_limiter above its limit).`);
  }

  async start(_host: Host): Promise<void> {
    const heapLimit = heapSizeLimitBytes();
    if (this.settings.limitBytes > heapLimit) {
      this.logger.warn(
        `the memory limit (${mib(this.settings.limitBytes)} MiB) is above V8's heap limit (${mib(heapLimit)} MiB): the process can run out of heap first; lower the limit or raise --max-old-space-size`,
      );
    }
    this.check();
    this.timer = setInterval(() => this.check(), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  consume(batch: Batch): Promise<void> {
    if (this.refusing) {
      this.refused.add(countItems(this.signal, batch), this.labels);
      return Promise.reject(
        new BackpressureError(
          `memory_limiter: memory usage ${mib(this.lastUsage)} MiB is above the soft limit ${mib(this.settings.softLimitBytes)} MiB; data refused, retry later`,
          { retryAfterMs: Math.max(1000, this.settings.checkIntervalMs) },
        ),
      );
    }
    return this.next.consume(batch as never);
  }

  /** Exposed for tests: measure now and update the refusing state. */
  check(): void {
    const usage = (this.lastUsage = this.measure());
    const { softLimitBytes, limitBytes } = this.settings;
    if (usage >= limitBytes) {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) gc();
    }
    const above = usage >= softLimitBytes;
    if (above && !this.refusing) {
      this.logger.warn(`memory usage is above the soft limit, refusing data`, { usage_mib: mib(usage), soft_limit_mib: mib(softLimitBytes), limit_mib: mib(limitBytes) });
    } else if (!above && this.refusing) {
      this.logger.info(`memory usage is below the soft limit again, accepting data`, { usage_mib: mib(usage), soft_limit_mib: mib(softLimitBytes) });
    }
    this.refusing = above;
  }

  isRefusing(): boolean {
    return this.refusing;
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / MIB);
}
