// The scanning functions: pure and synchronous (text and compiled config in, text and counts out),
// so they can run on a worker pool unchanged.
import { setAttribute } from '../../core/signals/attributes.ts';
import type { AnyValue, Attributes } from '../../core/signals/types.ts';
import type { CompiledRedaction } from './config.ts';
import { DETECTORS } from './detectors/index.ts';
import { keyLooksSecret, secretValueLooksReal } from './detectors/secrets.ts';
import { forgetText } from './detectors/util.ts';
import { PRIORITY, type EntityType, type Match } from './entities.ts';
import { jsonStrings, type JsonStrings } from './json.ts';
import { normalizeText, type Normalized } from './normalize.ts';
import { applyOperator, ENCRYPTED_PREFIX, tag } from './operators.ts';

export type Counts = Partial<Record<EntityType, number>>;

export interface RedactResult {
  text: string;
  counts: Counts;
  changed: boolean;
}

const UNCHANGED = (text: string): RedactResult => ({ text, counts: {}, changed: false });

/** Our own output (encrypted tokens, hash tags) is never detected again. */
const OWN_OUTPUT = /enc:v1:[A-Za-z0-9_\-]{38,65536}|<[A-Z0-9_]{2,40}:hmac:[0-9a-f]{16}>/g;

const DIGIT = /\d/g; // no u flag: ASCII 0-9, what minDigits counts
/** The detectors' largest minDigits: counting further changes no decision. */
const DIGITS_NEEDED = Math.max(0, ...[...DETECTORS.values()].map((d) => d.minDigits ?? 0));

/** ASCII digits in s, up to DIGITS_NEEDED (a regex scan stops early; a loop per code unit costs
 * more on long texts, less on short ones, where each regex match would be a call). */
function countDigits(s: string): number {
  if (s.length < 64) {
    let n = 0;
    for (let i = 0; i < s.length && n < DIGITS_NEEDED; i++) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) n++;
    }
    return n;
  }
  DIGIT.lastIndex = 0;
  let n = 0;
  while (n < DIGITS_NEEDED && DIGIT.exec(s) !== null) n++;
  return n;
}

export function addCounts(into: Counts, from: Counts): void {
  for (const k in from) {
    const t = k as EntityType;
    into[t] = (into[t] ?? 0) + from[t]!;
  }
}

/** Under a secret-looking key ("api_key", "password") the whole value is a GENERIC_SECRET when it looks like one. */
function keyHintSecret(t: string, keyHint: string | undefined, cfg: CompiledRedaction, candidates: Match[]): void {
  if (keyHint !== undefined && cfg.enabled.has('GENERIC_SECRET') && keyLooksSecret(keyHint)) {
    const trimmed = t.trim();
    if (trimmed.length > 0 && secretValueLooksReal(trimmed, keyHint, cfg.detectOptions)) {
      const start = t.indexOf(trimmed);
      candidates.push({ start, end: start + trimmed.length, type: 'GENERIC_SECRET' });
    }
  }
}

/**
 * Detects and replaces in one text. `keyHint` is the name of the attribute or JSON key the text is
 * the value of: under a secret-looking key ("api_key", "password") the whole value is a
 * GENERIC_SECRET when it looks like one.
 */
export function redactText(text: string, cfg: CompiledRedaction, keyHint?: string): RedactResult {
  if (text.length < 2) return UNCHANGED(text);
  forgetText();
  const n = normalizeText(text);
  const t = n.text;
  const candidates: Match[] = [];
  const digits = countDigits(t);
  for (const d of cfg.detectors) if (digits >= (d.minDigits ?? 0)) d.detect(t, candidates, cfg.detectOptions);
  keyHintSecret(t, keyHint, cfg, candidates);
  return replaceMatches(text, n, candidates, cfg);
}

