// f32 distance kernels (assembly/distance.ts) through the raw exports: l2 and dot against
// an f64 reference at many dims, SIMD and scalar bit for bit, and the distances each
// metric reports through FlatIndex (cosine normalises on insert and on query). The
// compressed formats have their own files: kernels-f16, kernels-int8, kernels-binary.

import { describe, expect, test } from 'vitest';
import { Kernel } from '../src/abi.ts';
import { FlatIndex, type MetricName } from '../src/index.ts';
import type { WannExports } from '../src/wasm.ts';
import { distance64 } from '../bench/lib/brute.ts';
import { tolerance64 } from './helpers/brute.ts';
import { BUILDS, row, seededVectors, simdOption } from './helpers/data.ts';
import { KERNEL_DIMS, kernelInstance, padded, runKernel } from './helpers/kernels.ts';

const PAIRS = 24;

/**
 * Pairs of rows for `dim`: seeded normal values at three scales, SIFT-like integers,
 * a row against itself and against zero.
 */
function pairsFor(dim: number): Array<[Float32Array, Float32Array]> {
  const { base } = seededVectors({ n: 2 * PAIRS, dim, seed: 1000 + dim });
  const pairs: Array<[Float32Array, Float32Array]> = [];
  for (let p = 0; p < PAIRS; p++) {
    const scale = [1, 1e-3, 1e3][p % 3];
    pairs.push([row(base, dim, 2 * p).map((v) => v * scale), row(base, dim, 2 * p + 1).map((v) => v * scale)]);
  }
  const ints = (seed: number) => row(seededVectors({ n: 1, dim, seed }).base, dim, 0).map((v) => Math.min(180, Math.round(Math.abs(v) * 40)));
  pairs.push([ints(1), ints(2)]);
  pairs.push([pairs[0][0], pairs[0][0]]);
  pairs.push([pairs[0][0], new Float32Array(dim)]);
  return pairs;
}

/** l2 and dot of every pair, as the kernel exports compute them. */
function kernelResults(x: WannExports, pairs: Array<[Float32Array, Float32Array]>): { l2: number[]; dot: number[] } {
  const stride = Math.ceil(pairs[0][0].length / 4) * 4; // rows are zero-padded to a multiple of 4
  const l2: number[] = [], dot: number[] = [];
  for (const [u, v] of pairs) {
    l2.push(runKernel(x, Kernel.L2_F32, padded(u, stride), padded(v, stride)));
    dot.push(runKernel(x, Kernel.DOT_F32, padded(u, stride), padded(v, stride)));
  }
  return { l2, dot };
}

describe.each(BUILDS)('kernels (%s build)', (build) => {
  test.each(KERNEL_DIMS)('l2 and dot match the f64 reference at dim %i', async (dim) => {
    const x = await kernelInstance(build, 8 * dim + 32);
    const pairs = pairsFor(dim);
    const got = kernelResults(x, pairs);
    const problems: string[] = [];
    pairs.forEach(([u, v], p) => {
      const l2 = distance64('l2', u, 0, v, 0, dim);
      const dot = 1 - distance64('ip', u, 0, v, 0, dim);
      const l2Tol = tolerance64('l2', u, 0, v, 0, dim);
      const dotTol = tolerance64('ip', u, 0, v, 0, dim);
      if (Math.abs(got.l2[p] - l2) > l2Tol) problems.push(`pair ${p}: l2 ${got.l2[p]}, expected ${l2} ± ${l2Tol}`);
      if (Math.abs(got.dot[p] - dot) > dotTol) problems.push(`pair ${p}: dot ${got.dot[p]}, expected ${dot} ± ${dotTol}`);
    });
    expect(problems).toEqual([]);
    // A row against itself is exactly 0; integer rows (as SIFT) are exact while sums stay below 2^24.
    expect(got.l2[PAIRS + 1]).toBe(0);
    expect(got.l2[PAIRS]).toBe(distance64('l2', pairs[PAIRS][0], 0, pairs[PAIRS][1], 0, dim));
    expect(got.dot[PAIRS + 2]).toBe(0);
  });
});

describe('SIMD and scalar kernels agree bit for bit', () => {
  test.each(KERNEL_DIMS)('dim %i', async (dim) => {
    const pairs = pairsFor(dim);
    const simd = kernelResults(await kernelInstance('simd', 8 * dim + 32), pairs);
    const scalar = kernelResults(await kernelInstance('scalar', 8 * dim + 32), pairs);
    expect(simd.l2.map((v, i) => Object.is(v, scalar.l2[i]))).not.toContain(false);
    expect(simd.dot.map((v, i) => Object.is(v, scalar.dot[i]))).not.toContain(false);
  });
});

describe.each(BUILDS)('distances reported by each metric (%s build)', (build) => {
  const METRICS: MetricName[] = ['l2', 'ip', 'cosine'];
  const CASES = METRICS.flatMap((metric) => [3, 16, 17, 128].map((dim) => ({ metric, dim })));

  test.each(CASES)('$metric at dim $dim: every distance matches the f64 reference', async ({ metric, dim }) => {
    const n = 40;
    const data = seededVectors({ n, queries: 5, dim, seed: 77 + dim });
    // Rows at very different lengths: cosine must not care, l2 and ip must.
    const base = data.base.map((v, i) => v * [1, 0.001, 250][Math.floor(i / dim) % 3]);
    const index = await FlatIndex.create({ dim, metric, simd: simdOption(build), threads: 1 });
    try {
      index.addBatch(base);
      const problems: string[] = [];
      for (let q = 0; q < data.nq; q++) {
        const { ids, distances } = index.search(row(data.queries, dim, q), n);
        expect(ids.length).toBe(n);
        for (let r = 0; r < n; r++) {
          const want = distance64(metric, data.queries, q * dim, base, ids[r] * dim, dim);
          const tol = tolerance64(metric, data.queries, q * dim, base, ids[r] * dim, dim);
          if (Math.abs(distances[r] - want) > tol) problems.push(`query ${q}, id ${ids[r]}: ${distances[r]}, expected ${want} ± ${tol}`);
          if (r > 0 && distances[r] < distances[r - 1]) problems.push(`query ${q}: rank ${r} is nearer than rank ${r - 1}`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      index.dispose();
    }
  });

  test('cosine: a zero row or a zero query is at distance 1 from everything', async () => {
    const index = await FlatIndex.create({ dim: 5, metric: 'cosine', simd: simdOption(build), threads: 1 });
    try {
      index.add([0, 0, 0, 0, 0], 0);
      index.add([1, 2, 3, 4, 5], 1);
      const fromQuery = index.search([3, 0, 0, 1, 0], 2);
      expect(fromQuery.distances[Array.from(fromQuery.ids).indexOf(0)]).toBe(1);
      expect(Array.from(index.search([0, 0, 0, 0, 0], 2).distances)).toEqual([1, 1]);
    } finally {
      index.dispose();
    }
  });

  test('cosine: a row and its multiples are at distance ~0, its negation at ~2', async () => {
    const index = await FlatIndex.create({ dim: 6, metric: 'cosine', simd: simdOption(build), threads: 1 });
    try {
      const v = [0.5, -1, 2, 0, 3, -0.25];
      index.add(v, 0);
      index.add(v.map((x) => -x), 1);
      const { ids, distances } = index.search(v.map((x) => x * 1000), 2);
      expect(Array.from(ids)).toEqual([0, 1]);
      expect(distances[0]).toBeCloseTo(0, 6);
      expect(distances[1]).toBeCloseTo(2, 6);
    } finally {
      index.dispose();
    }
  });
});
