// k-means (assembly/kmeans.ts, assign.ts): the blocked assignment kernel through the
// kmeansAssign export against a float64 reference (nearest and second-nearest centroid,
// their distances), both builds bit for bit, and the trained codebooks' objective against
// a plain float64 Lloyd's on the same rows.

import { describe, expect, test } from 'vitest';
import { Region } from '../src/abi.ts';
import { ProductQuantizer } from '../src/index.ts';
import type { WannExports } from '../src/wasm.ts';
import { firstDifference } from './helpers/brute.ts';
import { kernelInstance } from './helpers/kernels.ts';
import { BUILDS, seededVectors, siftsmall } from './helpers/data.ts';
import { mulberry32 } from '../bench/lib/data.ts';

/** Row counts not a multiple of the tile (4 rows); dims multiples of 4 as PQ slices and IVF rows are; K past and between the 4- and 8-centroid blocks. */
const SHAPES = [
  { n: 203, dims: 4, K: 1 },
  { n: 203, dims: 8, K: 256 },
  { n: 150, dims: 52, K: 13 },
  { n: 101, dims: 132, K: 100 },
  { n: 37, dims: 784, K: 12 },
];

interface Case { n: number; dims: number; K: number; rows: Float32Array; book: Float32Array }

/**
 * Seeded rows with an offset (so ||x||² is not small beside the distances), and K
 * centroids drawn near rows; centroid 1 repeats centroid 0 when K > 2, so exact ties occur.
 */
function makeCase(n: number, dims: number, K: number): Case {
  const { base } = seededVectors({ n: n + K, dim: dims, seed: 17 + dims + K });
  const rows = base.slice(0, n * dims).map((v) => v + 3);
  const book = new Float32Array(dims * K); // transposed: value t of centroid k at t·K + k
  for (let k = 0; k < K; k++) {
    const from = k === 1 && K > 2 ? 0 : k;
    for (let t = 0; t < dims; t++) book[t * K + k] = rows[(from % n) * dims + t] + 0.3 * base[(n + from) * dims + t];
  }
  return { n, dims, K, rows, book };
}

/** Bytes kmeans.ts's working arrays take (kmeansWorkBytes), with room to spare. */
const workBytes = (c: Case) => c.n * 24 + 64 + c.K * c.dims * 12 + c.K * 40 + c.dims * 4;

/** Runs kmeansAssign on `c` and returns the first 3n words of the work (assign, upper, lower). */
function runAssign(x: WannExports, c: Case): { assign: Uint32Array; upper: Float32Array; lower: Float32Array } {
  const data = x.regionPtr(Region.CODES) >>> 0;
  const book = data + c.rows.byteLength, work = book + c.book.byteLength;
  new Float32Array(x.memory.buffer, data, c.rows.length).set(c.rows);
  new Float32Array(x.memory.buffer, book, c.book.length).set(c.book);
  x.kmeansAssign(data, c.n, c.dims, c.K, book, work);
  return {
    assign: new Uint32Array(x.memory.buffer, work, c.n).slice(),
    upper: new Float32Array(x.memory.buffer, work + 4 * c.n, c.n).slice(),
    lower: new Float32Array(x.memory.buffer, work + 8 * c.n, c.n).slice(),
  };
}

/** Float64 distances from row i to every centroid: nearest (ties: the lower number), the second, and the rounding scale ||x||² + max ||c||². */
function reference(c: Case, i: number): { best: number; bestDist: number; secondDist: number; scale: number } {
  let best = 0, bestDist = Infinity, secondDist = Infinity, norms = 0, rowNorm = 0;
  for (let t = 0; t < c.dims; t++) rowNorm += c.rows[i * c.dims + t] ** 2;
  for (let k = 0; k < c.K; k++) {
    let sum = 0, norm = 0;
    for (let t = 0; t < c.dims; t++) {
      const v = c.book[t * c.K + k];
      sum += (c.rows[i * c.dims + t] - v) ** 2;
      norm += v * v;
    }
    norms = Math.max(norms, norm);
    if (sum < bestDist) [secondDist, bestDist, best] = [bestDist, sum, k];
    else if (sum < secondDist) secondDist = sum;
  }
  return { best, bestDist, secondDist, scale: rowNorm + norms };
}

/** Relative rounding of ||x||² + ||c||² − 2·x·c in f32 over `dims` terms, with room: a few ulps per term. */
const tolerance = (dims: number, scale: number) => 4 * dims * 2 ** -24 * scale;

describe.each(BUILDS)('k-means assignment kernel (%s build)', (build) => {
  test.each(SHAPES)('n $n, dims $dims, K $K: the float64 nearest centroid and distances, except near-ties', async ({ n, dims, K }) => {
    const c = makeCase(n, dims, K);
    const x = await kernelInstance(build, c.rows.byteLength + c.book.byteLength + workBytes(c));
    const { assign, upper, lower } = runAssign(x, c);
    let nearTies = 0;
    for (let i = 0; i < n; i++) {
      const ref = reference(c, i), tol = tolerance(dims, ref.scale);
      // A near-tie (the two nearest within the expanded form's rounding) may go either way.
      if (assign[i] !== ref.best) {
        expect(ref.secondDist - ref.bestDist).toBeLessThanOrEqual(tol);
        nearTies++;
      }
      expect(Math.abs(upper[i] ** 2 - ref.bestDist)).toBeLessThanOrEqual(tol);
      if (K > 1) expect(Math.abs(lower[i] ** 2 - ref.secondDist)).toBeLessThanOrEqual(tol);
      else expect(lower[i]).toBe(Infinity);
    }
    expect(nearTies).toBeLessThanOrEqual(Math.ceil(n / 100));
  });

  test('an exact tie goes to the lower centroid number', async () => {
    const c = makeCase(64, 16, 24); // centroid 1 repeats centroid 0
    const x = await kernelInstance(build, c.rows.byteLength + c.book.byteLength + workBytes(c));
    const { assign } = runAssign(x, c);
    expect(assign.includes(1)).toBe(false);
    expect(assign[0]).toBe(0); // row 0 is nearest to centroid 0 (= 1)
  });
});

