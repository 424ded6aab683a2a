// Training a storage's quantizer from rows, before the first add: 'pq' learns its
// codebooks by k-means in a scratch instance (src/pq-training.ts), for the async calls
// in a worker (src/training-worker.ts); 'i8' (value ranges) and 'binary' (the centre)
// stream evenly spaced rows through the core once.

import { Seeding, State } from './abi.js';
import type { Core } from './core.js';
import { WannError } from './errors.js';
import type { IndexInfo, ProgressCallback } from './index-types.js';
import { PQ_DEFAULT_ITERATIONS, type StorageName } from './options.js';
import { adoptCodebooks, adoptQuantizerBytes, trainCodebooks, type PqTraining } from './pq-training.js';
import { trainInWorker } from './training-worker.js';
import type { Batch } from './vectors.js';

/** Rows between progress reports of a streamed training. */
const REPORT_ROWS = 1024;

/**
 * Trains `core`'s quantizer on `rows` rows of `batch`, evenly spaced: k-means when
 * `pq` is given (its steps reported), else a stream through the core (its rows reported).
 */
export function trainQuantizer(core: Core, pq: PqTraining | undefined, batch: Batch, rows: number, onProgress?: ProgressCallback): void {
  if (pq) {
    adoptCodebooks(trainCodebooks(core, pq, batch, onProgress), core);
    return;
  }
  const begun = core.x.trainBegin(0, 0, 0);
  if (begun < 0) throw WannError.fromStatus(begun, `training on ${rows} rows`);
  for (let i = 0; i < rows; i++) {
    core.f32.set(batch.row(Math.floor((i * batch.count) / rows)), core.inputIndex());
    core.x.trainAdd();
    if (onProgress && ((i + 1) % REPORT_ROWS === 0 || i + 1 === rows)) onProgress(i + 1, rows);
  }
  const status = core.x.trainStep();
  if (status < 0) throw WannError.fromStatus(status, `training on ${rows} rows`);
}

/** What training a 'pq' index's codebooks needs: its shape, and the options create() or its file gave. */
export function pqTrainingOf(core: Core, info: IndexInfo): PqTraining {
  const m = core.state(State.PQ_M), bits = core.state(State.PQ_BITS);
  const given = info.pqTraining ?? { iterations: PQ_DEFAULT_ITERATIONS, sampleRows: 256 * 2 ** bits, seed: 0, seeding: Seeding.RANDOM };
  return { kind: core.state(State.KIND), nlist: core.state(State.NLIST), metric: core.state(State.METRIC), dim: info.dim, m, bits, ...given };
}

/** Whether train() (`what`) has work: false for 'f32' and 'f16'; throws once rows were added, or for no rows. */
export function needsTraining(core: Core, storage: StorageName, batch: Batch, what: string): boolean {
  if (storage === 'f32' || storage === 'f16') return false;
  if (core.state(State.COUNT) > 0) {
    throw new WannError('INVALID_ARGUMENT', `${what} sets the quantizer before rows are added; this index holds ${core.state(State.COUNT)}`);
  }
  if (batch.count === 0) throw new WannError('INVALID_ARGUMENT', `${what} needs at least one row`);
  return true;
}

/** How an async call trains: its name for errors, k-means steps reported, its signal, whether the index was disposed meanwhile. */
export interface AsyncTraining {
  what: string;
  progress?: ProgressCallback;
  signal?: AbortSignal;
  disposed(): boolean;
}

/** trainQuantizer() for the async calls: 'pq' in a worker (src/training-worker.ts) when one can start, else here. */
export async function trainQuantizerAsync(core: Core, pq: PqTraining | undefined, batch: Batch, rows: number, call: AsyncTraining): Promise<void> {
  const quantizer = pq && await trainInWorker(core, pq, batch, call.what, call.progress, call.signal);
  if (call.disposed()) throw new WannError('DISPOSED', `the index was disposed while ${call.what} trained its quantizer`);
  if (quantizer) adoptQuantizerBytes(quantizer, core);
  else trainQuantizer(core, pq, batch, rows, call.progress);
}
