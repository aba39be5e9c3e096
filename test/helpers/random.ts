// The one seeded pseudo-random generator for tests, fixtures and benches: seeded fixtures, crash
// schedules and bench scenarios replay exactly, so a failing seed can be run again. Changing this
// function changes every seeded fixture and bench input at once.

/** mulberry32: a small, fast PRNG; numbers in [0, 1), the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
