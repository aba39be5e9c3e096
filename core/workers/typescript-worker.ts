// A worker_threads Worker whose entry is a TypeScript module. tsx is registered inside the worker
// rather than relying on the parent's loader flags (absent under vitest, or when agentcol is
// embedded). If the entry fails to load, the worker posts `{ id: 0, ok: false, error: { message } }`:
// the "ready" reply of the exporters' worker protocols, so the caller sees the load error.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

function tsxEsmApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // Runtimes without import.meta.resolve: the ESM entry sits next to the package's CJS one.
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  }
}

export function typescriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const bootstrap = `import(${JSON.stringify(tsxEsmApi())})
  .then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry.href)}); })
  .catch((e) => require('node:worker_threads').parentPort.postMessage({ id: 0, ok: false, error: { message: String((e && e.stack) || e) } }));`;
  // --cpu-prof passes through (profiling agentcol profiles its workers too); loader flags do not.
  const execArgv = options.execArgv ?? process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
  return new Worker(bootstrap, { ...options, execArgv, eval: true });
}