test.each(SHAPES)('both builds assign n $n, dims $dims, K $K alike, bit for bit', async ({ n, dims, K }) => {
  const c = makeCase(n, dims, K);
  const [simd, scalar] = await Promise.all(BUILDS.map(async (build) => runAssign(await kernelInstance(build, c.rows.byteLength + c.book.byteLength + workBytes(c)), c)));
  expect(firstDifference(simd.assign, scalar.assign)).toBeNull();
  expect(firstDifference(new Uint32Array(simd.upper.buffer), new Uint32Array(scalar.upper.buffer))).toBeNull();
  expect(firstDifference(new Uint32Array(simd.lower.buffer), new Uint32Array(scalar.lower.buffer))).toBeNull();
});

/** Sum over rows and subspaces of the squared distance to the nearest centroid (float64), codebooks as ProductQuantizer.codebooks lays them out. */
function objective(rows: Float32Array, dim: number, m: number, K: number, books: Float64Array | Float32Array): number {
  const sub = dim / m;
  let total = 0;
  for (let i = 0; i < rows.length / dim; i++) {
    for (let j = 0; j < m; j++) {
      let best = Infinity;
      for (let k = 0; k < K; k++) {
        let sum = 0;
        for (let t = 0; t < sub; t++) sum += (rows[i * dim + j * sub + t] - books[(j * K + k) * sub + t]) ** 2;
        best = Math.min(best, sum);
      }
      total += best;
    }
  }
  return total;
}

/** Plain float64 Lloyd per subspace from k-means++ seeding (its own generator), every row assigned exhaustively every iteration. */
function lloyd64(rows: Float32Array, dim: number, m: number, K: number, iterations: number, seed: number, plusPlus: boolean): Float64Array {
  const n = rows.length / dim, sub = dim / m, books = new Float64Array(m * K * sub), random = mulberry32(seed);
  const value = (i: number, j: number, t: number) => rows[i * dim + j * sub + t];
  for (let j = 0; j < m; j++) {
    const book = books.subarray(j * K * sub, (j + 1) * K * sub);
    const distance = (i: number, k: number) => { let s = 0; for (let t = 0; t < sub; t++) s += (value(i, j, t) - book[k * sub + t]) ** 2; return s; };
    const nearest = new Float64Array(n).fill(Infinity);
    const order = Array.from({ length: n }, (_, i) => i); // random: the first K of a shuffle, distinct rows
    for (let i = n - 1; i > 0; i--) { const r = Math.floor(random() * (i + 1)); [order[i], order[r]] = [order[r]!, order[i]!]; }
    for (let k = 0; k < K; k++) {
      let pick = plusPlus ? Math.floor(random() * n) : order[k]!;
      if (plusPlus && k > 0) {
        const total = nearest.reduce((a, b) => a + b, 0);
        let target = random() * total;
        for (pick = 0; pick < n - 1 && (target -= nearest[pick]) >= 0; pick++);
      }
      for (let t = 0; t < sub; t++) book[k * sub + t] = value(pick, j, t);
      for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], distance(i, k));
    }
    for (let it = 0; it < iterations; it++) {
      const sums = new Float64Array(K * sub), counts = new Float64Array(K);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let k = 1; k < K; k++) if (distance(i, k) < distance(i, best)) best = k;
        counts[best]++;
        for (let t = 0; t < sub; t++) sums[best * sub + t] += value(i, j, t);
      }
      for (let k = 0; k < K; k++) if (counts[k] > 0) for (let t = 0; t < sub; t++) book[k * sub + t] = sums[k * sub + t] / counts[k];
    }
  }
  return books;
}

test.each(['random', 'k-means++'] as const)('trained codebooks, %s seeding: the k-means objective on SIFT rows is within 2% of a plain float64 Lloyd\'s seeded alike (or better)', async (init) => {
  const sift = siftsmall();
  const dim = 32, m = 4, K = 256, n = 3000, iterations = 10;
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) rows.set(sift.base.subarray(i * sift.dim, i * sift.dim + dim), i * dim);
  const pq = await ProductQuantizer.train(rows, { dim, m, bits: 8, iterations, seed: 5, init });
  const ours = objective(rows, dim, m, K, pq.codebooks);
  pq.dispose();
  const reference64 = objective(rows, dim, m, K, lloyd64(rows, dim, m, K, iterations, 5, init === 'k-means++'));
  console.log(`k-means objective on ${n} SIFT rows (${dim} dims, m ${m}, ${K} centroids, ${iterations} iterations, ${init}): wann ${ours.toExponential(4)}, float64 Lloyd ${reference64.toExponential(4)}, ratio ${(ours / reference64).toFixed(4)}`);
  expect(ours).toBeLessThanOrEqual(reference64 * 1.02);
}, 60_000);
