// The persistent sending queue's log: append-only segment files of framed records
// (record-format.ts) plus one ack file per segment for the records the exporter confirmed. A
// segment is deleted once it is closed for appends and every record in it is confirmed.
//
// Appends are group-committed: while one write (and, with fsync: always, its fdatasync) is in
// progress, new appends wait and then go out together in one writev and one fdatasync. Confirmations
// are written without fsync: a confirmation lost to a power cut only makes its batch be exported
// again, which the exporters tolerate (ExportOptions.batchId).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { BackpressureError } from '../component.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Signal } from '../signals/types.ts';
import type { FsyncMode } from './config.ts';
import { DirLock } from './dir-lock.ts';
import { MAX_PAYLOAD_BYTES, RECORD_HEADER_BYTES, ackEntry, recordHeader, segmentHeader } from './record-format.ts';
import { ackFile, scanQueueDir, segmentFile } from './segment-scan.ts';

const writev = promisify(fs.writev);
const fdatasync = promisify(fs.fdatasync);
const fsyncP = promisify(fs.fsync);
const read = promisify(fs.read);

export interface FileLogOptions {
  directory: string;
  fsync: FsyncMode;
  fsyncIntervalMs: number;
  segmentBytes: number;
  logger: Logger;
}

class Segment {
  writeFd: number | undefined;
  readFd: number | undefined;
  ackFd: number | undefined;
  deleted = false;
  constructor(
    readonly num: number,
    readonly uid: string,
    readonly path: string,
    public size: number,
    public records: number,
    public acked: number,
  ) {}
}

/** One record in the log, not yet confirmed. */
export interface LogRecord {
  readonly seq: number;
  readonly signal: Signal;
  readonly items: number;
  /** Header and payload, as counted against max_size. */
  readonly bytes: number;
  readonly payloadOffset: number;
  readonly payloadLength: number;
  /** `<segment uid>:<seq>`: the same for this record in every run until it is confirmed. */
  readonly id: string;
  readonly segment: Segment;
}

interface Waiting {
  signal: Signal;
  parts: readonly Uint8Array[];
  length: number;
  items: number;
  resolve: (r: LogRecord) => void;
  reject: (e: unknown) => void;
}

export class FileLog {
  /** Bytes of records not yet confirmed. */
  bytes = 0;
  /** Corrupt records (or unreadable stretches) skipped when the log was opened. */
  readonly corruptAtOpen: number;
  private readonly segments = new Set<Segment>();
  private active: Segment | undefined;
  private nextSegment: number;
  private nextSeq: number;
  private waiting: Waiting[] = [];
  private flushQueued = false;
  private chain: Promise<void> = Promise.resolve();
  private dirty = false;
  private syncing: Promise<void> | undefined;
  /** Segment deletions under way (off the event loop: unlinking a 16 MiB file is not free). */
  private readonly deleting = new Set<Promise<void>>();
  /** fsync: batch — fsyncs of segments closed at rotation, still running. */
  private readonly closingSyncs = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;

  private constructor(
    private readonly opts: FileLogOptions,
    private readonly lock: DirLock,
    replay: LogRecord[],
    scan: ReturnType<typeof scanQueueDir>,
  ) {
    this.nextSegment = scan.nextSegment;
    this.nextSeq = scan.nextSeq;
    this.corruptAtOpen = scan.corruptRecords;
    for (const s of scan.segments) {
      const seg = new Segment(s.num, s.uid, s.path, s.size, s.records, s.acked);
      this.segments.add(seg);
      for (const r of s.pending) {
        replay.push({ ...r, id: `${s.uid}:${r.seq}`, segment: seg });
        this.bytes += r.bytes;
      }
    }
    if (opts.fsync === 'batch') {
      this.timer = setInterval(() => this.backgroundSync(), Math.max(1, opts.fsyncIntervalMs));
      this.timer.unref();
    }
  }

