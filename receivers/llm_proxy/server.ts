// The HTTP side of the proxy (node:http): endpoints, authentication, request bodies.
//   POST /v1/chat/completions   OpenAI dialect (streaming and not)
//   POST /v1/embeddings         OpenAI dialect
//   POST /v1/messages           Anthropic dialect (streaming and not)
//   GET  /v1/models             the route aliases this agent may use
// Paths are also accepted without the /v1 prefix (SDKs configured with a bare base URL).
import http from 'node:http';
import type { Logger } from '../../core/telemetry/logger.ts';
import { HttpServer, type BoundAddress } from '../../core/http-server.ts';
import type { AgentDirectory } from './auth.ts';
import { ProxyError, badRequest, type Dialect } from './errors.ts';
import type { Proxy } from './proxy.ts';
import type { Router } from './router.ts';

const SHUTDOWN_GRACE_MS = 10_000;
const DRAIN_LIMIT = 8 * 1024 * 1024;

type Endpoint = { dialect: Dialect; operation: 'chat' | 'embeddings' | 'models'; method: 'GET' | 'POST' };
const ENDPOINTS: Record<string, Endpoint> = {
  '/v1/chat/completions': { dialect: 'openai', operation: 'chat', method: 'POST' },
  '/v1/embeddings': { dialect: 'openai', operation: 'embeddings', method: 'POST' },
  '/v1/messages': { dialect: 'anthropic', operation: 'chat', method: 'POST' },
  '/v1/models': { dialect: 'openai', operation: 'models', method: 'GET' },
};

export class ProxyServer {
  private readonly http: HttpServer;

  constructor(
    private readonly endpoint: string,
    private readonly maxBody: number,
    private readonly agents: AgentDirectory,
    private readonly router: Router,
    private readonly proxy: Proxy,
    private readonly logger: Logger,
  ) {
    // Agents' SDKs keep connections open between calls; 65 s outlives common client idle timeouts.
    this.http = new HttpServer((req, res) => this.handle(req, res), {
      keepAliveTimeoutMs: 65_000,
      onError: (err) => this.logger.error('llm_proxy: http server error', { error: err }),
    });
  }

  async start(): Promise<void> {
    await this.http.listen(this.endpoint, 'llm_proxy receiver', 'endpoint');
  }

  address(): BoundAddress | undefined {
    return this.http.address() ?? undefined;
  }

  /** Stops accepting; in-flight calls (streams included) get SHUTDOWN_GRACE_MS to finish. */
  async shutdown(): Promise<void> {
    await this.http.close(SHUTDOWN_GRACE_MS);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const q = req.url?.indexOf('?') ?? -1;
    let path = q >= 0 ? req.url!.slice(0, q) : (req.url ?? '/');
    if (!path.startsWith('/v1/')) path = '/v1' + path;
    if (path.length > 4 && path.endsWith('/')) path = path.slice(0, -1);
    const ep = ENDPOINTS[path];
    const dialect: Dialect = ep?.dialect ?? (path.startsWith('/v1/messages') ? 'anthropic' : 'openai');
    try {
      if (!ep) throw new ProxyError(404, 'not_found_error', 'unknown_endpoint', `unknown endpoint ${req.method} ${path}: agentcol serves POST /v1/chat/completions, POST /v1/embeddings, POST /v1/messages and GET /v1/models`);
      if (req.method !== ep.method) throw new ProxyError(405, 'invalid_request_error', 'method_not_allowed', `${req.method} is not allowed on ${path}: use ${ep.method}`, { Allow: ep.method });
      const agent = this.agents.authenticate(req.headers, req.socket.remoteAddress);
      if (ep.operation === 'models') return this.models(req, res, agent);
      const raw = await this.readBody(req);
      await this.proxy.handleCall(req, res, dialect, ep.operation, path, raw, agent);
    } catch (err) {
      this.proxy.answerError(res, dialect, err);
      if (!req.complete) drain(req);
    }
  }

  private models(req: http.IncomingMessage, res: http.ServerResponse, agent: Parameters<Router['aliasesFor']>[0]): void {
    const ids = this.router.aliasesFor(agent);
    // The Anthropic SDK's models.list sends anthropic-version; answer it in its shape.
    const body = req.headers['anthropic-version']
      ? JSON.stringify({
          data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' })),
          has_more: false,
          first_id: ids[0] ?? null,
          last_id: ids[ids.length - 1] ?? null,
        })
      : JSON.stringify({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'agentcol' })) });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    const limit = this.maxBody;
    const tooLarge = () => new ProxyError(413, 'invalid_request_error', 'request_too_large', `request body larger than max_request_body_size (${limit} bytes)`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          cleanup();
          reject(tooLarge());
        } else chunks.push(c);
      };
      const onEnd = () => {
        cleanup();
        if (size === 0) return reject(badRequest('empty request body: send a JSON object', 'invalid_json'));
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      };
      const onClose = () => {
        cleanup();
        reject(badRequest('request body incomplete: the client closed the connection'));
      };
      const cleanup = () => void req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
    });
  }
}

function drain(req: http.IncomingMessage): void {
  let dropped = 0;
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > DRAIN_LIMIT) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
