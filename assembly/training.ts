// Training of the quantizer a row format needs: 'i8' and 'binary' accumulate ranges in
// one pass and finish in one step; 'pq' keeps a sample in the TRAINING region (a scratch
// instance's, src/pq-training.ts) and trains in steps — an IVF index's coarse k-means,
// the sample replaced by its residuals, then per subspace a seeding and the Lloyd
// iterations — so src/ can report progress between them. Called by index.ts; the
// formats' own arithmetic is int8.ts, binary.ts, pq.ts, kmeans*.ts and ivf.ts.

import { Metric, Region, Seeding, State, Status, Storage } from '../src/abi';
import { Context, ctx } from './context';
import { regionStart } from './layout';
import { metric, stride } from './params';
import { randomState, setStateWord, stateWord } from './state';
import { trainBeginI8, trainEndI8, trainRowI8 } from './int8';
import { trainBeginBinary, trainEndBinary, trainRowBinary } from './binary';
import { addSampleRow, centroids, sampleBytesPq, scratchRowAt, slicedAt, trainingStepsPq, trainStepPq } from './pq';
import { addSampleRowIvf, coarseStep, coarseSteps, residualOf, rowsBytesIvf } from './ivf';
import { ivf, normaliseInput, quantizer, storage } from './storage';

/**
 * Starts training the quantizer: clears its accumulators ('i8', 'binary'), or for 'pq'
 * takes the sample size and the Lloyd iterations (resize.ts has sized TRAINING for `rows`).
 */
export function trainBegin(iterations: u32, seeding: u32): void {
  setStateWord(State.TRAIN_FED, 0);
  setStateWord(State.TRAIN_STEP, 0);
  setStateWord(State.TRAIN_ITERATIONS, iterations);
  setStateWord(State.TRAIN_SEEDING, seeding);
  if (storage == Storage.I8) trainBeginI8(quantizer(), stride);
  else if (storage == Storage.BINARY) trainBeginBinary(quantizer(), stride);
}

/** Feeds the input row of `c` (normalised for cosine) to the quantizer's training. */
export function trainRow(c: Context): void {
  normaliseInput(c);
  if (storage == Storage.I8) trainRowI8(quantizer(), c.query, stride);
  else if (storage == Storage.BINARY) trainRowBinary(quantizer(), c.query, stride);
  else if (storage == Storage.PQ) {
    let rows = stateWord(State.TRAIN_ROWS), fed = stateWord(State.TRAIN_FED);
    if (fed >= rows) return;
    let base = regionStart(Region.TRAINING);
    if (ivf) addSampleRowIvf(base, fed, c.query); // whole rows: their residuals are sliced once the lists are trained
    else addSampleRow(base, rows, fed, c.query, slicedAt(c.prepared));
    setStateWord(State.TRAIN_FED, fed + 1);
  }
}

/** Whether k-means seeds by k-means++ (else by a uniform sample of distinct rows). */
function plusPlus(): bool {
  return stateWord(State.TRAIN_SEEDING) == Seeding.PLUS_PLUS;
}

/** Steps of the coarse k-means and the residual step before the codebooks' ('pq' in an IVF index), else 0. */
function coarseTrainingSteps(): u32 {
  return ivf ? coarseSteps(stateWord(State.TRAIN_ITERATIONS)) + 1 : 0;
}

/**
 * One step of 'pq' training: the coarse k-means of an IVF index (seeding, iterations),
 * then replacing the sample by its residuals, then per subspace a seeding and the Lloyd
 * iterations of the codebooks. Returns the steps left, or NO_TRAINING_ROWS when fewer
 * rows were fed than there are centroids or lists.
 */
function trainStepOfPq(): i32 {
  let rows = stateWord(State.TRAIN_ROWS), fed = stateWord(State.TRAIN_FED);
  let iterations = stateWord(State.TRAIN_ITERATIONS), step = stateWord(State.TRAIN_STEP);
  if (fed < <u32>centroids || (ivf && fed < <u32>stateWord(State.NLIST))) return Status.NO_TRAINING_ROWS;
  let base = regionStart(Region.TRAINING);
  let sample = base + (ivf ? <usize>rowsBytesIvf(rows) : 0);
  let work = sample + <usize>sampleBytesPq(rows);
  let coarse = coarseTrainingSteps();
  let total = coarse + trainingStepsPq(iterations);
  if (step >= total) return 0;
  if (step + 1 < coarse) {
    coarseStep(quantizer(), base, fed, work, step, randomState(), plusPlus());
  } else if (step + 1 == coarse) {
    let res = scratchRowAt(ctx.prepared), sliced = slicedAt(ctx.prepared);
    for (let i: u32 = 0; i < fed; i++) {
      residualOf(quantizer(), base + (<usize>i * <usize>stride << 2), res, work);
      addSampleRow(sample, rows, i, res, sliced);
    }
  } else {
    trainStepPq(quantizer(), sample, rows, fed, work, step - coarse, iterations, randomState() ^ 0x5851f42d4c957f2d, plusPlus());
  }
  setStateWord(State.TRAIN_STEP, step + 1);
  return <i32>(total - step - 1);
}

/**
 * One step of training: the steps left (0 once the quantizer is set and the index is
 * trained), or NO_TRAINING_ROWS. 'i8' and 'binary' finish in one step; 'pq' takes one
 * per subspace seeding and per Lloyd iteration, so src/ can report progress.
 */
export function trainStep(): i32 {
  let left = 0;
  if (storage == Storage.PQ) {
    left = trainStepOfPq();
  } else if (storage == Storage.I8) {
    if (!trainEndI8(quantizer(), stride, metric == Metric.L2)) left = Status.NO_TRAINING_ROWS;
  } else if (storage == Storage.BINARY) {
    if (!trainEndBinary(quantizer(), stride)) left = Status.NO_TRAINING_ROWS;
  }
  if (left == 0) setStateWord(State.TRAINED, 1);
  return left;
}

/** Steps trainStep() takes in all (src/ reports progress out of this). */
export function trainSteps(): u32 {
  return storage == Storage.PQ ? coarseTrainingSteps() + trainingStepsPq(stateWord(State.TRAIN_ITERATIONS)) : 1;
}
