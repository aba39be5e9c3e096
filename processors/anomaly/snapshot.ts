// Baselines in a state store (core/state.ts): one entry per agent (`agent/<id>`), one for the
// coordination stage, and `meta` with what the baselines were learnt under. Snapshots written
// under a different interval are not restored (their intervals mean something else).
import type { StateStore } from '../../core/state.ts';
import type { AgentStateJson } from './baseline.ts';
import type { CompiledAnomaly } from './config.ts';
import type { CoordinationJson } from './coordination.ts';

const VERSION = 1;

interface Meta {
  v: number;
  intervalMs: number;
  savedAt: string;
}

export interface LoadedState {
  agents: AgentStateJson[];
  coordination?: CoordinationJson;
  warnings: string[];
}

export async function saveState(store: StateStore, namespace: string, cfg: CompiledAnomaly, agents: readonly AgentStateJson[], coordination: CoordinationJson): Promise<void> {
  const entries = new Map<string, string>();
  const meta: Meta = { v: VERSION, intervalMs: cfg.intervalMs, savedAt: new Date().toISOString() };
  entries.set('meta', JSON.stringify(meta));
  entries.set('coordination', JSON.stringify(coordination));
  for (const a of agents) entries.set(`agent/${a.agent}`, JSON.stringify(a));
  await store.save(namespace, entries);
}

export async function loadState(store: StateStore, namespace: string, cfg: CompiledAnomaly): Promise<LoadedState> {
  const entries = await store.load(namespace);
  const out: LoadedState = { agents: [], warnings: [] };
  const metaText = entries.get('meta');
  if (!metaText) return out;
  const meta = parse<Meta>(metaText);
  if (!meta || meta.v !== VERSION) {
    out.warnings.push(`saved baselines in "${namespace}" have an unknown format (version ${meta?.v}); starting fresh`);
    return out;
  }
  if (meta.intervalMs !== cfg.intervalMs) {
    out.warnings.push(`saved baselines in "${namespace}" were learnt with interval ${meta.intervalMs} ms, the config says ${cfg.intervalMs} ms; starting fresh`);
    return out;
  }
  for (const [key, value] of entries) {
    if (key === 'coordination') out.coordination = parse<CoordinationJson>(value) ?? undefined;
    else if (key.startsWith('agent/')) {
      const a = parse<AgentStateJson>(value);
      if (a && a.v === 1 && a.agent === key.slice(6)) out.agents.push(a);
      else out.warnings.push(`saved baseline ${key} is unreadable; that agent starts fresh`);
    }
  }
  out.agents.sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
  return out;
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
