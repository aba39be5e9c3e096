// Text normalisation before matching: NFKC, zero-width characters (U+200B-U+200D, U+2060, U+FEFF)
// and bidi controls (U+202A-U+202E, U+2066-U+2069) removed, so "a\u200B@example.com" or fullwidth
// digits are still found. Every code unit of the normalised text remembers the span of the original
// text it came from, so matches are replaced in the original text (what is not PII stays byte for
// byte as it was).

export interface Normalized {
  /** The text detectors run on. */
  text: string;
  /** null when text === original (the common, ASCII case). Otherwise, for each code unit i of
   * text: the original span [origStart[i], origEnd[i]) it came from. */
  origStart: Int32Array | null;
  origEnd: Int32Array | null;
}

const IGNORABLE = /[\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;
// Anything outside printable ASCII + tab/newline/CR needs the slow path.
const NON_ASCII = /[^\t\n\r\x20-\x7e]/;
const COMBINING = /\p{M}/u;

function isIgnorable(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
  );
}

export function normalizeText(original: string): Normalized {
  if (!NON_ASCII.test(original)) return { text: original, origStart: null, origEnd: null };
  // Fast check: NFKC changes nothing and nothing to remove.
  if (!IGNORABLE.test(original) && original.normalize('NFKC') === original) return { text: original, origStart: null, origEnd: null };

  // Slow path: a cluster is a starter code point with the combining marks that follow it
  // (ignorable characters in between are skipped); each cluster is normalised on its own and
  // every output code unit maps to the cluster's original span.
  const outParts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let clusterStart = -1;
  let clusterEnd = -1;
  let cluster = '';
  const flush = () => {
    if (clusterStart < 0) return;
    const n = cluster.normalize('NFKC');
    outParts.push(n);
    for (let k = 0; k < n.length; k++) {
      starts.push(clusterStart);
      ends.push(clusterEnd);
    }
    clusterStart = -1;
    cluster = '';
  };
  let i = 0;
  while (i < original.length) {
    const cp = original.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    if (isIgnorable(cp)) {
      i += len;
      continue;
    }
    const ch = len === 1 ? original[i] : original.slice(i, i + 2);
    if (clusterStart >= 0 && cp >= 0x300 && COMBINING.test(ch)) {
      cluster += ch;
      clusterEnd = i + len;
    } else {
      flush();
      clusterStart = i;
      clusterEnd = i + len;
      cluster = ch;
    }
    i += len;
  }
  flush();
  return { text: outParts.join(''), origStart: Int32Array.from(starts), origEnd: Int32Array.from(ends) };
}

/** The original span of the normalised span [start, end). */
export function toOriginal(n: Normalized, start: number, end: number): [number, number] {
  if (!n.origStart || !n.origEnd) return [start, end];
  return [n.origStart[start], n.origEnd[end - 1]];
}
