// FlatIndex (src/flat-index.ts, assembly/flat.ts): exact search equals an f64 brute
// force on seeded data and the texmex ground truth on the shipped siftsmall.

import { describe, expect, test } from 'vitest';
import { FlatIndex, NO_ID, type MetricName } from '../src/index.ts';
import { bruteForceTopK, distance64 } from '../bench/lib/brute.ts';
import { exactMismatches } from './helpers/brute.ts';
import { BUILDS, row, seededVectors, siftsmall, simdOption } from './helpers/data.ts';

const METRICS: MetricName[] = ['l2', 'ip', 'cosine'];

describe.each(BUILDS)('FlatIndex (%s build)', (build) => {
  const simd = simdOption(build);

  const CASES = METRICS.flatMap((metric) => [1, 3, 5, 17, 100].map((dim) => ({ metric, dim })));
  test.each(CASES)('$metric, dim $dim: top-10 equals the f64 brute force', async ({ metric, dim }) => {
    const data = seededVectors({ n: 300, queries: 20, dim, seed: 11 * dim + 3 });
    const truth = bruteForceTopK(data.base, data.queries, dim, 10, metric);
    const index = await FlatIndex.create({ dim, metric, simd });
    try {
      index.addBatch(data.base);
      const problems = Array.from({ length: data.nq }, (_, q) =>
        exactMismatches(metric, index.search(row(data.queries, dim, q), 10), truth, q, data.base, data.queries, dim)).flat();
      expect(problems).toEqual([]);
    } finally {
      index.dispose();
    }
  });

  test('searchBatch equals search, query by query', async () => {
    const dim = 13;
    const data = seededVectors({ n: 200, queries: 15, dim, seed: 4 });
    const index = await FlatIndex.create({ dim, simd });
    try {
      index.addBatch(data.base);
      const batch = index.searchBatch(data.queries, 7);
      expect(batch.k).toBe(7);
      for (let q = 0; q < data.nq; q++) {
        const one = index.search(row(data.queries, dim, q), 7);
        expect(batch.ids.subarray(q * 7, q * 7 + 7)).toEqual(one.ids);
        expect(batch.distances.subarray(q * 7, q * 7 + 7)).toEqual(one.distances);
      }
    } finally {
      index.dispose();
    }
  });

  test('k greater than the size returns every item, nearest first; searchBatch pads', async () => {
    const dim = 6;
    const data = seededVectors({ n: 5, queries: 2, dim, seed: 8 });
    const truth = bruteForceTopK(data.base, data.queries, dim, 5, 'l2');
    const index = await FlatIndex.create({ dim, simd });
    try {
      index.addBatch(data.base);
      const one = index.search(row(data.queries, dim, 0), 50);
      expect(Array.from(one.ids)).toEqual(Array.from(truth.ids.subarray(0, 5)));
      const batch = index.searchBatch(data.queries, 8);
      for (let q = 0; q < 2; q++) {
        expect(Array.from(batch.ids.subarray(q * 8, q * 8 + 5))).toEqual(Array.from(truth.ids.subarray(q * 5, q * 5 + 5)));
        expect(Array.from(batch.ids.subarray(q * 8 + 5, q * 8 + 8))).toEqual([NO_ID, NO_ID, NO_ID]);
        expect(Array.from(batch.distances.subarray(q * 8 + 5, q * 8 + 8))).toEqual([Infinity, Infinity, Infinity]);
      }
    } finally {
      index.dispose();
    }
  });

  test('an empty index returns empty arrays, and pads every searchBatch row', async () => {
    const index = await FlatIndex.create({ dim: 3, simd });
    try {
      const one = index.search([1, 2, 3], 4);
      expect(one.ids).toEqual(new Uint32Array(0));
      expect(one.distances).toEqual(new Float32Array(0));
      const batch = index.searchBatch([[1, 2, 3], [4, 5, 6]], 2);
      expect(Array.from(batch.ids)).toEqual([NO_ID, NO_ID, NO_ID, NO_ID]);
      expect(Array.from(batch.distances)).toEqual([Infinity, Infinity, Infinity, Infinity]);
      expect(index.size).toBe(0);
    } finally {
      index.dispose();
    }
  });

  test('returns the ids the items were added under', async () => {
    const dim = 4;
    const data = seededVectors({ n: 50, queries: 5, dim, seed: 21 });
    const ids = Array.from({ length: 50 }, (_, i) => 4_000_000_000 - i * 7919);
    const truth = bruteForceTopK(data.base, data.queries, dim, 10, 'l2');
    const index = await FlatIndex.create({ dim, simd });
    try {
      index.addBatch(data.base, ids);
      for (let q = 0; q < data.nq; q++) {
        const result = index.search(row(data.queries, dim, q), 10);
        const problems = exactMismatches('l2', result, truth, q, data.base, data.queries, dim, (id) => ids.indexOf(id));
        expect(problems).toEqual([]);
      }
      expect(ids.every((id) => index.has(id))).toBe(true);
      expect(index.has(12345)).toBe(false);
    } finally {
      index.dispose();
    }
  });

  test('every item finds itself first at distance 0 (l2)', async () => {
    const dim = 9;
    const data = seededVectors({ n: 400, dim, seed: 12 });
    const index = await FlatIndex.create({ dim, simd });
    try {
      index.addBatch(data.base);
      const found = index.searchBatch(data.base, 1);
      expect(Array.from(found.ids)).toEqual(Array.from({ length: 400 }, (_, i) => i));
      expect(found.distances.every((d) => d === 0)).toBe(true);
    } finally {
      index.dispose();
    }
  });

  test('ef is accepted and ignored: the search stays exact', async () => {
    const dim = 8;
    const data = seededVectors({ n: 100, queries: 1, dim, seed: 2 });
    const index = await FlatIndex.create({ dim, simd });
    try {
      index.addBatch(data.base);
      expect(index.search(data.queries, 10, { ef: 1 })).toEqual(index.search(data.queries, 10));
    } finally {
      index.dispose();
    }
  });

  // Bug: assembly/layout.ts relayout() sizes the scratch region in 32-bit arithmetic
  // (`2 * newEfMax + M0 + 2` in i32, `align(<usize>newEfMax << 2)` in usize = u32). For
  // k >= ~1.07e8 the sizes wrap, the layout "succeeds" with a tiny scratch and the
  // result arrays overlap: k = 2^31 - 1 (which checkPositive accepts) returns garbage,
  // k = 2^29 traps with a RuntimeError. Also BaseIndex.#searchOne reserves scratch for
  // k even when k far exceeds size (k = 1e8 grows a 10-item index to 4 GB).
  test('k = 2^31 - 1 (accepted) returns every item, and later searches stay correct', async () => {
    const index = await FlatIndex.create({ dim: 4, simd });
    try {
      for (let i = 0; i < 10; i++) index.add([i, 0, 0, 0]);
      const all = index.search([0, 0, 0, 0], 2 ** 31 - 1);
      expect(Array.from(all.ids)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Array.from(index.search([0, 0, 0, 0], 3).distances)).toEqual([0, 1, 4]);
    } finally {
      index.dispose();
    }
  });
});

describe('FlatIndex on the shipped siftsmall', () => {
  test('l2 top-100 equals gt.ivecs exactly (ties by lower id, as gt), distances exact', async () => {
    const sift = siftsmall();
    const index = await FlatIndex.create({ dim: sift.dim, capacity: sift.n });
    try {
      index.addBatch(sift.base);
      const found = index.searchBatch(sift.queries, 100);
      const problems: string[] = [];
      for (let q = 0; q < sift.nq; q++) {
        for (let r = 0; r < 100; r++) {
          const at = q * 100 + r;
          // SIFT values are integers and every partial sum stays below 2^24: f32 is exact.
          const want = distance64('l2', sift.queries, q * sift.dim, sift.base, sift.gt[at] * sift.dim, sift.dim);
          const got = distance64('l2', sift.queries, q * sift.dim, sift.base, found.ids[at] * sift.dim, sift.dim);
          if (found.distances[at] !== want) problems.push(`query ${q} rank ${r}: distance ${found.distances[at]}, expected ${want}`);
          if (found.ids[at] !== sift.gt[at]) problems.push(`query ${q} rank ${r}: id ${found.ids[at]} (distance ${got}), expected ${sift.gt[at]}`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      index.dispose();
    }
  }, 60_000);
});
