// Real OpenTelemetry SDK clients that send OTLP/HTTP (protobuf) to an agentcol run, one export per
// span or record, as an instrumented agent would. Call shutdown() to flush before reading stores.
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A tracer provider exporting each ended span to the OTLP/HTTP receiver on `httpPort`. */
export function otlpTracerProvider(httpPort: number, resource: Resource): BasicTracerProvider {
  return new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${httpPort}/v1/traces` }))] });
}

/** A logger provider exporting each emitted record to the OTLP/HTTP receiver on `httpPort`. */
export function otlpLoggerProvider(httpPort: number, resource: Resource): LoggerProvider {
  return new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${httpPort}/v1/logs` }) })] });
}
