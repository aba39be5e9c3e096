// Where an exporter's persistent queue lives: a subdirectory of sending_queue.directory named after
// the exporter id, so exporters (and pipelines sharing one `directory`) never share a log.
import path from 'node:path';

/** `postgres` -> `postgres`, `postgres/main` -> `postgres-main`; the name's characters outside
 * [A-Za-z0-9.-] become `_XX` (hex), so distinct ids always get distinct, portable names. The type
 * cannot contain `-`, so the first `-` always separates type and name. */
export function queueDirName(exporterId: string): string {
  const slash = exporterId.indexOf('/');
  const type = (slash < 0 ? exporterId : exporterId.slice(0, slash)).replace(/[^A-Za-z0-9_]/g, '_');
  if (slash < 0) return type;
  const name = Array.from(Buffer.from(exporterId.slice(slash + 1), 'utf8'))
    .map((b) => (/[A-Za-z0-9.-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `_${b.toString(16).padStart(2, '0')}`))
    .join('');
  return `${type}-${name}`;
}

export function exporterQueueDirectory(parent: string, exporterId: string): string {
  return path.resolve(parent, queueDirName(exporterId));
}
