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
const COMBINING = /\p{M}/u;

function isIgnorable(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
  );
}

const NON_ASCII = /[^\x00-\x7f]/;
/** Maximal runs of non-ASCII code units. */
const NON_ASCII_RUN = /[^\x00-\x7f]+/g;

/**
 * Whether NFKC leaves the text as it is and it holds nothing to remove, looking only at its
 * non-ASCII runs, each with the ASCII character before it. Exact as a sufficient condition: no
 * ASCII character composes with what precedes it, nor is reordered, so NFKC works on the pieces
 * between one ASCII character and the next on their own, and a piece of ASCII alone is stable.
 */
function runsStable(original: string): boolean {
  NON_ASCII_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NON_ASCII_RUN.exec(original)) !== null) {
    const run = m[0];
    if (IGNORABLE.test(run)) return false;
    const piece = m.index > 0 ? original.slice(m.index - 1, m.index + run.length) : run;
    if (piece.normalize('NFKC') !== piece) return false;
  }
  return true;
}

export function normalizeText(original: string): Normalized {
  // All code units below 0x80 (what UTF-8 encodes in one byte each; a native count, far cheaper
  // than a scan in JavaScript): nothing to normalise or remove.
  // Short texts (most attribute and JSON values) by a regex test, which has no call into C++.
  if (original.length < 256 ? !NON_ASCII.test(original) : Buffer.byteLength(original, 'utf8') === original.length) return { text: original, origStart: null, origEnd: null };
  // Fast checks: NFKC changes nothing and nothing to remove (the runs; then the whole text, which
  // decides the few texts whose runs changed alone).
  if (runsStable(original)) return { text: original, origStart: null, origEnd: null };
  if (!IGNORABLE.test(original) && original.normalize('NFKC') === original) return { text: original, origStart: null, origEnd: null };

  // Slow path: a cluster is a starter code point with the combining marks that follow it
  // (ignorable characters in between are skipped); each cluster is normalised on its own (ASCII
  // as is, others through a small cache) and every output code unit maps to the cluster's
  // original span.
  let cap = original.length + 16;
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  const outParts: string[] = [];
  let outLen = 0;
  let clusterStart = -1;
  let clusterEnd = -1;
  let cluster = '';
  const flush = () => {
    if (clusterStart < 0) return;
    const n = nfkc(cluster);
    outParts.push(n);
    if (outLen + n.length > cap) {
      cap = Math.max(cap * 2, outLen + n.length);
      const s2 = new Int32Array(cap);
      s2.set(starts);
      starts = s2;
      const e2 = new Int32Array(cap);
      e2.set(ends);
      ends = e2;
    }
    starts.fill(clusterStart, outLen, outLen + n.length);
    ends.fill(clusterEnd, outLen, outLen + n.length);
    outLen += n.length;
    clusterStart = -1;
  };
  let i = 0;
  while (i < original.length) {
    const cp = original.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    if (isIgnorable(cp)) {
      i += len;
      continue;
    }
    if (clusterStart >= 0 && cp >= 0x300 && COMBINING.test(len === 1 ? original[i] : original.slice(i, i + 2))) {
      cluster += len === 1 ? original[i] : original.slice(i, i + 2);
      clusterEnd = i + len;
    } else {
      flush();
      clusterStart = i;
      clusterEnd = i + len;
      cluster = len === 1 ? original[i] : original.slice(i, i + 2);
    }
    i += len;
  }
  flush();
  return { text: outParts.join(''), origStart: starts.subarray(0, outLen), origEnd: ends.subarray(0, outLen) };
}

const cache = new Map<string, string>();

function nfkc(cluster: string): string {
  if (cluster.length === 1 && cluster.charCodeAt(0) < 0x80) return cluster;
  let n = cache.get(cluster);
  if (n === undefined) {
    n = cluster.normalize('NFKC');
    if (cache.size >= 8192) cache.clear();
    cache.set(cluster, n);
  }
  return n;
}

/** The original span of the normalised span [start, end). */
export function toOriginal(n: Normalized, start: number, end: number): [number, number] {
  if (!n.origStart || !n.origEnd) return [start, end];
  return [n.origStart[start], n.origEnd[end - 1]];
}
