// protobufjs reflection types of the OTLP requests (the benchmark baseline; see proto-root.ts).
import type protobuf from 'protobufjs';
import type { Signal } from '../signals/types.ts';
import { otlpProtoRoot, REQUEST_TYPE } from './proto-root.ts';

export function protobufjsRequestType(signal: Signal): protobuf.Type {
  return otlpProtoRoot().lookupType(REQUEST_TYPE[signal]);
}

export function protobufjsTraceRequestType(): protobuf.Type {
  return protobufjsRequestType('traces');
}
