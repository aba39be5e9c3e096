// An in-process exporter for tests that build a Service from a config: it keeps every span and log
// record it is given, so a test can look at exactly what left the pipeline.
import type { ExporterFactory } from '../../core/component.ts';
import type { LogRecord, LogsBatch, Span, TracesBatch } from '../../core/signals/types.ts';

export interface CaptureExporter {
  /** Register this; the config names it `capture` (traces and logs). */
  factory: ExporterFactory;
  /** Spans exported so far, in export order (a test may empty it with `spans.length = 0`). */
  spans: Span[];
  /** Log records exported so far (alerts arrive here through a logs pipeline). */
  logs: LogRecord[];
}

/** A `capture` exporter factory plus the arrays it fills. */
export function captureExporter(): CaptureExporter {
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  const factory: ExporterFactory = {
    kind: 'exporter',
    type: 'capture',
    description: 'test exporter: keeps what it is given',
    stability: 'development',
    signals: ['traces', 'logs'],
    configSchema: { type: 'object', additionalProperties: false },
    create: () => ({
      start: async () => {},
      shutdown: async () => {},
      export: async (signal, batch) => {
        if (signal === 'traces') for (const rs of (batch as TracesBatch).resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        else if (signal === 'logs') for (const rl of (batch as LogsBatch).resourceLogs) for (const sl of rl.scopeLogs) logs.push(...sl.logRecords);
      },
    }),
  };
  return { factory, spans, logs };
}
