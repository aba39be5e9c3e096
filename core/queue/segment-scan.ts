// Reading a queue directory back at open: every segment's records checked against their CRC, the
// confirmations from its ack file subtracted, torn tails truncated, corrupt records skipped.
import { existsSync, readFileSync, readdirSync, renameSync, truncateSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../telemetry/logger.ts';
import type { Signal } from '../signals/types.ts';
import { ACK_ENTRY_BYTES, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC, findNextRecord, parseAcks, parseRecord, parseSegmentHeader } from './record-format.ts';

export const SEGMENT_RE = /^(\d{16})\.seg$/;
const ACK_RE = /^(\d{16})\.ack$/;

export function segmentFile(dir: string, num: number): string {
  return path.join(dir, `${String(num).padStart(16, '0')}.seg`);
}

export function ackFile(segPath: string): string {
  return segPath.replace(/\.seg$/, '.ack');
}

export interface ScannedRecord {
  seq: number;
  signal: Signal;
  items: number;
  payloadOffset: number;
  payloadLength: number;
  /** Header and payload. */
  bytes: number;
}

export interface ScannedSegment {
  num: number;
  uid: string;
  path: string;
  /** Valid records in the file (corrupt ones not counted). */
  records: number;
  /** Of those, confirmed. */
  acked: number;
  size: number;
  /** Not confirmed yet, in order. */
  pending: ScannedRecord[];
}

export interface ScanResult {
  segments: ScannedSegment[];
  nextSegment: number;
  nextSeq: number;
  corruptRecords: number;
}

/** Scans `dir` (which must exist and be locked by us). Segments with nothing left to export are
 * deleted here. */
export function scanQueueDir(dir: string, logger: Logger): ScanResult {
  const names = readdirSync(dir);
  const nums = names.flatMap((n) => (SEGMENT_RE.test(n) ? [Number(SEGMENT_RE.exec(n)![1])] : [])).sort((a, b) => a - b);
  // An ack file without its segment: the segment was deleted and the crash came before the ack file.
  for (const n of names) {
    const m = ACK_RE.exec(n);
    if (m && !nums.includes(Number(m[1]))) unlinkSync(path.join(dir, n));
  }
  const result: ScanResult = { segments: [], nextSegment: (nums.at(-1) ?? 0) + 1, nextSeq: 1, corruptRecords: 0 };
  for (const num of nums) {
    const seg = scanSegment(dir, num, logger, result);
    if (!seg) continue;
    if (seg.pending.length === 0) {
      unlinkSync(seg.path);
      if (existsSync(ackFile(seg.path))) unlinkSync(ackFile(seg.path));
      continue;
    }
    result.segments.push(seg);
  }
  return result;
}

function scanSegment(dir: string, num: number, logger: Logger, result: ScanResult): ScannedSegment | undefined {
  const file = segmentFile(dir, num);
  const buf = readFileSync(file);
  const uid = parseSegmentHeader(buf);
  if (!uid) {
    if (buf.length < SEGMENT_HEADER_BYTES && SEGMENT_MAGIC.subarray(0, Math.min(buf.length, 8)).equals(buf.subarray(0, Math.min(buf.length, 8)))) {
      // Created, then the crash came before its header was complete: it holds no record.
      logger.warn(`persistent queue: removing ${file}, a segment whose header was cut short by a crash (it held no records)`);
    } else {
      logger.error(`persistent queue: ${file} is not a queue segment (bad header); moved aside to ${file}.corrupt, its records are not replayed`);
      renameSync(file, `${file}.corrupt`);
      result.corruptRecords++;
    }
    const ack = ackFile(file);
    if (existsSync(ack)) unlinkSync(ack);
    if (existsSync(file)) unlinkSync(file);
    return undefined;
  }

  const acks = readAcks(ackFile(file), logger);
  const seg: ScannedSegment = { num, uid, path: file, records: 0, acked: 0, size: buf.length, pending: [] };
  let off = SEGMENT_HEADER_BYTES;
  while (off < buf.length) {
    const r = parseRecord(buf, off);
    if (r.kind === 'record') {
      const rec = r.record;
      seg.records++;
      result.nextSeq = Math.max(result.nextSeq, rec.seq + 1);
      if (acks.has(rec.seq)) seg.acked++;
      else seg.pending.push({ seq: rec.seq, signal: rec.signal, items: rec.items, payloadOffset: rec.payloadOffset, payloadLength: rec.payloadLength, bytes: rec.end - off });
      off = rec.end;
      continue;
    }
    if (r.kind === 'checksum') {
      result.nextSeq = Math.max(result.nextSeq, r.seq + 1);
      if (acks.has(r.seq)) {
        // Already exported: its damage loses nothing.
        off = r.end;
        continue;
      }
      logger.error(`persistent queue: skipping a corrupt record in ${file} at byte ${off} (CRC mismatch, ${r.end - off} bytes): that batch is lost`, { seq: r.seq });
      result.corruptRecords++;
      off = r.end;
      continue;
    }
    const next = findNextRecord(buf, off + 1);
    if (next < 0) {
      logger.warn(`persistent queue: truncating the torn tail of ${file} at byte ${off} (${buf.length - off} bytes of a write a crash cut short; that batch was never acknowledged to the sender)`);
      truncateSync(file, off);
      seg.size = off;
      break;
    }
    logger.error(`persistent queue: skipping ${next - off} unreadable bytes in ${file} at byte ${off} (corrupt record header); the records after it are replayed`);
    result.corruptRecords++;
    off = next;
  }
  return seg;
}

function readAcks(file: string, logger: Logger): Set<number> {
  if (!existsSync(file)) return new Set();
  const buf = readFileSync(file);
  const { seqs, bad, wholeBytes } = parseAcks(buf);
  if (wholeBytes !== buf.length) truncateSync(file, wholeBytes); // a confirmation cut short: its record is replayed
  if (bad > 0) logger.warn(`persistent queue: ${bad} unreadable confirmation(s) in ${file}; their batches are exported again (the stores' writes are idempotent)`);
  return seqs;
}

export { ACK_ENTRY_BYTES };
