// The prefilter's search as an Aho-Corasick automaton: every place in a text where a stem begins
// (word stems after a word boundary, symbol stems anywhere), with the longest stem there: what
// the alternation `\b(?:word stems)|(?:symbol stems)` finds when run from every position, in one
// pass of a table lookup per character. V8's regular-expression engine tries the alternation at
// every position (each word start passes its first-character check); the automaton reads each
// character once. test/processors/injection_scan.equivalence.test.ts compares the two.

/** Stems beginning with one of these need a word boundary before them (as `\b` in the expression). */
const isWordStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
/** `\w` of a regular expression without the u flag. */
const isWordChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;

export class StemFinder {
  /** Character code -> alphabet class (0: in no stem). */
  private readonly cls = new Uint8Array(65536);
  private readonly width: number;
  /** (state * width + class) -> next state * width: the transitions of the automaton, failure links folded in. */
  private readonly delta: Int32Array;
  /** States (times width) from this one on end at least one stem. */
  private readonly outFrom: number;
  /** Per state: the stem ending exactly there (-1: none), and the next state down the chain of suffixes that end a stem (-1: none). */
  private readonly stemAt: Int32Array;
  private readonly nextOut: Int32Array;

  constructor(readonly stems: readonly string[]) {
    const chars = [...new Set(stems.join(''))];
    if (chars.length > 254) throw new Error(`injection_scan: ${chars.length} distinct characters in the stems, at most 254`);
    chars.forEach((ch, i) => {
      if (ch.length !== 1) throw new Error(`injection_scan: stem character ${JSON.stringify(ch)} is outside the BMP`);
      this.cls[ch.charCodeAt(0)] = i + 1;
    });
    const width = chars.length + 1;
    this.width = width;
    // trie
    const go: Array<Map<number, number>> = [new Map()];
    const stemOf: number[] = [-1];
    stems.forEach((stem, id) => {
      if (!stem) throw new Error('injection_scan: an empty stem');
      let st = 0;
      for (const ch of stem) {
        const c = this.cls[ch.charCodeAt(0)];
        let next = go[st].get(c);
        if (next === undefined) {
          next = go.length;
          go.push(new Map());
          stemOf.push(-1);
          go[st].set(c, next);
        }
        st = next;
      }
      stemOf[st] = id;
    });
    // failure links breadth first; full transitions; the suffix chain of stem-ending states
    const n = go.length;
    const fail = new Int32Array(n);
    const out = new Int32Array(n).fill(-1); // nearest proper suffix state ending a stem
    const delta = new Int32Array(n * width);
    const queue: number[] = [];
    for (let c = 0; c < width; c++) {
      const next = go[0].get(c) ?? 0;
      delta[c] = next;
      if (next) queue.push(next);
    }
    for (let h = 0; h < queue.length; h++) {
      const st = queue[h];
      const f = fail[st];
      out[st] = stemOf[f] >= 0 ? f : out[f];
      for (let c = 0; c < width; c++) {
        const next = go[st].get(c);
        if (next === undefined) delta[st * width + c] = delta[f * width + c];
        else {
          fail[next] = delta[f * width + c];
          delta[st * width + c] = next;
          queue.push(next);
        }
      }
    }
    // Renumber: states that end no stem first (the root stays 0), so "ends a stem" is one compare.
    const ends = (st: number) => stemOf[st] >= 0 || out[st] >= 0;
    const order = [...Array(n).keys()].sort((a, b) => Number(ends(a)) - Number(ends(b)) || a - b);
    const renum = new Int32Array(n);
    order.forEach((old, i) => (renum[old] = i));
    this.delta = new Int32Array(n * width);
    this.stemAt = new Int32Array(n);
    this.nextOut = new Int32Array(n);
    for (let old = 0; old < n; old++) {
      const st = renum[old];
      for (let c = 0; c < width; c++) this.delta[st * width + c] = renum[delta[old * width + c]] * width;
      this.stemAt[st] = stemOf[old];
      this.nextOut[st] = out[old] >= 0 ? renum[out[old]] : -1;
    }
    const firstEnding = order.findIndex(ends);
    this.outFrom = (firstEnding < 0 ? n : firstEnding) * width;
  }

  /** Where stems begin in `text`, ascending: start, stem index, start, stem index... (the longest
   * stem at each start). */
  find(text: string): number[] {
    const { cls, delta, outFrom, width } = this;
    const found: number[] = [];
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      s = delta[s + cls[text.charCodeAt(i)]];
      if (s >= outFrom) this.ending(text, i, s / width, found);
    }
    return found;
  }

  /** Records the stems ending at `end` (state `st`) that begin where a stem may begin. */
  private ending(text: string, end: number, st: number, found: number[]): void {
    for (let o = this.stemAt[st] >= 0 ? st : this.nextOut[st]; o >= 0; o = this.nextOut[o]) {
      const id = this.stemAt[o];
      const len = this.stems[id].length;
      const start = end - len + 1;
      if (start > 0 && isWordStart(text.charCodeAt(start)) && isWordChar(text.charCodeAt(start - 1))) continue;
      // keep `found` ordered by start, the longest stem per start (a longer stem ends later)
      let j = found.length;
      while (j > 0 && found[j - 2] > start) j -= 2;
      if (j > 0 && found[j - 2] === start) {
        if (len > this.stems[found[j - 1]].length) found[j - 1] = id;
      } else if (j === found.length) found.push(start, id);
      else found.splice(j, 0, start, id);
    }
  }
}
