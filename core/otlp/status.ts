// google.rpc.Status (OTLP/HTTP error bodies, gRPC grpc-status-details-bin) and google.rpc.RetryInfo,
// encoded and decoded by hand: three small messages do not justify a reflection round trip.
import { ProtoWriter } from './proto-writer.ts';

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** gRPC status codes used by OTLP. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export interface RpcStatus {
  code: number;
  message: string;
  /** From a RetryInfo detail, when present. */
  retryDelayMs?: number;
}

function retryInfo(ms: number): Uint8Array {
  const w = new ProtoWriter(32);
  w.tag(1, 2); // retry_delay: google.protobuf.Duration
  const at = w.fork();
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (seconds) {
    w.tag(1, 0);
    w.uint32(seconds);
  }
  if (nanos) {
    w.tag(2, 0);
    w.uint32(nanos);
  }
  w.finish(at);
  return w.result();
}

export function encodeStatus(s: RpcStatus): Uint8Array {
  const w = new ProtoWriter(64 + s.message.length * 3);
  if (s.code) {
    w.tag(1, 0);
    w.uint32(s.code);
  }
  if (s.message) {
    w.tag(2, 2);
    w.string(s.message);
  }
  if (s.retryDelayMs !== undefined) {
    w.tag(3, 2); // details: google.protobuf.Any
    const at = w.fork();
    w.tag(1, 2);
    w.string(RETRY_INFO_TYPE_URL);
    w.tag(2, 2);
    w.bytes(retryInfo(s.retryDelayMs));
    w.finish(at);
  }
  return w.result();
}

/** JSON form of a Status, as OTLP/HTTP sends it with application/json. */
export function statusToJson(s: RpcStatus): string {
  const o: Record<string, unknown> = { code: s.code, message: s.message };
  if (s.retryDelayMs !== undefined) {
    o.details = [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: `${(s.retryDelayMs / 1000).toFixed(3).replace(/\.?0+$/, '')}s` }];
  }
  return JSON.stringify(o);
}

// ---- decoding (lenient: a malformed status yields what could be read) ----

class MiniReader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10 && this.pos < this.b.length; i++) {
      const x = this.b[this.pos++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
    throw new Error('bad varint');
  }
  /** Iterates fields: [field, wireType, value (number for varint, bytes for len)]. */
  *fields(): Generator<[number, number, number | Uint8Array]> {
    while (this.pos < this.b.length) {
      const tag = this.varint();
      const wt = tag & 7;
      if (wt === 0) yield [tag >>> 3, wt, this.varint()];
      else if (wt === 2) {
        const n = this.varint();
        const v = this.b.subarray(this.pos, this.pos + n);
        this.pos += n;
        if (this.pos > this.b.length) throw new Error('truncated');
        yield [tag >>> 3, wt, v];
      } else if (wt === 1) this.pos += 8;
      else if (wt === 5) this.pos += 4;
      else throw new Error('bad wire type');
    }
  }
}

export function decodeStatus(bytes: Uint8Array): RpcStatus {
  const out: RpcStatus = { code: 0, message: '' };
  try {
    for (const [f, wt, v] of new MiniReader(bytes).fields()) {
      if (f === 1 && wt === 0) out.code = v as number;
      else if (f === 2 && wt === 2) out.message = Buffer.from(v as Uint8Array).toString('utf8');
      else if (f === 3 && wt === 2) {
        let type = '';
        let value: Uint8Array | undefined;
        for (const [af, awt, av] of new MiniReader(v as Uint8Array).fields()) {
          if (af === 1 && awt === 2) type = Buffer.from(av as Uint8Array).toString('utf8');
          else if (af === 2 && awt === 2) value = av as Uint8Array;
        }
        if (type === RETRY_INFO_TYPE_URL && value) out.retryDelayMs = decodeRetryInfo(value);
      }
    }
  } catch {
    /* keep what was read */
  }
  return out;
}

function decodeRetryInfo(bytes: Uint8Array): number {
  let ms = 0;
  for (const [f, wt, v] of new MiniReader(bytes).fields()) {
    if (f === 1 && wt === 2) {
      for (const [df, dwt, dv] of new MiniReader(v as Uint8Array).fields()) {
        if (df === 1 && dwt === 0) ms += (dv as number) * 1000;
        else if (df === 2 && dwt === 0) ms += (dv as number) / 1e6;
      }
    }
  }
  return ms;
}

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(v: string | undefined | null): number | undefined {
  if (!v) return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}
