// What the limiter measures and compares against.
//
// Usage is V8 heap used + external memory (Buffers, and shared memory): where this process keeps
// the data it holds — decoded batches, queues, request bodies — the analogue of the collector's Go heap. Not RSS: the
// embedded stores' native caches count in RSS and do not shrink when data is refused, so an RSS
// limit could refuse forever.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

export function memoryUsageBytes(): number {
  const m = process.memoryUsage();
  // Request bodies are held in shared memory (core/signals/encoded.ts), which V8 leaves out of
  // `external` but Node's ArrayBuffer count includes; that count is otherwise part of `external`.
  return m.heapUsed + Math.max(m.external, m.arrayBuffers);
}

/** V8's own heap ceiling: past it the process dies whatever the limiter says. */
export function heapSizeLimitBytes(): number {
  return getHeapStatistics().heap_size_limit;
}

/** Total memory for the percentage settings: the cgroup limit when lower than the machine's. */
export function totalMemoryBytes(): number {
  const machine = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = readFileSync(file, 'utf8').trim();
      const n = Number(v);
      if (v !== 'max' && Number.isFinite(n) && n > 0 && n < machine) return n;
    } catch {
      /* no cgroup file */
    }
  }
  return machine;
}
