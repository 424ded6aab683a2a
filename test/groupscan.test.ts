// The grouped 8-bit ADC scan (assembly/groupscan.ts): a FlatIndex with 8-bit PQ codes
// searches a batch's queries eight at a time, and must return exactly what search()
// returns query by query — ids, distances and the order of ties — for every metric,
// with filters, deletions, re-rank and k past the index size, for groups cut short
// (1, 2, 3, 4, 5, 7 queries, and 8 + 1, 8 + 4), in both builds, and on two threads.

import { describe, expect, test } from 'vitest';
import { FlatIndex, NO_ID, type MetricName, type SearchOptions } from '../src/index.ts';
import { BUILDS, row, seededVectors, simdOption } from './helpers/data.ts';

const DIM = 12;
const N = 600;
const QUERIES = 12;
/** Rows 50 … 99 repeat rows 0 … 49: equal codes, so equal distances, and ties to order by id. */
const TWINS = 50;

function dataWithTies() {
  const data = seededVectors({ n: N, queries: QUERIES, dim: DIM, seed: 11 });
  data.base.copyWithin(TWINS * DIM, 0, TWINS * DIM);
  // A stored row among the queries: its twins tie at the smallest distance.
  data.queries.set(row(data.base, DIM, 3), 0);
  return data;
}

/** A trained, filled FlatIndex with 8-bit codes and kept rows, every ninth item removed. */
async function pqIndex(metric: MetricName, m: number, simd: boolean, base: Float32Array): Promise<FlatIndex> {
  const index = await FlatIndex.create({ dim: DIM, metric, simd, threads: 1, storage: 'pq', pq: { m, bits: 8, iterations: 4, sampleRows: N }, keepVectors: true });
  index.train(base);
  index.addBatch(base);
  for (let id = 4; id < N; id += 9) index.remove(id);
  return index;
}

/** Rows are kept for the re-rank, so the ADC distances themselves are compared only with rerank 0 (the default re-ranks). */
const CASES: [string, SearchOptions][] = [
  ['ADC', { rerank: 0 }],
  ['filter', { filter: (id: number) => id % 3 !== 1, rerank: 0 }],
  ['rerank 30', { rerank: 30 }],
  ['filter and rerank', { filter: (id: number) => id % 4 !== 0, rerank: 30 }],
];

/** Checks that searchBatch() of `count` queries equals search() of each one, padding included. */
function expectBatchEqualsSingles(index: FlatIndex, queries: Float32Array, count: number, k: number, options: SearchOptions, what: string): void {
  const batch = index.searchBatch(queries.subarray(0, count * DIM), k, options);
  for (let q = 0; q < count; q++) {
    const one = index.search(row(queries, DIM, q), k, options);
    const ids = batch.ids.subarray(q * k, (q + 1) * k), distances = batch.distances.subarray(q * k, (q + 1) * k);
    expect(Array.from(ids.subarray(0, one.ids.length)), `${what}, query ${q} of ${count}`).toEqual(Array.from(one.ids));
    expect(Array.from(distances.subarray(0, one.ids.length)), `${what}, query ${q} of ${count}`).toEqual(Array.from(one.distances));
    expect(ids.subarray(one.ids.length).every((id) => id === NO_ID)).toBe(true);
    expect(distances.subarray(one.ids.length).every((d) => d === Infinity)).toBe(true);
  }
}

