// The worker side of core/workers/pool.ts, plain JavaScript so Piscina can load it directly. It
// registers tsx (task modules are TypeScript) and runs `fn` of `module` on the task's argument.
// Modules are imported once per thread and stay loaded: what a task module keeps in its own scope
// (per-agent state, compiled patterns) lives as long as the thread.
import { register } from 'tsx/esm/api';

register();

const modules = new Map();

export default async function run({ module, fn, arg }) {
  let m = modules.get(module);
  if (!m) modules.set(module, (m = import(module)));
  const f = (await m)[fn];
  if (typeof f !== 'function') throw new TypeError(`worker task: ${module} has no exported function ${fn}`);
  return f(arg);
}
