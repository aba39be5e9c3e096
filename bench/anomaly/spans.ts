// Scenario events as OTLP spans, the way agents' OpenTelemetry SDKs (or the LLM proxy) report them:
// one resource per agent (service.name and gen_ai.agent.id), GenAI semantic-convention attributes,
// span ids derived from the event's index so alerts can be traced back to the event.
import type { Attributes, ResourceSpans, Span, TracesBatch } from '../../core/signals/types.ts';
import type { Scenario, ScenarioEvent } from './scenario.ts';

/** The span id of event n (16 hex digits, never zero). */
export function spanIdOf(n: number): string {
  return (n + 1).toString(16).padStart(16, '0');
}

/** The event index of a span id made by spanIdOf, or -1. */
export function eventIndexOf(spanId: string): number {
  const n = parseInt(spanId, 16);
  return Number.isFinite(n) && n > 0 ? n - 1 : -1;
}

function attributes(e: ScenarioEvent): Attributes {
  if (e.kind === 'tool') {
    return {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': e.tool!,
      'agentcol.data.scope': e.scopes ?? [],
      'server.address': e.host,
    };
  }
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': e.model!.name,
    'gen_ai.provider.name': e.model!.provider,
    'server.address': e.host,
    'gen_ai.usage.input_tokens': e.inputTokens!,
    'gen_ai.usage.output_tokens': e.outputTokens!,
  };
}

function span(e: ScenarioEvent, n: number): Span {
  const start = BigInt(e.t) * 1_000_000n;
  return {
    traceId: (n + 1).toString(16).padStart(32, '0'),
    spanId: spanIdOf(n),
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: e.kind === 'tool' ? `execute_tool ${e.tool}` : `chat ${e.model!.name}`,
    kind: 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 350_000_000n,
    attributes: attributes(e),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

/** Events [from, to) as one batch: a resource per agent, spans in event order within it. */
export function tracesBatch(s: Scenario, from: number, to: number): TracesBatch {
  const byAgent = new Map<number, Span[]>();
  for (let n = from; n < to; n++) {
    const e = s.events[n];
    let spans = byAgent.get(e.agent);
    if (!spans) byAgent.set(e.agent, (spans = []));
    spans.push(span(e, n));
  }
  const resourceSpans: ResourceSpans[] = [];
  for (const [agent, spans] of byAgent) {
    const id = s.agents[agent].id;
    resourceSpans.push({
      resource: { attributes: { 'service.name': id, 'gen_ai.agent.id': id }, droppedAttributesCount: 0 },
      scopeSpans: [{ scope: { name: 'agent-sdk', version: '1.0.0', attributes: {}, droppedAttributesCount: 0 }, spans, schemaUrl: '' }],
      schemaUrl: '',
    });
  }
  return { resourceSpans };
}
