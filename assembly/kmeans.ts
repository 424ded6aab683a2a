// k-means over one subspace's training rows (or an IVF index's whole rows): a seeding
// (kmeans-seed.ts: distinct rows drawn uniformly, or k-means++), then Lloyd iterations, each a separate call so
// src/ can report progress between them. Iterations after the first skip the rows that
// provably keep their centroid (Hamerly, "Making k-means even faster", SDM 2010): an
// upper bound on the distance to the row's centroid and a lower bound on the distance to
// any other are carried across iterations and moved by how far the centroids moved; a
// row is re-examined only when the bounds no longer separate, with a margin of 1e-4 so
// rounding cannot keep a row from a centroid an exhaustive search would pick. The rows
// re-examined are gathered and assigned in tiles by assign.ts's blocked kernel.
// Centroids live transposed (dims × K, centroid k in column k), the layout the distance
// kernels read four centroids per v128 from. Every sum runs in the same order in both
// builds (the SIMD lanes are centroids, never partial sums), so the SIMD and scalar
// builds pick the same centroids bit for bit. Called by pq.ts and ivf.ts.
// The working arrays' layout is kmeans-work.ts's, the seeding kmeans-seed.ts's.

import { nearestTwo, tileDistances, TILE_ROWS } from './assign';
import { l2 } from './distance';
import {
  assignAt, bookNormsAt, centresAt, countsAt, distAt, getCentroid, halfGapAt, lowerAt, movedAt, nearestAt,
  pendingAt, rowAt, rowNormsAt, setCentroid, sumsAt,
} from './kmeans-work';

export { kmeansWorkBytes } from './kmeans-work';
export { kmeansSeed } from './kmeans-seed';

/** Rows whose bounds separate by less than this factor are re-examined: rounding cannot decide an assignment. */
const MARGIN: f32 = 1 + 1e-4;

/**
 * Squared distances from `x` (dims values, a multiple of 4) to the K centroids of
 * `book` (dims × K, transposed) into `out` (K f32): four centroids per v128, each lane
 * summing its centroid's dims in order, as the scalar twin does.
 */
export function distancesToCentroids(x: usize, book: usize, dims: i32, K: i32, out: usize): void {
  let rowStride = <usize>K << 2;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 16 <= K; k += 16) { // sixteen centroids share each splat; four sums in flight hide the add's latency
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
      let at = book + (<usize>k << 2);
      for (let t = 0; t < dims; t++, at += rowStride) {
        let value = v128.load32_splat(x + (<usize>t << 2));
        let d0 = f32x4.sub(value, v128.load(at)), d1 = f32x4.sub(value, v128.load(at, 16));
        let d2 = f32x4.sub(value, v128.load(at, 32)), d3 = f32x4.sub(value, v128.load(at, 48));
        acc0 = f32x4.add(acc0, f32x4.mul(d0, d0));
        acc1 = f32x4.add(acc1, f32x4.mul(d1, d1));
        acc2 = f32x4.add(acc2, f32x4.mul(d2, d2));
        acc3 = f32x4.add(acc3, f32x4.mul(d3, d3));
      }
      let o = out + (<usize>k << 2);
      v128.store(o, acc0);
      v128.store(o, acc1, 16);
      v128.store(o, acc2, 32);
      v128.store(o, acc3, 48);
    }
    for (; k + 8 <= K; k += 8) { // eight centroids share each splat
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
      let column = book + (<usize>k << 2);
      for (let t = 0; t < dims; t++) {
        let value = f32x4.splat(load<f32>(x + (<usize>t << 2)));
        let at = column + <usize>t * rowStride;
        let d0 = f32x4.sub(value, v128.load(at)), d1 = f32x4.sub(value, v128.load(at, 16));
        acc0 = f32x4.add(acc0, f32x4.mul(d0, d0));
        acc1 = f32x4.add(acc1, f32x4.mul(d1, d1));
      }
      v128.store(out + (<usize>k << 2), acc0);
      v128.store(out + (<usize>k << 2), acc1, 16);
    }
  }
  for (; k < K; k++) { // the scalar build, and the last K % 8 (IVF's nlist) of the SIMD one: the same sums per centroid
    let acc: f32 = 0;
    let column = book + (<usize>k << 2);
    for (let t = 0; t < dims; t++) {
      let d = load<f32>(x + (<usize>t << 2)) - load<f32>(column + <usize>t * rowStride);
      acc += d * d;
    }
    store<f32>(out + (<usize>k << 2), acc);
  }
}

