// One bit per dimension (assembly/binary.ts): the HAMMING kernel is exact, and the
// distances a FlatIndex of 'binary' rows reports without re-ranking (RaBitQ-style
// estimator, queryDistanceBinary) match an independent float64 implementation of the
// estimator as binary.ts's comments define it, for l2, ip and cosine; both builds agree
// bit for bit.

import { describe, expect, test } from 'vitest';
import { Kernel } from '../src/abi.ts';
import { FlatIndex, type MetricName } from '../src/index.ts';
import { mulberry32 } from '../bench/lib/data.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, row, seededVectors, simdOption, type BuildName } from './helpers/data.ts';
import { KERNEL_DIMS, kernelInstance, roundHalfEven, runKernel } from './helpers/kernels.ts';

/** Bytes of a row's bits: dim bits in whole v128s, zero-padded (binary.ts bitBytes). */
const bitBytes = (dim: number) => Math.ceil(dim / 128) * 16;

/** `dim` seeded random bits (each set with probability `density`), zero-padded. */
function randomBits(dim: number, density: number, seed: number): Uint8Array {
  const next = mulberry32(seed);
  const out = new Uint8Array(bitBytes(dim));
  for (let j = 0; j < dim; j++) if (next() < density) out[j >> 3] |= 1 << (j & 7);
  return out;
}

function differingBits(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i] ^ b[i]; x; x &= x - 1) count++;
  return count;
}

/** Bit rows for `dim`: random at three densities, a row against itself, its complement (within dim) and zero. */
function bitPairs(dim: number): Array<[Uint8Array, Uint8Array]> {
  const pairs: Array<[Uint8Array, Uint8Array]> = [0.5, 0.1, 0.9].map((density, i) => [randomBits(dim, density, dim + i), randomBits(dim, 0.5, dim + 10 + i)]);
  const first = pairs[0][0], all = randomBits(dim, 1, 0);
  pairs.push([first, first], [first, first.map((byte, i) => ~byte & all[i])], [first, new Uint8Array(first.length)]);
  return pairs;
}

const hammings = async (build: BuildName, dim: number) => {
  const x = await kernelInstance(build, 2 * bitBytes(dim));
  return bitPairs(dim).map(([a, b]) => runKernel(x, Kernel.HAMMING, a, b));
};

describe.each(BUILDS)('hamming (%s build)', (build) => {
  test.each(KERNEL_DIMS)('counts the differing bits exactly at dim %i', async (dim) => {
    const got = await hammings(build, dim);
    expect(got).toEqual(bitPairs(dim).map(([a, b]) => differingBits(a, b)));
    expect(got[4]).toBe(dim); // a row against its complement
  });

  test('every bit differs over 65536 bytes', async () => {
    const x = await kernelInstance(build, 2 * 65536);
    expect(runKernel(x, Kernel.HAMMING, new Uint8Array(65536).fill(0xff), new Uint8Array(65536))).toBe(8 * 65536);
  });
});

test.each(KERNEL_DIMS)('hamming: SIMD and scalar agree at dim %i', async (dim) => {
  expect(firstDifference(await hammings('simd', dim), await hammings('scalar', dim))).toBeNull();
});

// The estimator, in f64 after binary.ts's comments. Its discrete steps (a row's bits, a
// query value's 4-bit level) are taken on the f32 values the core sees, with f32
// rounding where the core rounds (Math.fround), so that a value on a rounding boundary
// cannot flip; every sum is f64.

const LEVELS = 15;

/** The trained centre: the mean of the training rows (an f64 sum in row order, stored as f32). */
function centreOf(rows: Float32Array, dim: number): Float64Array {
  const n = rows.length / dim, sums = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) sums[j] += rows[i * dim + j];
  return sums.map((sum) => Math.fround(sum / n));
}

/** The query quantised to 4 bits: u (q - c for l2, q otherwise), lo, Δ, each value's level, and ‖q-c‖² or ⟨q,c⟩. */
function prepareQuery(q: ArrayLike<number>, c: Float64Array, residual: boolean) {
  const dim = c.length;
  const u = Array.from({ length: dim }, (_, j) => (residual ? Math.fround(q[j] - c[j]) : q[j]));
  const lo = Math.min(...u), hi = Math.max(...u);
  const delta = hi > lo ? Math.fround(Math.fround(hi - lo) / LEVELS) : 1;
  const levels = u.map((v) => roundHalfEven(Math.fround(Math.fround(v - lo) / delta)));
  let qTerm = 0;
  for (let j = 0; j < dim; j++) qTerm += residual ? u[j] ** 2 : q[j] * c[j];
  return { lo, delta, levels, qTerm };
}

/**
 * The estimated distance from a prepared query to row `x`, and the magnitude the f32
 * result errs relative to: the sum of the terms' magnitudes, with the quantised sums
 * as the core forms them (lo · count + Δ · Σ levels).
 */
