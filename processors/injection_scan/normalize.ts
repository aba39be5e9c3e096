// Normalisation before scoring. One input text becomes several "views" that the detectors run on:
//
//   base    NFKC; zero-width, bidi and Unicode tag characters removed; lower case; Latin diacritics
//           stripped (é -> e, ç -> c, ü -> u); runs of spaces/tabs collapsed, line breaks kept
//   folded  base with confusable characters folded to Latin (Cyrillic/Greek look-alikes; fullwidth
//           forms are already folded by NFKC); only when the text has such characters
//   leet    base (or folded) with leetspeak folded (1->i, 3->e, 4->a, 0->o, 5->s, 7->t, @->a, $->s,
//           and a second view with 1->l), only inside tokens that mix letters and those symbols
//   tags    the text smuggled in Unicode tag characters (U+E0020-U+E007E map to ASCII)
//   base64 / hex   decoded segments (bounded length and count), each normalised the same way
//
// The presence of invisible characters is itself reported (counts), and so is which view a detector
// fired in: a hit found only in a decoded, folded or leet view means the text was obfuscated.
// Every regular expression here is linear: single character classes with bounded quantifiers.

export type ViewKind = 'base' | 'folded' | 'leet' | 'tags' | 'base64' | 'hex';

export interface View {
  kind: ViewKind;
  text: string;
}

export interface Normalized {
  views: View[];
  /** Zero-width characters inside words (emoji joiners and soft hyphens between non-letters are not counted). */
  zeroWidth: number;
  /** Bidi embedding/override/isolate controls (U+202A-U+202E, U+2066-U+2069). */
  bidi: number;
  /** Unicode tag characters outside emoji flag sequences. */
  tags: number;
  /** Confusable (look-alike) characters inside words that also contain ASCII letters. */
  confusables: number;
}

export interface NormalizeLimits {
  /** At most this many base64/hex segments are decoded per text. */
  maxSegments: number;
  /** Segments longer than this (characters) are not decoded. */
  maxSegmentLength: number;
}

export const DEFAULT_LIMITS: NormalizeLimits = { maxSegments: 16, maxSegmentLength: 16384 };

const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x180e || cp === 0xad || cp === 0x34f;
}

function isBidi(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

function isWordChar(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || (cp >= 0xc0 && cp <= 0x24f) || (cp >= 0x370 && cp <= 0x4ff);
}

// Confusables: Cyrillic and Greek look-alikes of Latin letters (lower case; the text is lower-cased
// before folding), plus a few symbols used as letters.
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ӏ: 'l', ь: 'b', г: 'r', п: 'n', л: 'n', и: 'u', д: 'd', ы: 'bi', ш: 'w', ц: 'u', з: '3', я: 'r', ч: '4', ф: 'o', б: '6', ў: 'y', ӧ: 'o', ԅ: 'z',
  α: 'a', β: 'b', γ: 'y', δ: 'd', ε: 'e', ζ: 'z', η: 'n', θ: 'o', ι: 'i', κ: 'k', λ: 'l', μ: 'u', ν: 'v', ξ: 'e', ο: 'o', π: 'n', ρ: 'p', σ: 'o', ς: 's', τ: 't', υ: 'u', φ: 'o', χ: 'x', ψ: 'w', ω: 'w', ί: 'i', ό: 'o', ύ: 'u', ά: 'a', έ: 'e', ή: 'n', ώ: 'w',
  ı: 'i', ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ɑ: 'a', ɩ: 'i', ʏ: 'y', ᴀ: 'a', ʀ: 'r', ꜱ: 's', ᴛ: 't', ɴ: 'n', ᴏ: 'o', ᴜ: 'u', ᴇ: 'e', ɪ: 'i', ɢ: 'g', ʜ: 'h', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ᴘ: 'p', ᴡ: 'w', ᴄ: 'c', ᴅ: 'd', ғ: 'f', ᴠ: 'v', ᴢ: 'z',
};
const CONFUSABLE_CLASS = /[\u0370-\u04ff\u0131\u0142\u00f8\u0111\u0261\u0251\u0269\u028f\u1d00-\u1d2b\ua731\u0280\u0274\u026a\u0262\u029c\u029f]/;

