// Test components and config builders for the runtime suites: a receiver whose handle pushes
// batches, exporters whose behaviour a test scripts, a mutating processor, an extension, and a
// lifecycle log of every start and shutdown.
import { FactoryRegistry } from '../../core/registry.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { createLogger, type Logger } from '../../core/telemetry/logger.ts';
import type {
  Batch, Consumers, Exporter, ExporterFactory, ExportOptions, ExtensionFactory, ProcessorFactory, ReceiverFactory, Signal,
} from '../../core/component.ts';
import type { ComponentConfig, PipelineConfig, ResolvedConfig } from '../../core/config/types.ts';
import type { Span, TracesBatch } from '../../core/signals/types.ts';
import { Service } from '../../core/pipeline/service.ts';

export function span(i: number, name = `span-${i}`): Span {
  return {
    traceId: 'a'.repeat(32), spanId: i.toString(16).padStart(16, '0'), traceState: '', parentSpanId: '', flags: 0, name, kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i), endTimeUnixNano: 1_700_000_000_001_000_000n + BigInt(i),
    attributes: { i }, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

/** n spans in one resource/scope; `start` numbers them. */
export function spans(n: number, start = 0, service = 'svc'): TracesBatch {
  return {
    resourceSpans: [
      {
        resource: { attributes: { 'service.name': service }, droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [{ scope: { name: 'test', version: '1', attributes: {}, droppedAttributesCount: 0 }, schemaUrl: '', spans: Array.from({ length: n }, (_, k) => span(start + k)) }],
      },
    ],
  };
}

export function spanIndexes(b: Batch): number[] {
  return (b as TracesBatch).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.attributes.i as number)));
}

export type ExportBehavior = (signal: Signal, batch: Batch, attempt: number, opts?: ExportOptions) => Promise<void>;

export class World {
  readonly registry = new FactoryRegistry();
  readonly metrics = new MetricsRegistry();
  readonly logLines: string[] = [];
  readonly logger: Logger = createLogger({ level: 'debug', write: (l) => this.logLines.push(l) });
  /** Lifecycle events in order: "start exporter/x", "shutdown receiver/y". */
  readonly events: string[] = [];
  readonly receivers = new Map<string, Consumers>();
  readonly exported = new Map<string, Batch[]>();
  readonly attempts = new Map<string, number[]>();
  readonly behaviors = new Map<string, ExportBehavior>();
  /** Component ids ("exporter/bad") whose start throws. */
  readonly failStart = new Set<string>();
  /** Component ids whose start waits for this promise. */
  readonly startGates = new Map<string, Promise<void>>();
  readonly shutdownGates = new Map<string, Promise<void>>();

