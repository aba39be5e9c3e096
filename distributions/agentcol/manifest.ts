// The components of the full agentcol distribution, like an OpenTelemetry Collector builder
// manifest. A smaller distribution is another folder with a shorter list.
import type { Factory } from '../../core/component.ts';
import otlpReceiver from '../../receivers/otlp/factory.ts';
import llmProxyReceiver from '../../receivers/llm_proxy/factory.ts';
import batchProcessor from '../../processors/batch/factory.ts';
import memoryLimiterProcessor from '../../processors/memory_limiter/factory.ts';
import redactionProcessor from '../../processors/redaction/factory.ts';
import injectionScanProcessor from '../../processors/injection_scan/factory.ts';
import policyProcessor from '../../processors/policy/factory.ts';
import anomalyProcessor from '../../processors/anomaly/factory.ts';
import duckdbExporter from '../../exporters/duckdb/factory.ts';
import postgresExporter from '../../exporters/postgres/factory.ts';
import clickhouseExporter from '../../exporters/clickhouse/factory.ts';
import debugExporter from '../../exporters/debug/factory.ts';
import otlpExporter from '../../exporters/otlp/factory.ts';
import otlphttpExporter from '../../exporters/otlphttp/factory.ts';
import alertWebhookExporter from '../../exporters/alert_webhook/factory.ts';
import healthCheckExtension from '../../extensions/health_check/factory.ts';

export const components: Factory[] = [
  otlpReceiver,
  llmProxyReceiver,
  memoryLimiterProcessor,
  batchProcessor,
  policyProcessor,
  redactionProcessor,
  injectionScanProcessor,
  anomalyProcessor,
  duckdbExporter,
  postgresExporter,
  clickhouseExporter,
  debugExporter,
  otlpExporter,
  otlphttpExporter,
  alertWebhookExporter,
  healthCheckExtension,
];