// Latin-1 / Latin Extended letters with diacritics -> base letter (cached per character).
const diacriticCache = new Map<string, string>();
function stripDiacritic(ch: string): string {
  let r = diacriticCache.get(ch);
  if (r === undefined) {
    const d = ch.normalize('NFD');
    r = d.length > 1 && /^[a-z]/.test(d) ? d.replace(/[\u0300-\u036f]/g, '') : ch;
    diacriticCache.set(ch, r);
  }
  return r;
}

/** Lower case, Latin diacritics stripped, spaces collapsed (line breaks kept as one "\n"). */
export function canonical(text: string): string {
  let t = text.toLowerCase();
  if (NON_ASCII.test(t)) t = t.replace(/[\u00c0-\u024f]/g, stripDiacritic);
  return t.replace(/[ \t\f\v\u00a0\u3000]{1,64}/g, ' ').replace(/ ?[\r\n][\s]{0,64}/g, '\n');
}

/** Removes invisible characters; counts them; decodes tag text. */
function strip(text: string): { text: string; zeroWidth: number; bidi: number; tags: number; tagText: string } {
  let zeroWidth = 0;
  let bidi = 0;
  let tags = 0;
  let tagText = '';
  const out: string[] = [];
  let runStart = 0;
  let prevCp = 0;
  let inFlag = false;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const tag = cp >= 0xe0000 && cp <= 0xe007f;
    const zw = !tag && isZeroWidth(cp);
    const bd = !tag && !zw && isBidi(cp);
    if (tag || zw || bd) {
      if (i > runStart) out.push(text.slice(runStart, i));
      if (tag) {
        // Emoji tag sequences (subdivision flags): U+1F3F4 followed by tags, ended by U+E007F.
        if (prevCp === 0x1f3f4) inFlag = true;
        if (!inFlag) {
          tags++;
          if (cp >= 0xe0020 && cp <= 0xe007e) tagText += String.fromCharCode(cp - 0xe0000);
          else if (tagText && !tagText.endsWith(' ')) tagText += ' ';
        }
        if (cp === 0xe007f) inFlag = false;
      } else if (zw) {
        const next = text.codePointAt(i + len) ?? 0;
        if (isWordChar(prevCp) && isWordChar(next)) zeroWidth++;
      } else bidi++;
      i += len;
      runStart = i;
      continue;
    }
    inFlag = false;
    prevCp = cp;
    i += len;
  }
  if (runStart === 0) return { text, zeroWidth, bidi, tags, tagText };
  if (runStart < text.length) out.push(text.slice(runStart));
  return { text: out.join(''), zeroWidth, bidi, tags, tagText };
}

/** Folds confusables; counts the ones inside words that also hold ASCII letters (mixed script). */
function fold(text: string): { text: string; mixed: number } {
  let mixed = 0;
  const folded = text.replace(/[^\s.,;:!?()"'`<>\[\]{}]{1,64}/g, (word) => {
    if (!CONFUSABLE_CLASS.test(word)) return word;
    let out = '';
    let changed = 0;
    for (const ch of word) {
      const f = CONFUSABLES[ch];
      if (f !== undefined) {
        out += f;
        changed++;
      } else out += ch;
    }
    if (/[a-z]/.test(word)) mixed += changed;
    return out;
  });
  return { text: folded, mixed };
}

const LEET_TOKEN = /[a-z0-9@$|!]{0,40}(?:[a-z][0-9@$|!]|[0-9@$|!][a-z])[a-z0-9@$|!]{0,40}/g;
const LEET_I: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '|': 'l', '!': 'i' };
const LEET_L: Record<string, string> = { ...LEET_I, '1': 'l' };

function leet(text: string, map: Record<string, string>): string {
  return text.replace(LEET_TOKEN, (tok) => {
    let out = '';
    for (const ch of tok) out += map[ch] ?? ch;
    return out;
  });
}

const HAS_LEET = /[a-z][0-9@$|!]|[0-9@$|!][a-z]/;
const B64 = /[A-Za-z0-9+/_-]{16,16384}={0,2}/g;
const HEX = /(?:\\x|0x)?[0-9a-fA-F]{16,16384}|(?:\\x[0-9a-fA-F]{2}){8,4096}|(?:[0-9a-fA-F]{2}[ :]){7,4096}[0-9a-fA-F]{2}/g;

