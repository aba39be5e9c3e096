// The resolved configuration: what core/config produces from YAML (env expanded, validated against
// every factory's schema, defaults applied) and what core/pipeline builds the service from.
import type { Signal } from '../signals/types.ts';
import type { LogLevel } from '../telemetry/logger.ts';

/** One configured component: `receivers: { otlp/internal: {...} }` gives id 'otlp/internal'. */
export interface ComponentConfig {
  id: string;
  type: string;
  name: string;
  /** Validated config with defaults applied (for exporters it includes sending_queue,
   * retry_on_failure and timeout, see core/queue/config.ts). */
  config: any;
}

export interface PipelineConfig {
  /** As written: 'traces' or 'traces/name'. */
  id: string;
  signal: Signal;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export interface TelemetryConfig {
  logs: { level: LogLevel };
  /** Address of the Prometheus /metrics endpoint; null when disabled (level: none). */
  metrics: { address: string | null; level: 'none' | 'basic' | 'normal' | 'detailed' };
}

export interface ResolvedConfig {
  /** The config file, for messages; undefined for configs built in code. */
  file?: string;
  /** Plugins as written in `plugins:` (package names or paths), resolved to absolute specifiers. */
  plugins: string[];
  receivers: Map<string, ComponentConfig>;
  processors: Map<string, ComponentConfig>;
  exporters: Map<string, ComponentConfig>;
  extensions: Map<string, ComponentConfig>;
  service: {
    extensions: string[];
    pipelines: PipelineConfig[];
    telemetry: TelemetryConfig;
  };
}
