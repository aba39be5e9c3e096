// Plugins: the config's top-level `plugins:` list names npm packages or paths (relative to the
// config file that lists them) whose default export is a factory, or a list of factories. They are
// imported and registered before validation, so their component types and schemas validate like
// built-ins. Packages are looked up in node_modules folders from the config file's directory
// upwards, then from the working directory, then wherever agentcol itself resolves packages.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Factory } from '../component.ts';
import type { FactoryRegistry } from '../registry.ts';
import type { ConfigIssue } from './issues.ts';
import type { ConfigSource } from './source.ts';

const PACKAGE_NAME = /^((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)(?:\/(.+))?$/i;

export interface LoadedPlugins {
  /** Absolute entry files, one per plugin. */
  resolved: string[];
  failed: boolean;
}

export async function loadPlugins(source: ConfigSource, registry: FactoryRegistry, issues: ConfigIssue[], cwd = process.cwd()): Promise<LoadedPlugins> {
  const out: LoadedPlugins = { resolved: [], failed: false };
  const list = (source.value as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(list)) return out; // a wrong shape is reported by the validator
  const seen = new Set<string>();
  for (const [i, spec] of list.entries()) {
    if (typeof spec !== 'string' || !spec) continue;
    const p = ['plugins', i];
    const fail = (message: string) => {
      out.failed = true;
      issues.push({ severity: 'error', path: p, message });
    };
    const file = source.locations.find(p)?.file ?? source.files[0];
    const baseDir = file ? path.dirname(file) : cwd;
    let entry: string | undefined;
    try {
      entry = resolvePlugin(spec, baseDir, cwd);
    } catch (err) {
      fail(`plugin "${spec}": ${(err as Error).message}`);
      continue;
    }
    if (seen.has(entry ?? spec)) {
      issues.push({ severity: 'warning', path: p, message: `plugin "${spec}" is listed twice; loaded once` });
      continue;
    }
    seen.add(entry ?? spec);
    let mod: { default?: unknown };
    try {
      mod = await import(entry ? pathToFileURL(entry).href : spec);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (!entry && e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(`'${spec}'`)) fail(notFound(spec));
      else fail(`plugin "${spec}" failed to load${entry ? ` (${entry})` : ''}: ${e.message}`);
      continue;
    }
    out.resolved.push(entry ?? spec);
    const exported = mod.default;
    if (exported === undefined) {
      fail(`plugin "${spec}" has no default export: its main module must \`export default\` a factory (an object with kind, type, configSchema, create...)`);
      continue;
    }
    for (const factory of (Array.isArray(exported) ? exported : [exported]) as Factory[]) {
      const known = isFactoryLike(factory) ? registry.get(factory.kind, factory.type) : undefined;
      if (known === factory) continue; // loaded before in this process
      const origin = `plugin "${spec}"`;
      try {
        registry.register(factory, origin);
      } catch (err) {
        fail(known ? `${(err as Error).message}: a plugin cannot replace a registered component; give its type another name` : (err as Error).message);
      }
    }
  }
  return out;
}

function isFactoryLike(f: unknown): f is Factory {
  const o = f as Factory | null;
  return !!o && typeof o === 'object' && typeof o.type === 'string' && ['receiver', 'processor', 'exporter', 'extension'].includes(o.kind);
}

function notFound(spec: string): string {
  return `plugin "${spec}" not found: install it with npm install ${spec.match(PACKAGE_NAME)?.[1] ?? spec}, or give a path (like ./plugins/my-plugin.js)`;
}

/** The absolute entry file of a plugin, or undefined to let `import()` resolve a package name
 * from agentcol's own location. Throws with the reason when it cannot be found. */
export function resolvePlugin(spec: string, baseDir: string, cwd: string): string | undefined {
  if (spec.startsWith('file:')) spec = new URL(spec).pathname;
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const abs = path.resolve(baseDir, spec);
    if (!existsSync(abs)) throw new Error(`not found: no file or directory ${abs} (paths are relative to the config file's directory)`);
    return statSync(abs).isDirectory() ? packageEntry(abs, undefined) : abs;
  }
  const m = PACKAGE_NAME.exec(spec);
  if (!m) throw new Error('not a package name or a path: write an npm package name like agentcol-processor-x, or a path starting with ./ or /');
  for (const start of new Set([baseDir, cwd])) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const pkgDir = path.join(dir, 'node_modules', m[1]);
      if (existsSync(path.join(pkgDir, 'package.json'))) return packageEntry(pkgDir, m[2]);
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/** The file `import` would load for a package directory (and an optional subpath): package.json
 * `exports` (import / node / default conditions), else `main`, else index.js. */
function packageEntry(dir: string, subpath: string | undefined): string {
  const pkgFile = path.join(dir, 'package.json');
  if (!existsSync(pkgFile)) {
    const index = path.join(dir, 'index.js');
    if (existsSync(index)) return index;
    throw new Error(`${dir} has neither a package.json nor an index.js`);
  }
  let pkg: { exports?: unknown; main?: string };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${pkgFile}: ${(err as Error).message}`);
  }
  let target: string | undefined;
  if (pkg.exports !== undefined) {
    target = exportsTarget(pkg.exports, subpath ? `./${subpath}` : '.');
    if (!target) throw new Error(`${pkgFile} does not export ${subpath ? `"./${subpath}"` : 'a main module'} for import`);
  } else target = subpath ?? pkg.main ?? 'index.js';
  const file = path.resolve(dir, target);
  for (const candidate of [file, file + '.js', path.join(file, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`its entry ${file} does not exist (check "main" or "exports" in ${pkgFile})`);
}

const CONDITIONS = new Set(['import', 'node', 'default']);

function exportsTarget(exp: unknown, subpath: string): string | undefined {
  if (typeof exp === 'string') return subpath === '.' ? exp : undefined;
  if (Array.isArray(exp)) {
    for (const e of exp) {
      const t = exportsTarget(e, subpath);
      if (t) return t;
    }
    return undefined;
  }
  if (!exp || typeof exp !== 'object') return undefined;
  const obj = exp as Record<string, unknown>;
  if (Object.keys(obj).some((k) => k.startsWith('.'))) return obj[subpath] === undefined ? undefined : conditionTarget(obj[subpath]);
  return subpath === '.' ? conditionTarget(obj) : undefined;
}

function conditionTarget(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(conditionTarget).find(Boolean);
  if (!v || typeof v !== 'object') return undefined;
  for (const [k, t] of Object.entries(v)) if (CONDITIONS.has(k)) {
    const r = conditionTarget(t);
    if (r) return r;
  }
  return undefined;
}
