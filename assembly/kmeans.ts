// k-means over one subspace's training rows (or an IVF index's whole rows): k-means++
// seeding (Arthur & Vassilvitskii 2007), then Lloyd iterations, each a separate call so
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
//
//   work ─► ┌──────────────┬────────────────────────────┬──────────────┬────────────────┬──────────────────┬
//           │ assign: n u32│ nearest (k-means++) or     │ lower: n f32 │ row norms: n f32│ pending: n+4 u32 │
//           │              │ upper bound: n f32         │              │ (squared)       │ rows to assign   │
//           ├──────────────┴──────┬───────────────┬────┴──────────────┬─┴────────────────┴─┬──────────┬─────
//           │ sums: K × dims f64  │ counts: K u32 │ book norms: K f32 │ dist: TILE_ROWS×K f32│ row: dims│
//           ├─────────────────────┴─┬─────────────┼───────────────────┴────────────────────┴──────────┘
//           │ centres: K × dims f32 │ moved: K f32│ half gap: K f32
//           │ (row-major copy)      │             │
//           └───────────────────────┴─────────────┴─────────────────

import { nearestTwo, tileDistances, TILE_ROWS } from './assign';
import { l2 } from './distance';

/** Bytes of the working arrays for n rows of `dims` values and K centroids. */
export function kmeansWorkBytes(n: u32, dims: i32, K: i32): u64 {
  return <u64>n * 20 + (TILE_ROWS << 2) + <u64>K * <u64>dims * 12 + <u64>K * (16 + (TILE_ROWS << 2)) + (<u64>dims << 2);
}

// Where each working array starts, for n rows of `dims` values and K centroids.
// @ts-ignore: decorator
@inline function assignAt(base: usize): usize { return base; }
// @ts-ignore: decorator
@inline function nearestAt(base: usize, n: u32): usize { return base + (<usize>n << 2); }
// @ts-ignore: decorator
@inline function lowerAt(base: usize, n: u32): usize { return base + (<usize>n << 3); }
// @ts-ignore: decorator
@inline function rowNormsAt(base: usize, n: u32): usize { return base + <usize>n * 12; }
// @ts-ignore: decorator
@inline function pendingAt(base: usize, n: u32): usize { return base + (<usize>n << 4); }
// @ts-ignore: decorator
@inline function sumsAt(base: usize, n: u32): usize { return base + <usize>n * 20 + (TILE_ROWS << 2); }
// @ts-ignore: decorator
@inline function countsAt(base: usize, n: u32, dims: i32, K: i32): usize { return sumsAt(base, n) + <usize>K * <usize>dims * 8; }
// @ts-ignore: decorator
@inline function bookNormsAt(base: usize, n: u32, dims: i32, K: i32): usize { return countsAt(base, n, dims, K) + (<usize>K << 2); }
// @ts-ignore: decorator
@inline function distAt(base: usize, n: u32, dims: i32, K: i32): usize { return bookNormsAt(base, n, dims, K) + (<usize>K << 2); }
// @ts-ignore: decorator
@inline function rowAt(base: usize, n: u32, dims: i32, K: i32): usize { return distAt(base, n, dims, K) + (<usize>K * TILE_ROWS << 2); }
// @ts-ignore: decorator
@inline function centresAt(base: usize, n: u32, dims: i32, K: i32): usize { return rowAt(base, n, dims, K) + (<usize>dims << 2); }
// @ts-ignore: decorator
@inline function movedAt(base: usize, n: u32, dims: i32, K: i32): usize { return centresAt(base, n, dims, K) + (<usize>K * <usize>dims << 2); }
// @ts-ignore: decorator
@inline function halfGapAt(base: usize, n: u32, dims: i32, K: i32): usize { return movedAt(base, n, dims, K) + (<usize>K << 2); }

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

