// loadConfig: YAML file(s) -> ResolvedConfig. Read and parse (keeping positions), merge several
// files, expand ${env:...}, load plugins (so their types validate), validate, apply defaults.
// Throws a ConfigError listing every error; warnings are returned (and carried by the error).
import type { FactoryRegistry } from '../registry.ts';
import { expandEnv } from './env.ts';
import { ConfigError, type ConfigIssue } from './issues.ts';
import { loadPlugins } from './plugins.ts';
import { mergeSources, parseConfigText, readConfigFile, type ConfigSource } from './source.ts';
import type { ResolvedConfig } from './types.ts';
import { validateConfig } from './validate.ts';

export interface LoadOptions {
  /** Config files, merged in order (like repeated --config flags). */
  files: string[];
  registry: FactoryRegistry;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface LoadResult {
  config: ResolvedConfig;
  warnings: ConfigIssue[];
}

export async function loadConfig(opts: LoadOptions): Promise<LoadResult> {
  const issues: ConfigIssue[] = [];
  const sources: ConfigSource[] = [];
  for (const f of opts.files) {
    const s = await readConfigFile(f, issues);
    if (s) sources.push(s);
  }
  if (!sources.length || issues.some((i) => i.severity === 'error')) throw new ConfigError(errorsOf(issues), warningsOf(issues));
  return resolveSource(mergeSources(sources), opts, issues);
}

/** The same from YAML text (tests, embedded configs); `file` names it in messages. */
export async function loadConfigText(text: string, file: string, opts: Omit<LoadOptions, 'files'>): Promise<LoadResult> {
  const issues: ConfigIssue[] = [];
  const source = parseConfigText(text, file, issues);
  if (!source) throw new ConfigError(errorsOf(issues), warningsOf(issues));
  return resolveSource(source, opts, issues);
}

async function resolveSource(source: ConfigSource, opts: Omit<LoadOptions, 'files'>, issues: ConfigIssue[]): Promise<LoadResult> {
  expandEnv(source, opts.env ?? process.env, issues);
  const plugins = await loadPlugins(source, opts.registry, issues, opts.cwd);
  const { config, issues: found } = validateConfig(source, opts.registry, { plugins: plugins.resolved, pluginFailed: plugins.failed });
  issues.push(...found);
  for (const i of issues) i.pos ??= source.locations.find(i.path, i.at ?? 'value');
  if (!config || issues.some((i) => i.severity === 'error')) throw new ConfigError(errorsOf(issues), warningsOf(issues));
  config.file = source.files[0];
  return { config, warnings: warningsOf(issues) };
}

const errorsOf = (issues: ConfigIssue[]) => sortIssues(issues.filter((i) => i.severity === 'error'));
const warningsOf = (issues: ConfigIssue[]) => sortIssues(issues.filter((i) => i.severity === 'warning'));

/** In file order, so the list reads top to bottom like the config. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((i, n) => ({ i, n }))
    .sort((a, b) => {
      const pa = a.i.pos, pb = b.i.pos;
      if (!pa || !pb) return pa ? 1 : pb ? -1 : a.n - b.n;
      return pa.file.localeCompare(pb.file) || pa.line - pb.line || pa.col - pb.col || a.n - b.n;
    })
    .map(({ i }) => i);
}
