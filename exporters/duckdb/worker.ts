// The DuckDB worker thread: owns the database. Batches arrive as OTLP protobuf (the bytes the
// receiver got, or the batch re-encoded after a processor changed it), so decoding, building rows,
// filling DataChunks, the appender's flush (the commit: WAL write and fsync) and checkpoints all run
// here, off the main event loop, and the main thread's heap never holds the rows. Requests run one
// at a time in arrival order.
import { parentPort } from 'node:worker_threads';
import { PermanentError } from '../../core/component.ts';
import type { WorkerReply, WorkerRequest } from './worker-protocol.ts';
import { flattenPart } from './rows.ts';
import { DuckDBWriter } from './writer.ts';

const port = parentPort!;
let writer: DuckDBWriter | undefined;
let chain: Promise<unknown> = Promise.resolve();

function errorOf(err: unknown): NonNullable<WorkerReply['error']> {
  const e = err as Error;
  return { message: e?.message ?? String(err), permanent: err instanceof PermanentError, name: e?.name };
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  switch (req.op) {
    case 'open': {
      const opened = await DuckDBWriter.open(req.options);
      writer = opened.writer;
      return { id: req.id, ok: true, applied: opened.applied, moved: opened.moved };
    }
    case 'write':
      if (!writer) throw new Error('the database is not open');
      await writer.writeParts(req.parts.length, (i) => flattenPart(req.signal, req.parts[i]), req.batchId);
      return { id: req.id, ok: true };
    case 'retain':
      if (!writer) throw new Error('the database is not open');
      return { id: req.id, ok: true, runs: await writer.retain(req.retentionMs, req.retention, req.nowMs) };
    case 'close': {
      const failure = await writer?.close();
      writer = undefined;
      return { id: req.id, ok: true, closeError: failure?.message };
    }
  }
}

port.on('message', (req: WorkerRequest) => {
  chain = chain.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(req);
    } catch (err) {
      reply = { id: req.id, ok: false, error: errorOf(err) };
    }
    port.postMessage(reply);
    // Closed: let the thread end on its own (so it exits cleanly, e.g. writing --cpu-prof output).
    if (req.op === 'close') port.close();
  });
});
port.postMessage({ id: 0, ok: true } satisfies WorkerReply);
