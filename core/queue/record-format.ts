// The on-disk format of the persistent sending queue (see core/queue/README.md).
//
// Segment file `<number>.seg`: a 24-byte header — magic "AGCQSEG" + format version (8 bytes), then
// a random 8-byte segment uid and 8 reserved bytes — followed by records:
//
//   offset  size  field
//        0     4  magic "AGQR"
//        4     1  version (1)
//        5     1  signal (0 traces, 1 logs, 2 metrics)
//        6     2  reserved (0)
//        8     4  payload length in bytes
//       12     4  items (spans, log records, metric points) in the payload
//       16     8  sequence number (unsigned, little-endian)
//       24     4  CRC32 of bytes 4..24 and the payload
//       28     …  payload: OTLP protobuf Export<Signal>ServiceRequest
//
// Ack file `<number>.ack`: 12-byte entries, the sequence number of a record the exporter confirmed
// and a CRC32 of those 8 bytes (so a zero-filled or torn entry is never taken as a confirmation).
// All integers little-endian.
import { crc32 } from './crc32.ts';
import type { Signal } from '../signals/types.ts';

export const SEGMENT_MAGIC = Buffer.from('AGCQSEG\x01', 'latin1');
export const SEGMENT_HEADER_BYTES = 24;
export const RECORD_MAGIC = 0x52514741; // "AGQR" read as a little-endian u32
export const RECORD_VERSION = 1;
export const RECORD_HEADER_BYTES = 28;
export const ACK_ENTRY_BYTES = 12;
/** Larger than any batch we write (the OTLP receivers cap requests far lower): a bigger length
 * field is corruption, not a record. */
export const MAX_PAYLOAD_BYTES = 1 << 30;

const SIGNAL_CODES: Signal[] = ['traces', 'logs', 'metrics'];

export function segmentHeader(uid: Buffer): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(b, 0);
  uid.copy(b, 8, 0, 8);
  return b;
}

/** The segment uid (hex), or undefined when the header is not ours. */
export function parseSegmentHeader(b: Buffer): string | undefined {
  if (b.length < SEGMENT_HEADER_BYTES || !b.subarray(0, 8).equals(SEGMENT_MAGIC)) return undefined;
  return b.toString('hex', 8, 16);
}

/** The header of one record; the payload follows it unchanged. */
export function recordHeader(signal: Signal, payloadParts: readonly Uint8Array[], payloadLength: number, items: number, seq: number): Buffer {
  const h = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  h.writeUInt32LE(RECORD_MAGIC, 0);
  h.writeUInt8(RECORD_VERSION, 4);
  h.writeUInt8(SIGNAL_CODES.indexOf(signal), 5);
  h.writeUInt16LE(0, 6);
  h.writeUInt32LE(payloadLength, 8);
  h.writeUInt32LE(items, 12);
  h.writeBigUInt64LE(BigInt(seq), 16);
  let crc = crc32(h.subarray(4, 24));
  for (const p of payloadParts) crc = crc32(p, crc);
  h.writeUInt32LE(crc, 24);
  return h;
}

export interface ParsedRecord {
  signal: Signal;
  items: number;
  seq: number;
  payloadOffset: number;
  payloadLength: number;
  /** Offset just past the record. */
  end: number;
}

export type ParseResult =
  | { kind: 'record'; record: ParsedRecord }
  /** Fewer bytes left than the record needs: a write cut short, or garbage at the tail. */
  | { kind: 'short' }
  /** A complete record whose checksum does not match: skip it (its length is in `end`). */
  | { kind: 'checksum'; end: number; seq: number }
  /** Not a record header at all. */
  | { kind: 'garbage' };

export function parseRecord(b: Buffer, off: number): ParseResult {
  if (b.length - off < RECORD_HEADER_BYTES) return b.length - off >= 4 && b.readUInt32LE(off) !== RECORD_MAGIC ? { kind: 'garbage' } : { kind: 'short' };
  if (b.readUInt32LE(off) !== RECORD_MAGIC || b[off + 4] !== RECORD_VERSION || b[off + 5] >= SIGNAL_CODES.length) return { kind: 'garbage' };
  const payloadLength = b.readUInt32LE(off + 8);
  if (payloadLength > MAX_PAYLOAD_BYTES) return { kind: 'garbage' };
  const end = off + RECORD_HEADER_BYTES + payloadLength;
  if (end > b.length) return { kind: 'short' };
  const seq = Number(b.readBigUInt64LE(off + 16));
  const crc = crc32(b.subarray(off + RECORD_HEADER_BYTES, end), crc32(b.subarray(off + 4, off + 24)));
  if (crc !== b.readUInt32LE(off + 24)) return { kind: 'checksum', end, seq };
  return { kind: 'record', record: { signal: SIGNAL_CODES[b[off + 5]], items: b.readUInt32LE(off + 12), seq, payloadOffset: off + RECORD_HEADER_BYTES, payloadLength, end } };
}

/** The next offset after `from` where a whole, valid record starts; -1 when there is none. */
export function findNextRecord(b: Buffer, from: number): number {
  const magic = Buffer.allocUnsafe(4);
  magic.writeUInt32LE(RECORD_MAGIC, 0);
  for (let i = b.indexOf(magic, from); i >= 0; i = b.indexOf(magic, i + 1)) {
    if (parseRecord(b, i).kind === 'record') return i;
  }
  return -1;
}

export function ackEntry(seq: number): Buffer {
  const b = Buffer.allocUnsafe(ACK_ENTRY_BYTES);
  b.writeBigUInt64LE(BigInt(seq), 0);
  b.writeUInt32LE(crc32(b.subarray(0, 8)), 8);
  return b;
}

/** The confirmed sequence numbers in an ack file; entries that fail their checksum are ignored. */
export function parseAcks(b: Buffer): { seqs: Set<number>; bad: number; wholeBytes: number } {
  const seqs = new Set<number>();
  let bad = 0;
  const whole = b.length - (b.length % ACK_ENTRY_BYTES);
  for (let off = 0; off < whole; off += ACK_ENTRY_BYTES) {
    if (crc32(b.subarray(off, off + 8)) === b.readUInt32LE(off + 8)) seqs.add(Number(b.readBigUInt64LE(off)));
    else bad++;
  }
  return { seqs, bad, wholeBytes: whole };
}
