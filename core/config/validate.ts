// Validation of the whole config: the top-level shape, every component against its factory's schema
// (defaults applied), the service section and pipelines. Every problem is collected; the result is
// a ResolvedConfig only when there is no error.
import { parseComponentId, type Factory, type Kind } from '../component.ts';
import type { FactoryRegistry } from '../registry.ts';
import { SIGNALS, type Signal } from '../signals/types.ts';
import { checkValue, type CheckContext } from './check.ts';
import { componentSchema } from './component-schema.ts';
import { checkSendingQueue } from '../queue/config-check.ts';
import type { ConfigIssue, KeyPath } from './issues.ts';
import { didYouMean } from './suggest.ts';
import { isPlainObject, type ConfigSource } from './source.ts';
import { preprocessTelemetry, resolveTelemetry, telemetrySchema } from './telemetry.ts';
import type { ComponentConfig, PipelineConfig, ResolvedConfig } from './types.ts';

export const SECTIONS = { receivers: 'receiver', processors: 'processor', exporters: 'exporter', extensions: 'extension' } as const;
type Section = keyof typeof SECTIONS;
const SECTION_OF: Record<Kind, Section> = { receiver: 'receivers', processor: 'processors', exporter: 'exporters', extension: 'extensions' };
const TOP_KEYS = ['plugins', 'receivers', 'processors', 'exporters', 'connectors', 'extensions', 'service'];
const PIPELINE_KEYS = ['receivers', 'processors', 'exporters'] as const;

/** `type[/name]`: the type as in the collector, a name without spaces. */
const COMPONENT_ID = /^([a-zA-Z][0-9a-zA-Z_]{0,62})(?:\/(\S+))?$/;

export interface ValidateOptions {
  /** The plugins that were loaded (absolute specifiers), for ResolvedConfig.plugins. */
  plugins?: string[];
  /** Set when a plugin failed to load, so "unknown type" errors can say why. */
  pluginFailed?: boolean;
}

