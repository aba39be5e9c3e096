// OTLP/HTTP server (node:http): POST protobuf or JSON to /v1/{traces,logs,metrics}, optionally
// gzip/deflate-compressed. Errors answer a google.rpc.Status in the request's encoding, as the
// OTLP/HTTP spec asks; success answers an empty Export*ServiceResponse.
import http from 'node:http';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { Signal } from '../../core/component.ts';
import type { Logger } from '../../core/telemetry/logger.ts';
import { HttpServer, type BoundAddress } from '../../core/http-server.ts';
import { protoRequestBatch } from '../../core/otlp/proto-batch.ts';
import { sharedBuffer, sharedBytes } from '../../core/signals/encoded.ts';
import { decodeJson } from '../../core/otlp/decode-json.ts';
import { encodeStatus, GrpcCode, statusToJson, type RpcStatus } from '../../core/otlp/status.ts';
import type { HttpProtocolConfig } from './config.ts';
import { type Outcome, type PipelineGate } from './consume.ts';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

type Encoding = 'proto' | 'json';

const CONTENT_TYPE: Record<Encoding, string> = { proto: 'application/x-protobuf', json: 'application/json' };

/** How long shutdown waits for in-flight requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;
/** After a 413 the rest of an oversized body is read and dropped up to this much, then the
 * connection is closed (so the client sees the answer rather than a reset). */
const DRAIN_LIMIT = 64 * 1024 * 1024;
/** Bodies that declare at most this many bytes are read into a buffer of that size when their first
 * bytes arrive; larger ones are gathered as they come. */
