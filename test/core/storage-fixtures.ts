// Batches for the storage tests and bench: GenAI agent traces (invoke_agent / chat / execute_tool
// spans with events and links), logs with every AnyValue kind of body, metrics of all five types.
import { setAttribute } from '../../core/signals/attributes.ts';
import type { Attributes, LogsBatch, MetricsBatch, Span, TracesBatch } from '../../core/signals/types.ts';
import { prng } from '../helpers/random.ts';

export const T0 = 1_700_000_000_123_456_789n;

function hex(n: number, len: number): string {
  return (n >>> 0).toString(16).padStart(8, '0').repeat(4).slice(0, len);
}

export function genAiResource(service = 'support-bot'): Attributes {
  return {
    'service.name': service,
    'service.version': '1.4.2',
    'deployment.environment.name': 'prod',
    'telemetry.sdk.language': 'nodejs',
    'host.name': 'agent-host-1',
  };
}

/** The i-th span of a GenAI agent run: invoke_agent, chat, execute_tool in turn. */
export function genAiSpan(i: number, r: () => number = prng(i)): Span {
  const traceId = hex(0x1000 + Math.floor(i / 3), 32);
  const start = T0 + BigInt(i) * 1_000_000n;
  const kind = i % 3;
  const agentId = `agent-${i % 7}`;
  const base: Span = {
    traceId,
    spanId: hex(0x2000 + i, 16),
    traceState: '',
    parentSpanId: kind === 0 ? '' : hex(0x2000 + i - kind, 16),
    flags: 1,
    name: '',
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.floor(r() * 2_000_000_000)),
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
  if (kind === 0) {
    base.name = 'invoke_agent support-bot';
    base.attributes = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.agent.id': agentId,
      'gen_ai.agent.name': 'support-bot',
      'gen_ai.conversation.id': `conv-${Math.floor(i / 3)}`,
      'gen_ai.request.model': 'gpt-4o-mini',
    };
  } else if (kind === 1) {
    base.name = 'chat gpt-4o-mini';
    base.kind = 3;
    base.attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.agent.id': agentId,
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': `chatcmpl-${i}`,
      'gen_ai.usage.input_tokens': 100 + (i % 50),
      'gen_ai.usage.output_tokens': 20 + (i % 30),
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': 'api.openai.com',
      'server.port': 443,
    };
    base.events = [
      { timeUnixNano: start + 1000n, name: 'gen_ai.user.message', attributes: { 'gen_ai.system': 'openai', content: `where is order ${i}?` }, droppedAttributesCount: 0 },
      { timeUnixNano: start + 2000n, name: 'gen_ai.choice', attributes: { index: 0, finish_reason: 'stop' }, droppedAttributesCount: 0 },
    ];
  } else {
    base.name = 'execute_tool lookup_order';
    base.attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.agent.id': agentId,
      'gen_ai.tool.name': 'lookup_order',
      'gen_ai.tool.call.id': `call_${i}`,
      'gen_ai.tool.type': 'function',
    };
    base.links = [{ traceId: hex(0x9000 + i, 32), spanId: hex(0x9100 + i, 16), traceState: 'vendor=1', attributes: { 'link.kind': 'follows' }, droppedAttributesCount: 0, flags: 0 }];
    if (r() < 0.1) base.status = { code: 2, message: 'tool timed out' };
  }
  return base;
}

