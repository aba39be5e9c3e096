// Worker-thread side of WorkerPgClient: owns the PGlite instance. Batches arrive as OTLP protobuf
// (core/signals/encoded.ts), so decoding, building the COPY text and PostgreSQL's own work (COPY
// parsing, json, indexes) all run here, off the main event loop; a part at a time (copyProtoParts).
import { parentPort, workerData } from 'node:worker_threads';
import { PermanentError, RetryableError } from '../../core/component.ts';
import { copyProtoParts } from './copy-batch.ts';
import { PgliteClient } from './pglite-client.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';

const port = parentPort!;

function errorOf(err: unknown): WorkerReply['error'] {
  const e = err as { message?: string; code?: string; name?: string };
  return { message: e?.message ?? String(err), code: e?.code, name: e?.name, permanent: err instanceof PermanentError, retryable: err instanceof RetryableError };
}

try {
  const client = await PgliteClient.open((workerData as { dataDir: string }).dataDir);
  let chain: Promise<unknown> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    // Requests run in arrival order: the main thread relies on it for BEGIN ... COMMIT.
    chain = chain.then(async () => {
      try {
        let rows: unknown[] | undefined;
        if (req.op === 'query') rows = await client.query(req.sql, req.params);
        else if (req.op === 'exec') await client.exec(req.sql);
        else if (req.op === 'export') await copyProtoParts(client, req.signal, req.parts);
        else if (req.op === 'copy') await client.copyFrom(req.table, req.columns, new Uint8Array(req.payload), req.format);
        else if (req.op === 'close') await client.close();
        port.postMessage({ id: req.id, ok: true, rows } satisfies WorkerReply);
      } catch (err) {
        port.postMessage({ id: req.id, ok: false, error: errorOf(err) } satisfies WorkerReply);
      }
    });
  });
  port.postMessage({ id: 0, ok: true } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ id: 0, ok: false, error: errorOf(err) } satisfies WorkerReply);
}
