import { afterEach, describe, expect, it } from 'vitest';
import factory from '../../extensions/health_check/factory.ts';
import type { HealthCheck } from '../../extensions/health_check/health.ts';
import type { Service } from '../../core/pipeline/service.ts';
import { World, gate, helper, makeConfig, until } from '../core/pipeline.fixtures.ts';

const running: Service[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.shutdown().catch(() => {})));
});

function setup(path?: string) {
  const w = new World();
  w.registry.register(factory);
  const svc = w.service(
    makeConfig({
      receivers: { test: {} },
      exporters: { test: helper() },
      extensions: { health_check: { endpoint: '127.0.0.1:0', ...(path ? { path } : {}) } },
      enabledExtensions: ['health_check'],
      pipelines: [{ id: 'traces', receivers: ['test'], exporters: ['test'] }],
    }),
  );
  running.push(svc);
  const url = (p = path ?? '/') => `http://127.0.0.1:${(svc.getExtension('health_check') as HealthCheck).address()!.port}${p}`;
  return { w, svc, url };
}

describe('health_check', () => {
  it('has the collector defaults', () => {
    expect(factory.configSchema.properties!.endpoint.default).toBe('127.0.0.1:13133');
    expect(factory.configSchema.properties!.path.default).toBe('/');
  });

  it('answers 503 while starting, 200 when ready, 503 while shutting down', async () => {
    const { w, svc, url } = setup();
    const startGate = gate();
    w.startGates.set('receiver/test', startGate.promise);
    const starting = svc.start();
    await until(() => w.events.includes('start receiver/test'));
    const r1 = await fetch(url());
    expect(r1.status).toBe(503);
    expect((await r1.json()).status).toBe('Server not available');
    startGate.open();
    await starting;
    const r2 = await fetch(url());
    expect(r2.status).toBe(200);
    const body = await r2.json();
    expect(body.status).toBe('Server available');
    expect(typeof body.upSince).toBe('string');

    const healthUrl = url();
    const stopGate = gate();
    w.shutdownGates.set('receiver/test', stopGate.promise);
    const stopping = svc.shutdown();
    expect((await fetch(healthUrl)).status).toBe(503);
    stopGate.open();
    await stopping;
    await expect(fetch(healthUrl)).rejects.toThrow(); // closed
  });

  it('serves on the configured path only', async () => {
    const { svc, url } = setup('/health/status');
    await svc.start();
    expect((await fetch(url())).status).toBe(200);
    expect((await fetch(url('/'))).status).toBe(404);
  });
});
