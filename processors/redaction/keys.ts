// Parsing of the hash and encryption keys from the config.

/** `${env:NAME}` left unexpanded (the config loader expands it; programmatic configs may not). */
function fromEnv(value: string, what: string): string {
  const m = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value.trim());
  if (!m) return value;
  const v = process.env[m[1]];
  if (v === undefined || v === '') throw new Error(`${what}: environment variable ${m[1]} is not set`);
  return v;
}

/** A 32-byte AES-256 key, given as 64 hex characters or base64 / base64url. */
export function parseEncryptionKey(raw: string, what = 'encryption_key'): Buffer {
  const v = fromEnv(raw, what).trim();
  let key: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(v)) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+\/_\-]+={0,2}$/.test(v)) key = Buffer.from(v, 'base64');
  else throw new Error(`${what} must be 32 bytes written as 64 hex characters or base64; generate one with: openssl rand -base64 32`);
  if (key.length !== 32) {
    throw new Error(`${what} must be 32 bytes (AES-256), got ${key.length} bytes; write it as 64 hex characters or 44 base64 characters (openssl rand -base64 32)`);
  }
  return key;
}

/** The HMAC key: the UTF-8 bytes of the configured text, at least 16 of them. */
export function parseHashKey(raw: string, what = 'hash_key'): Buffer {
  const key = Buffer.from(fromEnv(raw, what), 'utf8');
  if (key.length < 16) throw new Error(`${what} must be at least 16 bytes (32 random bytes recommended: openssl rand -base64 32), got ${key.length}`);
  return key;
}