  constructor() {
    const world = this;
    const lifecycle = (kind: string, id: string) => ({
      async start() {
        world.events.push(`start ${kind}/${id}`);
        await world.startGates.get(`${kind}/${id}`);
        if (world.failStart.has(`${kind}/${id}`)) throw new Error('boom at start');
      },
      async shutdown() {
        world.events.push(`shutdown ${kind}/${id}`);
        await world.shutdownGates.get(`${kind}/${id}`);
      },
    });
    const receiver: ReceiverFactory = {
      kind: 'receiver', type: 'test', description: 'test receiver', stability: 'development', signals: ['traces', 'logs', 'metrics'],
      configSchema: { type: 'object', additionalProperties: false },
      create(ctx, next: Consumers) {
        world.receivers.set(ctx.id, next);
        return lifecycle('receiver', ctx.id);
      },
    };
    const exporter: ExporterFactory = {
      kind: 'exporter', type: 'test', description: 'recording exporter', stability: 'development', signals: ['traces', 'logs', 'metrics'],
      configSchema: { type: 'object', additionalProperties: false },
      create(ctx): Exporter {
        const got: Batch[] = [];
        world.exported.set(ctx.id, got);
        let attempt = 0;
        return {
          ...lifecycle('exporter', ctx.id),
          async export(signal, batch, opts) {
            attempt++;
            const times = world.attempts.get(ctx.id) ?? [];
            times.push(Date.now());
            world.attempts.set(ctx.id, times);
            const b = world.behaviors.get(ctx.id);
            if (b) await b(signal, batch, attempt, opts);
            got.push(batch);
          },
        };
      },
    };
    const mutator: ProcessorFactory = {
      kind: 'processor', type: 'mutator', description: 'tags spans in place', stability: 'development', signals: ['traces'], mutatesData: true,
      configSchema: { type: 'object', additionalProperties: false },
      create(ctx, _signal, next) {
        return {
          ...lifecycle('processor', ctx.id),
          consume(batch) {
            for (const rs of (batch as TracesBatch).resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) s.attributes.mutated = ctx.id;
            return next.consume(batch);
          },
        };
      },
    };
    const passthrough: ProcessorFactory = {
      kind: 'processor', type: 'pass', description: 'passes through', stability: 'development', signals: ['traces', 'logs', 'metrics'],
      configSchema: { type: 'object', additionalProperties: false },
      create(ctx, _signal, next) {
        return { ...lifecycle('processor', ctx.id), consume: (batch) => next.consume(batch) };
      },
    };
    const extension: ExtensionFactory = {
      kind: 'extension', type: 'test', description: 'test extension', stability: 'development',
      configSchema: { type: 'object', additionalProperties: false },
      create: (ctx) => lifecycle('extension', ctx.id),
    };
    for (const f of [receiver, exporter, mutator, passthrough, extension]) this.registry.register(f);
  }

  push(receiver: string, batch: Batch, signal: Signal = 'traces'): Promise<void> {
    const c = this.receivers.get(receiver)?.[signal];
    if (!c) throw new Error(`receiver ${receiver} has no ${signal} consumer`);
    return c.consume(batch as never);
  }

  service(config: ResolvedConfig, opts: { shutdownTimeoutMs?: number } = {}): Service {
    return new Service({ config, registry: this.registry, logger: this.logger, metrics: this.metrics, ...opts });
  }
}

export function comp(id: string, config: unknown = {}): ComponentConfig {
  const slash = id.indexOf('/');
  return { id, type: slash < 0 ? id : id.slice(0, slash), name: slash < 0 ? '' : id.slice(slash + 1), config };
}

export interface ConfigSpec {
  receivers?: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  enabledExtensions?: string[];
  pipelines: Array<Partial<PipelineConfig> & { id: string; receivers: string[]; exporters: string[] }>;
  metricsAddress?: string | null;
}

export function makeConfig(spec: ConfigSpec): ResolvedConfig {
  const map = (o: Record<string, unknown> = {}) => new Map(Object.entries(o).map(([id, c]) => [id, comp(id, c)]));
  return {
    plugins: [],
    receivers: map(spec.receivers),
    processors: map(spec.processors),
    exporters: map(spec.exporters),
    extensions: map(spec.extensions),
    service: {
      extensions: spec.enabledExtensions ?? [],
      pipelines: spec.pipelines.map((p) => ({ signal: p.id.split('/')[0] as Signal, processors: [], ...p })),
      telemetry: { logs: { level: 'info' }, metrics: { address: spec.metricsAddress ?? null, level: 'normal' } },
    },
  };
}

/** Exporter helper settings with short durations for tests. */
export function helper(o: { queue_size?: number; num_consumers?: number; enabled?: boolean; initial?: number; max_elapsed?: number; retry?: boolean; timeout?: number; multiplier?: number; rf?: number } = {}) {
  return {
    sending_queue: { enabled: o.enabled ?? true, queue_size: o.queue_size ?? 100, num_consumers: o.num_consumers ?? 2 },
    retry_on_failure: {
      enabled: o.retry ?? true, initial_interval: o.initial ?? 10, randomization_factor: o.rf ?? 0, multiplier: o.multiplier ?? 2,
      max_interval: 1000, max_elapsed_time: o.max_elapsed ?? 2000,
    },
    timeout: o.timeout ?? 0,
  };
}

/** Waits until `cond` holds (polling), or fails after `ms`. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve handle. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
