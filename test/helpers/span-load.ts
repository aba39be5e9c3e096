// A steady stream of spans from a real OpenTelemetry SDK client (BasicTracerProvider,
// BatchSpanProcessor, OTLP/HTTP protobuf exporter), recording which spans agentcol acknowledged:
// the exporter's result callback said SUCCESS for the request that carried them. Those, and only
// those, must be in the stores; spans of failed requests (agentcol down, killed mid-request) may or
// may not be.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** @opentelemetry/core's ExportResult (a dependency of the SDK, not of this project). */
type ExportResult = { code: number; error?: Error };
const SUCCESS = 0; // ExportResultCode.SUCCESS

class AckRecorder implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly onAck: (spans: ReadableSpan[]) => void,
    private readonly onFail: (spans: ReadableSpan[]) => void,
  ) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => {
      if (r.code === SUCCESS) this.onAck(spans);
      else this.onFail(spans);
      done(r);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface SpanLoad {
  /** Span ids (hex) of acknowledged spans, with the sequence number each carries (attribute `seq`). */
  readonly acked: Map<string, number>;
  /** Spans in requests that failed. */
  failed(): number;
  created(): number;
  /** Acknowledged spans created at or after `seq` (for "arrived during the outage" checks). */
  ackedSince(seq: number): string[];
  /** Stops creating spans, flushes what the SDK holds and shuts it down. */
  stop(): Promise<void>;
}

export function startSpanLoad(otlpHttp: string, opts: { spansPerTick?: number; tickMs?: number; service?: string } = {}): SpanLoad {
  const acked = new Map<string, number>();
  let failed = 0;
  let seq = 0;
  const exporter = new AckRecorder(
    new OTLPTraceExporter({ url: `${otlpHttp}/v1/traces`, timeoutMillis: 5_000 }),
    (spans) => {
      for (const s of spans) acked.set(s.spanContext().spanId, Number(s.attributes.seq));
    },
    (spans) => (failed += spans.length),
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.service ?? 'load', 'gen_ai.agent.id': 'loader' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100, maxExportBatchSize: 256, maxQueueSize: 100_000 })],
  });
  const tracer = provider.getTracer('span-load');
  const timer = setInterval(() => {
    for (let i = 0; i < (opts.spansPerTick ?? 20); i++) {
      tracer.startSpan('chat gpt-4o-mini', { attributes: { seq: seq++, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12 } }).end();
    }
  }, opts.tickMs ?? 50);
  return {
    acked,
    failed: () => failed,
    created: () => seq,
    ackedSince: (from) => [...acked].filter(([, s]) => s >= from).map(([id]) => id),
    async stop() {
      clearInterval(timer);
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
