// One call through the proxy: authenticate, parse, limit, guard, cache, route and forward (with
// failover), answer in the client's dialect, then meter and capture off the response path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GuardRequest } from '../../core/guard.ts';
import type { Logger } from '../../core/telemetry/logger.ts';
import type { AgentConfig, LlmProxyConfig, Tier } from './config.ts';
import { AgentDirectory } from './auth.ts';
import { CircuitBreakers } from './breaker.ts';
import { ResponseCache, type CachedResponse } from './cache.ts';
import { CaptureBuffer, traceContext, type Exchange } from './capture.ts';
import { ProxyError, badRequest, errorBody, type Dialect } from './errors.ts';
import { extractRequest, extractResponse, promptTexts, type ExtractedMessages } from './guard-messages.ts';
import { Guardrails } from './guardrails.ts';
import { RateLimiter } from './limits.ts';
import { ProxyMetrics } from './metrics.ts';
import { Router, type ResolvedTarget, type RoutePlan } from './router.ts';
import { relayStream, replayStream, type EventTranslator } from './stream-relay.ts';
import { ProviderClient, UpstreamFailure, readAll, retryAfterMs, type Cancellable, type UpstreamResponse } from './upstream.ts';
import type { ProviderKeys } from './credentials.ts';
import { estimateComplexity } from './dialects/complexity.ts';
import { costUsd } from './dialects/pricing.ts';
import { formatSse, type SseEvent } from './dialects/sse.ts';
import { anthropicRequestFromOpenAI, openAIRequestFromAnthropic, TranslationError } from './dialects/translate-request.ts';
import { AnthropicToOpenAIStream, OpenAIToAnthropicStream, anthropicResponseFromOpenAI, openAIResponseFromAnthropic } from './dialects/translate-response.ts';
import { estimateUsage, usageFromAnthropic, usageFromOpenAI, type Usage } from './dialects/usage.ts';
import { spliceTopLevelString } from './json-splice.ts';

type Obj = Record<string, any>;
type Operation = 'chat' | 'embeddings';

export interface ProxyDeps {
  cfg: LlmProxyConfig;
  receiverId: string;
  agents: AgentDirectory;
  router: Router;
  breakers: CircuitBreakers;
  keys: ProviderKeys;
  clients: Map<string, ProviderClient>;
  limiter: RateLimiter;
  cache?: ResponseCache;
  guards: Guardrails;
  capture: CaptureBuffer;
  metrics: ProxyMetrics;
  logger: Logger;
}

/** Per-call state, filled as the call goes. */
interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  dialect: Dialect;
  operation: Operation;
  endpoint: string;
  agent: AgentConfig;
  body: Obj;
  /** The request as received, reused as-is when nothing needs to change. */
  raw: Buffer;
  rewritten: boolean;
  stream: boolean;
  clientWantsUsage: boolean;
  x: Exchange;
  extracted?: ExtractedMessages;
  estimate: number;
  /** Admitted by the rate limiter (so its estimate is settled afterwards). */
  admitted: boolean;
  /** The agent closed the connection before the answer was complete. */
  gone: boolean;
  /** The upstream request in flight, destroyed when the agent goes away. */
  upstream?: Cancellable;
}

const MAX_CAPTURED_TEXT = 1 << 20;

function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** Upstream statuses that move routing to the next target. 401/403 mean agentcol's provider key
 * is wrong, which the agent cannot fix: also the next target (and a 502 if none is left). */
function failoverStatus(s: number): boolean {
  return s === 408 || s === 429 || s >= 500 || s === 401 || s === 403;
}

export class Proxy {
  constructor(private readonly d: ProxyDeps) {}

