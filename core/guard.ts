// Guardrails: a processor named in a receiver's `guardrails` list (the LLM proxy's) also decides
// inline on one request, before it reaches a provider, and on its response. The processor's factory
// provides `createGuard`; the service creates one guard per processor id, on first use, and the
// receiver asks the host for it by id.
import type { Attributes } from './signals/types.ts';

export type GuardRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface GuardMessage {
  role: GuardRole;
  /** The text of the message (text parts joined with "\n"); tool calls' arguments for assistant
   * messages that call tools; the result text for tool messages. */
  content: string;
  /** Tool name, for tool calls and tool results. */
  name?: string;
}

export interface GuardRequest {
  agent: { id: string; customer: string; roles: string[] };
  /** e.g. 'chat', 'embeddings' (gen_ai.operation.name). */
  operation: string;
  /** The model the agent asked for (a route alias or a provider model). */
  model: string;
  /** The provider the request is routed to, when known ('' before routing). */
  provider: string;
  messages: GuardMessage[];
  /** Names of the tools offered to or called by the model. */
  tools: string[];
  /** Data-scope tags of the request (e.g. from the `x-agentcol-scope` header). */
  scopes: string[];
  metadata: Record<string, string>;
}

export interface GuardResponse {
  /** The model's output: assistant text and tool calls, as messages. */
  messages: GuardMessage[];
}

export type GuardAction = 'allow' | 'flag' | 'rewrite' | 'block';

export interface GuardVerdict {
  action: GuardAction;
  /** What decided: a rule or detector name, shown to the agent on a block. */
  rule?: string;
  reason?: string;
  /** For 'rewrite': the messages to send instead, same length and order as the input. */
  messages?: GuardMessage[];
  /** Recorded on the captured span (counts and names, never the sensitive values). */
  attributes?: Attributes;
}

export interface Guard {
  checkRequest(req: GuardRequest): Promise<GuardVerdict>;
  /** True when checkRequest only ever records (allow or flag, never block or rewrite), e.g. a
   * scanner in flag mode. Its verdict cannot change the request, so the proxy does not make the
   * request wait for it: the guard is asked with the request as it stood at its place in the list,
   * just after the request has gone on to the provider, and its verdict is recorded in the same
   * place as if it had run inline. A failure is recorded (flag, rule guard_error) instead of
   * blocking: the request is already on its way. */
  readonly recordOnly?: boolean;
  /** Runs on the complete response. After a streamed response was sent, a block can only be
   * recorded (flagged), not undone. */
  checkResponse?(req: GuardRequest, res: GuardResponse): Promise<GuardVerdict>;
  shutdown?(): Promise<void>;
}