/** Decoded text if it looks like text (printable, mostly letters and spaces), else undefined. */
function textual(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const s = bytes.toString('utf8');
  if (s.includes('\ufffd')) return undefined;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) spaces++;
    if ((c >= 0x20 && c < 0x7f) || c === 10 || c === 13 || c === 9 || c >= 0xa0) printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xa0) letters++;
  }
  if (printable / s.length < 0.95 || letters / s.length < 0.5 || spaces === 0) return undefined;
  return s;
}

/** base64 and hex segments of the (un-lowercased) text, decoded; bounded by `limits`. */
function decodeSegments(text: string, limits: NormalizeLimits): Array<{ kind: 'base64' | 'hex'; text: string }> {
  const out: Array<{ kind: 'base64' | 'hex'; text: string }> = [];
  let tried = 0;
  for (const m of text.matchAll(HEX)) {
    if (tried >= limits.maxSegments) break;
    const seg = m[0].replace(/\\x|0x|[ :]/g, '');
    if (seg.length % 2 !== 0 || seg.length > limits.maxSegmentLength) continue;
    tried++;
    const t = textual(Buffer.from(seg, 'hex'));
    if (t) out.push({ kind: 'hex', text: t });
  }
  for (const m of text.matchAll(B64)) {
    if (tried >= limits.maxSegments) break;
    const seg = m[0];
    if (seg.length > limits.maxSegmentLength) continue;
    // Plain words and identifiers are not base64: require mixed case or digits.
    if (!/[A-Z]/.test(seg) || !/[a-z]/.test(seg)) continue;
    if (/^[0-9a-fA-F]+$/.test(seg)) continue;
    tried++;
    const t = textual(Buffer.from(seg.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
    if (t) out.push({ kind: 'base64', text: t });
  }
  return out;
}

function textViews(raw: string, kind: ViewKind, views: View[], counts: { confusables: number }): void {
  const base = canonical(NON_ASCII.test(raw) ? raw.normalize('NFKC') : raw);
  views.push({ kind, text: base });
  let last = base;
  if (NON_ASCII.test(base) && CONFUSABLE_CLASS.test(base)) {
    const f = fold(base);
    counts.confusables += f.mixed;
    if (f.text !== base) {
      views.push({ kind: kind === 'base' ? 'folded' : kind, text: f.text });
      last = f.text;
    }
  }
  if (HAS_LEET.test(last)) {
    const l1 = leet(last, LEET_I);
    if (l1 !== last) views.push({ kind: kind === 'base' ? 'leet' : kind, text: l1 });
    if (last.includes('1')) {
      const l2 = leet(last, LEET_L);
      if (l2 !== l1) views.push({ kind: kind === 'base' ? 'leet' : kind, text: l2 });
    }
  }
}

/** Every view of `text` the detectors run on, and the invisible-character counts. */
export function normalize(text: string, limits: NormalizeLimits = DEFAULT_LIMITS): Normalized {
  const views: View[] = [];
  const counts = { confusables: 0 };
  let zeroWidth = 0;
  let bidi = 0;
  let tags = 0;
  let clean = text;
  if (NON_ASCII.test(text)) {
    const s = strip(text);
    clean = s.text;
    zeroWidth = s.zeroWidth;
    bidi = s.bidi;
    tags = s.tags;
    if (s.tagText.length > 0) textViews(s.tagText, 'tags', views, counts);
  }
  textViews(clean, 'base', views, counts);
  for (const seg of decodeSegments(clean, limits)) {
    // One level of nesting: base64 of hex or of base64 is decoded once more.
    textViews(seg.text, seg.kind, views, counts);
    for (const inner of decodeSegments(seg.text, { ...limits, maxSegments: 2 })) textViews(inner.text, seg.kind, views, counts);
  }
  // The base view first: detectors report the first view they fire in.
  views.sort((a, b) => (a.kind === 'base' ? -1 : b.kind === 'base' ? 1 : 0));
  return { views, zeroWidth, bidi, tags, confusables: counts.confusables };
}
