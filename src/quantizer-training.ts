// Training a storage's quantizer from rows, before the first add: 'pq' learns its
// codebooks by k-means in a scratch instance (src/pq-training.ts); 'i8' (value ranges)
// and 'binary' (the centre) stream evenly spaced rows through the core once.

import type { Core } from './core.js';
import { WannError } from './errors.js';
import type { ProgressCallback } from './index-types.js';
import { adoptCodebooks, trainCodebooks, type PqTraining } from './pq-training.js';
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
  const begun = core.x.trainBegin(0, 0);
  if (begun < 0) throw WannError.fromStatus(begun, `training on ${rows} rows`);
  for (let i = 0; i < rows; i++) {
    core.f32.set(batch.row(Math.floor((i * batch.count) / rows)), core.inputIndex());
    core.x.trainAdd();
    if (onProgress && ((i + 1) % REPORT_ROWS === 0 || i + 1 === rows)) onProgress(i + 1, rows);
  }
  const status = core.x.trainStep();
  if (status < 0) throw WannError.fromStatus(status, `training on ${rows} rows`);
}