const PREALLOCATE_LIMIT = 8 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly grpcCode: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class OtlpHttpServer {
  private readonly http: HttpServer;
  private readonly paths: Map<string, Signal>;

  constructor(
    private readonly cfg: HttpProtocolConfig,
    private readonly gate: PipelineGate,
    private readonly logger: Logger,
  ) {
    this.paths = new Map([
      [cfg.traces_url_path, 'traces'],
      [cfg.logs_url_path, 'logs'],
      [cfg.metrics_url_path, 'metrics'],
    ]);
    this.http = new HttpServer((req, res) => this.handle(req, res), {
      onError: (err) => this.logger.error('otlp receiver: http server error', { error: err }),
    });
  }

  async start(): Promise<void> {
    await this.http.listen(this.cfg.endpoint, 'otlp receiver', 'protocols.http.endpoint');
  }

  /** The bound address (port resolved when the endpoint asked for port 0). */
  address(): BoundAddress | undefined {
    return this.http.address() ?? undefined;
  }

  async shutdown(): Promise<void> {
    await this.http.close(SHUTDOWN_GRACE_MS);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let encoding: Encoding = 'json';
    try {
      const path = (req.url ?? '/').split('?')[0];
      const signal = this.paths.get(path);
      const cors = this.corsHeaders(req);
      for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
      if (!signal) {
        encoding = requestEncoding(req) ?? 'json';
        const known = [...this.paths.keys()].join(', ');
        throw new HttpError(404, `unknown path ${path}: OTLP/HTTP accepts POST on ${known}`, GrpcCode.NOT_FOUND);
      }
      if (req.method === 'OPTIONS' && this.cfg.cors) {
        res.writeHead(Object.keys(cors).length ? 204 : 403).end();
        return;
      }
      if (req.method !== 'POST') {
        encoding = requestEncoding(req) ?? 'json';
        throw new HttpError(405, `method ${req.method} not allowed on ${path}: OTLP/HTTP takes POST`, GrpcCode.UNIMPLEMENTED, { Allow: 'POST' });
      }
      const enc = requestEncoding(req);
      if (!enc) {
        throw new HttpError(
          415,
          `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}: send application/x-protobuf or application/json`,
          GrpcCode.INVALID_ARGUMENT,
        );
      }
      encoding = enc;
      if (!this.gate.hasConsumer(signal)) throw new HttpError(404, this.gate.noPipelineMessage(signal), GrpcCode.UNIMPLEMENTED);
      const body = await this.readBody(req);
      let batch;
      try {
        batch = encoding === 'proto' ? protoRequestBatch(signal, sharedBytes(body)) : decodeJson[signal](body);
      } catch (err) {
        throw new HttpError(400, (err as Error).message, GrpcCode.INVALID_ARGUMENT);
      }
      const outcome = await this.gate.consume(signal, batch, 'http');
      if (outcome.kind !== 'ok') throw outcomeError(outcome);
      const ok = encoding === 'proto' ? Buffer.alloc(0) : Buffer.from('{}');
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE[encoding], 'Content-Length': ok.length }).end(ok);
    } catch (err) {
      this.answerError(req, res, err, encoding);
    }
  }

  private answerError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown, encoding: Encoding): void {
    const e = err instanceof HttpError ? err : new HttpError(500, `internal error: ${(err as Error)?.message ?? err}`, GrpcCode.INTERNAL);
    if (!(err instanceof HttpError)) this.logger.error('otlp receiver: http handler failed', { error: err });
    if (res.headersSent || res.destroyed) return;
    const status: RpcStatus = { code: e.grpcCode, message: e.message };
    const body = encoding === 'proto' ? Buffer.from(encodeStatus(status)) : Buffer.from(statusToJson(status));
    res.writeHead(e.status, { 'Content-Type': CONTENT_TYPE[encoding], 'Content-Length': body.length, ...e.headers });
    res.end(body);
    if (!req.complete) drain(req);
  }

  /** The body, decompressed, with max_request_body_size applied before and after inflating. */
  private async readBody(req: http.IncomingMessage): Promise<Buffer> {
    const limit = this.cfg.max_request_body_size;
    const tooLarge = (what: string) =>
      new HttpError(
        413,
        `request body ${what} exceeds max_request_body_size (${limit} bytes): raise protocols.http.max_request_body_size or send smaller batches`,
        GrpcCode.RESOURCE_EXHAUSTED,
      );
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(`of ${declared} bytes`);
    const coding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (!['identity', 'none', '', 'gzip', 'x-gzip', 'deflate'].includes(coding)) {
      throw new HttpError(415, `unsupported Content-Encoding ${JSON.stringify(coding)}: send gzip, deflate or no encoding`, GrpcCode.INVALID_ARGUMENT);
    }
    const compressed = coding === 'gzip' || coding === 'x-gzip' || coding === 'deflate';
    // An uncompressed body with a declared length is read straight into shared memory, the one
    // copy it gets before the stores' workers read it (core/signals/encoded.ts: sharedBytes);
    // allocated once its first bytes arrive, and only up to PREALLOCATE_LIMIT, so a client cannot
    // make us hold more than it sends.
    const preallocate = !compressed && declared > 0 && declared <= PREALLOCATE_LIMIT;
    let into: Buffer | undefined;
    // Events rather than `for await`, which would destroy the socket when we stop early and so
    // lose the 413 answer.
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        if (size === 0 && preallocate) into = sharedBuffer(declared);
        size += chunk.length;
        if (size > limit) {
          cleanup();
          reject(tooLarge(`of more than ${limit} bytes`));
        } else if (into && size <= into.length) chunk.copy(into, size - chunk.length);
        else {
          // More than declared (node's parser does not let that happen): gather instead.
          if (into) chunks.push(into.subarray(0, size - chunk.length));
          into = undefined;
          chunks.push(chunk);
        }
      };
      const onEnd = () => {
        cleanup();
        if (into) resolve(size === into.length ? into : into.subarray(0, size));
        else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      };
      const onClose = () => {
        cleanup();
        reject(new HttpError(400, 'request body incomplete: the client closed the connection', GrpcCode.CANCELLED));
      };
      const cleanup = () => {
        req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      };
      req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
    });
    if (compressed) {
      try {
        if (coding === 'deflate') {
          // "deflate" is zlib-wrapped per RFC 9110, but some senders use raw deflate.
          return await inflate(raw, { maxOutputLength: limit }).catch((err: NodeJS.ErrnoException) =>
            err.code === 'ERR_BUFFER_TOO_LARGE' ? Promise.reject(err) : inflateRaw(raw, { maxOutputLength: limit }),
          );
        }
        return await gunzip(raw, { maxOutputLength: limit });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger/.test((err as Error).message)) throw tooLarge('after decompression');
        throw new HttpError(400, `could not decompress the ${coding} body: ${(err as Error).message}`, GrpcCode.INVALID_ARGUMENT);
      }
    }
    return raw;
  }

  private corsHeaders(req: http.IncomingMessage): Record<string, string> {
    const cors = this.cfg.cors;
    const origin = req.headers.origin;
    if (!cors || !origin) return {};
    const allowed = cors.allowed_origins.includes('*') || cors.allowed_origins.includes(origin);
    if (!allowed) return {};
    const h: Record<string, string> = {
      'Access-Control-Allow-Origin': cors.allowed_origins.includes('*') ? '*' : origin,
      Vary: 'Origin',
    };
    if (req.method === 'OPTIONS') {
      h['Access-Control-Allow-Methods'] = 'POST';
      h['Access-Control-Allow-Headers'] = ['Content-Type', 'Content-Encoding', ...cors.allowed_headers].join(', ');
      if (cors.max_age) h['Access-Control-Max-Age'] = String(cors.max_age);
    }
    return h;
  }
}

function requestEncoding(req: http.IncomingMessage): Encoding | undefined {
  const ct = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/x-protobuf' || ct === 'application/protobuf') return 'proto';
  if (ct === 'application/json') return 'json';
  return undefined;
}

function outcomeError(o: Exclude<Outcome, { kind: 'ok' }>): HttpError {
  const retryAfter = (ms: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) });
  switch (o.kind) {
    case 'no_pipeline':
      return new HttpError(404, o.message, GrpcCode.UNIMPLEMENTED);
    case 'backpressure':
      return new HttpError(429, `pipeline is full, retry later: ${o.message}`, GrpcCode.RESOURCE_EXHAUSTED, retryAfter(o.retryAfterMs));
    case 'retryable':
      return new HttpError(503, `pipeline could not take the data now, retry later: ${o.message}`, GrpcCode.UNAVAILABLE, retryAfter(o.retryAfterMs));
    case 'permanent':
      return new HttpError(400, `data rejected: ${o.message}`, GrpcCode.INVALID_ARGUMENT);
  }
}

/** Reads and drops the rest of a request we already answered, up to DRAIN_LIMIT. */
function drain(req: http.IncomingMessage): void {
  let dropped = 0;
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > DRAIN_LIMIT) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
