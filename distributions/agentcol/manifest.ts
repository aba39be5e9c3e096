// The components of the full agentcol distribution, like an OpenTelemetry Collector builder
// manifest. A smaller distribution is another folder with a shorter list.
import type { Factory } from '../../core/component.ts';
// import otlpReceiver from '../../receivers/otlp/factory.ts'; // not written yet: uncomment when receivers/otlp/factory.ts exists
import batchProcessor from '../../processors/batch/factory.ts';
import memoryLimiterProcessor from '../../processors/memory_limiter/factory.ts';
// import duckdbExporter from '../../exporters/duckdb/factory.ts'; // not written yet
// import postgresExporter from '../../exporters/postgres/factory.ts'; // not written yet
import debugExporter from '../../exporters/debug/factory.ts';
// import otlpExporter from '../../exporters/otlp/factory.ts'; // not written yet
import healthCheckExtension from '../../extensions/health_check/factory.ts';

export const components: Factory[] = [
  // otlpReceiver,
  memoryLimiterProcessor,
  batchProcessor,
  // duckdbExporter,
  // postgresExporter,
  debugExporter,
  // otlpExporter,
  healthCheckExtension,
];
