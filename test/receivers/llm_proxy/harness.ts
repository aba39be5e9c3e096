// In-process harness for the llm_proxy receiver: builds it through its factory (config validated
// by core/config like a real one) with capturing consumers and a Host, on port 0.
import type { Consumers, Guard, Host } from '../../../core/component.ts';
import { checkValue } from '../../../core/config/check.ts';
import { componentSchema } from '../../../core/config/component-schema.ts';
import type { ConfigIssue } from '../../../core/config/issues.ts';
import type { LogRecord, LogsBatch, Span, TracesBatch } from '../../../core/signals/types.ts';
import { silentLogger } from '../../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../../core/telemetry/metrics.ts';
import factory, { type LlmProxyReceiver } from '../../../receivers/llm_proxy/factory.ts';
import { DEFAULT_KEYS, start as startMock, type MockProvider } from '../../fixtures/mock-providers/index.ts';

export { DEFAULT_KEYS };
export const AGENT_KEY = 'agent-key-support-bot';

export interface ProxyHarness {
  receiver: LlmProxyReceiver;
  url: string;
  /** base URL for the openai SDK */
  openaiUrl: string;
  metrics: MetricsRegistry;
  spans: Span[];
  logs: LogRecord[];
  /** Flushes pending captures, then forgets every span, log and mock request. */
  reset(): Promise<void>;
  /** Waits until `n` spans were captured. */
  waitForSpans(n: number, timeoutMs?: number): Promise<Span[]>;
  stop(): Promise<void>;
}

/** Validates `raw` against the factory schema (defaults applied) and normalizes it. */
export function validated(raw: unknown) {
  const issues: ConfigIssue[] = [];
  const v = checkValue(raw, componentSchema(factory), ['receivers', 'llm_proxy'], { issues });
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('\n'));
  return factory.normalize!(v);
}

export async function startProxy(raw: Record<string, unknown>, opts: { guards?: Record<string, Guard>; next?: Consumers; keyWatchIntervalMs?: number } = {}): Promise<ProxyHarness> {
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  const next: Consumers = opts.next ?? {
    traces: { consume: async (b: TracesBatch) => void b.resourceSpans.forEach((rs) => rs.scopeSpans.forEach((ss) => spans.push(...ss.spans))) },
    logs: { consume: async (b: LogsBatch) => void b.resourceLogs.forEach((rl) => rl.scopeLogs.forEach((sl) => logs.push(...sl.logRecords))) },
  };
  const metrics = new MetricsRegistry();
  const config = validated({ endpoint: '127.0.0.1:0', ...raw });
  const { LlmProxyReceiver: Ctor } = await import('../../../receivers/llm_proxy/receiver.ts');
  const receiver = new Ctor({ id: 'llm_proxy', config, logger: silentLogger, metrics }, next, { keyWatchIntervalMs: opts.keyWatchIntervalMs ?? 50 });
  const host: Host = { logger: silentLogger, metrics, getExtension: () => undefined, ready: () => true, getGuard: (id) => opts.guards?.[id], getPipeline: () => undefined };
  await receiver.start(host);
  const url = `http://127.0.0.1:${receiver.ports().http}`;
  return {
    receiver,
    url,
    openaiUrl: `${url}/v1`,
    metrics,
    spans,
    logs,
    async reset() {
      await new Promise((r) => setTimeout(r, 5)); // lets finished calls reach the capture buffer
      await receiver.flushCapture();
      spans.length = 0;
      logs.length = 0;
    },
    async waitForSpans(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (spans.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} spans, got ${spans.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return spans;
    },
    stop: () => receiver.shutdown(),
  };
}

/** A mock provider and the providers/routes config pointing at it. */
export async function mockWithConfig(): Promise<{ mock: MockProvider; providers: Record<string, unknown> }> {
  const mock = await startMock();
  return {
    mock,
    providers: {
      openai: { kind: 'openai', base_url: mock.openaiBaseUrl, api_key: DEFAULT_KEYS.openai, timeout: '2s' },
      anthropic: { kind: 'anthropic', base_url: mock.anthropicBaseUrl, api_key: DEFAULT_KEYS.anthropic, timeout: '2s' },
    },
  };
}

export const agent = (over: Record<string, unknown> = {}) => ({ id: 'support-bot', key: AGENT_KEY, customer: 'acme', roles: ['support'], allowed_cidrs: ['127.0.0.0/8'], ...over });
