// The running service: builds the graph (graph.ts), starts it in reverse topological order
// (extensions, exporters, processors, receivers), and shuts it down in topological order
// (receivers, processors — the batch processor flushes —, sending queues drained, exporters,
// extensions), the way the collector's service does.
import type { Extension, Guard, Host, Logger, ProcessorFactory } from '../component.ts';
import type { ResolvedConfig } from '../config/types.ts';
import type { FactoryRegistry } from '../registry.ts';
import { MetricsRegistry } from '../telemetry/metrics.ts';
import { closeSharedPool } from '../workers/pool.ts';
import { isStateStoreProvider } from '../state.ts';
import { TelemetryServer } from '../telemetry/server.ts';
import type { BoundAddress } from '../http-server.ts';
import { buildGraph, type Graph } from './graph.ts';

export interface ServiceOptions {
  config: ResolvedConfig;
  registry: FactoryRegistry;
  logger: Logger;
  metrics?: MetricsRegistry;
  /** How long shutdown waits for the sending queues to drain before dropping (and logging) the
   * rest; 30 s by default. */
  shutdownTimeoutMs?: number;
}

type Stoppable = { kind: string; id: string; stop: () => Promise<unknown> };

export class Service {
  private readonly config: ResolvedConfig;
  private readonly registry: FactoryRegistry;
  private readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  private readonly shutdownTimeoutMs: number;
  private readonly telemetry: TelemetryServer;

  private graph: Graph | null = null;
  private readonly extensionsById = new Map<string, Extension>();
  /** Inline guards, created on first use (see Host.getGuard); shut down after the receivers. */
  private readonly guards = new Map<string, Guard | undefined>();
  /** What started, so a failed start or a shutdown stops exactly that. */
  private started = { telemetry: false, extensions: [] as Stoppable[], exporters: [] as Stoppable[], queues: new Set<string>(), processors: [] as Stoppable[], receivers: [] as Stoppable[] };
  private isReady = false;
  private startPromise: Promise<void> | null = null;
  private shutdownPromise: Promise<void> | null = null;

  constructor(opts: ServiceOptions) {
    this.config = opts.config;
    this.registry = opts.registry;
    this.logger = opts.logger;
    this.metrics = opts.metrics ?? new MetricsRegistry();
    this.shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 30_000;
    this.telemetry = new TelemetryServer(this.metrics);
  }

  ready(): boolean {
    return this.isReady;
  }

  /** The bound address of the /metrics server, when it runs. */
  metricsAddress(): BoundAddress | null {
    return this.telemetry.address();
  }

  getExtension(id: string): Extension | undefined {
    return this.extensionsById.get(id);
  }

