// Glob patterns for policy match fields: `*` matches any run of characters (also none), `?` one
// character; everything else is literal. Matching is case-insensitive and runs in O(n·m) at worst
// (no backtracking blow-up, whatever the pattern), with plain string compares for the usual cases.

export type Matcher = (value: string) => boolean;

/** A matcher for values of any case. */
export function compileGlob(pattern: string): Matcher {
  const m = compileLowerGlob(pattern);
  return (v) => m(v.toLowerCase());
}

/** A matcher for values already lower-cased (evaluate() lower-cases each input value once). */
export function compileLowerGlob(pattern: string): Matcher {
  const p = pattern.toLowerCase();
  if (p === '*') return () => true;
  if (!p.includes('*') && !p.includes('?')) return (v) => v === p;
  const star = p.indexOf('*');
  if (!p.includes('?') && star === p.length - 1 && p.indexOf('*') === p.lastIndexOf('*')) {
    const prefix = p.slice(0, -1);
    return (v) => v.startsWith(prefix);
  }
  return (v) => wildcard(v, p);
}

/** Iterative wildcard match with single-star backtracking: linear in practice, O(n·m) worst. */
function wildcard(s: string, p: string): boolean {
  let i = 0;
  let j = 0;
  let starJ = -1;
  let starI = 0;
  while (i < s.length) {
    if (j < p.length && (p[j] === '?' || p[j] === s[i])) {
      i++;
      j++;
    } else if (j < p.length && p[j] === '*') {
      starJ = j++;
      starI = i;
    } else if (starJ >= 0) {
      j = starJ + 1;
      i = ++starI;
    } else return false;
  }
  while (j < p.length && p[j] === '*') j++;
  return j === p.length;
}
