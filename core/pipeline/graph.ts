// Builds the component graph from a resolved config: one exporter (and sending queue) per exporter
// id, one processor per pipeline and processor id, one receiver per receiver id with a consumer per
// signal, one extension per enabled extension id. Only creates; the Service starts and stops.
import type {
  Consumer, Consumers, Exporter, ExporterFactory, Extension, ExtensionFactory, Factory, Kind, Logger,
  MetricsRegistry, Processor, ProcessorFactory, Receiver, ReceiverFactory, Signal,
} from '../component.ts';
import type { ComponentConfig, PipelineConfig, ResolvedConfig } from '../config/types.ts';
import type { FactoryRegistry } from '../registry.ts';
import { resolveExporterHelper } from '../queue/config.ts';
import { SendingQueue } from '../queue/sending-queue.ts';
import { ExportersFanout, PipelinesFanout, type PipelineEntry } from './fanout.ts';

export interface BuiltExtension { id: string; instance: Extension }
export interface BuiltExporter { id: string; instance: Exporter; queue: SendingQueue }
export interface BuiltProcessor { pipeline: string; id: string; instance: Processor }
export interface BuiltReceiver { id: string; instance: Receiver }

export interface Graph {
  extensions: BuiltExtension[];
  exporters: BuiltExporter[];
  /** Pipeline by pipeline, each in data order (first processor first). */
  processors: BuiltProcessor[];
  receivers: BuiltReceiver[];
  /** Each pipeline's entry, by pipeline id. */
  pipelines: Map<string, { signal: Signal; consumer: Consumer<Signal> }>;
}

const SECTION: Record<Kind, 'receivers' | 'processors' | 'exporters' | 'extensions'> = {
  receiver: 'receivers', processor: 'processors', exporter: 'exporters', extension: 'extensions',
};

export function buildGraph(config: ResolvedConfig, registry: FactoryRegistry, logger: Logger, metrics: MetricsRegistry): Graph {
  const where = (kind: Kind, id: string, pipeline?: string) => (pipeline ? `pipeline "${pipeline}": ` : '') + `${kind} "${id}"`;

  function lookup<F extends Factory>(kind: Kind, id: string, pipeline?: string): { cc: ComponentConfig; factory: F } {
    const section = config[SECTION[kind]];
    const cc = section.get(id);
    if (!cc) {
      const known = [...section.keys()];
      throw new Error(`${where(kind, id, pipeline)} is not configured under "${SECTION[kind]}:"` + (known.length ? ` (configured: ${known.join(', ')})` : ''));
    }
    const factory = registry.get(kind, cc.type) as F | undefined;
    if (!factory) throw new Error(`${where(kind, id, pipeline)}: unknown ${kind} type "${cc.type}" (known: ${registry.types(kind).join(', ') || 'none'})`);
    return { cc, factory };
  }

  function context<C>(kind: Kind, cc: ComponentConfig, factory: Factory, extra: Record<string, unknown> = {}) {
    let typed: C;
    try {
      typed = (factory.normalize ? factory.normalize(cc.config) : cc.config) as C;
    } catch (err) {
      throw new Error(`${kind} "${cc.id}": invalid config: ${(err as Error).message}`, { cause: err });
    }
    return { id: cc.id, config: typed, logger: logger.child({ [kind]: cc.id, ...extra }), metrics };
  }

  function create<T>(kind: Kind, id: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if ((err as Error).message?.startsWith(`${kind} "${id}"`)) throw err;
      throw new Error(`${kind} "${id}": create failed: ${(err as Error).message}`, { cause: err });
    }
  }

  function checkSignal(kind: Kind, id: string, factory: { type: string; signals: Signal[] }, p: PipelineConfig): void {
    if (!factory.signals.includes(p.signal)) {
      throw new Error(`${where(kind, id, p.id)}: type "${factory.type}" does not support ${p.signal} (it supports ${factory.signals.join(', ')})`);
    }
  }

  const pipelines = config.service.pipelines;
  for (const p of pipelines) {
    if (p.receivers.length === 0) throw new Error(`pipeline "${p.id}" must list at least one receiver`);
    if (p.exporters.length === 0) throw new Error(`pipeline "${p.id}" must list at least one exporter`);
  }

  // Extensions.
  const extensions: BuiltExtension[] = config.service.extensions.map((id) => {
    const { cc, factory } = lookup<ExtensionFactory>('extension', id);
    return { id, instance: create('extension', id, () => factory.create(context('extension', cc, factory))) };
  });

  // Exporters and their queues, in order of first use.
  const exporters = new Map<string, BuiltExporter>();
  for (const p of pipelines) {
    for (const id of p.exporters) {
      const { cc, factory } = lookup<ExporterFactory>('exporter', id, p.id);
      checkSignal('exporter', id, factory, p);
      if (exporters.has(id)) continue;
      const ctx = context('exporter', cc, factory);
      const instance = create('exporter', id, () => factory.create(ctx));
      const settings = create('exporter', id, () => resolveExporterHelper(cc.config, factory.queueDefaults));
      exporters.set(id, { id, instance, queue: new SendingQueue({ id, exporter: instance, settings, logger: ctx.logger, metrics }) });
    }
  }

  // Processors, built back to front so each gets its next consumer; the pipeline's entry.
  const processors: BuiltProcessor[] = [];
  const entries: Array<PipelineEntry<Signal> & { pipeline: PipelineConfig }> = [];
  for (const p of pipelines) {
    let next: Consumer<Signal> = new ExportersFanout(p.signal, p.exporters.map((id) => exporters.get(id)!.queue));
    let mutatesData = false;
    const built: BuiltProcessor[] = [];
    for (const id of [...p.processors].reverse()) {
      const { cc, factory } = lookup<ProcessorFactory>('processor', id, p.id);
      checkSignal('processor', id, factory, p);
      mutatesData ||= factory.mutatesData === true;
      const ctx = context('processor', cc, factory, { pipeline: p.id });
      const instance = create('processor', id, () => factory.create(ctx, p.signal, next)) as Processor;
      built.unshift({ pipeline: p.id, id, instance });
      next = instance;
    }
    processors.push(...built);
    entries.push({ id: p.id, consumer: next, mutatesData, pipeline: p });
  }

  // Receivers: per signal, a fan-out to every pipeline of that signal listing the receiver.
  const receivers: BuiltReceiver[] = [];
  const receiverIds = [...new Set(pipelines.flatMap((p) => p.receivers))];
  for (const id of receiverIds) {
    const { cc, factory } = lookup<ReceiverFactory>('receiver', id);
    const consumers: Consumers = {};
    for (const signal of ['traces', 'logs', 'metrics'] as Signal[]) {
      const mine = entries.filter((e) => e.pipeline.signal === signal && e.pipeline.receivers.includes(id));
      if (mine.length === 0) continue;
      checkSignal('receiver', id, factory, mine[0].pipeline);
      (consumers as Record<Signal, Consumer<Signal>>)[signal] = mine.length === 1 ? mine[0].consumer : new PipelinesFanout(mine);
    }
    const ctx = context('receiver', cc, factory);
    receivers.push({ id, instance: create('receiver', id, () => factory.create(ctx, consumers)) });
  }

  const byId = new Map(entries.map((e) => [e.id, { signal: e.pipeline.signal, consumer: e.consumer }]));
  return { extensions, exporters: [...exporters.values()], processors, receivers, pipelines: byId };
}