  /** Creates the directory if needed, locks it, and reads back what was not confirmed (in order). */
  static open(opts: FileLogOptions): { log: FileLog; replay: LogRecord[] } {
    fs.mkdirSync(opts.directory, { recursive: true });
    const lock = DirLock.acquire(opts.directory, (m) => opts.logger.warn(`persistent queue: ${m}`));
    try {
      const scan = scanQueueDir(opts.directory, opts.logger);
      const replay: LogRecord[] = [];
      return { log: new FileLog(opts, lock, replay, scan), replay };
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  get directory(): string {
    return this.opts.directory;
  }

  /** Appends one batch (its protobuf parts, concatenated, are the payload). Resolves once written
   * (and fsynced with fsync: always); rejects with BackpressureError when the write failed. */
  append(signal: Signal, parts: readonly Uint8Array[], items: number): Promise<LogRecord> {
    if (this.closing) return Promise.reject(new BackpressureError(`persistent queue ${this.opts.directory} is closed`));
    let length = 0;
    for (const p of parts) length += p.length;
    if (length > MAX_PAYLOAD_BYTES) return Promise.reject(new BackpressureError(`batch of ${length} bytes is larger than the persistent queue's record limit (${MAX_PAYLOAD_BYTES})`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ signal, parts, length, items, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        this.serial(() => this.flush());
      }
    });
  }

  /** The payload of a record (for records replayed from disk or not kept in memory). */
  async read(rec: LogRecord): Promise<Uint8Array> {
    const seg = rec.segment;
    seg.readFd ??= fs.openSync(seg.path, 'r');
    const buf = Buffer.allocUnsafe(rec.payloadLength);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await read(seg.readFd, buf, done, buf.length - done, rec.payloadOffset + done);
      if (bytesRead === 0) throw new Error(`persistent queue: ${seg.path} ends before record ${rec.seq} (was the file changed by something else?)`);
      done += bytesRead;
    }
    return buf;
  }

  /** The exporter confirmed the record: remember it, and delete its segment once all are. */
  ack(rec: LogRecord): void {
    const seg = rec.segment;
    if (this.closed || seg.deleted) return;
    try {
      seg.ackFd ??= fs.openSync(ackFile(seg.path), 'a');
      fs.writeSync(seg.ackFd, ackEntry(rec.seq));
    } catch (err) {
      this.opts.logger.error(`persistent queue: could not record a confirmation in ${ackFile(seg.path)}: ${(err as Error).message}; the batch will be exported again after a restart`);
    }
    seg.acked++;
    this.bytes -= rec.bytes;
    if (seg !== this.active && seg.acked >= seg.records) this.deleteSegment(seg);
  }