  /** Entry point for POST /v1/chat/completions, /v1/messages, /v1/embeddings. */
  async handleCall(req: IncomingMessage, res: ServerResponse, dialect: Dialect, operation: Operation, endpoint: string, raw: Buffer, agent: AgentConfig): Promise<void> {
    const { traceId, parentSpanId } = traceContext(req.headers.traceparent);
    const x: Exchange = {
      startNs: nowNs(),
      endNs: 0n,
      traceId,
      parentSpanId,
      operation,
      endpoint,
      agentId: agent.id,
      customer: agent.customer,
      requestedModel: '',
      route: '',
      strategy: '',
      provider: '',
      providerKind: '',
      targetModel: '',
      responseModel: '',
      stream: false,
      status: 0,
      attempts: 0,
      cacheHit: false,
      usage: null,
      costUsd: null,
      verdicts: [],
      requestBody: '',
      responseBody: '',
    };
    let call: Call | undefined;
    let text: string | undefined;
    let guardReq: GuardRequest | undefined;
    let responseForGuard: Obj | undefined;
    let streamedText: string | undefined;
    try {
      // Decoded once: parsed here, and captured as it is after the answer went out.
      text = raw.toString('utf8');
      const body = parseBody(text);
      if (typeof body.model !== 'string' || body.model === '') throw badRequest('missing "model": name a model this agent may use (GET /v1/models lists them)', 'missing_model');
      if (operation === 'chat' && !Array.isArray(body.messages)) throw badRequest('missing "messages": send an array of messages', 'missing_messages');
      if (operation === 'embeddings' && body.input === undefined) throw badRequest('missing "input": send a string or an array of strings', 'missing_input');
      x.requestedModel = body.model;
      const stream = operation === 'chat' && body.stream === true;
      x.stream = stream;
      call = { req, res, dialect, operation, endpoint, agent, body, raw, rewritten: false, stream, clientWantsUsage: body.stream_options?.include_usage === true, x, estimate: 0, admitted: false, gone: false };
      const c = call;
      // 'close' fires once: on() spares once()'s wrapper per call.
      res.on('close', () => {
        if (res.writableFinished) return;
        c.gone = true;
        c.upstream?.destroy();
      });

      const limited = agent.limits.requests_per_minute > 0 || agent.limits.tokens_per_minute > 0 || this.d.cfg.customerLimits.has(agent.customer);
      if (limited) {
        c.estimate = estimateUsage(promptTexts(this.extracted(c)), '').inputTokens;
        this.d.limiter.admit(agent, c.estimate);
        c.admitted = true;
      }

      if (this.d.guards.enabled) {
        const ex = this.extracted(c);
        guardReq = {
          agent: { id: agent.id, customer: agent.customer, roles: agent.roles },
          operation,
          model: body.model,
          provider: '',
          messages: ex.messages.map((m) => ({ ...m })),
          tools: ex.tools,
          scopes: headerList(req.headers['x-agentcol-scope']),
          metadata: { endpoint, dialect },
        };
        c.rewritten = await this.d.guards.checkRequest(guardReq, ex, x.verdicts);
      }

      const plan = this.d.router.plan(body.model, agent, () => this.tier(c));
      x.route = plan.route;
      x.strategy = plan.strategy;

      const result = await this.withCache(c, plan);
      responseForGuard = result?.json;
      streamedText = result?.streamedText;
    } catch (err) {
      this.answerError(res, dialect, err, x);
    } finally {
      if (!res.writableEnded && !res.destroyed) res.end();
      x.endNs = nowNs();
      // The answer's bytes leave on the next tick (node:http corks until then): metering and
      // capture wait for a later turn of the event loop, so they never hold the answer back.
      this.finishing.push({ call, x, raw, text, guardReq, json: responseForGuard, streamedText });
      if (!this.finishScheduled) {
        this.finishScheduled = true;
        setImmediate(this.finishAll);
      }
    }
  }

  private finishing: Finishing[] = [];
  private finishScheduled = false;

  /** Meters and captures every call answered since the last run (also called before a capture drain). */
  readonly finishAll = (): void => {
    this.finishScheduled = false;
    const list = this.finishing;
    this.finishing = [];
    for (const f of list) {
      try {
        this.finish(f);
      } catch (err) {
        this.d.logger.error('llm_proxy: metering or capture failed', { error: err });
      }
    }
  };

