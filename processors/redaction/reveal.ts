// `agentcol reveal`: decrypts the enc:v1: tokens the encrypt operator wrote, for an operator who
// holds the key. Functions (revealText / revealToken) and the command the agentcol distribution
// registers:
//
//   AGENTCOL_REDACTION_KEY=<base64 or hex key> agentcol reveal [FILE]
//
// reads FILE (or stdin) and writes it with every token it can decrypt replaced by the plaintext.
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ComponentCommand } from '../../core/component.ts';
import { parseEncryptionKey } from './keys.ts';
import { ENCRYPTED_PREFIX } from './operators.ts';

const TOKEN = /enc:v1:([A-Za-z0-9_\-]{38,1048576})/g;

/** Decrypts one `enc:v1:...` token; throws when the key is wrong or the token was altered. */
export function revealToken(token: string, key: Buffer | string): string {
  const k = typeof key === 'string' ? parseEncryptionKey(key) : key;
  if (!token.startsWith(ENCRYPTED_PREFIX)) throw new Error(`not an encrypted token (expected ${ENCRYPTED_PREFIX}...)`);
  const raw = Buffer.from(token.slice(ENCRYPTED_PREFIX.length), 'base64url');
  if (raw.length < 28) throw new Error('encrypted token too short');
  const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** Replaces every token in a text (a stored attribute, a JSON document, a log line) that decrypts
 * with the key; tokens that do not (another key, altered) are left as they are and counted. */
export function revealText(text: string, key: Buffer | string): { text: string; revealed: number; failed: number } {
  const k = typeof key === 'string' ? parseEncryptionKey(key) : key;
  let revealed = 0;
  let failed = 0;
  const out = text.replace(TOKEN, (tok) => {
    try {
      const v = revealToken(tok, k);
      revealed++;
      return v;
    } catch {
      failed++;
      return tok;
    }
  });
  return { text: out, revealed, failed };
}

export const revealCommand: ComponentCommand = {
  name: 'reveal',
  summary: 'decrypt the values the redaction processor encrypted (needs AGENTCOL_REDACTION_KEY)',
  help: `Usage: AGENTCOL_REDACTION_KEY=KEY agentcol reveal [FILE]

Reads FILE (or stdin, also with FILE "-") and writes it to stdout with every enc:v1: token that
decrypts with KEY (the redaction processor's encryption_key, base64 or hex) replaced by the
original value. Exit status 1 when some token did not decrypt (another key, or altered data).`,
  async run(args, io) {
    const key = process.env.AGENTCOL_REDACTION_KEY;
    if (!key) {
      io.err("agentcol reveal: set AGENTCOL_REDACTION_KEY to the redaction processor's encryption_key");
      return 2;
    }
    if (args.length > 1) {
      io.err(`agentcol reveal: one FILE at most (got ${args.length}); run agentcol reveal --help`);
      return 2;
    }
    const file = args[0];
    const input = file && file !== '-' ? readFileSync(file, 'utf8') : await io.readStdin();
    const r = revealText(input, key);
    io.write(r.text);
    if (r.failed > 0) io.err(`agentcol reveal: ${r.failed} token(s) did not decrypt with this key`);
    return r.failed > 0 ? 1 : 0;
  },
};
