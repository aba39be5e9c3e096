// Which shard (pool lane) an agent's baselines live on: a stable hash of the agent id, the same in
// every thread and every run.

/** FNV-1a of the agent id, modulo the number of shards. */
export function shardOf(agent: string, shards: number): number {
  if (shards <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < agent.length; i++) {
    h ^= agent.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