  /** Metering, limits, response guards and capture: after the answer went out. */
  private finish({ call, x, raw, text, guardReq, json, streamedText }: Finishing): void {
    const max = this.d.cfg.capture.maxBodyBytes;
    if (!this.d.cfg.capture.bodies) x.requestBody = x.responseBody = '';
    else {
      if (call?.rewritten) x.requestBody = cut(JSON.stringify(call.body), max);
      else x.requestBody = raw.length > max ? raw.subarray(0, max).toString('utf8') + '…[truncated]' : (text ?? raw.toString('utf8'));
      if (x.responseText !== undefined) x.responseBody = cut(x.responseText, max);
      else if (x.streamedText !== undefined) x.responseBody = cut(JSON.stringify({ stream: true, model: x.responseModel, text: x.streamedText, finish_reasons: x.finishReasons ?? [] }), max);
    }
    x.responseText = x.streamedText = undefined;
    if (call && !x.usage && x.status < 400 && x.attempts > 0 && !x.cacheHit) {
      // Upstream reported no usage (or the stream was cut): estimate, and say so.
      x.usage = estimateUsage(promptTexts(this.extracted(call)), streamedText ?? '');
    }
    if (x.usage && !x.cacheHit) {
      const price = this.d.cfg.prices.get(x.targetModel) ?? this.d.cfg.prices.get(x.responseModel);
      x.costUsd = costUsd(x.usage, price);
    } else if (x.cacheHit) x.costUsd = 0;
    if (call?.admitted) {
      const actual = x.cacheHit || !x.usage ? 0 : x.usage.inputTokens + x.usage.outputTokens;
      this.d.limiter.settle(call.agent, call.estimate, actual);
    }
    const done = () => {
      this.d.metrics.record(x);
      this.d.capture.add(x);
    };
    if (guardReq && this.d.guards.enabled && x.status < 400 && (json || streamedText !== undefined)) {
      const messages = extractResponse(call!.dialect, json, streamedText);
      this.d.guards.checkResponse(guardReq, { messages }, x.verdicts).then(done, done);
    } else {
      // a record-only guard may still be scanning the request (guardrails.ts): record its verdict too
      const pending = guardReq && this.d.guards.settled(x.verdicts);
      if (pending) pending.then(done, done);
      else done();
    }
  }

  private extracted(c: Call): ExtractedMessages {
    return (c.extracted ??= extractRequest(c.dialect, c.operation, c.body));
  }

  private tier(c: Call): Tier {
    const b = c.body;
    const ex = this.extracted(c);
    const reasoning = c.dialect === 'openai' ? (b.reasoning_effort ?? false) : b.thinking?.type === 'enabled' ? String(b.thinking.budget_tokens ?? true) : false;
    const est = estimateComplexity({
      messages: ex.messages.map((m) => ({ role: m.role, content: m.content })),
      toolCount: Array.isArray(b.tools) ? b.tools.length : 0,
      reasoning,
      maxTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
    });
    return est.tier;
  }

  private async withCache(c: Call, plan: RoutePlan): Promise<Outcome | undefined> {
    const cache = this.d.cache;
    if (!cache || noCache(c.req)) return this.forward(c, plan);
    const key = ResponseCache.key(c.agent.customer, c.endpoint, c.body);
    let hit = cache.get(key);
    if (!hit) {
      const pending = cache.pending(key);
      if (pending) hit = await pending;
    }
    if (hit) return this.replay(c, hit);
    const settle = cache.lead(key);
    let stored: CachedResponse | undefined;
    try {
      const out = await this.forward(c, plan);
      stored = out?.cacheable;
      return out;
    } finally {
      settle(stored);
    }
  }

  private replay(c: Call, hit: CachedResponse): Outcome {
    const x = c.x;
    x.cacheHit = true;
    x.status = hit.status;
    x.provider = hit.provider;
    x.providerKind = this.d.cfg.providers.get(hit.provider)?.kind ?? '';
    x.responseModel = hit.responseModel;
    x.targetModel = hit.responseModel;
    x.usage = { inputTokens: hit.usage.input, outputTokens: hit.usage.output, cacheReadTokens: hit.usage.cacheRead, cacheWriteTokens: hit.usage.cacheWrite, estimated: false };
    x.responseBody = cut(hit.body ? hit.body.toString('utf8') : hit.responseText, this.d.cfg.capture.maxBodyBytes);
    if (hit.events) {
      replayStream(c.res, hit.events);
      return { streamedText: hit.responseText };
    }
    c.res.writeHead(hit.status, { 'content-type': hit.contentType, 'content-length': hit.body!.length, 'x-agentcol-cache': 'hit' });
    c.res.end(hit.body);
    return {};
  }

