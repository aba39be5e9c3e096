// Secrets: provider keys with a recognisable shape, JWTs (header checked), PEM private-key blocks,
// credentials in URLs, and generic high-entropy values next to key-like names.
import type { EntityType, Match } from '../entities.ts';
import { shannonEntropy } from '../validators.ts';
import { anchorWindows, eachMatch, eachMatchInWindows, eachMatchNearHints, hintGroup, mayHoldHints, type Detector, type DetectOptions } from './util.ts';

const B = '(?<![A-Za-z0-9_\\-])'; // token start: not inside a longer token
const E = '(?![A-Za-z0-9_\\-])'; // token end

/**
 * A detector for a pattern every match of which holds one of the `prefilter` strings. The
 * prefilters are looked for in the shared hint pass (util.ts hintGroup: one walk for every
 * detector, in either case, so a superset of the texts that hold them), not by an indexOf each.
 */
/** Each simple detector's pattern with its prefilter hints, for the windows test. */
export const PREFILTERED: Array<{ re: RegExp; hints: readonly string[] }> = [];

function simple(type: EntityType, re: RegExp, prefilter: string[], check?: (s: string) => boolean): Detector {
  const hints = prefilter.map((p) => p.toLowerCase());
  hintGroup(hints, 0);
  PREFILTERED.push({ re, hints });
  return {
    type,
    detect(text, out) {
      if (!mayHoldHints(text, hints, 0)) return;
      eachMatch(re, text, (m) => {
        if (!check || check(m[0])) out.push({ start: m.index, end: m.index + m[0].length, type });
      });
    },
  };
}

const hasDigit = (s: string) => /\d/.test(s);

