// What both transports do with a decoded request: hand it to the pipeline, count it, and turn the
// outcome into a transport-neutral answer (mapped to HTTP statuses / gRPC codes by the caller).
import { isBackpressure, isPermanent, type Consumers, type CreateContext, type Signal } from '../../core/component.ts';
import { countItems, ITEM_NOUN } from '../../core/signals/count.ts';
import type { Batch } from '../../core/signals/types.ts';
import type { Counter } from '../../core/telemetry/metrics.ts';

export type Transport = 'grpc' | 'http';

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'no_pipeline'; message: string }
  | { kind: 'backpressure'; message: string; retryAfterMs: number }
  | { kind: 'retryable'; message: string; retryAfterMs: number }
  | { kind: 'permanent'; message: string };

export class PipelineGate {
  private accepted: Record<Signal, Counter>;
  private refused: Record<Signal, Counter>;
  /** Frozen, so the registry keys them once rather than on every request. */
  private readonly labels: Record<Transport, Readonly<{ receiver: string; transport: Transport }>>;

  constructor(
    private readonly ctx: CreateContext<unknown>,
    private readonly next: Consumers,
  ) {
    const m = ctx.metrics;
    const make = (kind: 'accepted' | 'refused', s: Signal) =>
      m.counter(
        `otelcol_receiver_${kind}_${ITEM_NOUN[s]}`,
        kind === 'accepted'
          ? `Number of ${ITEM_NOUN[s].replace('_', ' ')} successfully pushed into the pipeline.`
          : `Number of ${ITEM_NOUN[s].replace('_', ' ')} that could not be pushed into the pipeline.`,
      );
    this.accepted = { traces: make('accepted', 'traces'), logs: make('accepted', 'logs'), metrics: make('accepted', 'metrics') };
    this.refused = { traces: make('refused', 'traces'), logs: make('refused', 'logs'), metrics: make('refused', 'metrics') };
    this.labels = { grpc: Object.freeze({ receiver: ctx.id, transport: 'grpc' }), http: Object.freeze({ receiver: ctx.id, transport: 'http' }) };
  }

  hasConsumer(signal: Signal): boolean {
    return this.next[signal] !== undefined;
  }

  noPipelineMessage(signal: Signal): string {
    return `receiver ${this.ctx.id} accepts no ${signal}: no ${signal} pipeline lists it (add it to service.pipelines.${signal}.receivers)`;
  }

  /** Consumes a decoded batch; resolves with the outcome, never rejects. */
  async consume(signal: Signal, batch: Batch, transport: Transport): Promise<Outcome> {
    const consumer = this.next[signal];
    if (!consumer) return { kind: 'no_pipeline', message: this.noPipelineMessage(signal) };
    const items = countItems(signal, batch);
    const labels = this.labels[transport];
    try {
      await (consumer as { consume(b: Batch): Promise<void> }).consume(batch);
      this.accepted[signal].add(items, labels);
      return { kind: 'ok' };
    } catch (err) {
      this.refused[signal].add(items, labels);
      const message = err instanceof Error ? err.message : String(err);
      const retryAfterMs = (err as { retryAfterMs?: number })?.retryAfterMs;
      if (isBackpressure(err)) return { kind: 'backpressure', message, retryAfterMs: retryAfterMs ?? 1000 };
      if (isPermanent(err)) return { kind: 'permanent', message };
      this.ctx.logger.warn('otlp receiver: pipeline refused data', { receiver: this.ctx.id, signal, error: message });
      return { kind: 'retryable', message, retryAfterMs: retryAfterMs ?? 1000 };
    }
  }
}
