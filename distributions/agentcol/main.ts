// Entry point of the full distribution (bin/agentcol.js): register the built-ins, hand over to the CLI.
import { runCli } from '../../core/cli.ts';
import { FactoryRegistry } from '../../core/registry.ts';
import { components } from './manifest.ts';

const registry = new FactoryRegistry();
for (const factory of components) registry.register(factory);

const code = await runCli(process.argv.slice(2), registry);
// Exit explicitly: a component that leaks a handle must not keep a stopped service alive.
process.exit(code);
