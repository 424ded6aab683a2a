// WannError: the one error type of the public API, with a machine-readable code.
// Thrown by every module of src/; WASM statuses are mapped here.

import { Integrity, Status } from './abi.js';

/** Every `WannError.code`, one per kind of mistake or failure. */
export type WannErrorCode =
  | 'INVALID_OPTION' // an option of create() or load() (open, loadIndex, fromHnswlib) is unknown, of the wrong type or out of range
  | 'INVALID_ARGUMENT' // an argument is of the wrong type or out of range (k, ef, a callback, a call's options, a path …)
  | 'DIMENSION_MISMATCH' // a vector's length differs from the index's dim
  | 'NOT_FINITE' // a vector holds NaN, ±Infinity, or a value its storage would round to Infinity
  | 'INVALID_ID' // an id is not an integer in 0 … 2^32 - 2
  | 'DUPLICATE_ID' // an id is already in the index (or twice in one batch)
  | 'DISPOSED' // the index was used after dispose()
  | 'BUSY' // the index was called from inside one of its own callbacks (onProgress, a filter)
  | 'NOT_TRAINED' // add() on an 'i8', 'binary' or 'pq' index before train() or a first addBatch()
  | 'OUT_OF_MEMORY' // WASM memory cannot grow (the wasm32 limit is 4 GiB)
  | 'SIMD_UNSUPPORTED' // simd: true on a runtime without WebAssembly SIMD
  | 'WASM_UNAVAILABLE' // the .wasm file could not be found, fetched or compiled
  | 'UNSUPPORTED' // the call needs something this runtime lacks (Node's file system in a browser, OPFS, IndexedDB …)
  | 'QUOTA_EXCEEDED' // the browser's storage quota has no room for the file being saved
  | 'ABORTED' // the browser aborted a save (an OPFS stream's write or commit); the file it would replace is untouched
  | 'NOT_FOUND' // openFrom(): no saved index of that name (OPFS, IndexedDB)
  | 'WASM_ABORT' // the WASM core stopped on an internal check (a bug: please report it)
  | 'TRUNCATED' // load(): the bytes end before the file does
  | 'BAD_MAGIC' // load(): the bytes are not a wann index (or not an hnswlib index)
  | 'UNSUPPORTED_VERSION' // load(): a file format version this release does not read
  | 'CHECKSUM_MISMATCH' // load(): the header's or the file's XXH64 checksum does not match: corrupted bytes
  | 'BAD_HEADER' // load(): a header field is impossible (sizes, parameters, region table)
  | 'CORRUPT_GRAPH' // load(): the graph, ids or free list break an invariant (a link out of range …)
  | 'WRONG_KIND' // load(): a FlatIndex file given to HnswIndex.load, or the reverse
  | 'WRONG_METRIC' // load(): the file's metric differs from the one the caller expects
  | 'INTERNAL'; // an internal status with no better code (a bug: please report it)

/** The name of an integrity problem (src/abi.ts Integrity) the core reported, null for none. */
export function integrityProblem(code: number): string | null {
  return code === Integrity.OK ? null : (Integrity[code] ?? `UNKNOWN_${code}`);
}

export class WannError extends Error {
  override readonly name = 'WannError';
  constructor(
    readonly code: WannErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Maps a negative status returned by the WASM core to an error. */
  static fromStatus(status: number, context: string): WannError {
    switch (status) {
      case Status.OUT_OF_MEMORY:
        return new WannError('OUT_OF_MEMORY', `${context}: WASM memory cannot grow (wasm32 allows at most 4 GiB)`);
      case Status.TOO_LARGE:
        return new WannError('OUT_OF_MEMORY', `${context}: the index would pass the wasm32 limit of 4 GiB`);
      case Status.NO_TRAINING_ROWS:
        return new WannError('INVALID_ARGUMENT', `${context}: training needs at least one row`);
      case Status.NOT_TRAINED:
        return new WannError('NOT_TRAINED', `${context}: the quantizer's parameters are not usable`);
      default:
        return new WannError('INTERNAL', `${context}: unexpected status ${status} from the WASM core`);
    }
  }
}