  /** Tries the plan's targets in order until one answers. */
  private async forward(c: Call, plan: RoutePlan): Promise<Outcome | undefined> {
    const x = c.x;
    const failures: string[] = [];
    const retryAfters: number[] = [];
    let last: UpstreamFailure | undefined;
    let translationError: TranslationError | undefined;
    let skipped = 0;
    for (const target of plan.targets) {
      if (c.gone) break;
      if (c.operation === 'embeddings' && target.kind !== 'openai') {
        failures.push(`${target.provider}: ${target.kind} has no embeddings endpoint`);
        continue;
      }
      let upstreamBody: string | Buffer;
      try {
        upstreamBody = this.upstreamBody(c, target);
      } catch (err) {
        if (!(err instanceof TranslationError)) throw err;
        translationError ??= err;
        failures.push(`${target.provider}/${target.model}: ${err.message}`);
        continue;
      }
      if (!this.d.breakers.tryAcquire(target.provider)) {
        skipped++;
        failures.push(`${target.provider}: unavailable (circuit open or waiting out a Retry-After)`);
        continue;
      }
      x.attempts++;
      x.provider = target.provider;
      x.providerKind = target.kind;
      x.targetModel = target.model;
      try {
        const out = await this.attempt(c, target, upstreamBody);
        this.d.metrics.attempt(target.provider, 'ok');
        return out;
      } catch (err) {
        if (!(err instanceof UpstreamFailure)) {
          this.d.breakers.release(target.provider);
          throw err;
        }
        this.d.metrics.attempt(target.provider, err.kind);
        if (c.gone) {
          this.d.breakers.release(target.provider);
          break;
        }
        this.d.breakers.failure(target.provider, err.retryAfterMs);
        if (err.retryAfterMs !== undefined) retryAfters.push(err.retryAfterMs);
        failures.push(`${target.provider}: ${err.message}`);
        last = err;
      }
    }
    if (c.gone) {
      x.status = 499;
      x.error = 'client closed the connection';
      return undefined;
    }
    if (!last && translationError && skipped === 0) throw badRequest(`cannot send this request to ${plan.route}: ${failures.join('; ')}`, 'unsupported_for_target');
    const summary = `route "${plan.route}": ${failures.join('; ') || 'no target'}`;
    if (!last) throw new ProxyError(503, 'api_error', 'no_provider_available', `no provider available for ${summary}`, { 'Retry-After': '1' });
    if (last.status === 429) {
      const s = Math.max(1, Math.ceil(Math.min(...(retryAfters.length ? retryAfters : [1000])) / 1000));
      throw new ProxyError(429, 'rate_limit_error', 'upstream_rate_limited', `every provider is rate limiting: ${summary}`, { 'Retry-After': String(s) });
    }
    if (last.kind === 'timeout') throw new ProxyError(504, 'timeout_error', 'upstream_timeout', `upstream timed out: ${summary}`);
    throw new ProxyError(502, 'api_error', 'upstream_error', `upstream failed: ${summary}`);
  }

  /** The body for one target: passed through when nothing changes, re-serialised when the model
   * or stream_options change, translated across dialects. */
  private upstreamBody(c: Call, t: ResolvedTarget): string | Buffer {
    const b = c.body;
    if (t.kind !== c.dialect) {
      return JSON.stringify(c.dialect === 'openai' ? anthropicRequestFromOpenAI(b as never, t.model) : openAIRequestFromAnthropic(b as never, t.model));
    }
    const addUsage = c.stream && t.kind === 'openai' && !c.clientWantsUsage;
    if (!addUsage && !c.rewritten) {
      if (t.model === b.model) return c.raw;
      // Only the alias changes: swap it in the bytes rather than re-serialise the whole body.
      const spliced = spliceTopLevelString(c.raw, 'model', t.model);
      if (spliced) return spliced;
    }
    const out: Obj = { ...b, model: t.model };
    if (addUsage) out.stream_options = { ...(b.stream_options ?? {}), include_usage: true };
    return JSON.stringify(out);
  }

