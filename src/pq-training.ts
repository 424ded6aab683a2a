// Training product quantization's codebooks (k-means per subspace, assembly/pq.ts and
// kmeans.ts; first the coarse centroids of an IVF index, assembly/ivf.ts) in a scratch
// instance of the same build. k-means holds its whole sample and
// working arrays (32 MB for 65,536 rows of 128 values), and WASM memory never shrinks:
// in the index's own instance they would stay for good. The scratch instance trains,
// its codebooks are copied into the index, and it is dropped. Used by base-index.ts
// (train(), a first addBatch()) and ProductQuantizer.

import { Kind, Region, State, Storage } from './abi.js';
import { Core } from './core.js';
import { WannError } from './errors.js';
import type { Batch } from './vectors.js';
import { instantiateSibling } from './wasm.js';

/** What a training needs beyond the sample. */
export interface PqTraining {
  /** Kind.IVF trains the coarse centroids first, then the codebooks on the residuals. */
  kind: Kind;
  /** Inverted lists (IVF), else 0. */
  nlist: number;
  metric: number;
  dim: number;
  m: number;
  bits: number;
  iterations: number;
  /** Sample rows used at most, evenly spaced over the batch. */
  sampleRows: number;
  /** Seeds k-means++ (the index's seed). */
  seed: number;
}

/**
 * A scratch instance of `of`'s build holding codebooks trained on `batch`. `progress`
 * is called after each k-means step (a subspace's seeding or one Lloyd iteration) with
 * (steps done, steps in all). Throws INVALID_ARGUMENT with fewer rows than centroids.
 */
export function trainCodebooks(of: Core, training: PqTraining, batch: Batch, progress?: (done: number, total: number) => void): Core {
  const centroids = 2 ** training.bits;
  const rows = Math.min(batch.count, training.sampleRows);
  if (rows < centroids) {
    throw new WannError('INVALID_ARGUMENT',
      `product quantization with ${centroids} centroids per subspace trains on at least ${centroids} rows, got ${batch.count} (FAISS advises 39 or more per centroid)`);
  }
  if (rows < training.nlist) {
    throw new WannError('INVALID_ARGUMENT', `${training.nlist} inverted lists train on at least ${training.nlist} rows, got ${batch.count}`);
  }
  const scratch = new Core({ x: instantiateSibling(of.x) });
  const seed = training.seed;
  const status = scratch.x.init(training.kind === Kind.IVF ? Kind.IVF : Kind.FLAT, training.metric, Storage.PQ, training.dim, 0, 0,
    seed % 2 ** 32, Math.floor(seed / 2 ** 32), 1, 0, training.m, training.bits, training.nlist);
  if (status < 0) throw WannError.fromStatus(status, `training on ${rows} rows`);
  const begun = scratch.x.trainBegin(rows, training.iterations);
  if (begun < 0) throw WannError.fromStatus(begun, `training on ${rows} rows of ${training.dim}`);
  for (let i = 0; i < rows; i++) {
    scratch.f32.set(batch.row(Math.floor((i * batch.count) / rows)), scratch.inputIndex());
    scratch.x.trainAdd();
  }
  const total = scratch.x.trainSteps();
  for (let done = 1; ; done++) {
    const left = scratch.x.trainStep();
    if (left < 0) throw WannError.fromStatus(left, `training on ${rows} rows`);
    progress?.(done, total);
    if (left === 0) return scratch;
  }
}

/** Copies the codebooks (and an IVF index's coarse centroids) `scratch` trained into `into` (same shape) and marks it trained. */
export function adoptCodebooks(scratch: Core, into: Core): void {
  const bytes = scratch.regionUsedBytes(Region.QUANTIZER);
  if (bytes !== into.regionUsedBytes(Region.QUANTIZER) || scratch.state(State.PQ_M) !== into.state(State.PQ_M)) {
    throw new WannError('INVALID_ARGUMENT', 'codebooks of another shape');
  }
  const from = scratch.regionPtr(Region.QUANTIZER);
  into.u8.set(scratch.u8.subarray(from, from + bytes), into.regionPtr(Region.QUANTIZER));
  const status = into.x.adoptQuantizer();
  if (status < 0) throw WannError.fromStatus(status, 'adopting trained codebooks');
}
