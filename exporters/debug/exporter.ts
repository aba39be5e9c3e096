// Prints batches to stdout. Sampling as the collector's (a per-second log sampler): in each second
// the first sampling_initial batches are printed, then every sampling_thereafter-th.
import type { Batch, Exporter, Host, Signal } from '../../core/component.ts';
import type { DebugConfig } from './config.ts';
import { formatBasic, formatDetailed, formatNormal } from './format.ts';

export class DebugExporter implements Exporter {
  private windowStart = 0;
  private seen = 0;

  constructor(
    private readonly id: string,
    private readonly config: DebugConfig,
    private readonly write: (text: string) => void = (t) => void process.stdout.write(t),
    private readonly now: () => number = Date.now,
  ) {}

  async start(_host: Host): Promise<void> {}
  async shutdown(): Promise<void> {}

  async export(signal: Signal, batch: Batch): Promise<void> {
    if (!this.sampled()) return;
    let text = formatBasic(signal, batch, this.id);
    if (this.config.verbosity === 'normal') text += formatNormal(signal, batch);
    else if (this.config.verbosity === 'detailed') text += formatDetailed(signal, batch);
    this.write(text);
  }

  private sampled(): boolean {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.seen = 0;
    }
    this.seen++;
    const { sampling_initial: initial, sampling_thereafter: thereafter } = this.config;
    if (this.seen <= initial) return true;
    return (this.seen - initial) % thereafter === 0;
  }
}
