// The 4-bit fast scan of a FlatIndex (assembly/fastscan.ts, blocksums.ts): searchBatch()
// on one thread and on two must return exactly what search() returns query by query —
// ids, distances and the order of ties — for every metric, with filters, removals,
// re-rank, k past the index size and blocks left part-way, on seeded rows and on
// siftsmall (10,000 rows: a last block of 16 slots; 99 queries). The scalar build computes
// the same integer sums, so both builds agree bit for bit, also where the sums reach the
// top of u16 (m 600).

import { describe, expect, test } from 'vitest';
import { FlatIndex, NO_ID, type MetricName, type SearchOptions } from '../src/index.ts';
import { BUILDS, row, seededVectors, siftsmall, simdOption } from './helpers/data.ts';

const DIM = 32;
/** m 5 and 11: an odd subspace left to the tail, the last one partly padding; m 11 and 32: blocks
 * abandoned part-way (assembly/blocksums.ts ABANDON); m 8: whole pairs only. */
const MS = [5, 8, 11, 32];
const N = 601; // 18 blocks of 32 and one of 25 slots
const QUERIES = 19;
/** Rows 50 … 99 repeat rows 0 … 49: equal codes, so equal sums, and ties to order by id. */
const TWINS = 50;
/** Batch sizes: one query and several, as searchBatch() cuts them into calls. */
const COUNTS = [1, 2, 3, 4, 5, 7, 8, 9, 12, QUERIES];

function dataWithTies() {
  const data = seededVectors({ n: N, queries: QUERIES, dim: DIM, seed: 21 });
  data.base.copyWithin(TWINS * DIM, 0, TWINS * DIM);
  data.queries.set(row(data.base, DIM, 3), 0); // its twins tie at the smallest sum
  return data;
}

/** A trained, filled FlatIndex with 4-bit codes and kept rows, every seventh item removed. */
async function pq4Index(metric: MetricName, m: number, simd: boolean, base: Float32Array, dim = DIM): Promise<FlatIndex> {
  const rows = base.length / dim;
  const index = await FlatIndex.create({ dim, metric, simd, threads: 1, storage: 'pq', pq: { m, bits: 4, iterations: 3, sampleRows: rows }, keepVectors: true });
  index.train(base);
  index.addBatch(base);
  for (let id = 6; id < rows; id += 7) index.remove(id);
  return index;
}

/** Rows are kept, so the fast scan's own distances (re-scored by ADC) are compared only with rerank 0. */
const CASES: [string, SearchOptions][] = [
  ['ADC', { rerank: 0 }],
  ['filter', { filter: (id: number) => id % 3 !== 1, rerank: 0 }],
  ['rerank 40', { rerank: 40 }],
  ['filter and rerank', { filter: (id: number) => id % 4 !== 0, rerank: 40 }],
];

/** Checks that searchBatch() of `count` queries equals search() of each one, padding included. */
function expectBatchEqualsSingles(index: FlatIndex, queries: Float32Array, dim: number, count: number, k: number, options: SearchOptions, what: string): void {
  const batch = index.searchBatch(queries.subarray(0, count * dim), k, options);
  for (let q = 0; q < count; q++) {
    const one = index.search(row(queries, dim, q), k, options);
    const ids = batch.ids.subarray(q * k, (q + 1) * k), distances = batch.distances.subarray(q * k, (q + 1) * k);
    expect(Array.from(ids.subarray(0, one.ids.length)), `${what}, query ${q} of ${count}`).toEqual(Array.from(one.ids));
    expect(Array.from(distances.subarray(0, one.ids.length)), `${what}, query ${q} of ${count}`).toEqual(Array.from(one.distances));
    expect(ids.subarray(one.ids.length).every((id) => id === NO_ID)).toBe(true);
    expect(distances.subarray(one.ids.length).every((d) => d === Infinity)).toBe(true);
  }
}

describe.each(BUILDS)('grouped 4-bit fast scan (%s build)', (build) => {
  const simd = simdOption(build);
  const data = dataWithTies();

  describe.each(['l2', 'ip', 'cosine'] as MetricName[])('%s', (metric) => {
    test.each(MS)('m %i: searchBatch equals search() query by query', async (m) => {
      const index = await pq4Index(metric, m, simd, data.base);
      try {
        for (const [name, options] of CASES) {
          for (const k of [1, 10, N + 5]) {
            for (const count of COUNTS) expectBatchEqualsSingles(index, data.queries, DIM, count, k, options, `${name}, k ${k}`);
          }
        }
        // The ties were there to order: the query equal to row 3 finds rows 3 and 53 at one distance, id 3 first.
        const { ids, distances } = index.searchBatch(data.queries.subarray(0, 3 * DIM), 10);
        const first = Array.from(ids.subarray(0, 10));
        expect(first.indexOf(3)).toBeLessThan(first.indexOf(53));
        expect(distances[first.indexOf(3)]).toBe(distances[first.indexOf(53)]);
      } finally {
        index.dispose();
      }
    });
  });
});

