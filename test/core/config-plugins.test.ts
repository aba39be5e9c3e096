import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessorFactory } from '../../core/component.ts';
import type { TracesBatch } from '../../core/signals/types.ts';
import { ConfigError, formatIssue } from '../../core/config/issues.ts';
import { loadConfig, type LoadResult } from '../../core/config/load.ts';
import { silentLogger } from '../../core/telemetry/logger.ts';
import { MetricsRegistry } from '../../core/telemetry/metrics.ts';
import { fixtureRegistry } from '../fixtures/factories.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLUGINS = path.join(ROOT, 'test/fixtures/plugins');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'agentcol-plugins-'));
  // A real npm layout: the package installed in node_modules above the config's directory.
  await mkdir(path.join(dir, 'node_modules'), { recursive: true });
  await cp(path.join(PLUGINS, 'agentcol-processor-tag'), path.join(dir, 'node_modules', 'agentcol-processor-tag'), { recursive: true });
  await mkdir(path.join(dir, 'conf'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const body = (processor: string) => `
receivers: { otlp: }
processors:
${processor}
exporters: { debug: }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [tag], exporters: [debug] }
`;

async function loadFile(name: string, text: string, registry = fixtureRegistry()): Promise<LoadResult> {
  const file = path.join(dir, 'conf', name);
  await writeFile(file, text);
  return loadConfig({ files: [file], registry, env: {}, cwd: dir });
}

async function pluginErrors(name: string, plugins: string): Promise<string[]> {
  try {
    await loadFile(name, `plugins:\n${plugins}\n${body('  batch:')}`.replace('[tag]', '[batch]'));
  } catch (err) {
    if (err instanceof ConfigError) return err.errors.map((e) => formatIssue(e, dir));
    throw err;
  }
  throw new Error('expected plugin errors');
}

describe('plugins', () => {
  it('loads a package by name from node_modules above the config file', async () => {
    const { config } = await loadFile('by-name.yaml', `plugins: [agentcol-processor-tag]\n${body('  tag:\n    attributes: { team: agents }')}`);
    expect(config.plugins).toEqual([path.join(dir, 'node_modules/agentcol-processor-tag/index.js')]);
    expect(config.processors.get('tag')!.config).toEqual({ attributes: { team: 'agents' }, overwrite: true });
  });

  it('loads a package directory or a file by path, relative to the config file', async () => {
    const registry = fixtureRegistry();
    const rel = path.relative(path.join(dir, 'conf'), path.join(PLUGINS, 'agentcol-processor-tag'));
    const { config } = await loadFile('by-path.yaml', `plugins: [${rel}]\n${body('  tag:')}`, registry);
    expect(config.plugins).toEqual([path.join(PLUGINS, 'agentcol-processor-tag/index.js')]);
    expect(registry.origin('processor', 'tag')).toBe(`plugin "${rel}"`);

    // The plugin's processor works like any other.
    const factory = registry.get('processor', 'tag') as ProcessorFactory;
    const seen: TracesBatch[] = [];
    const p = factory.create(
      { id: 'tag', config: { attributes: { env: 'prod' }, overwrite: true }, logger: silentLogger, metrics: new MetricsRegistry() },
      'traces',
      { consume: async (b: TracesBatch) => void seen.push(b) },
    );
    const batch = { resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: { a: 1 } }] }] }] } as unknown as TracesBatch;
    await p.consume(batch);
    expect(seen[0].resourceSpans[0].scopeSpans[0].spans[0].attributes).toEqual({ a: 1, env: 'prod' });

    const file = await loadFile('file.yaml', `plugins: [${path.join(PLUGINS, 'test-components.js')}]\n${body('  batch:').replace('[tag]', '[batch]').replace('[otlp]', '[fixture_in]').replace('{ otlp: }', '{ fixture_in: }')}`);
    expect(file.config.receivers.get('fixture_in')!.config).toEqual({ endpoint: '127.0.0.1:0', fail_on_start: false });
  });

  it("validates a plugin's config against its schema like a built-in", async () => {
    await expect(loadFile('bad-tag.yaml', `plugins: [agentcol-processor-tag]\n${body('  tag:\n    atributes: { team: 1 }')}`)).rejects.toThrow(
      'conf/bad-tag.yaml:6:5: processors.tag.atributes: unknown key "atributes" — did you mean "attributes"?',
    );
  });

  it('says how to install a package that is not found', async () => {
    expect(await pluginErrors('missing.yaml', '  - agentcol-foo')).toEqual([
      'conf/missing.yaml:2:5: plugins[0]: plugin "agentcol-foo" not found: install it with npm install agentcol-foo, or give a path (like ./plugins/my-plugin.js)',
    ]);
    expect(await pluginErrors('missing-path.yaml', '  - ./nowhere/plugin.js')).toEqual([
      `conf/missing-path.yaml:2:5: plugins[0]: plugin "./nowhere/plugin.js": not found: no file or directory ${path.join(dir, 'conf/nowhere/plugin.js')} (paths are relative to the config file's directory)`,
    ]);
  });

  it('explains bad plugins: not a factory, no default export, a type clash, an import error', async () => {
    const rel = (f: string) => path.relative(path.join(dir, 'conf'), path.join(PLUGINS, f));
    const errs = await pluginErrors('bad.yaml', ['not-a-factory.js', 'no-default.js', 'clash-batch.js', 'throws-on-import.js'].map((f) => `  - ${rel(f)}`).join('\n'));
    expect(errs).toEqual([
      `conf/bad.yaml:2:5: plugins[0]: plugin "${rel('not-a-factory.js')}" is not a valid agentcol factory: "type" must be a lowercase identifier like "my_processor"; "kind" must be receiver, processor, exporter or extension; "create" must be a function; "configSchema" must be a JSON Schema object; "signals" must list the signals it supports (traces, logs, metrics)`,
      `conf/bad.yaml:3:5: plugins[1]: plugin "${rel('no-default.js')}" has no default export: its main module must \`export default\` a factory (an object with kind, type, configSchema, create...)`,
      `conf/bad.yaml:4:5: plugins[2]: processor type "batch" from plugin "${rel('clash-batch.js')}" is already registered by built-in: a plugin cannot replace a registered component; give its type another name`,
      `conf/bad.yaml:5:5: plugins[3]: plugin "${rel('throws-on-import.js')}" failed to load (${path.join(PLUGINS, 'throws-on-import.js')}): this plugin is broken on purpose`,
    ]);
  });

  it('unknown types say that a plugin failed to load', async () => {
    const file = path.join(dir, 'conf', 'failed.yaml');
    await writeFile(file, `plugins: [agentcol-nope]\n${body('  tag:')}`);
    const err = await loadConfig({ files: [file], registry: fixtureRegistry(), env: {} }).catch((e) => e as ConfigError);
    expect((err as ConfigError).errors.map((e) => e.message)).toContain('unknown processor type "tag" (known processor types: batch); a plugin failed to load, see above');
  });
});