  /** Writes what is waiting, fsyncs (unless fsync: never), closes the files, releases the lock. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true; // appends from now on are refused; those already waiting are written
    await this.chain;
    this.closed = true;
    clearInterval(this.timer);
    await this.syncing;
    await Promise.all(this.closingSyncs);
    const active = this.active;
    if (active?.writeFd !== undefined && this.opts.fsync !== 'never') {
      await fdatasync(active.writeFd).catch((err) => this.opts.logger.error(`persistent queue: fsync of ${active.path} at close failed: ${err.message}`));
    }
    this.active = undefined;
    for (const seg of this.segments) {
      if (seg.acked >= seg.records) this.deleteSegment(seg);
      else closeFds(seg);
    }
    await Promise.all(this.deleting);
    this.lock.release();
  }

  private serial(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err) => this.opts.logger.error(`persistent queue: ${(err as Error).message}`));
  }

  /** One group commit: everything waiting, in one write. */
  private async flush(): Promise<void> {
    this.flushQueued = false;
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) return;
    let seg: Segment | undefined;
    let start = 0;
    try {
      seg = this.active;
      if (!seg || (seg.size >= this.opts.segmentBytes && seg.records > 0)) seg = await this.rotate();
      start = seg.size;
      const bufs: Uint8Array[] = [];
      const recs: LogRecord[] = [];
      let off = start;
      for (const w of group) {
        const seq = this.nextSeq++;
        bufs.push(recordHeader(w.signal, w.parts, w.length, w.items, seq));
        for (const p of w.parts) bufs.push(p);
        const bytes = RECORD_HEADER_BYTES + w.length;
        recs.push({ seq, signal: w.signal, items: w.items, bytes, payloadOffset: off + RECORD_HEADER_BYTES, payloadLength: w.length, id: `${seg.uid}:${seq}`, segment: seg });
        off += bytes;
      }
      await writeAll(seg.writeFd!, bufs, start, off - start);
      if (this.opts.fsync === 'always') await fdatasync(seg.writeFd!);
      else this.dirty = true;
      seg.size = off;
      seg.records += recs.length;
      this.bytes += off - start;
      for (let i = 0; i < group.length; i++) group[i].resolve(recs[i]);
    } catch (err) {
      // Leave the file as it was, so the next append does not follow half a record.
      if (seg?.writeFd !== undefined) {
        try {
          fs.ftruncateSync(seg.writeFd, start);
        } catch {
          // The scan at the next open truncates it as a torn tail.
        }
      }
      const e = new BackpressureError(`persistent queue ${this.opts.directory} could not write: ${(err as Error).message}`);
      for (const w of group) w.reject(e);
    }
  }

  /** Closes the active segment (fsynced unless fsync: never) and starts a new one. */
  private async rotate(): Promise<Segment> {
    const old = this.active;
    if (old) {
      const fd = old.writeFd!;
      old.writeFd = undefined;
      this.active = undefined;
      if (this.opts.fsync === 'batch') {
        // Off the append path: new appends go to the new segment meanwhile. (With always every
        // record is fsynced already; with never the OS decides.)
        const sync: Promise<void> = (async () => {
          await this.syncing;
          await fdatasync(fd);
        })()
          .catch((err) => this.opts.logger.error(`persistent queue: fsync of ${old.path} at rotation failed: ${(err as Error).message}`))
          .finally(() => {
            fs.closeSync(fd);
            this.closingSyncs.delete(sync);
          });
        this.closingSyncs.add(sync);
      } else {
        fs.closeSync(fd);
      }
      this.dirty = false;
      if (old.acked >= old.records) this.deleteSegment(old);
    }
    const num = this.nextSegment++;
    const seg = new Segment(num, randomBytes(8).toString('hex'), segmentFile(this.opts.directory, num), 0, 0, 0);
    seg.writeFd = fs.openSync(seg.path, 'wx');
    const header = segmentHeader(Buffer.from(seg.uid, 'hex'));
    fs.writeSync(seg.writeFd, header, 0, header.length, 0);
    seg.size = header.length;
    if (this.opts.fsync !== 'never') {
      // The new file's directory entry must survive a power cut too.
      await fdatasync(seg.writeFd);
      await syncDirectory(this.opts.directory);
    }
    this.segments.add(seg);
    this.active = seg;
    return seg;
  }

  /** fsync: batch — at most every fsync_interval, off the append path. */
  private backgroundSync(): void {
    const seg = this.active;
    if (!this.dirty || this.syncing || seg?.writeFd === undefined) return;
    this.dirty = false;
    this.syncing = fdatasync(seg.writeFd)
      .catch((err) => this.opts.logger.error(`persistent queue: background fsync of ${seg.path} failed: ${err.message}`))
      .finally(() => (this.syncing = undefined));
  }

  private deleteSegment(seg: Segment): void {
    if (seg.deleted) return;
    seg.deleted = true;
    closeFds(seg);
    this.segments.delete(seg);
    // A crash before the unlink is harmless: at the next start a fully confirmed segment is deleted.
    const done: Promise<void> = fs.promises
      .unlink(seg.path)
      .then(() => fs.promises.rm(ackFile(seg.path), { force: true }))
      .catch((err) => this.opts.logger.warn(`persistent queue: could not delete the confirmed segment ${seg.path}: ${(err as Error).message}`))
      .finally(() => this.deleting.delete(done));
    this.deleting.add(done);
  }
}

function closeFds(seg: Segment): void {
  for (const k of ['writeFd', 'readFd', 'ackFd'] as const) {
    const fd = seg[k];
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed.
      }
      seg[k] = undefined;
    }
  }
}

/** writev until every byte is written (a regular file may take fewer bytes at once). */
async function writeAll(fd: number, bufs: Uint8Array[], position: number, total: number): Promise<void> {
  let written = 0;
  let rest = bufs;
  while (written < total) {
    const { bytesWritten: n } = (await writev(fd, rest.slice(0, 1024), position + written)) as unknown as { bytesWritten: number };
    if (n <= 0) throw new Error('write made no progress');
    written += n;
    let skip = n;
    let i = 0;
    while (i < rest.length && skip >= rest[i].length) skip -= rest[i++].length;
    rest = rest.slice(i);
    if (skip > 0) rest[0] = rest[0].subarray(skip);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncP(fd);
  } finally {
    fs.closeSync(fd);
  }
}
