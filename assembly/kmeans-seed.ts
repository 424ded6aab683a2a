// k-means' seeding for kmeans.ts, its first step, over the same working arrays
// (kmeans-work.ts): a uniform sample of distinct rows (FAISS's) or k-means++ (Arthur &
// Vassilvitskii 2007). Called through kmeans.ts by pq.ts and ivf.ts.

import { l2 } from './distance';
import { assignAt, lowerAt, nearestAt, pendingAt, setCentroid, sumsAt } from './kmeans-work';

/** SplitMix64 step on a local state: the training's own generator, seeded per subspace. */
// @ts-ignore: decorator
@inline function mix(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Rows per partial sum of the k-means++ weights: a draw scans the partial sums, then one block. */
const SEED_BLOCK: u32 = 1024;

/**
 * The first K centroids, each a row of the n >= K at `data`: with `plusPlus`, k-means++
 * (the first a random row, each next one drawn with probability proportional to its
 * squared distance to the nearest centroid so far; rows all alike, every distance 0,
 * take the next rows in order), else K distinct rows drawn uniformly, as FAISS seeds
 * (selection sampling, Knuth's Algorithm S: row i is taken with probability
 * (K - taken) / (n - i), so the centroids keep the rows' order). On product
 * quantization's residuals k-means++ left recall lower (MNIST IVF-PQ 0.695 against
 * 0.703 and FAISS's 0.7025; README "Product quantization"). For k-means++ the weights
 * are summed per block of SEED_BLOCK rows in the pass that updates them, and a draw
 * scans the block sums, then one block. (Skipping rows by the triangle inequality, as
 * Elkan's bounds do, measured slower here: the bound check costs about what an 8-d
 * distance does.)
 */
export function kmeansSeed(data: usize, n: u32, dims: i32, K: i32, book: usize, workBase: usize, seed: u64, plusPlus: bool): void {
  let nearest = nearestAt(workBase, n), blocks = pendingAt(workBase, n); // n + 4 u32: room for the block sums
  let rowBytes = <usize>dims << 2;
  let state = seed;
  if (!plusPlus) {
    let k = 0;
    for (let i: u32 = 0; k < K; i++) {
      state += 0x9e3779b97f4a7c15;
      if (mix(state) % <u64>(n - i) >= <u64>(<u32>K - <u32>k)) continue; // exact: the last n - i rows are taken when needed
      let centre = data + <usize>i * rowBytes;
      setCentroid(book, K, k, centre, dims);
      updateNearest(data, n, dims, centre, k, workBase);
      k++;
    }
  } else {
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
