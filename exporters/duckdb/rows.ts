// A batch's rows for the writer, in the exporter (worker: false) and in the worker thread.
import { PermanentError, type Batch, type Signal } from '../../core/component.ts';
import { decodeProtoParts } from '../../core/otlp/proto-batch.ts';
import { flattenBatch, type FlatTable } from '../../core/storage/flatten.ts';
import { classifyDuckDBError } from './errors.ts';

/** The rows of a decoded batch. A malformed batch (one a processor left so): retrying cannot help
 * (TypeError / RangeError are permanent). */
export function flatten(signal: Signal, batch: Batch): FlatTable[] {
  try {
    return flattenBatch(signal, batch);
  } catch (err) {
    throw classifyDuckDBError(err, `a ${signal} batch`);
  }
}

/** The rows of one OTLP protobuf part of a batch, decoded only now (DuckDBWriter.writeParts). The
 * receiver checked these bytes already, so only a bug makes this throw: permanent, since a retry
 * would fail the same way. */
export function flattenPart(signal: Signal, part: Uint8Array): FlatTable[] {
  try {
    return flattenBatch(signal, decodeProtoParts(signal, [part]));
  } catch (err) {
    // A decode error is a PermanentError already (classifyDuckDBError would make it retryable).
    if (err instanceof PermanentError) throw new PermanentError(`duckdb could not read a ${signal} batch: ${err.message}`, { cause: err });
    throw classifyDuckDBError(err, `a ${signal} batch`);
  }
}