describe('siftsmall', () => {
  const sift = siftsmall();
  const QUERIES_SIFT = 99; // odd: batches are cut into calls and groups of every size

  test.each(['l2', 'ip', 'cosine'] as MetricName[])('%s, m 32: searchBatch equals search() in each build, and the builds agree bit for bit', async (metric) => {
    const simd = await FlatIndex.create({ dim: sift.dim, metric, simd: true, threads: 1, storage: 'pq', pq: { m: 32, bits: 4, iterations: 4, sampleRows: 4000 }, keepVectors: true });
    simd.train(sift.base.subarray(0, 4000 * sift.dim));
    simd.addBatch(sift.base);
    for (let id = 13; id < sift.n; id += 97) simd.remove(id);
    const scalar = await FlatIndex.load(simd.serialize(), { simd: false, threads: 1 });
    const queries = sift.queries.subarray(0, QUERIES_SIFT * sift.dim);
    try {
      for (const [name, options] of CASES) {
        for (const index of [simd, scalar]) expectBatchEqualsSingles(index, queries, sift.dim, QUERIES_SIFT, 10, options, `${metric} ${name}`);
        const a = simd.searchBatch(queries, 10, options), b = scalar.searchBatch(queries, 10, options);
        expect(Array.from(b.ids), `${metric} ${name}`).toEqual(Array.from(a.ids));
        expect(new Uint8Array(b.distances.buffer)).toEqual(new Uint8Array(a.distances.buffer));
      }
    } finally {
      simd.dispose();
      scalar.dispose();
    }
  }, 60_000);
});

test('both builds return the same batches and searches, bit for bit', async () => {
  const data = dataWithTies();
  for (const metric of ['l2', 'ip', 'cosine'] as MetricName[]) {
    for (const m of MS) {
      const simd = await pq4Index(metric, m, true, data.base);
      const scalar = await FlatIndex.load(simd.serialize(), { simd: false, threads: 1 });
      try {
        for (const [name, options] of CASES) {
          for (const k of [1, 10, 100]) {
            const a = simd.searchBatch(data.queries, k, options), b = scalar.searchBatch(data.queries, k, options);
            expect(Array.from(b.ids), `${metric} m ${m} ${name} k ${k}`).toEqual(Array.from(a.ids));
            expect(new Uint8Array(b.distances.buffer)).toEqual(new Uint8Array(a.distances.buffer));
            const one = simd.search(row(data.queries, DIM, 5), k, options), other = scalar.search(row(data.queries, DIM, 5), k, options);
            expect(Array.from(other.ids)).toEqual(Array.from(one.ids));
          }
        }
      } finally {
        simd.dispose();
        scalar.dispose();
      }
    }
  }
}, 60_000);

test('m 600: sums near the top of u16 agree between the builds and between batch and single searches', async () => {
  const dim = 600; // one value a subspace: entries are quantised to at most 65535 / 600 = 109
  const data = seededVectors({ n: 200, queries: 11, dim, seed: 4 });
  const simd = await pq4Index('l2', dim, true, data.base, dim);
  const scalar = await FlatIndex.load(simd.serialize(), { simd: false, threads: 1 });
  try {
    for (const k of [1, 10, 30]) {
      const a = simd.searchBatch(data.queries, k, { rerank: 0 }), b = scalar.searchBatch(data.queries, k, { rerank: 0 });
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
      expect(Array.from(b.distances)).toEqual(Array.from(a.distances));
      for (const index of [simd, scalar]) expectBatchEqualsSingles(index, data.queries, dim, 11, k, { rerank: 0 }, `m 600, k ${k}`);
    }
  } finally {
    simd.dispose();
    scalar.dispose();
  }
}, 60_000);

test('repeated batches leave memoryBytes unchanged after the first', async () => {
  const data = dataWithTies();
  const index = await pq4Index('l2', 8, true, data.base);
  try {
    index.searchBatch(data.queries, 10, { rerank: 40 });
    const before = index.memoryBytes;
    for (let i = 0; i < 200; i++) index.searchBatch(data.queries, 10, { rerank: 40 });
    expect(index.memoryBytes).toBe(before);
  } finally {
    index.dispose();
  }
});

describe('two threads', () => {
  test('searchBatch and the kNN graph on 2 threads equal 1 thread', async () => {
    const data = seededVectors({ n: 2000, queries: 301, dim: DIM, seed: 5 });
    const serial = await pq4Index('l2', 6, true, data.base);
    const parallel = await FlatIndex.load(serial.serialize(), { threads: 2 });
    try {
      await parallel.searchBatchAsync(new Float32Array(DIM), 1); // starts the workers
      for (const options of [{}, CASES[3][1]]) {
        const a = serial.searchBatch(data.queries, 10, options), b = parallel.searchBatch(data.queries, 10, options);
        expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
        expect(Array.from(b.distances)).toEqual(Array.from(a.distances));
        const c = await parallel.searchBatchAsync(data.queries, 10, options);
        expect(Array.from(c.ids)).toEqual(Array.from(a.ids));
        for (let q = 0; q < 301; q += 50) {
          const one = serial.search(row(data.queries, DIM, q), 10, options);
          expect(Array.from(a.ids.subarray(q * 10, q * 10 + 10))).toEqual(Array.from(one.ids));
        }
      }
      const graph = await serial.knnGraph(5), graph2 = await parallel.knnGraph(5);
      expect(Array.from(graph2.neighbours)).toEqual(Array.from(graph.neighbours));
      expect(Array.from(graph2.distances)).toEqual(Array.from(graph.distances));
    } finally {
      serial.dispose();
      parallel.dispose();
    }
  }, 120_000);
});
