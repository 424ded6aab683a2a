// Training product quantization's codebooks (k-means per subspace, assembly/pq.ts and
// kmeans.ts; first the coarse centroids of an IVF index, assembly/ivf.ts) in a scratch
// instance of the same build. k-means holds its whole sample and
// working arrays (32 MB for 65,536 rows of 128 values), and WASM memory never shrinks:
// in the index's own instance they would stay for good. The scratch instance trains,
// its codebooks are copied into the index, and it is dropped. The same calls run in a
// worker for the async calls (startTraining, src/training-worker.ts). Used by
// quantizer-training.ts (train(), a first addBatch()) and ProductQuantizer.

import { Kind, Region, State, Storage } from './abi.js';
import { Core } from './core.js';
import { WannError } from './errors.js';
import type { Batch } from './vectors.js';
import { instantiateSibling, type WannExports } from './wasm.js';

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
  /** Seeds k-means (the index's seed). */
  seed: number;
  /** How k-means picks its first centroids: a Seeding (src/abi.ts). */
  seeding: number;
}

/** The rows of `batch` a training reads at most `sampleRows` of, evenly spaced; throws INVALID_ARGUMENT when too few. */
export function sampleRowCount(training: PqTraining, batch: Batch): number {
  const centroids = 2 ** training.bits;
  const rows = Math.min(batch.count, training.sampleRows);
  if (rows < centroids) {
    throw new WannError('INVALID_ARGUMENT',
      `product quantization with ${centroids} centroids per subspace trains on at least ${centroids} rows, got ${batch.count} (FAISS advises 39 or more per centroid)`);
  }
  if (rows < training.nlist) {
    throw new WannError('INVALID_ARGUMENT', `${training.nlist} inverted lists train on at least ${training.nlist} rows, got ${batch.count}`);
  }
  return rows;
}

/** Sample row `i` of `rows`: the batch's rows evenly spaced. */
export function sampleRow(batch: Batch, rows: number, i: number): ArrayLike<number> {
  return batch.row(Math.floor((i * batch.count) / rows));
}

/** A training as a scratch instance runs it: init()'s arguments and the sample's shape. */
export interface TrainingJob {
  init: number[];
  rows: number;
  iterations: number;
  seeding: number;
  dim: number;
}

/** The job of `training` on `rows` sample rows. */
export function trainingJob(training: PqTraining, rows: number): TrainingJob {
  const seed = training.seed;
  return {
    init: [training.kind === Kind.IVF ? Kind.IVF : Kind.FLAT, training.metric, Storage.PQ, training.dim, 0, 0,
      seed % 2 ** 32, Math.floor(seed / 2 ** 32), 1, 0, training.m, training.bits, training.nlist],
    rows, iterations: training.iterations, seeding: training.seeding, dim: training.dim,
  };
}

/** The exports a training calls. */
export type TrainingExports = Pick<WannExports, 'memory' | 'init' | 'inputPtr' | 'trainBegin' | 'trainAdd' | 'trainStep' | 'trainSteps'>;

/** A training under way on a scratch instance: startTraining()'s answer. */
export interface Training {
  /** 0, or the negative status of init() or trainBegin(): nothing else may be called then. */
  status: number;
  /** Feeds the next sample row. */
  add(row: ArrayLike<number>): void;
  /** Runs the k-means steps once every row is fed, onStep(done, total) after each; 0, or a step's negative status. */
  run(onStep?: (done: number, total: number) => void): number;
}

/**
 * Starts `job` on the fresh instance `x`. The one sequence of calls both the calling
 * thread (trainCodebooks) and a training worker (src/training-worker.ts) make, so both
 * train the same codebooks. Self-contained, every name it uses declared inside it: the
 * worker runs its source text.
 */
export function startTraining(x: TrainingExports, job: TrainingJob): Training {
  let status = (x.init as (...args: number[]) => number).apply(x, job.init); // no spread: a transpiler lowers it to a helper the text lacks
  if (status >= 0) status = x.trainBegin(job.rows, job.iterations, job.seeding);
  return {
    status,
    add(row: ArrayLike<number>): void {
      new Float32Array(x.memory.buffer, x.inputPtr() >>> 0, job.dim).set(row);
      x.trainAdd();
    },
    run(onStep?: (done: number, total: number) => void): number {
      const total = x.trainSteps();
      for (let done = 1; ; done++) {
        const left = x.trainStep();
        if (left < 0) return left;
        onStep?.(done, total);
        if (left === 0) return 0;
      }
    },
  };
}

/**
 * A scratch instance of `of`'s build holding codebooks trained on `batch`. `progress`
 * is called after each k-means step (a subspace's seeding or one Lloyd iteration) with
 * (steps done, steps in all). Throws INVALID_ARGUMENT with fewer rows than centroids.
 */
export function trainCodebooks(of: Core, training: PqTraining, batch: Batch, progress?: (done: number, total: number) => void): Core {
  const rows = sampleRowCount(training, batch);
  const scratch = new Core({ x: instantiateSibling(of.x) });
  const run = startTraining(scratch.x, trainingJob(training, rows));
  if (run.status < 0) throw WannError.fromStatus(run.status, `training on ${rows} rows of ${training.dim}`);
  for (let i = 0; i < rows; i++) run.add(sampleRow(batch, rows, i));
  const status = run.run(progress);
  if (status < 0) throw WannError.fromStatus(status, `training on ${rows} rows of ${training.dim}`);
  return scratch;
}

/** Copies the codebooks (and an IVF index's coarse centroids) `scratch` trained into `into` (same shape) and marks it trained. */
export function adoptCodebooks(scratch: Core, into: Core): void {
  if (scratch.state(State.PQ_M) !== into.state(State.PQ_M)) throw new WannError('INVALID_ARGUMENT', 'codebooks of another shape');
  const from = scratch.regionPtr(Region.QUANTIZER);
  adoptQuantizerBytes(scratch.u8.subarray(from, from + scratch.regionUsedBytes(Region.QUANTIZER)), into);
}

/** Copies a trained QUANTIZER region (`bytes`, from a scratch instance of `into`'s shape) into `into` and marks it trained. */
export function adoptQuantizerBytes(bytes: Uint8Array, into: Core): void {
  if (bytes.length !== into.regionUsedBytes(Region.QUANTIZER)) throw new WannError('INVALID_ARGUMENT', 'codebooks of another shape');
  into.u8.set(bytes, into.regionPtr(Region.QUANTIZER));
  const status = into.x.adoptQuantizer();
  if (status < 0) throw WannError.fromStatus(status, 'adopting trained codebooks');
}