/**
 * Between two texts scanned together: no detector matches across it, and each side sees it as a
 * text boundary (not a word character, '.', '-', '+' or '/'; and the two line breaks keep a
 * closing line of one text from taking the first line of the next for a signature).
 */
const SEPARATOR = '\n\n';

/**
 * redactText on each text (with its key hint), with the same results, in far fewer detector runs:
 * the normalised texts are joined by SEPARATOR and every detector runs once over the whole, its
 * matches handed back to the text they fall in. Detectors that read across lines (PEM blocks) run
 * per text; a match across a separator (which the patterns cannot produce) falls back to one text
 * at a time.
 */
export function redactTexts(texts: readonly string[], keyHints: readonly (string | undefined)[], cfg: CompiledRedaction): RedactResult[] {
  if (texts.length < 2) return texts.map((t, i) => redactText(t, cfg, keyHints[i]));
  const changed = redactTextsChanged(texts, keyHints, cfg);
  const out: RedactResult[] = [];
  for (let i = 0; i < texts.length; i++) out.push(changed[i] ?? UNCHANGED(texts[i]));
  return out;
}

/** Texts as they are: normalising leaves them alone and offsets map one to one. */
const identity = (text: string): Normalized => ({ text, origStart: null, origEnd: null });

/** ASCII only (nothing to normalise): a native UTF-8 length count for long texts, a regex for short. */
function isAscii(s: string): boolean {
  return s.length < 256 ? !NON_ASCII.test(s) : Buffer.byteLength(s, 'utf8') === s.length;
}
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * redactTexts for two or more texts, with undefined for each text left unchanged (no result object
 * made for the many values of a JSON document that hold nothing).
 */
function redactTextsChanged(texts: readonly string[], keyHints: readonly (string | undefined)[], cfg: CompiledRedaction): (RedactResult | undefined)[] {
  // The texts joined as they are; when that holds only ASCII, so does every text, and none needs
  // normalising (one check instead of one per text). norm[i] undefined: text i as it is.
  const norm: (Normalized | undefined)[] = new Array(texts.length);
  const starts: number[] = [];
  const which: number[] = []; // texts scanned (length >= 2), by position in the joined text
  const parts: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (texts[i].length < 2) continue;
    if (parts.length > 0) parts.push(SEPARATOR);
    which.push(i);
    parts.push(texts[i]);
  }
  if (which.length === 0) return new Array(texts.length);
  let all = parts.join('');
  let normalized = false;
  if (!isAscii(all)) {
    for (const i of which) {
      const n = normalizeText(texts[i]);
      if (n.origStart !== null) norm[i] = n; // (offsets map back; the text may still read the same)
      if (n.text !== texts[i]) normalized = true;
    }
    if (normalized) {
      parts.length = 0;
      for (const i of which) {
        if (parts.length > 0) parts.push(SEPARATOR);
        parts.push(norm[i]?.text ?? texts[i]);
      }
      all = parts.join('');
    }
  }
  const scanned: string[] = new Array(texts.length); // what the detectors read of text i
  let offset = 0;
  for (const i of which) {
    scanned[i] = norm[i]?.text ?? texts[i];
    starts.push(offset);
    offset += scanned[i].length + SEPARATOR.length;
  }
  forgetText();
  // Digits per text, counted only for a text a match falls in (most values have none); the joined
  // text's count bounds them all, so a detector it rules out is ruled out for every text.
  const digits: number[] = new Array(texts.length).fill(-1);
  const allDigits = countDigits(all);
  const candidates: (Match[] | undefined)[] = new Array(texts.length); // made for the few values a match falls in
  const found: Match[] = [];
  for (const d of cfg.detectors) {
    const min = d.minDigits ?? 0;
    if (allDigits < min) continue;
    if (d.multiline) {
      if (d.needs !== undefined && all.indexOf(d.needs) < 0) continue; // (then no text holds it)
      for (const i of which) if (min === 0 || digitsOf(digits, scanned[i], i) >= min) d.detect(scanned[i], (candidates[i] ??= []), cfg.detectOptions);
      continue;
    }
    found.length = 0;
    d.detect(all, found, cfg.detectOptions);
    for (const m of found) {
      // the text m falls in: the last start at or before it
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= m.start) lo = mid;
        else hi = mid - 1;
      }
      const i = which[lo];
      const t = scanned[i];
      if (m.end - starts[lo] > t.length) return texts.map((x, j) => changedOnly(redactText(x, cfg, keyHints[j]))); // across a separator
      if (min === 0 || digitsOf(digits, t, i) >= min) (candidates[i] ??= []).push({ start: m.start - starts[lo], end: m.end - starts[lo], type: m.type });
    }
  }
  const out: (RedactResult | undefined)[] = new Array(texts.length);
  for (const i of which) {
    const t = scanned[i];
    let c = candidates[i];
    const key = keyHints[i];
    // (no candidate list made for the many keyed values that hold nothing)
    if (key !== undefined && cfg.enabled.has('GENERIC_SECRET') && keyLooksSecret(key)) keyHintSecret(t, key, cfg, (c ??= []));
    if (c === undefined || c.length === 0) continue;
    const r = replaceMatches(texts[i], norm[i] ?? identity(texts[i]), c, cfg);
    if (r.changed) out[i] = r;
  }
  return out;
}