/** SplitMix64 step on a local state: the training's own generator, seeded per subspace. */
// @ts-ignore: decorator
@inline function mix(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// @ts-ignore: decorator
@inline function setCentroid(book: usize, K: i32, k: i32, row: usize, dims: i32): void {
  for (let t = 0; t < dims; t++) store<f32>(book + ((<usize>t * <usize>K + <usize>k) << 2), load<f32>(row + (<usize>t << 2)));
}

// @ts-ignore: decorator
@inline function getCentroid(book: usize, K: i32, k: i32, row: usize, dims: i32): void {
  for (let t = 0; t < dims; t++) store<f32>(row + (<usize>t << 2), load<f32>(book + ((<usize>t * <usize>K + <usize>k) << 2)));
}

/** Rows per partial sum of the k-means++ weights: a draw scans the partial sums, then one block. */
const SEED_BLOCK: u32 = 1024;

/**
 * k-means++ seeding: the first centroid a random row, each next one a row drawn with
 * probability proportional to its squared distance to the nearest centroid so far.
 * Rows all alike (every distance 0) take the next rows in order. n >= K. The weights are
 * summed per block of SEED_BLOCK rows in the pass that updates them, and a draw scans the
 * block sums, then one block. (Skipping rows by the triangle inequality, as Elkan's
 * bounds do, measured slower here: the bound check costs about what an 8-d distance does.)
 */
export function kmeansSeed(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize, seed: u64): void {
  let nearest = nearestAt(workBase, n), blocks = pendingAt(workBase, n); // n + 4 u32: room for the block sums
  let rowBytes = <usize>dims << 2;
  let state = seed;
  state += 0x9e3779b97f4a7c15;
  let pick = <u32>(mix(state) % <u64>n);
  for (let k = 0; k < K; k++) {
    let centre = data + <usize>pick * rowBytes;
    setCentroid(book, K, k, centre, dims);
    let total = updateNearest(data, n, dims, centre, k, workBase);
    if (k + 1 == K) break;
    pick = <u32>k % n;
    if (total > 0) {
      state += 0x9e3779b97f4a7c15;
      let target = <f64>(mix(state) >> 11) * 1.1102230246251565e-16 * total; // [0, total)
      let running: f64 = 0, block: u32 = 0;
      while ((block + 1) * SEED_BLOCK < n && running + load<f64>(blocks + (<usize>block << 3)) <= target) {
        running += load<f64>(blocks + (<usize>block << 3));
        block++;
      }
      pick = n - 1;
      for (let i = block * SEED_BLOCK; i < n; i++) {
        running += <f64>load<f32>(nearest + (<usize>i << 2));
        if (running > target) {
          pick = i;
          break;
        }
      }
    }
  }
  // Every row has met every centroid: its nearest and second nearest are the first iteration's assignment and bounds.
  let lower = lowerAt(workBase, n);
  for (let i: u32 = 0; i < n; i++) {
    store<f32>(nearest + (<usize>i << 2), Mathf.sqrt(load<f32>(nearest + (<usize>i << 2))));
    store<f32>(lower + (<usize>i << 2), Mathf.sqrt(load<f32>(lower + (<usize>i << 2))));
  }
}

/**
 * Lowers each row's distance to its nearest centroid so far by its distance to centroid
 * k at `centre` (four rows at a time), keeping which centroid is nearest and the distance
 * to the second nearest, and returns the distances' sum, summed per block as
 * kmeansSeed() draws from them.
 */
function updateNearest(data: usize, n: u32, dims: i32, centre: usize, k: i32, workBase: usize): f64 {
  let nearest = nearestAt(workBase, n), owner = assignAt(workBase), second = lowerAt(workBase, n);
  let blocks = pendingAt(workBase, n), four = sumsAt(workBase, n); // 4 f32 of scratch: the sums are rebuilt by every iteration
  let rowBytes = <usize>dims << 2;
  let total: f64 = 0;
  for (let start: u32 = 0, block: usize = 0; start < n; start += SEED_BLOCK, block++) {
    let sum: f64 = 0, end = min(n, start + SEED_BLOCK);
    for (let i = start; i < end; i += 4) {
      let rows = min<u32>(4, end - i);
      let x = data + <usize>i * rowBytes;
      if (rows == 4) l2FourRows(x, rowBytes, centre, dims, four);
      else for (let r: u32 = 0; r < rows; r++) store<f32>(four + (<usize>r << 2), l2(x + <usize>r * rowBytes, centre, dims));
      for (let r: u32 = 0; r < rows; r++) {
        let row = <usize>(i + r) << 2, to = load<f32>(four + (<usize>r << 2)), d = load<f32>(nearest + row);
        if (k == 0 || to < d) {
          store<f32>(second + row, k == 0 ? Infinity : d);
          store<f32>(nearest + row, to);
          store<u32>(owner + row, k);
          d = to;
        } else if (to < load<f32>(second + row)) {
          store<f32>(second + row, to);
        }
        sum += <f64>d;
      }
    }
    store<f64>(blocks + (block << 3), sum);
    total += sum;
  }
  return total;
}

/**
 * distance.ts's l2() from `centre` to the four rows from `x` (`rowBytes` apart) into
 * `out`, each row summed exactly as l2() sums it (its 16-value trees, then its lane
 * order), so the SIMD build's seeding matches the scalar build's l2() calls bit for bit;
 * the centre's values are loaded once for the four rows.
 */
function l2FourRows(x: usize, rowBytes: usize, centre: usize, dims: i32, out: usize): void {
  if (ASC_FEATURE_SIMD) {
    let x1 = x + rowBytes, x2 = x1 + rowBytes, x3 = x2 + rowBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let end = <usize>dims << 2, end16 = <usize>(dims & ~15) << 2, t: usize = 0;
    for (; t < end16; t += 64) {
      let c0 = v128.load(centre + t), c1 = v128.load(centre + t, 16), c2 = v128.load(centre + t, 32), c3 = v128.load(centre + t, 48);
      a0 = f32x4.add(a0, block16(x + t, c0, c1, c2, c3));
      a1 = f32x4.add(a1, block16(x1 + t, c0, c1, c2, c3));
      a2 = f32x4.add(a2, block16(x2 + t, c0, c1, c2, c3));
      a3 = f32x4.add(a3, block16(x3 + t, c0, c1, c2, c3));
    }
    for (; t < end; t += 16) {
      let c = v128.load(centre + t);
      let d0 = f32x4.sub(v128.load(x + t), c), d1 = f32x4.sub(v128.load(x1 + t), c);
      let d2 = f32x4.sub(v128.load(x2 + t), c), d3 = f32x4.sub(v128.load(x3 + t), c);
      a0 = f32x4.add(a0, f32x4.mul(d0, d0));
      a1 = f32x4.add(a1, f32x4.mul(d1, d1));
      a2 = f32x4.add(a2, f32x4.mul(d2, d2));
      a3 = f32x4.add(a3, f32x4.mul(d3, d3));
    }
    store<f32>(out, lanes(a0));
    store<f32>(out, lanes(a1), 4);
    store<f32>(out, lanes(a2), 8);
    store<f32>(out, lanes(a3), 12);
  } else {
    for (let r: usize = 0; r < 4; r++) store<f32>(out + (r << 2), l2(x + r * rowBytes, centre, dims));
  }
}

/** One 16-value block of l2() for the row at `x` against the centre values c0..c3: ((d0² + d1²) + (d2² + d3²)). */
// @ts-ignore: decorator
@inline function block16(x: usize, c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  let d0 = f32x4.sub(v128.load(x), c0), d1 = f32x4.sub(v128.load(x, 16), c1);
  let d2 = f32x4.sub(v128.load(x, 32), c2), d3 = f32x4.sub(v128.load(x, 48), c3);
  return f32x4.add(f32x4.add(f32x4.mul(d0, d0), f32x4.mul(d1, d1)), f32x4.add(f32x4.mul(d2, d2), f32x4.mul(d3, d3)));
}

/** distance.ts's sumLanes(): (x0 + x2) + (x1 + x3). */
// @ts-ignore: decorator
@inline function lanes(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 2)) + (f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 3));
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