  private async attempt(c: Call, t: ResolvedTarget, body: string | Buffer): Promise<Outcome> {
    const client = this.d.clients.get(t.provider)!;
    const path = t.kind === 'anthropic' ? '/v1/messages' : c.operation === 'embeddings' ? '/embeddings' : '/chat/completions';
    const beta = t.kind === 'anthropic' && c.dialect === 'anthropic' ? c.req.headers['anthropic-beta'] : undefined;
    const headers = typeof beta === 'string' ? { 'anthropic-beta': beta } : undefined;
    const call = { path, body, headers, onRequest: (r: Cancellable) => (c.upstream = r) };
    const key = this.d.keys.get(t.provider);
    if (!c.stream) {
      // A whole answer is wanted: collected straight from the parser, no stream in between.
      const up = await client.sendWhole(call, key);
      if (up.statusCode >= 400) return this.upstreamError(c, t, up.statusCode, up.headers, up.body.toString('utf8'));
      return this.jsonAnswer(c, t, up.body);
    }
    const up = await client.send(call, key);
    if (up.statusCode >= 400) {
      const text = (await readAll(up.body, client.cfg.timeoutMs).catch(() => Buffer.alloc(0))).toString('utf8');
      return this.upstreamError(c, t, up.statusCode, up.headers, text);
    }
    return this.streamAnswer(c, t, up, client);
  }

  /** An upstream error answer: the next target (failover statuses), or the agent's own error. */
  private upstreamError(c: Call, t: ResolvedTarget, status: number, headers: UpstreamResponse['headers'], text: string): Outcome {
    const x = c.x;
    const message = upstreamErrorMessage(text) ?? `HTTP ${status}`;
    if (failoverStatus(status)) throw new UpstreamFailure('status', `HTTP ${status}: ${message}`, status, retryAfterMs(headers['retry-after']), text);
    // The request's fault (400, 404, 413, 422...): the provider is healthy; the agent gets the error.
    this.d.breakers.success(t.provider);
    x.status = status;
    x.error = message;
    x.errorType = String(status);
    x.responseBody = cut(text, this.d.cfg.capture.maxBodyBytes);
    if (t.kind === c.dialect) {
      c.res.writeHead(status, { 'content-type': headers['content-type'] ?? 'application/json' });
      c.res.end(text);
    } else {
      const type = status === 404 ? 'not_found_error' : status === 413 || status === 400 || status === 422 ? 'invalid_request_error' : 'api_error';
      const e = new ProxyError(status, type, 'upstream_error', `${t.provider}: ${message}`);
      this.sendError(c.res, c.dialect, e);
    }
    return {};
  }

  private jsonAnswer(c: Call, t: ResolvedTarget, buf: Buffer): Outcome {
    let obj: Obj;
    // Decoded once: parsed here, and captured as it is after the answer went out.
    let text = buf.toString('utf8');
    try {
      obj = JSON.parse(text);
    } catch {
      throw new UpstreamFailure('status', 'the provider answered with a body that is not JSON', 502);
    }
    this.d.breakers.success(t.provider);
    const x = c.x;
    x.status = 200;
    x.responseModel = typeof obj.model === 'string' ? obj.model : t.model;
    if (obj.usage) x.usage = t.kind === 'anthropic' ? usageFromAnthropic(obj.usage) : usageFromOpenAI(obj.usage);
    let out: Buffer = buf;
    let clientObj = obj;
    if (t.kind !== c.dialect) {
      clientObj = c.dialect === 'openai' ? openAIResponseFromAnthropic(obj as never, c.body.model) : anthropicResponseFromOpenAI(obj as never, c.body.model);
      text = JSON.stringify(clientObj);
      out = Buffer.from(text);
    }
    if (Array.isArray(obj.choices)) x.finishReasons = obj.choices.map((ch: Obj) => ch?.finish_reason).filter(Boolean);
    else if (obj.stop_reason) x.finishReasons = [obj.stop_reason];
    x.responseText = text; // cut for capture after the answer went out
    c.res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
    c.res.end(out);
    const u = x.usage;
    return {
      json: c.operation === 'chat' ? clientObj : undefined,
      cacheable: {
        status: 200,
        contentType: 'application/json',
        body: out,
        responseModel: x.responseModel,
        provider: t.provider,
        usage: { input: u?.inputTokens ?? 0, output: u?.outputTokens ?? 0, cacheRead: u?.cacheReadTokens ?? 0, cacheWrite: u?.cacheWriteTokens ?? 0 },
        responseText: '',
      },
    };
  }