const changedOnly = (r: RedactResult): RedactResult | undefined => (r.changed ? r : undefined);

/** Digits of text i (`t`), counted once (-1: not yet). */
function digitsOf(digits: number[], t: string, i: number): number {
  return digits[i] >= 0 ? digits[i] : (digits[i] = countDigits(t));
}

/**
 * How many of the disjoint spans [starts[k], ends[k]) (ascending) start before `end`; the span
 * [start, end) overlaps one of them iff that count j > 0 and ends[j - 1] > start (the spans before
 * `end` end in ascending order too).
 */
function spansBefore(starts: readonly number[], end: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < end) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether candidate m is kept regardless of the others: not empty, not allow-listed, not in our own earlier output. */
function admissible(t: string, m: Match, cfg: CompiledRedaction, ownStarts: number[] | undefined, ownEnds: number[] | undefined): boolean {
  if (m.end <= m.start) return false;
  if (cfg.allow.size > 0 && cfg.allow.has(t.slice(m.start, m.end).toLowerCase())) return false;
  if (ownStarts) {
    const k = spansBefore(ownStarts, m.end);
    if (k > 0 && ownEnds![k - 1] > m.start) return false;
  }
  return true;
}

const byStart = (a: Match, b: Match) => a.start - b.start;
const byRank = (a: Match, b: Match) => PRIORITY[b.type] - PRIORITY[a.type] || b.end - b.start - (a.end - a.start) || a.start - b.start;

/**
 * The candidates that are replaced, disjoint and in text order. Overlaps: the higher priority wins,
 * then the longer match, then the earlier one. Most texts have no two candidates that overlap (a log
 * with an address on every line has hundreds of candidates): then every admissible one is kept, in
 * text order, without ranking them (the ranked insertion below is quadratic in the worst case).
 */
function resolveOverlaps(t: string, candidates: Match[], cfg: CompiledRedaction, ownStarts: number[] | undefined, ownEnds: number[] | undefined): Match[] {
  if (candidates.length > 1) {
    candidates.sort(byStart);
    let end = -1;
    let disjoint = true;
    for (const m of candidates) {
      if (m.end <= m.start) continue; // (never kept: it overlaps nothing)
      if (m.start < end) {
        disjoint = false;
        break;
      }
      end = m.end;
    }
    if (disjoint) return candidates.filter((m) => admissible(t, m, cfg, ownStarts, ownEnds));
    candidates.sort(byRank);
  }
  // The accepted spans are kept disjoint and in text order, so each candidate is checked by a binary search.
  const accepted: Match[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const m of candidates) {
    if (!admissible(t, m, cfg, ownStarts, ownEnds)) continue;
    const j = spansBefore(starts, m.end);
    if (j > 0 && ends[j - 1] > m.start) continue;
    if (j === accepted.length) {
      accepted.push(m);
      starts.push(m.start);
      ends.push(m.end);
    } else {
      accepted.splice(j, 0, m);
      starts.splice(j, 0, m.start);
      ends.splice(j, 0, m.end);
    }
  }
  return accepted;
}

