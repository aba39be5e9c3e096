// Self-metrics: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format. Metric names follow the OpenTelemetry Collector's own (otelcol_receiver_accepted_spans,
// otelcol_exporter_queue_size, ...) so existing collector dashboards work; agentcol-only metrics use agentcol_.
export type Labels = Record<string, string>;

// Keys of frozen label objects, computed once: a hot caller (the LLM proxy, per request) keeps
// frozen label sets and skips the sort and escaping. Frozen objects cannot change, so the cached
// key cannot go stale.
const frozenKeys = new WeakMap<Labels, string>();

// Runs on every counter update (per proxied request, per batch): one pass, no intermediate arrays.
function labelKey(labels: Labels): string {
  if (Object.isFrozen(labels)) {
    let k = frozenKeys.get(labels);
    if (k === undefined) frozenKeys.set(labels, (k = computeLabelKey(labels)));
    return k;
  }
  return computeLabelKey(labels);
}

function computeLabelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}${keys[i]}="${escapeLabel(labels[keys[i]])}"`;
  return out;
}

const LABEL_SPECIALS = /[\\\n"]/;

function escapeLabel(v: string): string {
  if (!LABEL_SPECIALS.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export interface Counter {
  add(n: number, labels?: Labels): void;
  get(labels?: Labels): number;
}

export interface Gauge {
  set(v: number, labels?: Labels): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(v: number, labels?: Labels): void;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class MetricsRegistry {
  private families = new Map<string, Family & { impl: unknown }>();

  counter(name: string, help: string): Counter {
    return this.family(name, help, 'counter', () => {
      const values = new Map<string, number>();
      const impl: Counter = {
        add: (n, labels = {}) => {
          const k = labelKey(labels);
          values.set(k, (values.get(k) ?? 0) + n);
        },
        get: (labels = {}) => values.get(labelKey(labels)) ?? 0,
      };
      return { impl, render: () => [...values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`) };
    });
  }

  gauge(name: string, help: string): Gauge {
    return this.family(name, help, 'gauge', () => {
      const values = new Map<string, number>();
      const impl: Gauge = {
        set: (v, labels = {}) => void values.set(labelKey(labels), v),
        get: (labels = {}) => values.get(labelKey(labels)) ?? 0,
      };
      return { impl, render: () => [...values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`) };
    });
  }

  /** A gauge whose samples are read when /metrics is scraped. */
  gaugeFn(name: string, help: string, read: () => Array<{ labels?: Labels; value: number }>): void {
    this.family(name, help, 'gauge', () => ({
      impl: null,
      render: () =>
        read().map(({ labels = {}, value }) => {
          const k = labelKey(labels);
          return `${name}${k ? `{${k}}` : ''} ${value}`;
        }),
    }));
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    return this.family(name, help, 'histogram', () => {
      const series = new Map<string, { counts: number[]; sum: number; count: number }>();
      const impl: Histogram = {
        observe: (v, labels = {}) => {
          const k = labelKey(labels);
          let s = series.get(k);
          if (!s) series.set(k, (s = { counts: new Array(buckets.length).fill(0), sum: 0, count: 0 }));
          for (let i = 0; i < buckets.length; i++) if (v <= buckets[i]) s.counts[i]++;
          s.sum += v;
          s.count++;
        },
      };
      const render = () => {
        const out: string[] = [];
        for (const [k, s] of series) {
          const sep = k ? ',' : '';
          buckets.forEach((b, i) => out.push(`${name}_bucket{${k}${sep}le="${b}"} ${s.counts[i]}`));
          out.push(`${name}_bucket{${k}${sep}le="+Inf"} ${s.count}`);
          out.push(`${name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
          out.push(`${name}_count${k ? `{${k}}` : ''} ${s.count}`);
        }
        return out;
      };
      return { impl, render };
    });
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const f of this.families.values()) {
      const samples = f.render();
      if (samples.length === 0) continue;
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...samples);
    }
    return lines.join('\n') + '\n';
  }

  private family<T>(name: string, help: string, type: Family['type'], make: () => { impl: T; render: () => string[] }): T {
    const existing = this.families.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} registered twice with different types`);
      return existing.impl as T;
    }
    const { impl, render } = make();
    this.families.set(name, { name, help, type, impl, render });
    return impl;
  }
}
