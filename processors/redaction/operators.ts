// What replaces a detected value: mask, replace (type tag), hash (keyed HMAC-SHA256), encrypt
// (AES-256-GCM, reversible with reveal.ts), drop.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import type { EntityType } from './entities.ts';

export const OPERATORS = ['mask', 'replace', 'hash', 'encrypt', 'drop'] as const;
export type OperatorName = (typeof OPERATORS)[number];

export interface OperatorKeys {
  hashKey?: Buffer;
  encryptionKey?: Buffer;
}

/** Entity types whose mask keeps the last four characters, as receipts and support desks do. */
const KEEP_LAST_4: ReadonlySet<EntityType> = new Set(['CREDIT_CARD', 'PHONE_NUMBER', 'IBAN']);

export const ENCRYPTED_PREFIX = 'enc:v1:';

const TAGS = new Map<EntityType, string>();

export function tag(type: EntityType): string {
  let t = TAGS.get(type);
  if (t === undefined) TAGS.set(type, (t = `<${type}>`));
  return t;
}

/** `*` for every character; cards, phones and IBANs keep their last four alphanumerics and their separators. */
export function mask(type: EntityType, value: string): string {
  if (!KEEP_LAST_4.has(type)) return '*'.repeat([...value].length);
  let keep = 4;
  let out = '';
  for (let i = value.length - 1; i >= 0; i--) {
    const ch = value[i];
    if (/[A-Za-z0-9]/.test(ch)) {
      out = (keep > 0 ? ch : '*') + out;
      keep--;
    } else out = ch + out;
  }
  return out;
}

/** The form that is hashed, so that the same value written differently joins: e-mail addresses
 * lower-cased, numbers without separators. */
export function canonical(type: EntityType, value: string): string {
  switch (type) {
    case 'EMAIL_ADDRESS':
    case 'IP_ADDRESS':
      return value.toLowerCase();
    case 'PHONE_NUMBER':
      return (value.trim().startsWith('+') ? '+' : '') + value.replace(/\D/g, '');
    case 'CREDIT_CARD':
    case 'US_SSN':
    case 'IN_AADHAAR':
      return value.replace(/\D/g, '');
    case 'IBAN':
    case 'UK_NINO':
    case 'FR_NIR':
    case 'IN_PAN':
    case 'PASSPORT_NUMBER':
    case 'DE_ID_CARD':
      return value.replace(/[\s\-]/g, '').toUpperCase();
    default:
      return value;
  }
}

export function hmacTag(type: EntityType, value: string, key: Buffer): string {
  const h = createHmac('sha256', key).update(canonical(type, value), 'utf8').digest('hex');
  return `<${type}:hmac:${h.slice(0, 16)}>`;
}

/** enc:v1:<base64url(iv[12] | tag[16] | ciphertext)>, AES-256-GCM with a random IV. */
export function encrypt(value: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return ENCRYPTED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/**
 * The replacement of one detection. `value` is the normalised text that matched (what is masked
 * and hashed, so obfuscated and plain spellings hash alike); `original` is the text as written
 * (what is encrypted, so reveal gives back exactly what was there).
 */
export function applyOperator(op: OperatorName, type: EntityType, value: string, original: string, keys: OperatorKeys): string {
  switch (op) {
    case 'replace':
      return tag(type);
    case 'mask':
      return mask(type, value);
    case 'hash':
      return hmacTag(type, value, keys.hashKey!);
    case 'encrypt':
      return encrypt(original, keys.encryptionKey!);
    case 'drop':
      return '';
  }
}
