// `agentcol reveal`: decrypts the enc:v1: tokens the encrypt operator wrote, for an operator who
// holds the key. A function (revealText / revealToken) and a small command:
//
//   AGENTCOL_REDACTION_KEY=<base64 or hex key> node --import tsx processors/redaction/reveal.ts [FILE]
//
// reads FILE (or stdin) and writes it with every token it can decrypt replaced by the plaintext.
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
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

async function main(argv: string[]): Promise<number> {
  const key = process.env.AGENTCOL_REDACTION_KEY;
  if (!key) {
    process.stderr.write('agentcol reveal: set AGENTCOL_REDACTION_KEY to the redaction processor\'s encryption_key\n');
    return 2;
  }
  const file = argv[0];
  const input = file && file !== '-' ? readFileSync(file, 'utf8') : readFileSync(0, 'utf8');
  const r = revealText(input, key);
  process.stdout.write(r.text);
  if (r.failed > 0) process.stderr.write(`agentcol reveal: ${r.failed} token(s) did not decrypt with this key\n`);
  return r.failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    process.stderr.write(`agentcol reveal: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
