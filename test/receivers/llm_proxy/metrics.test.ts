// ProxyMetrics: label sets are memoised per call shape (the last shape, then a map); every call
// must still land in its own series when shapes alternate.
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../../core/telemetry/metrics.ts';
import type { Exchange } from '../../../receivers/llm_proxy/capture.ts';
import { ProxyMetrics } from '../../../receivers/llm_proxy/metrics.ts';

function exchange(over: Partial<Exchange>): Exchange {
  return {
    startNs: 0n,
    endNs: 1_000_000n,
    traceId: '0'.repeat(32),
    parentSpanId: '',
    operation: 'chat',
    endpoint: '/v1/chat/completions',
    agentId: 'a1',
    customer: 'c1',
    requestedModel: 'fast',
    route: 'fast',
    strategy: 'fallback',
    provider: 'openai',
    providerKind: 'openai',
    targetModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini',
    stream: false,
    status: 200,
    attempts: 1,
    cacheHit: false,
    usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, estimated: false },
    costUsd: null,
    verdicts: [],
    requestBody: '',
    responseBody: '',
    ...over,
  };
}

const count = (text: string, labels: string) => Number(new RegExp(`agentcol_llm_requests_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);

describe('ProxyMetrics label sets', () => {
  it('counts each call under its own agent, customer, provider, model and status when shapes alternate', () => {
    const reg = new MetricsRegistry();
    const m = new ProxyMetrics(reg, 'llm_proxy');
    const shapes: Partial<Exchange>[] = [{}, { status: 429 }, {}, { agentId: 'a2' }, { customer: 'c2' }, { provider: 'other' }, { responseModel: 'm2' }, {}, { status: 429 }];
    for (const s of shapes) m.record(exchange(s));
    const text = reg.render();
    const l = (agent: string, customer: string, model: string, provider: string, status: number) =>
      `agent="${agent}",customer="${customer}",model="${model}",provider="${provider}",receiver="llm_proxy",status="${status}"`;
    expect(count(text, l('a1', 'c1', 'gpt-4o-mini', 'openai', 200))).toBe(3);
    expect(count(text, l('a1', 'c1', 'gpt-4o-mini', 'openai', 429))).toBe(2);
    expect(count(text, l('a2', 'c1', 'gpt-4o-mini', 'openai', 200))).toBe(1);
    expect(count(text, l('a1', 'c2', 'gpt-4o-mini', 'openai', 200))).toBe(1);
    expect(count(text, l('a1', 'c1', 'gpt-4o-mini', 'other', 200))).toBe(1);
    expect(count(text, l('a1', 'c1', 'm2', 'openai', 200))).toBe(1);
  });
});