/** n GenAI spans under one resource and scope, the way one SDK process exports them. */
export function makeGenAiTraces(n: number, seed = 1, service = 'support-bot'): TracesBatch {
  const r = prng(seed);
  const spans: Span[] = [];
  for (let i = 0; i < n; i++) spans.push(genAiSpan(seed * 1_000_000 + i, r));
  return {
    resourceSpans: [
      {
        resource: { attributes: genAiResource(service), droppedAttributesCount: 0 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
        scopeSpans: [{ scope: { name: 'openinference.openai', version: '0.9.1', attributes: {}, droppedAttributesCount: 0 }, spans, schemaUrl: '' }],
      },
    ],
  };
}

/** Logs whose bodies cover every AnyValue kind, plus odd attribute values. */
export function makeOddLogs(): LogsBatch {
  const nested: Attributes = { a: { b: { c: [1, 'two', true, null] } } };
  setAttribute(nested, '__proto__', 'not a prototype');
  const bodies = [
    'plain text',
    42,
    2n ** 62n, // beyond Number's exact range, inside OTLP's int64
    -1.5,
    true,
    null,
    new Uint8Array([0, 1, 2, 255]),
    ['x', 1, { y: 'z' }],
    { message: 'structured', level: 3, tags: ['a', 'b'] },
    'nul\u0000inside',
    'unicode ✓ 日本語 🤖',
    'tab\tnewline\nback\\slash',
  ];
  const attrs: Attributes = {
    'gen_ai.agent.id': 'logger-agent',
    big: 2n ** 63n - 1n, // int64's maximum: exact only as a bigint
    bytes: new Uint8Array([104, 105]),
    nested,
    nul: 'a\u0000b',
    'key\u0000with nul': 'v',
    emoji: '🤖',
  };
  setAttribute(attrs, '__proto__', 'proto-value');
  return {
    resourceLogs: [
      {
        resource: { attributes: { 'service.name': 'log-svc', 'gen_ai.provider.name': 'anthropic' }, droppedAttributesCount: 0 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
        scopeLogs: [
          {
            scope: { name: 'app.logger', version: '2.0.0', attributes: { 'scope.attr': 'yes' }, droppedAttributesCount: 0 },
            schemaUrl: 'https://scope.schema',
            logRecords: bodies.map((body, i) => ({
              timeUnixNano: i === 1 ? 0n : T0 + BigInt(i),
              observedTimeUnixNano: T0 + 999n,
              severityNumber: 9,
              severityText: 'INFO',
              body,
              attributes: i === 0 ? attrs : { idx: i },
              droppedAttributesCount: 0,
              flags: 0x101,
              traceId: i === 0 ? '' : hex(0x5000 + i, 32),
              spanId: i === 0 ? '' : hex(0x6000 + i, 16),
              eventName: i === 8 ? 'gen_ai.evaluation.result' : '',
            })),
          },
        ],
      },
    ],
  };
}

/** One metric of each of the five types. */
export function makeAllMetrics(): MetricsBatch {
  const ex = [{ filteredAttributes: { 'ex.a': 'b' }, timeUnixNano: T0 + 5n, value: 1.25, spanId: hex(7, 16), traceId: hex(8, 32) }];
  const attrs = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.token.type': 'input' };
  return {
    resourceMetrics: [
      {
        resource: { attributes: { 'service.name': 'metrics-svc', 'gen_ai.agent.id': 'res-agent' }, droppedAttributesCount: 0 },
        schemaUrl: 'https://res.schema',
        scopeMetrics: [
          {
            scope: { name: 'meter', version: '1.0', attributes: { s: 1 }, droppedAttributesCount: 3 },
            schemaUrl: 'https://scope.schema',
            metrics: [
              { name: 'queue.depth', description: 'depth', unit: '1', metadata: {}, data: { type: 'gauge', dataPoints: [{ attributes: { q: 'a' }, startTimeUnixNano: 0n, timeUnixNano: T0, value: 7.5, exemplars: ex, flags: 0 }] } },
              {
                name: 'agent.requests', description: 'requests', unit: '{request}', metadata: {},
                data: { type: 'sum', aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: attrs, startTimeUnixNano: T0 - 10n, timeUnixNano: T0, value: 3, exemplars: [], flags: 0 }] },
              },
              {
                name: 'gen_ai.client.token.usage', description: 'tokens', unit: '{token}', metadata: {},
                data: {
                  type: 'histogram', aggregationTemporality: 1,
                  dataPoints: [
                    { attributes: attrs, startTimeUnixNano: T0 - 10n, timeUnixNano: T0, count: 4, sum: 420, bucketCounts: [1, 2, 1], explicitBounds: [100, 1000], exemplars: ex, flags: 0, min: 10, max: 300 },
                    { attributes: {}, startTimeUnixNano: T0 - 10n, timeUnixNano: T0 + 1n, count: 0, sum: null, bucketCounts: [], explicitBounds: [], exemplars: [], flags: 1, min: null, max: null },
                  ],
                },
              },
              {
                name: 'latency.exp', description: '', unit: 's', metadata: {},
                data: {
                  type: 'exponential_histogram', aggregationTemporality: 2,
                  dataPoints: [{ attributes: {}, startTimeUnixNano: T0 - 10n, timeUnixNano: T0, count: 6, sum: 12.5, scale: 3, zeroCount: 1, positive: { offset: -2, bucketCounts: [1, 2, 2] }, negative: { offset: 1, bucketCounts: [] }, flags: 0, exemplars: [], min: 0, max: 4.5, zeroThreshold: 0 }],
                },
              },
              {
                name: 'latency.summary', description: 'summary', unit: 'ms', metadata: {},
                data: { type: 'summary', dataPoints: [{ attributes: {}, startTimeUnixNano: T0 - 10n, timeUnixNano: T0, count: 10, sum: 55, quantileValues: [{ quantile: 0.5, value: 5 }, { quantile: 0.99, value: 9.9 }], flags: 0 }] },
              },
              { name: 'no.data', description: '', unit: '', metadata: {}, data: null },
            ],
          },
        ],
      },
    ],
  };
}