/** Resolves overlaps among the candidates and writes the replacements into the original text. */
function replaceMatches(text: string, n: Normalized, candidates: Match[], cfg: CompiledRedaction): RedactResult {
  const t = n.text;
  if (candidates.length === 0) return UNCHANGED(text);

  // Our own earlier output is protected: disjoint spans, ascending.
  let ownStarts: number[] | undefined;
  let ownEnds: number[] | undefined;
  if (t.indexOf(ENCRYPTED_PREFIX) >= 0 || t.indexOf(':hmac:') >= 0) {
    ownStarts = [];
    ownEnds = [];
    OWN_OUTPUT.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = OWN_OUTPUT.exec(t)) !== null) {
      ownStarts.push(m.index);
      ownEnds.push(m.index + m[0].length);
    }
  }

  const accepted = resolveOverlaps(t, candidates, cfg, ownStarts, ownEnds);
  if (accepted.length === 0) return UNCHANGED(text);

  const counts: Counts = {};
  // (joined, not appended: a string built by += is a rope, which JSON.stringify and the protobuf
  // encoder then walk several times slower than a flat string)
  const parts: string[] = [];
  let last = 0;
  const map = n.origStart !== null && n.origEnd !== null;
  for (const m of accepted) {
    let os = map ? n.origStart![m.start] : m.start;
    const oe = map ? n.origEnd![m.end - 1] : m.end;
    if (os < last) os = last;
    if (oe <= os) continue;
    const op = cfg.operators[m.type];
    // (replace and drop read neither the value nor the original: no slices for them)
    parts.push(text.slice(last, os), op === 'replace' ? tag(m.type) : op === 'drop' ? '' : applyOperator(op, m.type, t.slice(m.start, m.end), text.slice(os, oe), cfg));
    last = oe;
    counts[m.type] = (counts[m.type] ?? 0) + 1;
  }
  parts.push(text.slice(last));
  return { text: parts.join(''), counts, changed: true };
}

const MAX_JSON_DEPTH = 4;

function looksLikeJson(s: string): boolean {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) <= 32)) i++;
  const c = s[i];
  if (c !== '{' && c !== '[') return false;
  let j = s.length - 1;
  while (j > i && s.charCodeAt(j) <= 32) j--;
  const d = s[j];
  return (c === '{' && d === '}') || (c === '[' && d === ']');
}

/**
 * A string value: when it is a JSON document (object or array) and json is on, only its string
 * leaves are redacted (keys and syntax untouched, numbers and formatting kept byte for byte);
 * otherwise the whole text.
 */
export function redactString(text: string, cfg: CompiledRedaction, keyHint?: string, depth = 0): RedactResult {
  if (cfg.json && depth < MAX_JSON_DEPTH && looksLikeJson(text)) {
    const doc = jsonStrings(text, cfg.ignoredKeys); // undefined: not valid JSON, so plain text
    if (doc) return redactJsonText(text, doc, cfg, depth);
  }
  return redactText(text, cfg, keyHint);
}

/**
 * The string values of a valid JSON text (json.ts: keys and the values of ignored keys left out)
 * are redacted and re-encoded in place. The plain-text values are redacted together (redactTexts:
 * one detector pass for the document, not one per value); values that are JSON documents themselves
 * recurse.
 */