  private async streamAnswer(c: Call, t: ResolvedTarget, up: UpstreamResponse, client: ProviderClient): Promise<Outcome> {
    let translator: EventTranslator | undefined;
    if (t.kind !== c.dialect) {
      const id = `chatcmpl-${c.x.traceId.slice(0, 24)}`;
      const tr =
        c.dialect === 'openai'
          ? new AnthropicToOpenAIStream({ id, model: c.body.model, created: Math.floor(Date.now() / 1000), includeUsage: c.clientWantsUsage })
          : new OpenAIToAnthropicStream({ id: `msg_${c.x.traceId.slice(0, 24)}`, model: c.body.model });
      translator = { push: (ev: SseEvent) => tr.push(ev).map(formatSse), end: () => tr.end().map(formatSse) };
    }
    const r = await relayStream({
      upstream: up.body,
      upstreamDialect: t.kind,
      clientDialect: c.dialect,
      translator,
      dropUsageChunk: t.kind === 'openai' && !c.clientWantsUsage,
      idleMs: client.cfg.timeoutMs,
      res: c.res,
      keepEvents: !!this.d.cache,
      maxTextChars: MAX_CAPTURED_TEXT,
    });
    const x = c.x;
    x.status = 200;
    x.responseModel = r.responseModel || t.model;
    x.usage = r.usage;
    x.finishReasons = r.finishReasons;
    x.streamedText = r.text; // the captured body is built after the answer went out
    if (r.error) {
      x.error = r.error;
      x.errorType = 'stream_error';
      if (r.error !== 'client closed the connection') this.d.breakers.failure(t.provider);
      else this.d.breakers.release(t.provider);
    } else this.d.breakers.success(t.provider);
    if (!r.usage && !r.error) x.usage = estimateUsage(promptTexts(this.extracted(c)), r.text);
    const u = x.usage;
    const cacheable: CachedResponse | undefined =
      r.events && !r.error
        ? {
            status: 200,
            contentType: 'text/event-stream',
            events: r.events,
            responseModel: x.responseModel,
            provider: t.provider,
            usage: { input: u?.inputTokens ?? 0, output: u?.outputTokens ?? 0, cacheRead: u?.cacheReadTokens ?? 0, cacheWrite: u?.cacheWriteTokens ?? 0 },
            responseText: r.text,
          }
        : undefined;
    return { streamedText: r.text, cacheable };
  }

  answerError(res: ServerResponse, dialect: Dialect, err: unknown, x?: Exchange): void {
    const e = err instanceof ProxyError ? err : new ProxyError(500, 'api_error', 'internal_error', `internal error: ${(err as Error)?.message ?? err}`);
    if (!(err instanceof ProxyError)) this.d.logger.error('llm_proxy: request failed', { error: err });
    if (x) {
      x.status = e.status;
      x.error = e.message;
      x.errorType = e.code;
    } else {
      // Answered before the call belonged to an agent (auth, unknown path, oversized body): no
      // span (nothing attributable), but counted.
      this.d.metrics.rejected.add(1, { receiver: this.d.receiverId, status: String(e.status), code: e.code });
    }
    this.sendError(res, dialect, e);
  }

  sendError(res: ServerResponse, dialect: Dialect, e: ProxyError): void {
    if (res.headersSent || res.destroyed) return;
    const body = errorBody(dialect, e);
    res.writeHead(e.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...e.headers });
    res.end(body);
  }
}

/** A call answered, waiting to be metered and captured. */
interface Finishing {
  call: Call | undefined;
  x: Exchange;
  raw: Buffer;
  /** raw decoded (undefined when the call failed before). */
  text: string | undefined;
  guardReq: GuardRequest | undefined;
  json: Obj | undefined;
  streamedText: string | undefined;
}

interface Outcome {
  /** Complete JSON answer in the client's dialect (for response guards). */
  json?: Obj;
  streamedText?: string;
  cacheable?: CachedResponse;
}

function parseBody(text: string): Obj {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`, 'invalid_json');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('the request body must be a JSON object', 'invalid_json');
  return v as Obj;
}

function upstreamErrorMessage(text: string): string | undefined {
  try {
    const o = JSON.parse(text);
    return typeof o?.error?.message === 'string' ? o.error.message : typeof o?.message === 'string' ? o.message : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}

function headerList(v: string | string[] | undefined): string[] {
  if (!v) return [];
  return (Array.isArray(v) ? v.join(',') : v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function noCache(req: IncomingMessage): boolean {
  const cc = req.headers['cache-control'];
  if (typeof cc === 'string' && /no-cache|no-store/i.test(cc)) return true;
  const x = req.headers['x-agentcol-cache'];
  return typeof x === 'string' && /^(off|no|false|bypass)$/i.test(x);
}

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '…[truncated]' : s;
}

