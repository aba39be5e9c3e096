// The set of component factories a process knows: a distribution registers its built-ins here,
// and plugins named in a config are registered the same way.
import type { Factory, Kind } from './component.ts';

/** The agentcol command's own subcommands, which no component may take. */
const RESERVED_COMMANDS = ['run', 'validate', 'print-config', 'components', 'schema', 'help'];

export class FactoryRegistry {
  private byKind: Record<Kind, Map<string, Factory>> = {
    receiver: new Map(),
    processor: new Map(),
    exporter: new Map(),
    extension: new Map(),
  };

  /** Subcommand name -> the component that brings it. */
  private commandOwners = new Map<string, string>();

  /** Where each factory came from ('built-in', 'plugin "name"'), keyed `kind:type`. */
  private origins = new Map<string, string>();

  register(factory: Factory, origin = 'built-in'): void {
    validateFactoryShape(factory, origin);
    const map = this.byKind[factory.kind];
    if (map.has(factory.type)) {
      const first = this.origins.get(`${factory.kind}:${factory.type}`);
      throw new Error(`${factory.kind} type "${factory.type}" from ${origin} is already registered${first ? ` by ${first}` : ''}`);
    }
    for (const c of factory.commands ?? []) {
      const owner = RESERVED_COMMANDS.includes(c.name) ? 'agentcol itself' : this.commandOwners.get(c.name);
      if (owner) throw new Error(`command "${c.name}" of ${factory.kind} "${factory.type}" (${origin}) is already taken by ${owner}; rename it`);
    }
    map.set(factory.type, factory);
    this.origins.set(`${factory.kind}:${factory.type}`, origin);
    for (const c of factory.commands ?? []) this.commandOwners.set(c.name, `${factory.kind} "${factory.type}"`);
  }

  /** The origin given when the factory was registered. */
  origin(kind: Kind, type: string): string | undefined {
    return this.origins.get(`${kind}:${type}`);
  }

  get(kind: Kind, type: string): Factory | undefined {
    return this.byKind[kind].get(type);
  }

  types(kind: Kind): string[] {
    return [...this.byKind[kind].keys()].sort();
  }

  all(): Factory[] {
    return (['receiver', 'processor', 'exporter', 'extension'] as Kind[]).flatMap((k) =>
      this.types(k).map((t) => this.byKind[k].get(t)!),
    );
  }
}

/** A plugin's default export must look like a factory; say exactly what is missing if not. */
function validateFactoryShape(f: unknown, origin: string): asserts f is Factory {
  const problems: string[] = [];
  const o = f as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new Error(`${origin}: the default export is not a factory object`);
  if (typeof o.type !== 'string' || !/^[a-z][a-z0-9_]*$/.test(o.type)) problems.push('"type" must be a lowercase identifier like "my_processor"');
  if (!['receiver', 'processor', 'exporter', 'extension'].includes(o.kind as string)) problems.push('"kind" must be receiver, processor, exporter or extension');
  if (typeof o.create !== 'function') problems.push('"create" must be a function');
  if (!o.configSchema || typeof o.configSchema !== 'object') problems.push('"configSchema" must be a JSON Schema object');
  if (o.kind !== 'extension' && !Array.isArray(o.signals)) problems.push('"signals" must list the signals it supports (traces, logs, metrics)');
  if (problems.length) throw new Error(`${origin} is not a valid agentcol factory: ${problems.join('; ')}`);
}