describe.each(BUILDS)('grouped 8-bit ADC scan (%s build)', (build) => {
  const simd = simdOption(build);
  const data = dataWithTies();

  // m 8 fills every 4-subspace step; m 5 leaves one subspace to the tail (and pads the last slices).
  describe.each(['l2', 'ip', 'cosine'] as MetricName[])('%s', (metric) => {
    test.each([8, 5])('m %i: searchBatch equals search() query by query, for 1 … 12 queries', async (m) => {
      const index = await pqIndex(metric, m, simd, data.base);
      try {
        for (const [name, options] of CASES) {
          for (const k of [10, N + 5]) {
            for (const count of [1, 2, 3, 4, 5, 7, 8, 9, QUERIES]) expectBatchEqualsSingles(index, data.queries, count, k, options, `${name}, k ${k}`);
          }
        }
        // The ties were there to order: the query equal to row 3 finds rows 3 and 53 at one distance, id 3 first.
        const { ids, distances } = index.searchBatch(data.queries.subarray(0, 2 * DIM), 10);
        const first = Array.from(ids.subarray(0, 10));
        expect(first.indexOf(3)).toBeLessThan(first.indexOf(53));
        expect(distances[first.indexOf(3)]).toBe(distances[first.indexOf(53)]);
      } finally {
        index.dispose();
      }
    });
  });
});

test('both builds return the same batches, bit for bit', async () => {
  const data = dataWithTies();
  for (const metric of ['l2', 'ip', 'cosine'] as MetricName[]) {
    const simd = await pqIndex(metric, 5, true, data.base);
    const scalar = await FlatIndex.load(simd.serialize(), { simd: false, threads: 1 });
    try {
      for (const [name, options] of CASES) {
        for (const count of [3, 5, QUERIES]) {
          const a = simd.searchBatch(data.queries.subarray(0, count * DIM), 10, options);
          const b = scalar.searchBatch(data.queries.subarray(0, count * DIM), 10, options);
          expect(Array.from(b.ids), `${metric} ${name}`).toEqual(Array.from(a.ids));
          expect(new Uint8Array(b.distances.buffer)).toEqual(new Uint8Array(a.distances.buffer));
        }
      }
    } finally {
      simd.dispose();
      scalar.dispose();
    }
  }
});

test('repeated batches leave memoryBytes unchanged after the first', async () => {
  const data = dataWithTies();
  const index = await pqIndex('l2', 8, true, data.base);
  try {
    index.searchBatch(data.queries, 10, { rerank: 30 });
    const before = index.memoryBytes;
    for (let i = 0; i < 200; i++) index.searchBatch(data.queries, 10, { rerank: 30 });
    expect(index.memoryBytes).toBe(before);
  } finally {
    index.dispose();
  }
});

describe('two threads', () => {
  test('searchBatch and the kNN graph on 2 threads equal 1 thread, and the graph equals searches from decoded rows', async () => {
    const data = seededVectors({ n: 2000, queries: 301, dim: DIM, seed: 5 });
    const serial = await pqIndex('l2', 6, true, data.base);
    const parallel = await FlatIndex.load(serial.serialize(), { threads: 2 });
    try {
      await parallel.searchBatchAsync(new Float32Array(DIM), 1); // starts the workers
      for (const options of [{}, CASES[3][1]]) {
        const a = serial.searchBatch(data.queries, 10, options), b = parallel.searchBatch(data.queries, 10, options);
        expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
        expect(Array.from(b.distances)).toEqual(Array.from(a.distances));
        const c = await parallel.searchBatchAsync(data.queries, 10, options);
        expect(Array.from(c.ids)).toEqual(Array.from(a.ids));
      }
      const graph = await serial.knnGraph(5), graph2 = await parallel.knnGraph(5);
      expect(Array.from(graph2.neighbours)).toEqual(Array.from(graph.neighbours));
      expect(Array.from(graph2.distances)).toEqual(Array.from(graph.distances));
      for (let i = 0; i < graph.ids.length; i += 97) { // each item's neighbours: a search from its decoded row, itself left out
        const found = serial.search(serial.get(graph.ids[i])!, 6);
        const others = Array.from(found.ids).filter((id) => id !== graph.ids[i]).slice(0, 5);
        expect(Array.from(graph.neighbours.subarray(i * 5, i * 5 + 5))).toEqual(others);
      }
    } finally {
      serial.dispose();
      parallel.dispose();
    }
  }, 120_000);
});
