// The component contract. Built-in components and third-party plugins are the same thing: a
// factory, registered the same way. A plugin is an npm package (or a local path) whose default
// export is a Factory; the config's top-level `plugins:` list names it.
//
// Shapes, as in the OpenTelemetry Collector:
// - one receiver instance per receiver id, handed one consumer per signal it feeds (a fan-out to
//   every pipeline of that signal that lists it);
// - one processor instance per pipeline and processor id, handed the next consumer;
// - one exporter instance per exporter id, shared by every pipeline that lists it; the pipeline
//   puts its own sending queue and retry (core/queue) in front of it.
import type { Batch, BatchBySignal, Signal } from './signals/types.ts';
import type { ExporterHelperDefaults } from './queue/config.ts';
import type { JsonSchema } from './config/schema-types.ts';
import type { Logger } from './telemetry/logger.ts';
import type { MetricsRegistry } from './telemetry/metrics.ts';
import type { Guard } from './guard.ts';
import type { StateStore } from './state.ts';

export type { Signal, Batch, BatchBySignal } from './signals/types.ts';
export type { ExporterHelperDefaults } from './queue/config.ts';
export type { JsonSchema } from './config/schema-types.ts';
export type { Logger } from './telemetry/logger.ts';
export type { MetricsRegistry } from './telemetry/metrics.ts';
export type * from './guard.ts';
export type { StateStore } from './state.ts';

export type Kind = 'receiver' | 'processor' | 'exporter' | 'extension';
export type Stability = 'development' | 'alpha' | 'beta' | 'stable' | 'deprecated';

/** Receives one batch of a signal. The returned promise is the backpressure signal: a rejection
 * tells the caller the data was not accepted (see the error classes below). */
export interface Consumer<S extends Signal = Signal> {
  consume(batch: BatchBySignal[S]): Promise<void>;
}

export type Consumers = { [S in Signal]?: Consumer<S> };

/** Lifecycle. Components start in reverse topological order (exporters first, receivers last) and
 * shut down in topological order (receivers first, so nothing new arrives while queues drain). */
export interface Component {
  start(host: Host): Promise<void>;
  shutdown(): Promise<void>;
}

export type Receiver = Component;

export interface Processor<S extends Signal = Signal> extends Component, Consumer<S> {}

export interface Exporter extends Component {
  /** Writes one batch. Resolves once the destination has it; rejects with RetryableError
   * (the queue retries with backoff) or PermanentError (dropped and counted as failed). */
  export(signal: Signal, batch: Batch, options?: ExportOptions): Promise<void>;
}

export interface ExportOptions {
  /** Aborted when the attempt timed out (the sending queue's `timeout`) or the service gave up on
   * it at shutdown: stop the write if you can, the result is no longer awaited. */
  abortSignal?: AbortSignal;
  /** The sending queue's id for this batch, the same on every attempt and, with
   * `sending_queue.storage: file`, in every run until the export is confirmed: a batch replayed
   * after a crash has the id it had before. An exporter whose writes are not idempotent by content
   * can deduplicate on it (e.g. a ClickHouse insert_deduplication_token, a batch-id key in
   * PostgreSQL); derive sub-ids `<batchId>:<n>` when one batch becomes several writes. Unique per
   * exporter id; set by the sending queue (also in memory), absent when a component calls
   * export() itself. */
  batchId?: string;
}

export type Extension = Component;

/** What a component gets when it is created. */
export interface CreateContext<C = unknown> {
  /** The component id as written in the config: `type` or `type/name`. */
  id: string;
  /** The validated config, defaults filled in. */
  config: C;
  logger: Logger;
  metrics: MetricsRegistry;
}

/** What a component gets when it starts. */
export interface Host {
  logger: Logger;
  metrics: MetricsRegistry;
  /** An extension by id, if the service enabled it. */
  getExtension(id: string): Extension | undefined;
  /** Health of the whole service: true once every component started, false while stopping. */
  ready(): boolean;
  /** The inline guard of the processor with this id (created once per service, on first use);
   * undefined when no such processor is configured or its factory has no `createGuard`. */
  getGuard(processorId: string): Guard | undefined;
  /** The entry (first processor, or the exporters' fan-out) of the pipeline with this id, e.g.
   * 'logs' or 'logs/alerts', for components that feed a pipeline themselves (core/alerts.ts). */
  getPipeline(pipelineId: string): { signal: Signal; consumer: Consumer<Signal> } | undefined;
  /** The state store of the exporter with this id (core/state.ts), for state that must survive
   * restarts; undefined when no such exporter is in a pipeline or it keeps no state. Exporters
   * start before processors, so it is ready in a processor's start(). */
  getStateStore?(exporterId: string): StateStore | undefined;
}

