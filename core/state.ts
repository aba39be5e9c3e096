// Component state that must survive restarts (e.g. the anomaly processor's baselines), kept by an
// exporter that has durable storage. A component names the exporter in its config and finds the
// store through Host.getStateStore(exporterId); components never import each other.
//
// The store is a key-value map per namespace (by convention `<component type>/<component id>`),
// values are text (JSON). Saving is an upsert of the given entries, all or nothing.

export interface StateStore {
  /** Every entry of the namespace (empty when there is none). */
  load(namespace: string): Promise<Map<string, string>>;
  /** Upserts the entries in one transaction; other keys of the namespace stay. */
  save(namespace: string, entries: ReadonlyMap<string, string>): Promise<void>;
  /** Removes every entry of the namespace. */
  clear(namespace: string): Promise<void>;
}

/** Implemented by exporters that can keep component state. */
export interface StateStoreProvider {
  stateStore(): StateStore;
}

export function isStateStoreProvider(x: unknown): x is StateStoreProvider {
  return typeof x === 'object' && x !== null && typeof (x as { stateStore?: unknown }).stateStore === 'function';
}
