// OTLP protobuf requests as held batches (core/signals/encoded.ts): what the receivers hand to the
// pipeline, and what exporters whose store runs in a worker thread ship there.
import { BATCH_FIELD, encodedBatch, heldEncoding } from '../signals/encoded.ts';
import type { Batch, BatchBySignal, Signal } from '../signals/types.ts';
import { checkRequestProto } from './check-proto.ts';
import { decodeProto } from './decode-proto.ts';
import { encodeProto } from './encode-proto.ts';

/** Decodes each part and concatenates their resource entries: the batch the parts make together. */
export function decodeProtoParts<S extends Signal>(signal: S, parts: readonly Uint8Array[]): BatchBySignal[S] {
  const decode = decodeProto[signal] as (b: Uint8Array) => BatchBySignal[S];
  if (parts.length === 1) return decode(parts[0]);
  const field = BATCH_FIELD[signal];
  const all: unknown[] = [];
  for (const p of parts) for (const r of (decode(p) as unknown as Record<string, unknown[]>)[field]) all.push(r);
  return { [field]: all } as unknown as BatchBySignal[S];
}

/**
 * A request body as a batch: walked once here without decoding (check-proto.ts), so malformed input
 * throws what the decoder would (the receiver answers 400 / INVALID_ARGUMENT with that message) and
 * the items are counted, then held as bytes for whoever decodes it.
 */
export function protoRequestBatch<S extends Signal>(signal: S, body: Uint8Array): BatchBySignal[S] {
  return heldBatch(signal, [body], checkRequestProto[signal](body));
}

/** A held batch of protobuf parts with `items` items in all. */
export function heldBatch<S extends Signal>(signal: S, parts: Uint8Array[], items: number): BatchBySignal[S] {
  return encodedBatch(signal, parts, items, (p) => decodeProtoParts(signal, p));
}

/** The batch as protobuf parts: the bytes it still holds, or encoded now. */
export function protoParts(signal: Signal, batch: Batch): readonly Uint8Array[] {
  const held = heldEncoding(batch);
  if (held) return held.parts;
  return [(encodeProto[signal] as (b: Batch) => Uint8Array)(batch)];
}