function redactJsonText(src: string, doc: JsonStrings, cfg: CompiledRedaction, depth: number): RedactResult {
  const { starts, ends, values, keys } = doc;
  // Values that are JSON themselves recurse; the others are redacted together.
  let nested: number[] | undefined;
  let nestedResults: RedactResult[] | undefined;
  if (cfg.json && depth + 1 < MAX_JSON_DEPTH) {
    for (let v = 0; v < values.length; v++) {
      if (!looksLikeJson(values[v])) continue;
      (nested ??= []).push(v);
      (nestedResults ??= []).push(redactString(values[v], cfg, keys[v], depth + 1));
      values[v] = '';
    }
  }
  const results = values.length < 2 ? values.map((t, i) => changedOnly(redactText(t, cfg, keys[i]))) : redactTextsChanged(values, keys, cfg);
  const counts: Counts = {};
  const parts: string[] = [];
  let from = 0;
  let n = 0; // next entry of nested
  for (let v = 0; v < values.length; v++) {
    let r = results[v];
    if (nested && n < nested.length && nested[n] === v) r = nestedResults![n++];
    if (r === undefined || !r.changed) continue;
    addCounts(counts, r.counts);
    // What JSON.stringify gives, without its escaping pass when nothing needs escaping.
    parts.push(src.slice(from, starts[v]), NEEDS_ESCAPE.test(r.text) ? JSON.stringify(r.text) : `"${r.text}"`);
    from = ends[v];
  }
  if (from === 0) return UNCHANGED(src);
  parts.push(src.slice(from));
  return { text: parts.join(''), counts, changed: true };
}

/** What JSON.stringify escapes in a string: '"', '\\', control characters, lone surrogates (any
 * surrogate here: a pair falls back to JSON.stringify, which leaves it as it is). */
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

/** Marker returned when a value should be removed (the drop operator left nothing of it). */
export const DROP = Symbol('drop');

/**
 * One AnyValue: strings (JSON-aware), strings inside arrays and maps, and integers of 8 or more
 * digits (phone, card or id numbers sent as numbers: replaced by the redacted text). Returns the
 * new value, DROP, or the same value when nothing was found. Counts are added to `counts`.
 */
export function redactValue(v: AnyValue, cfg: CompiledRedaction, counts: Counts, keyHint?: string): AnyValue | typeof DROP {
  if (typeof v === 'string') {
    const r = redactString(v, cfg, keyHint);
    if (!r.changed) return v;
    addCounts(counts, r.counts);
    return r.text.trim() === '' ? DROP : r.text;
  }
  if ((typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 1e7) || typeof v === 'bigint') {
    const s = String(v);
    const r = redactText(s, cfg, keyHint);
    if (!r.changed) return v;
    addCounts(counts, r.counts);
    return r.text.trim() === '' ? DROP : r.text;
  }
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) {
    let out: AnyValue[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const r = redactValue(v[i], cfg, counts, keyHint);
      if (r !== v[i] && !out) out = v.slice(0, i);
      if (out && r !== DROP) out.push(r as AnyValue);
    }
    return out ?? v;
  }
  redactAttributes(v, cfg, counts); // in place
  return v;
}

/** Redacts an attribute map (or a kvlist body) in place; true when something changed. */
export function redactAttributes(attrs: Attributes, cfg: CompiledRedaction, counts: Counts): boolean {
  let changed = false;
  for (const key of Object.keys(attrs)) {
    if (cfg.ignoredKeys.has(key) || key.startsWith('redaction.count.')) continue;
    const v = attrs[key];
    let r: AnyValue | typeof DROP;
    try {
      r = redactValue(v, cfg, counts, key);
    } catch {
      r = '<REDACTION_FAILED>'; // fail closed: never pass on a value that could not be scanned
    }
    if (r === v) continue;
    changed = true;
    if (r === DROP) delete attrs[key];
    else setAttribute(attrs, key, r);
  }
  return changed;
}
