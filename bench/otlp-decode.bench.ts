// Micro-benchmark of OTLP trace decoding on a 512-span GenAI payload: our hand-written protobuf
// decoder vs protobufjs reflection (`Root.lookupType(...).decode`) vs our JSON decoder.
// Run alone: node --import tsx bench/otlp-decode.bench.ts
import { Bench } from 'tinybench';
import { decodeTracesProto } from '../core/otlp/decode-proto.ts';
import { decodeTracesJson } from '../core/otlp/decode-json.ts';
import { otlpProtoRoot, REQUEST_TYPE } from '../core/otlp/proto-root.ts';
import { makeGenAiTracesJson, makeGenAiTracesProto } from './genai-payload.ts';

export interface OtlpDecodeBenchResult {
  spans: number;
  protoBytes: number;
  jsonBytes: number;
  /** operations (whole-payload decodes) per second */
  oursProtoOps: number;
  protobufjsOps: number;
  oursJsonOps: number;
  /** oursProtoOps / protobufjsOps: > 1 means ours is faster */
  ratioOursVsProtobufjs: number;
}

export async function runOtlpDecodeBench(opts: { spans?: number; time?: number } = {}): Promise<OtlpDecodeBenchResult> {
  const spans = opts.spans ?? 512;
  const proto = Buffer.from(makeGenAiTracesProto(spans));
  const json = Buffer.from(makeGenAiTracesJson(spans));
  const type = otlpProtoRoot().lookupType(REQUEST_TYPE.traces);

  // Both decoders must see the same payload; fail loudly rather than benchmark garbage.
  const ours = decodeTracesProto(proto);
  const theirs = type.decode(proto) as unknown as { resource_spans: Array<{ scope_spans: Array<{ spans: unknown[] }> }> };
  if (ours.resourceSpans[0].scopeSpans[0].spans.length !== spans || theirs.resource_spans[0].scope_spans[0].spans.length !== spans) {
    throw new Error('otlp-decode bench: decoders disagree on the payload');
  }

  const bench = new Bench({ time: opts.time ?? 1500, warmupTime: 300 });
  let sink: unknown;
  bench
    .add('agentcol proto decode', () => {
      sink = decodeTracesProto(proto);
    })
    .add('protobufjs reflection decode', () => {
      sink = type.decode(proto);
    })
    .add('agentcol JSON decode', () => {
      sink = decodeTracesJson(json);
    });
  await bench.run();
  void sink;

  const hz = (name: string) => {
    const t = bench.getTask(name)?.result as { throughput?: { mean: number }; hz?: number } | undefined;
    return t?.throughput?.mean ?? t?.hz ?? 0;
  };
  const oursProtoOps = hz('agentcol proto decode');
  const protobufjsOps = hz('protobufjs reflection decode');
  const oursJsonOps = hz('agentcol JSON decode');
  return {
    spans,
    protoBytes: proto.length,
    jsonBytes: json.length,
    oursProtoOps,
    protobufjsOps,
    oursJsonOps,
    ratioOursVsProtobufjs: oursProtoOps / protobufjsOps,
  };
}

function print(r: OtlpDecodeBenchResult): void {
  const f = (n: number) => n.toFixed(0).padStart(8);
  console.log(`OTLP trace decode, ${r.spans} GenAI spans (${r.protoBytes} B protobuf, ${r.jsonBytes} B JSON)`);
  console.log(`  agentcol proto decode        ${f(r.oursProtoOps)} ops/s`);
  console.log(`  protobufjs reflection decode ${f(r.protobufjsOps)} ops/s`);
  console.log(`  agentcol JSON decode         ${f(r.oursJsonOps)} ops/s`);
  console.log(`  ratio agentcol/protobufjs    ${r.ratioOursVsProtobufjs.toFixed(2)}x`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  print(await runOtlpDecodeBench());
}