  start(): Promise<void> {
    if (this.shutdownPromise) return Promise.reject(new Error('service was shut down; create a new Service to start again'));
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private host(): Host {
    return {
      logger: this.logger,
      metrics: this.metrics,
      getExtension: (id) => this.extensionsById.get(id),
      ready: () => this.isReady,
      getGuard: (id) => this.guard(id),
      getPipeline: (id) => this.graph?.pipelines.get(id),
      getStateStore: (id) => {
        const e = this.graph?.exporters.find((x) => x.id === id)?.instance;
        return isStateStoreProvider(e) ? e.stateStore() : undefined;
      },
    };
  }

  private guard(id: string): Guard | undefined {
    if (this.guards.has(id)) return this.guards.get(id);
    const cc = this.config.processors.get(id);
    const factory = cc && (this.registry.get('processor', cc.type) as ProcessorFactory | undefined);
    let guard: Guard | undefined;
    if (cc && factory?.createGuard) {
      const config = factory.normalize ? factory.normalize(cc.config) : cc.config;
      guard = factory.createGuard({ id, config, logger: this.logger.child({ processor: id, role: 'guard' }), metrics: this.metrics });
    }
    this.guards.set(id, guard);
    return guard;
  }

  private async doStart(): Promise<void> {
    const graph = (this.graph = buildGraph(this.config, this.registry, this.logger, this.metrics));
    const host = this.host();
    const step = async (kind: string, id: string, run: () => Promise<void>) => {
      this.logger.debug(`starting ${kind}`, { id });
      try {
        await run();
      } catch (err) {
        const e = new Error(`failed to start ${kind} "${id}": ${(err as Error)?.message ?? err}`, { cause: err });
        this.logger.error(e.message);
        await this.stopEverything('start failed').catch((stopErr) => this.logger.error(`shutdown after failed start: ${(stopErr as Error).message}`));
        throw e;
      }
    };

    const address = this.config.service.telemetry.metrics.level === 'none' ? null : this.config.service.telemetry.metrics.address;
    if (address) {
      await step('telemetry', 'metrics', async () => {
        const a = await this.telemetry.start(address);
        this.started.telemetry = true;
        this.logger.info(`serving self-metrics at http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/metrics`);
      });
    }
    for (const e of graph.extensions) {
      this.extensionsById.set(e.id, e.instance);
      await step('extension', e.id, async () => {
        await e.instance.start(host);
        this.started.extensions.push({ kind: 'extension', id: e.id, stop: () => e.instance.shutdown() });
      });
    }
    for (const e of graph.exporters) {
      await step('exporter', e.id, async () => {
        await e.instance.start(host);
        this.started.exporters.push({ kind: 'exporter', id: e.id, stop: () => e.instance.shutdown() });
        await e.queue.start();
        this.started.queues.add(e.id);
      });
    }
    // Reverse topological: the last processor of a pipeline starts first.
    for (const p of [...graph.processors].reverse()) {
      await step('processor', `${p.id}" in pipeline "${p.pipeline}`, async () => {
        await p.instance.start(host);
        this.started.processors.unshift({ kind: 'processor', id: `${p.pipeline}/${p.id}`, stop: () => p.instance.shutdown() });
      });
    }
    for (const r of graph.receivers) {
      await step('receiver', r.id, async () => {
        await r.instance.start(host);
        this.started.receivers.push({ kind: 'receiver', id: r.id, stop: () => r.instance.shutdown() });
      });
    }
    if (this.shutdownPromise) return; // shut down while starting
    this.isReady = true;
    this.logger.info('Everything is ready. Begin running and processing data.');
  }

  private async doShutdown(): Promise<void> {
    this.isReady = false;
    if (this.startPromise) await this.startPromise.catch(() => {});
    this.logger.info('Starting shutdown...');
    await this.stopEverything('shutdown');
    this.logger.info('Shutdown complete.');
  }

  /** Stops whatever started, in shutdown order; every step runs even when an earlier one failed. */
  private async stopEverything(why: string): Promise<void> {
    this.isReady = false;
    const errors: Error[] = [];
    const stopAll = async (list: Stoppable[]) => {
      for (const s of list) {
        try {
          await s.stop();
        } catch (err) {
          const e = new Error(`${s.kind} "${s.id}" failed to shut down: ${(err as Error)?.message ?? err}`, { cause: err });
          this.logger.error(e.message);
          errors.push(e);
        }
      }
      list.length = 0;
    };
    const st = this.started;
    await stopAll(st.receivers);
    const guards = [...this.guards].flatMap(([id, g]) => (g?.shutdown ? [{ kind: 'guard', id, stop: () => g.shutdown!() }] : []));
    this.guards.clear();
    await stopAll(guards);
    for (const e of this.graph?.exporters ?? []) e.queue.stopSynchronousRetries();
    // Pipeline by pipeline, first processor first, so what one flushes reaches a running next one.
    await stopAll(st.processors);
    // The worker pool serves processors and guards only (core/workers).
    await stopAll([{ kind: 'worker pool', id: 'shared', stop: closeSharedPool }]);
    if (this.graph && st.queues.size > 0) {
      const queues = this.graph.exporters.filter((e) => st.queues.has(e.id)).map((e) => e.queue);
      st.queues.clear();
      const pending = queues.reduce((n, q) => n + q.size, 0);
      if (pending > 0) this.logger.info(`draining sending queues (${why})`, { batches: pending, timeout_ms: this.shutdownTimeoutMs });
      const dropped = await Promise.all(queues.map((q) => q.drain(this.shutdownTimeoutMs)));
      const total = dropped.reduce((a, b) => a + b, 0);
      if (total > 0) this.logger.error(`shutdown timeout of ${this.shutdownTimeoutMs} ms expired: ${total} accepted items were dropped (see the lines above per exporter)`);
    }
    await stopAll(st.exporters);
    await stopAll(st.extensions.reverse());
    if (st.telemetry) {
      st.telemetry = false;
      await this.telemetry.stop();
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} components failed to shut down: ${errors.map((e) => e.message).join('; ')}`);
  }
}
