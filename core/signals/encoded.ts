// Batches that still hold the OTLP protobuf they arrived in.
//
// Why: a decoded batch is thousands of small objects. Held in the batch processor and the sending
// queues, they get promoted to V8's old space and every major GC walks them; in the end-to-end bench
// garbage collection was the largest single cost. A batch that nothing has looked inside can stay
// as its request bytes until an exporter ships them, as they are, to a store's worker thread.
//
// How: the batch's one field (resourceSpans / resourceLogs / resourceMetrics) is an own, enumerable
// accessor. The first read decodes the bytes and forgets them (the reader may mutate what it got),
// so every component that reads batches keeps working unchanged; JSON.stringify, structuredClone
// and spreading read it too. Components on the hot path ask heldEncoding() first and skip the decode.
//
// Concatenated ExportXServiceRequest messages are one valid message (protobuf appends repeated
// fields), so merging held batches is appending their byte parts.
//
// Held bytes are never written once received. The receivers put them in shared memory
// (sharedBytes): posting a batch to each store's worker then shares those bytes instead of
// serializing a copy per worker (and a second copy as each worker deserializes it).
import type { BatchBySignal, Signal } from './types.ts';

/** Decodes the parts of a held batch into one batch (see core/otlp/proto-batch.ts). */
export type PartsDecoder<S extends Signal> = (parts: Uint8Array[]) => BatchBySignal[S];

export interface HeldEncoding {
  /** OTLP protobuf ExportXServiceRequest messages, in order; together they are the batch. */
  readonly parts: readonly Uint8Array[];
  /** Spans, log records or metric data points in the parts. */
  readonly items: number;
}

export const BATCH_FIELD = { traces: 'resourceSpans', logs: 'resourceLogs', metrics: 'resourceMetrics' } as const;

const HELD = Symbol('agentcol.heldEncoding');

/** `size` bytes of shared memory (a SharedArrayBuffer) as a Buffer, for a body to be held. */
export function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** The bytes in shared memory: as they are if they already are, else a copy. */
export function sharedBytes(bytes: Uint8Array): Buffer {
  if (bytes.buffer instanceof SharedArrayBuffer) return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = sharedBuffer(bytes.byteLength);
  out.set(bytes);
  return out;
}

/** A batch backed by OTLP protobuf parts, decoded on first read of its field. */
export function encodedBatch<S extends Signal>(signal: S, parts: Uint8Array[], items: number, decode: PartsDecoder<S>): BatchBySignal[S] {
  const field = BATCH_FIELD[signal];
  let held: Held<S> | undefined = { parts, items, decode };
  let value: unknown;
  const batch = {};
  Object.defineProperty(batch, HELD, { get: () => held });
  Object.defineProperty(batch, field, {
    enumerable: true,
    configurable: true,
    get() {
      if (held) {
        value = (held.decode(held.parts as Uint8Array[]) as unknown as Record<string, unknown>)[field];
        held = undefined;
      }
      return value;
    },
    set(v: unknown) {
      held = undefined;
      value = v;
    },
  });
  return batch as BatchBySignal[S];
}

type Held<S extends Signal> = HeldEncoding & { decode: PartsDecoder<S> };

/** The protobuf parts and item count of a batch nothing has read yet; undefined otherwise. */
export function heldEncoding(batch: unknown): HeldEncoding | undefined {
  return (batch as { [HELD]?: HeldEncoding })[HELD];
}

/** The batches, in order, as one held batch, if every one of them is still held. */
export function mergeHeld<S extends Signal>(signal: S, batches: readonly BatchBySignal[S][]): BatchBySignal[S] | undefined {
  const parts: Uint8Array[] = [];
  let items = 0;
  let decode: PartsDecoder<S> | undefined;
  for (const b of batches) {
    const held = (b as { [HELD]?: Held<S> })[HELD];
    if (!held) return undefined;
    for (const p of held.parts) parts.push(p);
    items += held.items;
    decode ??= held.decode;
  }
  return decode ? encodedBatch(signal, parts, items, decode) : undefined;
}
