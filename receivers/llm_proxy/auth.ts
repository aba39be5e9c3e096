// Agent authentication: the presented key (Authorization: Bearer, or x-api-key) is hashed with
// SHA-256 and compared with every registered digest in constant time (timingSafeEqual, no early
// exit), so neither the key nor which agent matched leaks through timing. Clear keys are never
// kept: config normalisation turns them into digests.
import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AgentConfig } from './config.ts';
import { allowedBy } from './cidr.ts';
import { ProxyError } from './errors.ts';

export class AgentDirectory {
  constructor(private readonly agents: AgentConfig[]) {}

  /** The agent for the request's key and source address; throws 401 / 403 ProxyErrors. */
  authenticate(headers: IncomingHttpHeaders, remoteAddress: string | undefined): AgentConfig {
    const key = presentedKey(headers);
    if (!key) {
      throw new ProxyError(401, 'authentication_error', 'missing_api_key', 'no API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"');
    }
    const digest = sha256(key);
    let found: AgentConfig | undefined;
    for (const a of this.agents) if (timingSafeEqual(a.keyDigest, digest) && !found) found = a;
    if (!found) throw new ProxyError(401, 'authentication_error', 'invalid_api_key', 'invalid API key: this key is not registered with agentcol');
    if (!allowedBy(found.allowedCidrs, remoteAddress)) {
      throw new ProxyError(403, 'permission_error', 'address_not_allowed', `agent "${found.id}" may not call from ${remoteAddress ?? 'an unknown address'}: the address is outside its allowed_cidrs`);
    }
    return found;
  }
}

// One-shot crypto.hash (Node >= 20.12) skips the Hash object createHash builds per call.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
const sha256 = oneShot ? (key: string) => oneShot('sha256', key, 'buffer') : (key: string) => createHash('sha256').update(key).digest();

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function presentedKey(h: IncomingHttpHeaders): string | undefined {
  const auth = h.authorization;
  if (auth) {
    // "Bearer <key>": the scheme in any case, whitespace around the key ignored.
    let i = 0;
    while (i < auth.length && isSpace(auth.charCodeAt(i))) i++;
    if (auth.length - i > 6 && auth.slice(i, i + 6).toLowerCase() === 'bearer' && isSpace(auth.charCodeAt(i + 6))) {
      const key = auth.slice(i + 7).trim();
      if (key) return key;
    }
  }
  const x = h['x-api-key'];
  return typeof x === 'string' && x ? x.trim() : undefined;
}
