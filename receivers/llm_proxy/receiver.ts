// The llm_proxy receiver: wires the parts together and owns their lifecycle.
import type { Consumers, CreateContext, Host, Receiver } from '../../core/component.ts';
import type { Guard } from '../../core/guard.ts';
import type { LlmProxyConfig } from './config.ts';
import { AgentDirectory } from './auth.ts';
import { CircuitBreakers } from './breaker.ts';
import { ResponseCache } from './cache.ts';
import { CaptureBuffer } from './capture.ts';
import { ProviderKeys } from './credentials.ts';
import { Guardrails } from './guardrails.ts';
import { RateLimiter } from './limits.ts';
import { ProxyMetrics } from './metrics.ts';
import { Proxy } from './proxy.ts';
import { Router } from './router.ts';
import { ProxyServer } from './server.ts';
import { ProviderClient } from './upstream.ts';

export interface LlmProxyOptions {
  /** How often api_key_file is polled for changes (ms); tests lower it. */
  keyWatchIntervalMs?: number;
}

export class LlmProxyReceiver implements Receiver {
  private readonly cfg: LlmProxyConfig;
  private readonly keys: ProviderKeys;
  private readonly breakers: CircuitBreakers;
  private readonly clients = new Map<string, ProviderClient>();
  private readonly capture: CaptureBuffer;
  private server?: ProxyServer;
  private proxy?: Proxy;
  private started = false;

  constructor(
    private readonly ctx: CreateContext<LlmProxyConfig>,
    private readonly next: Consumers,
    private readonly opts: LlmProxyOptions = {},
  ) {
    this.cfg = ctx.config;
    this.keys = new ProviderKeys(this.cfg.providers, ctx.logger);
    this.breakers = new CircuitBreakers(this.cfg.circuitBreaker.failureThreshold, this.cfg.circuitBreaker.cooldownMs);
    for (const p of this.cfg.providers.values()) this.clients.set(p.name, new ProviderClient(p));
    const m = ctx.metrics;
    const metrics = new ProxyMetrics(m, ctx.id);
    this.metrics = metrics;
    this.capture = new CaptureBuffer(
      next,
      { 'service.name': 'agentcol', 'agentcol.receiver': ctx.id },
      { flushIntervalMs: this.cfg.capture.flushIntervalMs, maxBatch: this.cfg.capture.maxBatch },
      ctx.logger,
      metrics.captureRefused,
      { receiver: ctx.id },
    );
    m.gaugeFn('agentcol_llm_provider_available', 'Whether the proxy sends requests to the provider: 1 = closed circuit, 0 = open circuit or waiting out a Retry-After.', () =>
      [...this.cfg.providers.keys()].map((provider) => ({ labels: { receiver: ctx.id, provider }, value: this.breakers.available(provider) })),
    );
    m.gaugeFn('agentcol_llm_provider_key_loaded_timestamp_seconds', 'When the provider key was last loaded (unix seconds).', () =>
      [...this.keys.loadedAt].map(([provider, at]) => ({ labels: { receiver: ctx.id, provider }, value: Math.floor(at) })),
    );
  }

  private readonly metrics: ProxyMetrics;

  async start(host: Host): Promise<void> {
    const guards: Array<{ id: string; guard: Guard }> = [];
    for (const id of this.cfg.guardrails) {
      const guard = host.getGuard(id);
      if (!guard) {
        throw new Error(
          `llm_proxy receiver: guardrails names processor "${id}", which is not configured or has no inline guard role: define it under processors (its type must provide createGuard), or remove it from guardrails`,
        );
      }
      guards.push({ id, guard });
    }
    this.keys.start(this.opts.keyWatchIntervalMs);
    const router = new Router(this.cfg.routes, this.cfg.providers, this.cfg.prices);
    const agents = new AgentDirectory(this.cfg.agents);
    const proxy = new Proxy({
      cfg: this.cfg,
      receiverId: this.ctx.id,
      agents,
      router,
      breakers: this.breakers,
      keys: this.keys,
      clients: this.clients,
      limiter: new RateLimiter(this.cfg.customerLimits),
      cache: this.cfg.cache ? new ResponseCache(this.cfg.cache.ttlMs, this.cfg.cache.maxEntries) : undefined,
      guards: new Guardrails(guards),
      capture: this.capture,
      metrics: this.metrics,
      logger: this.ctx.logger,
    });
    const server = new ProxyServer(this.cfg.endpoint, this.cfg.maxRequestBodySize, agents, router, proxy, this.ctx.logger);
    try {
      await server.start();
    } catch (err) {
      this.keys.stop();
      throw err;
    }
    this.server = server;
    this.proxy = proxy;
    this.started = true;
  }

  async shutdown(): Promise<void> {
    await this.server?.shutdown();
    this.server = undefined;
    if (this.started) this.keys.stop();
    for (const c of this.clients.values()) c.close();
    this.proxy?.finishAll();
    await this.capture.drain();
  }

  /** Hands captured spans and logs to the pipelines now and waits for them (tests, shutdown). */
  flushCapture(): Promise<void> {
    this.proxy?.finishAll();
    return this.capture.drain();
  }

  /** Re-reads api_key_file keys now (what SIGHUP does). */
  reloadKeys(): void {
    this.keys.reloadAll('reload');
  }

  address(): { host: string; port: number } | undefined {
    return this.server?.address();
  }

  ports(): { http?: number } {
    return { http: this.server?.address()?.port };
  }
}