/** Dot products of `x` with the K centroids of `book`, as distancesToCentroids() lays them out. */
export function dotsWithCentroids(x: usize, book: usize, dims: i32, K: i32, out: usize): void {
  let rowStride = <usize>K << 2;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 4 <= K; k += 4) {
      let acc = f32x4.splat(0);
      let column = book + (<usize>k << 2);
      for (let t = 0; t < dims; t++) {
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(x + (<usize>t << 2))), v128.load(column + <usize>t * rowStride)));
      }
      v128.store(out + (<usize>k << 2), acc);
    }
  }
  for (; k < K; k++) {
    let acc: f32 = 0;
    let column = book + (<usize>k << 2);
    for (let t = 0; t < dims; t++) acc += load<f32>(x + (<usize>t << 2)) * load<f32>(column + <usize>t * rowStride);
    store<f32>(out + (<usize>k << 2), acc);
  }
}

/** Index of the smallest of `K` f32 at `values`; the first on ties. */
export function argmin(values: usize, K: i32): i32 {
  let best = 0;
  let bestValue = load<f32>(values);
  for (let k = 1; k < K; k++) {
    let v = load<f32>(values + (<usize>k << 2));
    if (v < bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/**
 * One Lloyd iteration: assigns every row to its nearest centroid (the `first` takes the
 * seeding's, which measured every row against every centroid; later ones examine only
 * the rows whose bounds no longer separate), then moves each centroid to the mean of its
 * rows (sums in f64) and the bounds by how far the centroids moved.
 */
export function kmeansIterate(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize, first: bool): void {
  if (first) { // kmeansSeed() left each row's nearest centroid and its bounds
    squaredRowNorms(data, n, dims, rowNormsAt(workBase, n));
    copyCentres(n, dims, K, book, workBase);
  } else {
    reassign(data, n, dims, K, book, workBase);
  }
  moveCentroids(data, n, dims, K, book, workBase);
  moveBounds(n, dims, K, book, workBase);
}

/**
 * Assigns every row to its nearest centroid of `book`, moving nothing: the work's first
 * arrays then hold each row's centroid (n u32), its distance to it (n f32, the upper
 * bound) and to the second nearest (n f32, the lower bound). What reassign() does for
 * the rows it cannot skip; index.ts exports it for tests against a float64 reference.
 */
export function kmeansAssign(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize): void {
  squaredRowNorms(data, n, dims, rowNormsAt(workBase, n));
  copyCentres(n, dims, K, book, workBase);
  let pending = pendingAt(workBase, n);
  for (let i: u32 = 0; i < n; i++) store<u32>(pending + (<usize>i << 2), i);
  assignPending(data, n, dims, K, book, workBase, n);
}

/** The centroids this iteration assigns to, row-major, and their squared norms. */
function copyCentres(n: u32, dims: i32, K: i32, book: usize, workBase: usize): void {
  let centres = centresAt(workBase, n, dims, K), rowBytes = <usize>dims << 2;
  for (let k = 0; k < K; k++) getCentroid(book, K, k, centres + <usize>k * rowBytes, dims);
  squaredRowNorms(centres, <u32>K, dims, bookNormsAt(workBase, n, dims, K));
}

/** Hamerly's step: re-assigns only the rows whose bounds no longer prove they keep their centroid. */
function reassign(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize): void {
  let assign = assignAt(workBase), upper = nearestAt(workBase, n), lower = lowerAt(workBase, n);
  let halfGap = halfGapAt(workBase, n, dims, K), centres = centresAt(workBase, n, dims, K), rowBytes = <usize>dims << 2;
  copyCentres(n, dims, K, book, workBase);
  halfGaps(n, dims, K, book, workBase);
  let pending = pendingAt(workBase, n), waiting: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let a = load<u32>(assign + (<usize>i << 2));
    let bound = max(load<f32>(halfGap + (<usize>a << 2)), load<f32>(lower + (<usize>i << 2)));
    if (load<f32>(upper + (<usize>i << 2)) * MARGIN < bound) continue;
    let exact = Mathf.sqrt(l2(data + <usize>i * rowBytes, centres + <usize>a * rowBytes, dims));
    store<f32>(upper + (<usize>i << 2), exact);
    if (exact * MARGIN < bound) continue;
    store<u32>(pending + (<usize>waiting << 2), i);
    waiting++;
  }
  assignPending(data, n, dims, K, book, workBase, waiting);
}

/**
 * Half the distance from each centroid to its nearest other, through the tile kernel
 * with the centroids as rows: a row nearer its own centroid than this keeps it.
 */
function halfGaps(n: u32, dims: i32, K: i32, book: usize, workBase: usize): void {
  let centres = centresAt(workBase, n, dims, K), bookNorms = bookNormsAt(workBase, n, dims, K);
  let ids = pendingAt(workBase, n), dist = distAt(workBase, n, dims, K), halfGap = halfGapAt(workBase, n, dims, K);
  let nearest = rowAt(workBase, n, dims, K); // one f32 of scratch: nearestTwo's second
  for (let k = 0; k < K + TILE_ROWS; k++) store<u32>(ids + (<usize>k << 2), <u32>min(k, K - 1));
  for (let k = 0; k < K; k += TILE_ROWS) {
    tileDistances(centres, bookNorms, ids + (<usize>k << 2), dims, K, book, bookNorms, dist);
    for (let r = 0; r < min(TILE_ROWS, K - k); r++) {
      let values = dist + (<usize>r * <usize>K << 2);
      store<f32>(values + (<usize>(k + r) << 2), Infinity);
      let other = load<f32>(values + (<usize>nearestTwo(values, K, nearest) << 2));
      store<f32>(halfGap + (<usize>(k + r) << 2), 0.5 * Mathf.sqrt(other));
    }
  }
}

/**
 * Moves each centroid to the mean of its rows (sums in f64). A centroid left without rows
 * takes half of the largest cluster: a copy of its centroid, both nudged apart by 1/1024
 * in opposite directions (as FAISS splits clusters).
 */
function moveCentroids(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize): void {
  let assign = assignAt(workBase), sums = sumsAt(workBase, n), counts = countsAt(workBase, n, dims, K);
  let mean = rowAt(workBase, n, dims, K), rowBytes = <usize>dims << 2;
  memory.fill(sums, 0, <usize>K * <usize>dims * 8);
  memory.fill(counts, 0, <usize>K << 2);
  for (let i: u32 = 0; i < n; i++) {
    let k = load<u32>(assign + (<usize>i << 2));
    addRow(sums + <usize>k * <usize>dims * 8, data + <usize>i * rowBytes, dims);
    store<u32>(counts + (<usize>k << 2), load<u32>(counts + (<usize>k << 2)) + 1);
  }
  for (let k = 0; k < K; k++) {
    let count = load<u32>(counts + (<usize>k << 2));
    if (count == 0) continue;
    let sum = sums + <usize>k * <usize>dims * 8;
    for (let t = 0; t < dims; t++) store<f32>(mean + (<usize>t << 2), <f32>(load<f64>(sum + (<usize>t << 3)) / <f64>count));
    setCentroid(book, K, k, mean, dims);
  }
  for (let k = 0; k < K; k++) {
    if (load<u32>(counts + (<usize>k << 2)) != 0) continue;
    let largest = 0;
    for (let j = 1; j < K; j++) if (load<u32>(counts + (<usize>j << 2)) > load<u32>(counts + (<usize>largest << 2))) largest = j;
    let size = load<u32>(counts + (<usize>largest << 2));
    if (size < 2) break; // nothing left to split
    for (let t = 0; t < dims; t++) {
      let at = book + ((<usize>t * <usize>K + <usize>largest) << 2);
      let v = load<f32>(at);
      let up: f32 = (t & 1) == 0 ? 1 + 1.0 / 1024 : 1 - 1.0 / 1024;
      let down: f32 = (t & 1) == 0 ? 1 - 1.0 / 1024 : 1 + 1.0 / 1024;
      store<f32>(book + ((<usize>t * <usize>K + <usize>k) << 2), v * up);
      store<f32>(at, v * down);
    }
    store<u32>(counts + (<usize>k << 2), size >> 1);
    store<u32>(counts + (<usize>largest << 2), size - (size >> 1));
  }
}

/** Adds the `dims` f32 at `row` (a multiple of 4) to the f64 sums at `sum`: two lanes at a time, the same adds as the scalar twin. */
// @ts-ignore: decorator
@inline function addRow(sum: usize, row: usize, dims: i32): void {
  if (ASC_FEATURE_SIMD) {
    for (let t = 0; t < dims; t += 4) {
      let v = v128.load(row + (<usize>t << 2)), at = sum + (<usize>t << 3);
      v128.store(at, f64x2.add(v128.load(at), f64x2.promote_low_f32x4(v)));
      v128.store(at, f64x2.add(v128.load(at, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))), 16);
    }
  } else {
    for (let t = 0; t < dims; t++) store<f64>(sum + (<usize>t << 3), load<f64>(sum + (<usize>t << 3)) + <f64>load<f32>(row + (<usize>t << 2)));
  }
}

/**
 * How far each centroid moved since the copy taken at the iteration's start; a row's
 * upper bound grows by its centroid's move, its lower bound shrinks by the largest move
 * of any other centroid.
 */
function moveBounds(n: u32, dims: i32, K: i32, book: usize, workBase: usize): void {
  let assign = assignAt(workBase), upper = nearestAt(workBase, n), lower = lowerAt(workBase, n);
  let centres = centresAt(workBase, n, dims, K), moved = movedAt(workBase, n, dims, K);
  let most: f32 = 0, next: f32 = 0, mostAt = -1;
  for (let k = 0; k < K; k++) {
    let sq: f32 = 0, before = centres + (<usize>k * <usize>dims << 2);
    for (let t = 0; t < dims; t++) {
      let d = load<f32>(before + (<usize>t << 2)) - load<f32>(book + ((<usize>t * <usize>K + <usize>k) << 2));
      sq += d * d;
    }
    let shift = Mathf.sqrt(sq);
    store<f32>(moved + (<usize>k << 2), shift);
    if (shift > most) {
      next = most;
      most = shift;
      mostAt = k;
    } else if (shift > next) {
      next = shift;
    }
  }
  for (let i: u32 = 0; i < n; i++) {
    let a = <i32>load<u32>(assign + (<usize>i << 2));
    store<f32>(upper + (<usize>i << 2), load<f32>(upper + (<usize>i << 2)) + load<f32>(moved + (<usize>a << 2)));
    store<f32>(lower + (<usize>i << 2), load<f32>(lower + (<usize>i << 2)) - (a == mostAt ? next : most));
  }
}

/**
 * Assigns the `waiting` rows listed in the pending array to their nearest centroids, a
 * tile at a time (the last tile padded with its last row), and sets their bounds: the
 * distance to the nearest (upper) and to the second nearest (lower).
 */
function assignPending(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize, waiting: u32): void {
  if (waiting == 0) return;
  let assign = assignAt(workBase), upper = nearestAt(workBase, n), lower = lowerAt(workBase, n);
  let pending = pendingAt(workBase, n), rowNorms = rowNormsAt(workBase, n);
  let bookNorms = bookNormsAt(workBase, n, dims, K), dist = distAt(workBase, n, dims, K);
  let last = load<u32>(pending + (<usize>(waiting - 1) << 2));
  for (let p = waiting; p % TILE_ROWS != 0; p++) store<u32>(pending + (<usize>p << 2), last);
  for (let p: u32 = 0; p < waiting; p += TILE_ROWS) {
    tileDistances(data, rowNorms, pending + (<usize>p << 2), dims, K, book, bookNorms, dist);
    let rows = min(<u32>TILE_ROWS, waiting - p);
    for (let r: u32 = 0; r < rows; r++) {
      let i = <usize>load<u32>(pending + (<usize>(p + r) << 2));
      let values = dist + (<usize>r * <usize>K << 2);
      let k = nearestTwo(values, K, lower + (i << 2));
      store<u32>(assign + (i << 2), k);
      store<f32>(upper + (i << 2), Mathf.sqrt(load<f32>(values + (<usize>k << 2))));
      store<f32>(lower + (i << 2), Mathf.sqrt(load<f32>(lower + (i << 2))));
    }
  }
}

/** Squared norm of each of the n rows at `data` into `out`: summed in f64, in order, rounded once. */
function squaredRowNorms(data: usize, n: u32, dims: i32, out: usize): void {
  let rowBytes = <usize>dims << 2;
  for (let i: u32 = 0; i < n; i++) {
    let row = data + <usize>i * rowBytes, sum: f64 = 0;
    for (let t = 0; t < dims; t++) {
      let v = <f64>load<f32>(row + (<usize>t << 2));
      sum += v * v;
    }
    store<f32>(out + (<usize>i << 2), <f32>sum);
  }
}
