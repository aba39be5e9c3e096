// The agentcol command. A distribution registers its factories and calls runCli.
//
//   agentcol [--config FILE]...            run the service (default: the embedded config/default.yaml)
//   agentcol validate --config FILE        check a config: "config OK", or every error (exit 1)
//   agentcol print-config --config FILE    the resolved config, defaults applied, secrets masked
//   agentcol components [--json]           every registered component
//   agentcol schema                        a JSON Schema of the config file, for editors
//
// Exit codes: 0 ok; 1 invalid config or a failure while running; 2 bad command line;
// 130 / 143 a second SIGINT / SIGTERM while shutting down.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CommandIO, ComponentCommand } from './component.ts';
import type { FactoryRegistry } from './registry.ts';
import type { Logger } from './telemetry/logger.ts';
import { createLogger } from './telemetry/logger.ts';
import { ConfigError, displayFile, formatIssue, type ConfigIssue } from './config/issues.ts';
import { loadConfig, type LoadResult } from './config/load.ts';
import { printConfigYaml } from './config/print.ts';
import { buildConfigJsonSchema } from './config/json-schema.ts';
import { didYouMean } from './config/suggest.ts';
import type { ResolvedConfig } from './config/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CONFIG = path.join(ROOT, 'config', 'default.yaml');

export type CliIO = CommandIO;