export function validateConfig(source: ConfigSource, registry: FactoryRegistry, opts: ValidateOptions = {}): { config?: ResolvedConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const ctx: CheckContext = { issues, rawStrings: source.rawStrings };
  const error = (path: KeyPath, message: string, at?: 'key') => issues.push({ severity: 'error', path, message, at });
  const warn = (path: KeyPath, message: string) => issues.push({ severity: 'warning', path, message, at: 'key' });

  const root = source.value;
  if (root === null || root === undefined) {
    error([], 'the config is empty: define receivers, exporters and service.pipelines');
    return finish();
  }
  if (!isPlainObject(root)) {
    error([], 'the config must be a map with receivers, processors, exporters, extensions and service');
    return finish();
  }
  for (const k of Object.keys(root)) {
    if (!TOP_KEYS.includes(k)) error([k], `unknown top-level key "${k}"${didYouMean(k, TOP_KEYS)} (valid keys: ${TOP_KEYS.join(', ')})`, 'key');
  }
  if (isPlainObject(root.connectors) && Object.keys(root.connectors).length) {
    error(['connectors'], 'connectors are not supported by agentcol yet: use one pipeline per signal, or run an OpenTelemetry Collector in front for connectors');
  } else if (root.connectors != null && !isPlainObject(root.connectors)) {
    error(['connectors'], 'connectors are not supported by agentcol yet');
  }
  if (root.plugins != null) checkValue(root.plugins, { type: 'array', items: { type: 'string', minLength: 1 } }, ['plugins'], ctx);

  // ---- components ----
  const components = {} as Record<Section, Map<string, ComponentConfig & { factory?: Factory }>>;
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const map = new Map<string, ComponentConfig & { factory?: Factory }>();
    components[section] = map;
    const defs = root[section];
    if (defs == null) continue;
    if (!isPlainObject(defs)) {
      error([section], `expected a map of ${SECTIONS[section]} ids to their settings, like "${section}:\\n  ${registry.types(SECTIONS[section])[0] ?? 'type'}: {}"`);
      continue;
    }
    for (const [id, raw] of Object.entries(defs)) {
      const factory = resolveComponentId(id, section, [section, id]);
      const { type, name } = parseComponentId(id);
      const entry: ComponentConfig & { factory?: Factory } = { id, type, name, config: raw ?? {}, factory };
      if (factory) {
        entry.config = checkValue(raw ?? {}, componentSchema(factory), [section, id], ctx);
        normalizeCheck(factory, entry.config, [section, id]);
        if (section === 'exporters') checkSendingQueue(entry.config, [section, id], issues);
      }
      map.set(id, entry);
    }
  }

  // ---- service ----
  const service = root.service;
  const pipelines: PipelineConfig[] = [];
  const serviceExtensions: string[] = [];
  let telemetry = resolveTelemetry(checkValue({}, telemetrySchema, ['service', 'telemetry'], { issues: [] }), [], []);
  const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
  if (service == null) {
    error([], 'missing the service section: add service.pipelines, like "service:\\n  pipelines:\\n    traces:\\n      receivers: [otlp]\\n      exporters: [debug]"');
  } else if (!isPlainObject(service)) {
    error(['service'], 'expected a map with pipelines, extensions and telemetry');
  } else {
    for (const k of Object.keys(service)) {
      if (!['extensions', 'pipelines', 'telemetry'].includes(k)) error(['service', k], `unknown key "${k}"${didYouMean(k, ['extensions', 'pipelines', 'telemetry'])} (valid keys: extensions, pipelines, telemetry)`, 'key');
    }
    serviceExtensions.push(...checkRefList(service.extensions, ['service', 'extensions'], 'extensions'));
    checkPipelines(service.pipelines);
    const before = issues.length;
    const t = checkValue(preprocessTelemetry(service.telemetry ?? {}), telemetrySchema, ['service', 'telemetry'], ctx);
    const telemetryOk = !issues.slice(before).some((i) => i.severity === 'error');
    if (telemetryOk) telemetry = resolveTelemetry(t, ['service', 'telemetry'], issues);
  }

  // Defined but unused: allowed, as in the collector, but said (once the config is otherwise valid:
  // a typo in a pipeline would make this noise).
  if (!issues.some((i) => i.severity === 'error')) warnUnused();

  return finish();

  function warnUnused() {
    for (const section of ['receivers', 'processors', 'exporters'] as const) {
      for (const [id, c] of components[section]) {
        if (c.factory && !used[section].has(id)) warn([section, id], `${SECTIONS[section]} is defined but not used in any pipeline; it will not run`);
      }
    }
    for (const [id, c] of components.extensions) {
      if (c.factory && !serviceExtensions.includes(id)) warn(['extensions', id], 'extension is defined but not listed in service.extensions; it will not run');
    }
  }

  function finish() {
    if (issues.some((i) => i.severity === 'error')) return { issues };
    const strip = (m: Map<string, ComponentConfig & { factory?: Factory }>) =>
      new Map([...m].map(([id, { factory: _f, ...c }]) => [id, c as ComponentConfig]));
    const config: ResolvedConfig = {
      plugins: opts.plugins ?? [],
      receivers: strip(components.receivers),
      processors: strip(components.processors),
      exporters: strip(components.exporters),
      extensions: strip(components.extensions),
      service: { extensions: serviceExtensions, pipelines, telemetry },
    };
    return { config, issues };
  }

  function resolveComponentId(id: string, section: Section, path: KeyPath): Factory | undefined {
    const kind = SECTIONS[section];
    const m = COMPONENT_ID.exec(id);
    if (!m) {
      error(path, `invalid ${kind} id "${id}": write type or type/name, where type starts with a letter and has only letters, digits and _ (like "otlp" or "otlp/internal")`, 'key');
      return undefined;
    }
    const factory = registry.get(kind, m[1]);
    if (factory) return factory;
    const other = (Object.keys(SECTION_OF) as Kind[]).find((k) => k !== kind && registry.get(k, m[1]));
    if (other) {
      error(path, `"${m[1]}" is ${article(other)} ${other}, not ${article(kind)} ${kind}: move it under ${SECTION_OF[other]}`, 'key');
      return undefined;
    }
    const known = registry.types(kind);
    const hint = didYouMean(m[1], known);
    const list = hint ? '' : known.length ? ` (known ${kind} types: ${known.join(', ')})` : ` (no ${kind} types are registered)`;
    const plugin = opts.pluginFailed ? '; a plugin failed to load, see above' : hint ? '' : '; if it comes from a plugin, list the package under plugins:';
    error(path, `unknown ${kind} type "${m[1]}"${hint}${list}${plugin}`, 'key');
    return undefined;
  }

  function normalizeCheck(factory: Factory, config: unknown, path: KeyPath) {
    if (!factory.normalize) return;
    if (issues.some((i) => i.severity === 'error' && startsWith(i.path, path))) return; // already explained
    try {
      factory.normalize(structuredClone(config));
    } catch (err) {
      error(path, err instanceof Error ? err.message : String(err));
    }
  }

  /** A list of ids that must be defined in `section`; returns the good ones. */
  function checkRefList(v: unknown, path: KeyPath, section: Section, signal?: Signal): string[] {
    if (v == null) return [];
    if (!Array.isArray(v)) {
      const example = [...components[section].keys()][0] ?? registry.types(SECTIONS[section])[0] ?? SECTIONS[section];
      error(path, `expected a list of ${SECTIONS[section]} ids, like [${example}]`);
      return [];
    }
    const out: string[] = [];
    v.forEach((ref, i) => {
      const p = [...path, i];
      if (typeof ref !== 'string') return error(p, `expected ${article(SECTIONS[section])} ${SECTIONS[section]} id, got ${JSON.stringify(ref)}`);
      const kind = SECTIONS[section];
      if (out.includes(ref)) return error(p, `${kind} "${ref}" is listed twice`);
      const def = components[section].get(ref);
      if (!def) {
        const defined = [...components[section].keys()];
        const hint = didYouMean(ref, defined);
        const list = hint ? '' : defined.length ? ` (defined: ${defined.join(', ')})` : ` (none are defined)`;
        return error(p, `${kind} "${ref}" is not defined under ${section}${hint}${list}`);
      }
      out.push(ref);
      if (signal && def.factory && section !== 'extensions') {
        const supported = (def.factory as { signals: Signal[] }).signals;
        if (!supported.includes(signal)) error(p, `${kind} "${ref}" does not support ${signal} (${def.type} supports ${supported.join(', ') || 'no signals'})`);
      }
    });
    return out;
  }

  function checkPipelines(v: unknown) {
    const path: KeyPath = ['service', 'pipelines'];
    if (v == null || (isPlainObject(v) && Object.keys(v).length === 0)) {
      error(v == null ? ['service'] : path, 'at least one pipeline is required, like "pipelines:\\n  traces:\\n    receivers: [otlp]\\n    exporters: [debug]"');
      return;
    }
    if (!isPlainObject(v)) return error(path, 'expected a map of pipeline ids (traces, logs, metrics, or signal/name) to pipelines');
    for (const [id, def] of Object.entries(v)) {
      const p = [...path, id];
      const slash = id.indexOf('/');
      const sig = slash < 0 ? id : id.slice(0, slash);
      if (slash >= 0 && slash === id.length - 1) {
        error(p, `invalid pipeline id "${id}": the name after / must not be empty`, 'key');
        continue;
      }
      if (!(SIGNALS as readonly string[]).includes(sig)) {
        const why = sig === 'profiles' ? 'profiles pipelines are not supported by agentcol' : `unknown signal "${sig}" in pipeline id "${id}"${didYouMean(sig, SIGNALS)}`;
        error(p, `${why} (pipelines are traces, logs or metrics, optionally with /name)`, 'key');
        // Its references still count as uses, so no "defined but not used" noise on top.
        if (isPlainObject(def)) for (const k of PIPELINE_KEYS) if (Array.isArray(def[k])) for (const r of def[k]) if (typeof r === 'string') used[k].add(r);
        continue;
      }
      const signal = sig as Signal;
      if (def != null && !isPlainObject(def)) {
        error(p, 'expected a map with receivers, processors and exporters');
        continue;
      }
      const d = (def ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(d)) {
        if (!(PIPELINE_KEYS as readonly string[]).includes(k)) error([...p, k], `unknown key "${k}"${didYouMean(k, PIPELINE_KEYS)} (valid keys: receivers, processors, exporters)`, 'key');
      }
      const lists = {} as Record<(typeof PIPELINE_KEYS)[number], string[]>;
      for (const k of PIPELINE_KEYS) {
        lists[k] = checkRefList(d[k], [...p, k], k, signal);
        for (const ref of lists[k]) used[k].add(ref);
      }
      // (A list of the wrong type was reported by checkRefList already.)
      if (d.receivers == null || (Array.isArray(d.receivers) && d.receivers.length === 0)) error(p, 'a pipeline needs at least one receiver: add receivers: [...]', 'key');
      if (d.exporters == null || (Array.isArray(d.exporters) && d.exporters.length === 0)) error(p, 'a pipeline needs at least one exporter: add exporters: [...]', 'key');
      pipelines.push({ id, signal, ...lists });
    }
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function startsWith(p: KeyPath, prefix: KeyPath): boolean {
  return prefix.every((s, i) => p[i] === s);
}
