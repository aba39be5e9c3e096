// Errors answered to agents, in the dialect of the endpoint they called: OpenAI-style
// `{error: {message, type, param, code}}` on /v1/chat/completions, /v1/embeddings and /v1/models,
// Anthropic-style `{type: 'error', error: {type, message}}` on /v1/messages.
export type Dialect = 'openai' | 'anthropic';

/** OpenAI error types; the Anthropic type is derived from the status. */
export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'api_error' | 'timeout_error';

export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const ANTHROPIC_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorBody(dialect: Dialect, e: ProxyError): string {
  if (dialect === 'anthropic') return JSON.stringify({ type: 'error', error: { type: ANTHROPIC_TYPE[e.status] ?? 'api_error', message: e.message } });
  return JSON.stringify({ error: { message: e.message, type: e.type, param: null, code: e.code } });
}

/** The in-band error event that ends a stream whose upstream failed after the first byte. */
export function streamErrorEvent(dialect: Dialect, message: string): string {
  if (dialect === 'anthropic') return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`;
  return `data: ${JSON.stringify({ error: { message, type: 'api_error', param: null, code: 'upstream_stream_error' } })}\n\n`;
}

export const badRequest = (message: string, code = 'invalid_request') => new ProxyError(400, 'invalid_request_error', code, message);