/** The terminal a command runs against (process stdio, or a test's). */
export interface CommandIO {
  /** A line (a newline is added when missing). */
  out(text: string): void;
  err(text: string): void;
  /** Exactly these characters to stdout (data a command passes through). */
  write(text: string): void;
  /** All of stdin. */
  readStdin(): Promise<string>;
}

/** A subcommand a component adds to the agentcol command (e.g. `agentcol reveal` from the
 * redaction processor). It gets the arguments after its name, parses them itself, and resolves
 * to the exit status. */
export interface ComponentCommand {
  name: string;
  /** One line for `agentcol --help`. */
  summary: string;
  /** What `agentcol NAME --help` prints. */
  help: string;
  run(args: string[], io: CommandIO): Promise<number>;
}

interface FactoryBase<C> {
  type: string;
  /** Subcommands of the agentcol command this component brings (built-in or plugin alike). */
  commands?: ComponentCommand[];
  description: string;
  stability: Stability;
  /** JSON Schema of the component's config, with defaults; objects reject unknown keys. */
  configSchema: JsonSchema;
  /** Turns the validated config (defaults applied) into the typed config; optional. */
  normalize?(config: unknown): C;
}

export interface ReceiverFactory<C = any> extends FactoryBase<C> {
  kind: 'receiver';
  signals: Signal[];
  create(ctx: CreateContext<C>, next: Consumers): Receiver;
}

export interface ProcessorFactory<C = any> extends FactoryBase<C> {
  kind: 'processor';
  signals: Signal[];
  /** True when the processor changes batches in place: a batch shared with other pipelines is
   * then copied before it reaches this processor. */
  mutatesData?: boolean;
  create<S extends Signal>(ctx: CreateContext<C>, signal: S, next: Consumer<S>): Processor<S>;
  /** The processor's inline role, for receivers that name it in `guardrails` (the LLM proxy). */
  createGuard?(ctx: CreateContext<C>): Guard;
}

export interface ExporterFactory<C = any> extends FactoryBase<C> {
  kind: 'exporter';
  signals: Signal[];
  /** Defaults for the exporter's sending queue and timeout, e.g. one consumer for a single-writer store. */
  queueDefaults?: ExporterHelperDefaults;
  create(ctx: CreateContext<C>): Exporter;
}

export interface ExtensionFactory<C = any> extends FactoryBase<C> {
  kind: 'extension';
  create(ctx: CreateContext<C>): Extension;
}

export type Factory = ReceiverFactory | ProcessorFactory | ExporterFactory | ExtensionFactory;

// ---- errors ----

/** Data could not be handled now; sending the same data later may succeed. */
export class RetryableError extends Error {
  readonly retryable = true;
  /** How long the sender should wait, when known (e.g. from a Retry-After). */
  readonly retryAfterMs?: number;
  constructor(message: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The pipeline is full (a sending queue or a memory limit): receivers answer 429 /
 * RESOURCE_EXHAUSTED with Retry-After. */
export class BackpressureError extends RetryableError {
  constructor(message: string, opts: { retryAfterMs?: number } = {}) {
    super(message, { retryAfterMs: opts.retryAfterMs ?? 1000 });
    this.name = 'BackpressureError';
  }
}

/** Data that will never be accepted (malformed, rejected by the destination's schema...):
 * never retried; receivers answer 400 / INVALID_ARGUMENT. */
export class PermanentError extends Error {
  readonly retryable = false;
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'PermanentError';
  }
}

/** Errors are retryable unless marked permanent, as in the collector's consumererror. */
export function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || (typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false);
}

export function isBackpressure(err: unknown): err is BackpressureError {
  return err instanceof BackpressureError || (err instanceof Error && err.name === 'BackpressureError');
}

/** Splits a component id `type[/name]`. */
export function parseComponentId(id: string): { type: string; name: string } {
  const slash = id.indexOf('/');
  return slash < 0 ? { type: id, name: '' } : { type: id.slice(0, slash), name: id.slice(slash + 1) };
}