const processIO: CliIO = {
  write: (t) => process.stdout.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

const OPTIONS = {
  config: { type: 'string', short: 'c', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Command = 'run' | 'validate' | 'print-config' | 'components' | 'schema';

const HELP: Record<Command, string> = {
  run: `Usage: agentcol [--config FILE]... [command]

Runs the agentcol service: OpenTelemetry-Collector-style pipelines for AI-agent telemetry.

Commands:
  validate       check a config and print every error
  print-config   print the resolved config (defaults applied, secrets masked)
  components     list the registered receivers, processors, exporters and extensions
  schema         print a JSON Schema of the config file, for editors

Options:
  -c, --config FILE   config file; repeat to merge several (later ones win)
                      (default: the embedded ${displayFile(DEFAULT_CONFIG)})
  -h, --help          show help (also: agentcol COMMAND --help)
  -v, --version       print the version

SIGINT or SIGTERM shuts down gracefully (queues flushed, stores closed); a second one exits at once.`,
  validate: `Usage: agentcol validate --config FILE...

Checks the config (YAML, \${env:...} expansion, plugins, every component's settings, the pipelines)
and prints "config OK", or every error with FILE:LINE:COL and exits with status 1.`,
  'print-config': `Usage: agentcol print-config --config FILE...

Prints the resolved config as YAML: environment expanded, defaults applied, secrets shown as [REDACTED].`,
  components: `Usage: agentcol components [--json] [--config FILE]

Lists every registered component (kind, type, stability, signals, description). With --config,
the plugins that config names are loaded and listed too.`,
  schema: `Usage: agentcol schema [--config FILE] > agentcol.schema.json

Prints a JSON Schema (draft 2020-12) of the config file, built from the registered components
(and the plugins of --config, if given). For yaml-language-server, start the config with:
  # yaml-language-server: $schema=./agentcol.schema.json`,
};

const COMMANDS = Object.keys(HELP).filter((c) => c !== 'run') as Command[];

/** Runs one agentcol command; resolves to the exit status. */
export async function runCli(argv: string[], registry: FactoryRegistry, io: CliIO = processIO): Promise<number> {
  const tools = registry.all().flatMap((f) => f.commands ?? []);
  const tool = tools.find((t) => t.name === argv[0]);
  if (tool) {
    const rest = argv.slice(1);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(tool.help);
      return 0;
    }
    return runTool(tool, rest, io);
  }
  if (tools.length && argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.out(HELP.run + '\n\nMore commands:\n' + tools.map((t) => `  ${t.name.padEnd(14)} ${t.summary}`).join('\n'));
    return 0;
  }
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; args: string[] }>>;
  try {
    args = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`agentcol: ${(err as Error).message.split('\n')[0]}\nRun agentcol --help for usage.`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.version) {
    io.out(`agentcol version ${version()}`);
    return 0;
  }
  const [name, ...extra] = positionals;
  const command: Command | undefined = name === undefined ? 'run' : (COMMANDS as string[]).includes(name) ? (name as Command) : undefined;
  if (!command) {
    const all = [...COMMANDS, ...tools.map((t) => t.name)];
    io.err(`agentcol: unknown command "${name}"${didYouMean(name, all)}\nCommands: ${all.join(', ')}. Run agentcol --help for usage.`);
    return 2;
  }
  if (values.help) {
    io.out(HELP[command]);
    return 0;
  }
  if (extra.length) {
    io.err(`agentcol ${command}: unexpected argument "${extra[0]}"${extra[0].endsWith('.yaml') || extra[0].endsWith('.yml') ? ` (did you mean --config ${extra[0]}?)` : ''}`);
    return 2;
  }
  if (values.json && command !== 'components') {
    io.err(`agentcol ${command}: --json only applies to "agentcol components"`);
    return 2;
  }
  const files = values.config ?? [];
  try {
    switch (command) {
      case 'validate':
      case 'print-config': {
        if (!files.length) {
          io.err(`agentcol ${command}: --config FILE is required`);
          return 2;
        }
        const loaded = await load(files, registry, io);
        if (!loaded) return 1;
        if (command === 'validate') io.out('config OK');
        else io.out(printConfigYaml(loaded.config, registry));
        return 0;
      }
      case 'components':
        if (files.length) await loadPluginsOf(files, registry, io);
        io.out(values.json ? JSON.stringify(componentList(registry), null, 2) : componentTable(registry));
        return 0;
      case 'schema':
        if (files.length) await loadPluginsOf(files, registry, io);
        io.out(JSON.stringify(buildConfigJsonSchema(registry, version()), null, 2));
        return 0;
      case 'run':
        return await runService(files.length ? files : [DEFAULT_CONFIG], registry, io);
    }
  } catch (err) {
    // Not a config problem: a bug or an environment failure. One clear line; the stack on request.
    io.err(`agentcol: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.AGENTCOL_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}

async function runTool(tool: ComponentCommand, args: string[], io: CliIO): Promise<number> {
  try {
    return await tool.run(args, io);
  } catch (err) {
    io.err(`agentcol ${tool.name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

function version(): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Loads and validates; prints warnings, or every error and returns undefined. */
async function load(files: string[], registry: FactoryRegistry, io: CliIO): Promise<LoadResult | undefined> {
  try {
    const result = await loadConfig({ files, registry });
    printWarnings(result.warnings, io);
    return result;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const e of err.errors) io.err(formatIssue(e));
    printWarnings(err.warnings, io);
    io.err(`${err.errors.length} error${err.errors.length === 1 ? '' : 's'} in ${files.map((f) => displayFile(path.resolve(f))).join(', ')}`);
    return undefined;
  }
}

function printWarnings(warnings: ConfigIssue[], io: CliIO): void {
  for (const w of warnings) io.err(`warning: ${formatIssue(w)}`);
}

/** For components/schema --config: plugins get registered before validation, so a config that
 * fails validation still contributes its plugins; only plugin errors are shown. */
async function loadPluginsOf(files: string[], registry: FactoryRegistry, io: CliIO): Promise<void> {
  try {
    await loadConfig({ files, registry });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const e of err.errors) if (e.path[0] === 'plugins' || !e.path.length) io.err(formatIssue(e));
  }
}

interface ComponentInfo {
  kind: string;
  type: string;
  stability: string;
  signals: string[];
  description: string;
  origin: string;
}

function componentList(registry: FactoryRegistry): ComponentInfo[] {
  return registry.all().map((f) => ({
    kind: f.kind,
    type: f.type,
    stability: f.stability,
    signals: 'signals' in f ? f.signals : [],
    description: f.description,
    origin: registry.origin(f.kind, f.type) ?? 'built-in',
  }));
}

function componentTable(registry: FactoryRegistry): string {
  const rows = componentList(registry).map((c) => [c.kind, c.type, c.stability, c.signals.join(',') || '-', c.origin === 'built-in' ? c.description : `${c.description} (${c.origin})`]);
  const head = ['KIND', 'TYPE', 'STABILITY', 'SIGNALS', 'DESCRIPTION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

interface RunnableService {
  start(): Promise<void>;
  shutdown(): Promise<void>;
}

async function runService(files: string[], registry: FactoryRegistry, io: CliIO): Promise<number> {
  const loaded = await load(files, registry, io);
  if (!loaded) return 1;
  const { config } = loaded;
  const logger = createLogger({ level: config.service.telemetry.logs.level });
  const { Service } = (await import('./pipeline/service.ts')) as { Service: new (opts: { config: ResolvedConfig; registry: FactoryRegistry; logger: Logger }) => RunnableService };
  const service = new Service({ config, registry, logger });
  logger.info('starting agentcol', { version: version(), config: files.map((f) => displayFile(path.resolve(f))).join(',') });

  let stopping: Promise<number> | undefined;
  let starting: Promise<void> | undefined;
  let stopped!: (code: number) => void;
  const done = new Promise<number>((resolve) => (stopped = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting for the shutdown to finish', { signal });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    logger.info('shutting down', { signal });
    stopping = (async () => {
      await starting?.catch(() => {}); // a failed start shuts down on its own path
      try {
        await service.shutdown();
        logger.info('stopped');
        return 0;
      } catch (err) {
        logger.error('shutdown failed', { error: describeError(err) });
        return 1;
      }
    })();
    stopping.then(stopped);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Stay up until a signal even when no component holds the event loop open (no listening socket).
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    starting = service.start();
    try {
      await starting;
    } catch (err) {
      logger.error('failed to start', { error: describeError(err) });
      if (stopping) await stopping; // a signal arrived meanwhile and is already shutting down
      else {
        try {
          await service.shutdown();
        } catch (e) {
          logger.error('shutdown after the failed start failed too', { error: describeError(e) });
        }
      }
      return 1;
    }
    if (!stopping) logger.info('agentcol is running', { pipelines: config.service.pipelines.map((p) => p.id).join(',') });
    return await done;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error && !err.message.includes(err.cause.message) ? ` (cause: ${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