export const anthropicDetector = simple('ANTHROPIC_API_KEY', new RegExp(`${B}sk-ant-[A-Za-z0-9_\\-]{20,200}${E}`, 'g'), ['sk-ant-']);
export const openaiDetector = simple(
  'OPENAI_API_KEY',
  new RegExp(`${B}sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\\-]{20,200}${E}`, 'g'),
  ['sk-'],
  hasDigit,
);
export const awsDetector = simple('AWS_ACCESS_KEY_ID', /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g, ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T']);
export const githubDetector = simple(
  'GITHUB_TOKEN',
  new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})${E}`, 'g'),
  ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], // (not 'gh': "right", "through" are everywhere)
);
export const slackTokenDetector = simple('SLACK_TOKEN', new RegExp(`${B}xox[abprs]-[A-Za-z0-9\\-]{10,250}${E}`, 'g'), ['xox'], hasDigit);
export const slackWebhookDetector = simple(
  'SLACK_WEBHOOK_URL',
  /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_\/\-]{8,200}/g,
  ['hooks.slack.com'],
);
export const stripeDetector = simple('STRIPE_KEY', new RegExp(`${B}(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,247}${E}`, 'g'), ['_live_', '_test_']);
export const googleDetector = simple('GOOGLE_API_KEY', new RegExp(`${B}AIza[0-9A-Za-z_\\-]{35}${E}`, 'g'), ['AIza']);

// ---- JWT: three base64url parts; the header must decode to a JSON object with "alg" ----
const JWT = new RegExp(`${B}eyJ[A-Za-z0-9_\\-]{5,4000}\\.[A-Za-z0-9_\\-]{2,16000}\\.[A-Za-z0-9_\\-]{0,4000}${E}`, 'g');

function jwtHeaderValid(token: string): boolean {
  const json = Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8');
  if (json[0] !== '{' || json.indexOf('"alg"') < 0) return false; // cheap checks first: no exception per candidate
  try {
    const header = JSON.parse(json);
    return typeof header === 'object' && header !== null && typeof header.alg === 'string';
  } catch {
    return false;
  }
}

export const jwtDetector = simple('JWT', JWT, ['eyJ'], jwtHeaderValid);

// ---- PEM private keys: BEGIN ... PRIVATE KEY ... END ... (or to the end of the base64 if cut) ----
const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_BODY = /[A-Za-z0-9+\/=\s:,\-\\]{0,20000}/y;

export const privateKeyDetector: Detector = {
  type: 'PRIVATE_KEY',
  multiline: true,
  needs: 'PRIVATE KEY',
  detect(text, out) {
    if (text.indexOf('PRIVATE KEY') < 0) return;
    eachMatch(PEM_BEGIN, text, (m) => {
      const start = m.index;
      const bodyStart = start + m[0].length;
      const endMarker = text.indexOf('-----END ', bodyStart);
      let end: number;
      if (endMarker >= 0 && endMarker - bodyStart <= 20000) {
        const close = text.indexOf('-----', endMarker + 9);
        end = close >= 0 && close - endMarker < 60 ? close + 5 : endMarker + 9;
      } else {
        // truncated block: take the base64 body that follows
        PEM_BODY.lastIndex = bodyStart;
        const b = PEM_BODY.exec(text);
        end = bodyStart + (b ? b[0].length : 0);
      }
      out.push({ start, end, type: 'PRIVATE_KEY' });
      PEM_BEGIN.lastIndex = Math.max(PEM_BEGIN.lastIndex, end);
    });
  },
};

// ---- Generic secrets next to key-like names ----
// The key name must end right before the separator ("api_key=", "token: ", '"password": "').
const SECRET_KEY_NAMES =
  'api[_\\-]?key|apikey|api[_\\-]?secret|access[_\\-]?key(?:[_\\-]?id)?|secret[_\\-]?access[_\\-]?key|secret[_\\-]?key|client[_\\-]?secret|private[_\\-]?key|secret|auth[_\\-]?token|access[_\\-]?token|refresh[_\\-]?token|id[_\\-]?token|session[_\\-]?token|bearer[_\\-]?token|token|password|passwd|passphrase|pwd|pass|credentials?|authorization|signing[_\\-]?key|encryption[_\\-]?key|webhook[_\\-]?secret|x-api-key';
/** Substrings one of which every key name above contains, at most 11 characters after the name's
 * start ("encryption_key"): KEY_VALUE is tried only near them. */
export const KEY_HINTS = ['key', 'secret', 'token', 'pass', 'pwd', 'credential', 'authorization'];
const KEY_HINTS_BEFORE = 16;
hintGroup(KEY_HINTS, KEY_HINTS_BEFORE);
const PASSWORD_NAMES = /^(?:password|passwd|passphrase|pwd|pass)$/i;
// The value: quoted (up to the closing quote, spaces included) or bare (up to a delimiter).
export const KEY_VALUE = new RegExp(
  `(?<![A-Za-z0-9])(${SECRET_KEY_NAMES})["']?[ \\t]{0,3}(?:=|:|=>|:=)[ \\t]{0,3}(?:(?:Bearer|Basic|Token)[ \\t]{1,3})?(?:"([^"\\n]{1,512})"|'([^'\\n]{1,512})'|([^\\s"',;&<>{}\\[\\]()]{1,512}))`,
  'gi',
);
// Bearer <token> anywhere (curl command lines, logged headers)
const BEARER = /\bBearer[ \t]{1,3}([A-Za-z0-9+\/=_\-.~]{8,2048})/g;
// scheme://user:password@host; tried only where a scheme can end at a '://' (2 to 16 characters before it)
export const URL_CREDENTIALS = /\b[a-z][a-z0-9+.\-]{1,15}:\/\/[^\s:\/@]{1,64}:([^\s@\/]{1,128})@/gi;
const SCHEME_END = /:\/\//g;

const PLACEHOLDER = /^(?:\*+|x+|\.+|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%[^%]*%|null|none|undefined|true|false|redacted|\[redacted\]|changeme|your[_\-]?\w*|example|test|enc:v1:.*)$/i;

/** A value that, next to a key-like name, is treated as a secret. */
export function secretValueLooksReal(value: string, keyName: string, opts: DetectOptions): boolean {
  if (PLACEHOLDER.test(value) || /^<[A-Z_]+(?::hmac:[0-9a-f]+)?>$/.test(value)) return false;
  if (PASSWORD_NAMES.test(keyName.replace(/^.*[_\-.]/, ''))) return value.length >= 4; // any password is a secret
  return value.length >= opts.secretMinLength && shannonEntropy(value) >= opts.secretMinEntropy;
}

/** Attribute or JSON keys whose whole value is a secret ("api_key", "x-api-key", "db.password"). */
const SECRET_KEY_WHOLE = new RegExp(`(?:^|[_\\-.])(?:${SECRET_KEY_NAMES})$`, 'i');
const keyVerdicts = new Map<string, boolean>(); // JSON documents repeat their keys in every record
export function keyLooksSecret(key: string): boolean {
  if (key.length > 100) return false;
  let v = keyVerdicts.get(key);
  if (v === undefined) {
    v = SECRET_KEY_WHOLE.test(key);
    if (keyVerdicts.size >= 4096) keyVerdicts.clear();
    keyVerdicts.set(key, v);
  }
  return v;
}

export const genericSecretDetector: Detector = {
  type: 'GENERIC_SECRET',
  detect(text, out, opts) {
    eachMatchNearHints(KEY_VALUE, text, KEY_HINTS, KEY_HINTS_BEFORE, (m) => {
      const quoted = m[2] ?? m[3];
      const value = quoted ?? m[4];
      if (!secretValueLooksReal(value, m[1], opts)) return;
      const start = m.index + m[0].length - value.length - (quoted !== undefined ? 1 : 0);
      out.push({ start, end: start + value.length, type: 'GENERIC_SECRET' });
    });
    if (text.indexOf('Bearer') >= 0) {
      eachMatch(BEARER, text, (m) => {
        if (!secretValueLooksReal(m[1], 'bearer', opts)) return;
        const start = m.index + m[0].length - m[1].length;
        out.push({ start, end: start + m[1].length, type: 'GENERIC_SECRET' });
      });
    }
    if (text.indexOf('://') >= 0 && text.indexOf('@') >= 0) {
      eachMatchInWindows(URL_CREDENTIALS, text, anchorWindows(SCHEME_END, text, 16, 2), (m) => {
        const start = m.index + m[0].length - 1 - m[1].length;
        if (!PLACEHOLDER.test(m[1])) out.push({ start, end: start + m[1].length, type: 'GENERIC_SECRET' });
      });
    }
  },
};

export const secretDetectors: Detector[] = [
  privateKeyDetector,
  jwtDetector,
  anthropicDetector,
  openaiDetector,
  awsDetector,
  githubDetector,
  slackTokenDetector,
  slackWebhookDetector,
  stripeDetector,
  googleDetector,
  genericSecretDetector,
];