function estimate(query: ReturnType<typeof prepareQuery>, x: ArrayLike<number>, c: Float64Array, residual: boolean): { value: number; magnitude: number } {
  const dim = c.length, sqrtD = Math.sqrt(dim);
  let normSq = 0, absSum = 0, on = 0, onLevels = 0, allLevels = 0;
  for (let j = 0; j < dim; j++) {
    const r = x[j] - c[j];
    normSq += r * r;
    absSum += Math.abs(r);
    allLevels += query.levels[j];
    if (x[j] > c[j]) { on++; onLevels += query.levels[j]; } // bit j: x_j above the centre
  }
  const f = absSum > 0 ? (normSq * sqrtD) / absSum : 0; // ‖x-c‖ / ⟨b̄,o⟩
  const onBits = query.lo * on + query.delta * onLevels; // Σ û_j over set bits
  const sumU = query.lo * dim + query.delta * allLevels; // Σ û_j
  const inner = (f * (2 * onBits - sumU)) / sqrtD; // ≈ ⟨x - c, u⟩
  const quantised = (2 * (Math.abs(query.lo) * on + query.delta * onLevels) + Math.abs(query.lo) * dim + query.delta * allLevels) * f / sqrtD;
  if (residual) return { value: normSq + query.qTerm - 2 * inner, magnitude: normSq + query.qTerm + 2 * quantised };
  return { value: 1 - (query.qTerm + inner), magnitude: 1 + Math.abs(query.qTerm) + quantised };
}

const METRICS: MetricName[] = ['l2', 'ip', 'cosine'];
const ROWS = 64;

/**
 * Seeded rows and queries offset per dimension (so the centre matters), a query of ties
 * and a constant one (its values on one level: Δ falls back to 1). The index trains on
 * the rows, then stores rows and queries; `kept` holds them as the core sees them
 * (normalised for cosine: a last-bit difference would move a tie to another level),
 * `distances` every query's distance to every stored row by the codes alone (rerank 0).
 */
async function estimatorRun(build: BuildName, metric: MetricName, dim: number) {
  const data = seededVectors({ n: ROWS, queries: 6, dim, seed: 300 + dim });
  const shift = (v: number, i: number) => v + Math.sin(i % dim);
  const base = data.base.map(shift), queries = data.queries.map(shift);
  // Past its first two values (lo 0, hi 15: Δ 1), query 4 lies halfway between two levels everywhere.
  for (let j = 0; j < dim; j++) queries[(data.nq - 2) * dim + j] = j === 0 ? 0 : j === 1 ? 15 : (j % 15) + 0.5;
  queries.fill(0.5, (data.nq - 1) * dim);
  const stored = ROWS + data.nq;
  const index = await FlatIndex.create({ dim, metric, storage: 'binary', keepVectors: true, simd: simdOption(build), threads: 1 });
  try {
    index.train(base);
    index.addBatch(base);
    index.addBatch(queries);
    const kept = new Float32Array(stored * dim);
    for (let id = 0; id < stored; id++) kept.set(index.get(id)!, id * dim);
    const distances = Array.from({ length: data.nq }, (_, q) => {
      const found = index.search(row(queries, dim, q), stored, { rerank: 0 });
      const byId = new Float32Array(stored);
      found.ids.forEach((id, r) => { byId[id] = found.distances[r]; });
      return byId;
    });
    return { kept, distances };
  } finally {
    index.dispose();
  }
}

describe.each(BUILDS)('binary estimator (%s build)', (build) => {
  const cases = METRICS.flatMap((metric) => KERNEL_DIMS.map((dim) => ({ metric, dim })));

  test.each(cases)('$metric at dim $dim: every distance without re-ranking matches the f64 estimator', async ({ metric, dim }) => {
    const { kept, distances } = await estimatorRun(build, metric, dim);
    const residual = metric === 'l2';
    const centre = centreOf(kept.subarray(0, ROWS * dim), dim);
    const problems: string[] = [];
    distances.forEach((byId, q) => {
      const prepared = prepareQuery(row(kept, dim, ROWS + q), centre, residual);
      byId.forEach((got, id) => {
        const want = estimate(prepared, row(kept, dim, id), centre, residual);
        const tol = 1e-5 * want.magnitude;
        if (!(Math.abs(got - want.value) <= tol)) problems.push(`query ${q}, id ${id}: ${got}, expected ${want.value} ± ${tol}`);
      });
    });
    expect(problems).toEqual([]);
  });
});

describe('SIMD and scalar binary estimators agree bit for bit', () => {
  test.each(METRICS)('%s', async (metric) => {
    for (const dim of KERNEL_DIMS) {
      const simd = await estimatorRun('simd', metric, dim), scalar = await estimatorRun('scalar', metric, dim);
      simd.distances.forEach((byId, q) => expect(firstDifference(byId, scalar.distances[q]), `dim ${dim} query ${q}`).toBeNull());
    }
  });
});
