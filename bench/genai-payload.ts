// A deterministic generator of realistic GenAI agent traces (OpenTelemetry GenAI semantic
// conventions): per trace one `invoke_agent` root span, then alternating `chat` spans (model,
// provider, token usage, a prompt of a few hundred characters) and `execute_tool` spans.
import type { AnyValue, Attributes, Span, TracesBatch } from '../core/signals/types.ts';
import { encodeTracesProto } from '../core/otlp/encode-proto.ts';
import { encodeTracesJson } from '../core/otlp/encode-json.ts';
import { prng } from '../test/helpers/random.ts';


const PROVIDERS: Array<[string, string[]]> = [
  ['openai', ['gpt-4o', 'gpt-4o-mini', 'o3-mini']],
  ['anthropic', ['claude-sonnet-4-5', 'claude-haiku-4-5']],
  ['aws.bedrock', ['anthropic.claude-3-5-sonnet-20240620-v1:0']],
];
const TOOLS = ['search_knowledge_base', 'get_order_status', 'create_ticket', 'send_email', 'lookup_customer', 'run_sql'];
const AGENTS = ['support-agent', 'billing-agent', 'triage-agent', 'research-agent'];
const WORDS =
  'the customer says their order has not arrived yet please check the shipping status and refund policy before answering politely with a short summary of next steps and escalate if needed'.split(
    ' ',
  );

function hex(rand: () => number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(rand() * 256).toString(16).padStart(2, '0');
  return s;
}

function sentence(rand: () => number, minChars: number): string {
  let s = '';
  while (s.length < minChars) s += (s ? ' ' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  return s;
}

function span(name: string, traceId: string, spanId: string, parent: string, kind: Span['kind'], start: bigint, durNs: bigint, attributes: Attributes): Span {
  return {
    traceId,
    spanId,
    traceState: '',
    parentSpanId: parent,
    flags: 0x101,
    name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: start + durNs,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

/** A batch of `n` GenAI spans (one resource, one scope), deterministic for a given seed. */
export function makeGenAiTracesBatch(n = 512, seed = 42): TracesBatch {
  const rand = prng(seed);
  const spans: Span[] = [];
  let t = 1_760_000_000_000_000_000n;
  while (spans.length < n) {
    const traceId = hex(rand, 16);
    const rootId = hex(rand, 8);
    const agent = AGENTS[Math.floor(rand() * AGENTS.length)];
    const agentId = `${agent}-${Math.floor(rand() * 1000)}`;
    const steps = 3 + Math.floor(rand() * 6);
    const [provider, models] = PROVIDERS[Math.floor(rand() * PROVIDERS.length)];
    const model = models[Math.floor(rand() * models.length)];
    spans.push(
      span(`invoke_agent ${agent}`, traceId, rootId, '', 1, t, 2_000_000_000n, {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.id': agentId,
        'gen_ai.agent.name': agent,
        'gen_ai.provider.name': provider,
      }),
    );
    for (let i = 0; i < steps && spans.length < n; i++) {
      t += 1_000_000n + BigInt(Math.floor(rand() * 5_000_000));
      if (i % 2 === 0) {
        const input = Math.floor(200 + rand() * 4000);
        const messages: AnyValue = JSON.stringify([
          { role: 'system', parts: [{ type: 'text', content: 'You are a helpful support agent.' }] },
          { role: 'user', parts: [{ type: 'text', content: sentence(rand, 300) }] },
        ]);
        spans.push(
          span(`chat ${model}`, traceId, hex(rand, 8), rootId, 3, t, BigInt(Math.floor(300_000_000 + rand() * 2e9)), {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': provider,
            'gen_ai.request.model': model,
            'gen_ai.response.model': model,
            'gen_ai.agent.id': agentId,
            'gen_ai.usage.input_tokens': input,
            'gen_ai.usage.output_tokens': Math.floor(20 + rand() * 800),
            'gen_ai.request.temperature': 0.2,
            'gen_ai.response.finish_reasons': ['stop'],
            'gen_ai.response.id': `chatcmpl-${hex(rand, 12)}`,
            'gen_ai.input.messages': messages,
            'server.address': `api.${provider}.com`,
          }),
        );
      } else {
        const tool = TOOLS[Math.floor(rand() * TOOLS.length)];
        spans.push(
          span(`execute_tool ${tool}`, traceId, hex(rand, 8), rootId, 1, t, BigInt(Math.floor(5_000_000 + rand() * 3e8)), {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': tool,
            'gen_ai.tool.call.id': `call_${hex(rand, 8)}`,
            'gen_ai.tool.type': 'function',
            'gen_ai.agent.id': agentId,
          }),
        );
      }
    }
    t += 3_000_000_000n;
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: {
            'service.name': 'support-agent',
            'service.version': '1.4.2',
            'deployment.environment.name': 'production',
            'telemetry.sdk.language': 'python',
            'telemetry.sdk.name': 'opentelemetry',
            'telemetry.sdk.version': '1.38.0',
          },
          droppedAttributesCount: 0,
        },
        scopeSpans: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai_agents', version: '0.1.0', attributes: {}, droppedAttributesCount: 0 },
            spans,
            schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}

/** The same batch as ExportTraceServiceRequest protobuf bytes. */
export function makeGenAiTracesProto(n = 512, seed = 42): Uint8Array {
  return encodeTracesProto(makeGenAiTracesBatch(n, seed));
}

/** The same batch as OTLP/JSON bytes. */
export function makeGenAiTracesJson(n = 512, seed = 42): Uint8Array {
  return encodeTracesJson(makeGenAiTracesBatch(n, seed));
}
