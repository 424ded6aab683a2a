// Filtered search (src/filter.ts, assembly/hnsw.ts searchLayer admit modes, flat.ts):
// every filter form gives the same k nearest among the allowed ids; removed ids stay
// out; recall on siftsmall at 10% selectivity through the graph, and exact by default.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, NO_ID, type Filter } from '../src/index.ts';
import { recallAtK } from '../src/recall.ts';
import { bruteForceTopK } from '../bench/lib/brute.ts';
import { BUILDS, seededVectors, siftsmall, simdOption } from './helpers/data.ts';
import { expectWannError } from './helpers/expect.ts';

const DIM = 12;
const data = seededVectors({ n: 1500, queries: 30, dim: DIM, seed: 5 });
const allowed = Array.from({ length: data.n }, (_, i) => i).filter((i) => i % 7 === 3);

/** Exact k nearest among `ids` by brute force over the seeded rows. */
function truthAmong(ids: number[], k: number): number[][] {
  const rows = new Float32Array(ids.length * DIM);
  ids.forEach((id, j) => rows.set(data.base.subarray(id * DIM, (id + 1) * DIM), j * DIM));
  const top = bruteForceTopK(rows, data.queries, DIM, k, 'l2');
  return Array.from({ length: data.nq }, (_, q) => Array.from(top.ids.subarray(q * k, q * k + k), (j) => ids[j]));
}

const KINDS = [
  ['HnswIndex', (simd: boolean) => HnswIndex.create({ dim: DIM, M: 8, efConstruction: 64, simd })],
  ['FlatIndex', (simd: boolean) => FlatIndex.create({ dim: DIM, simd })],
] as const;
const CASES = KINDS.flatMap(([name, create]) => BUILDS.map((build) => ({ name, create, build })));

describe.each(CASES)('$name filtered search ($build build)', ({ name, create, build }) => {
  const simd = simdOption(build);

  test('a predicate, a Uint32Array, a Set, an array and a generator give the same exact answers', async () => {
    const index = await create(simd);
    index.addBatch(data.base);
    const truth = truthAmong(allowed, 10);
    const forms: (() => Filter)[] = [
      () => (id) => id % 7 === 3, () => Uint32Array.from(allowed), () => new Set(allowed), () => allowed,
      () => (function* () { yield* allowed; })(), // an iterable that can be read only once
    ];
    for (const form of forms) {
      for (let q = 0; q < data.nq; q++) {
        const found = index.search(data.queries.subarray(q * DIM, (q + 1) * DIM), 10, { filter: form(), exact: true });
        expect(Array.from(found.ids)).toEqual(truth[q]);
      }
    }
    const batch = index.searchBatch(data.queries, 10, { filter: (id) => id % 7 === 3, ef: 200 });
    const recall = recallAtK(batch.ids, 10, truth.flat(), 10, 10);
    expect(recall).toBeGreaterThanOrEqual(name === 'FlatIndex' ? 1 : 0.95);
    index.dispose();
  });

  test('removed ids stay out even when allowed; unknown ids are ignored; few allowed, fewer results', async () => {
    const index = await create(simd);
    index.addBatch(data.base);
    index.remove(3);
    index.remove(10);
    const found = index.search(data.queries.subarray(0, DIM), 10, { filter: [3, 10, 17, 24, 99_999] });
    expect(Array.from(found.ids).sort((a, b) => a - b)).toEqual([17, 24]);
    expect(index.search(data.queries.subarray(0, DIM), 5, { filter: [] }).ids.length).toBe(0);
    expect(index.search(data.queries.subarray(0, DIM), 5, { filter: () => false }).ids.length).toBe(0);
    const batch = index.searchBatch(data.queries.subarray(0, 2 * DIM), 3, { filter: new Set([17]) });
    expect(Array.from(batch.ids)).toEqual([17, NO_ID, NO_ID, 17, NO_ID, NO_ID]);
    index.dispose();
  });

  test('bad filters are rejected before searching', async () => {
    const index = await create(simd);
    index.addBatch(data.base.subarray(0, 10 * DIM));
    const query = data.queries.subarray(0, DIM);
    expectWannError(() => index.search(query, 3, { filter: 5 as unknown as Filter }), 'INVALID_ARGUMENT', 'filter');
    expectWannError(() => index.search(query, 3, { filter: [1, -2] }), 'INVALID_ID', 'filter id');
    expectWannError(() => index.search(query, 3, { filter: [1], exact: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT', 'exact');
    index.dispose();
  });
});

describe.each(BUILDS)('filters on siftsmall at 10 percent selectivity (%s build)', (build) => {
  test('graph search: recall@10 >= 0.9 against exact filtered truth; the default (exact here) is 1', async () => {
    const sift = siftsmall();
    const index = await HnswIndex.create({ dim: sift.dim, M: 16, efConstruction: 100, capacity: sift.n, simd: simdOption(build), threads: 1 });
    index.addBatch(sift.base);
    const flat = await FlatIndex.create({ dim: sift.dim, capacity: sift.n, simd: simdOption(build), threads: 1 });
    flat.addBatch(sift.base);
    const filter = (id: number) => (id * 2_654_435_761) % 4_294_967_296 < 429_496_730; // a scattered 10%
    const truth = flat.searchBatch(sift.queries, 10, { filter }).ids;
    const graph = recallAtK(index.searchBatch(sift.queries, 10, { filter, ef: 64, exact: false }).ids, 10, truth, 10, 10);
    const chosen = recallAtK(index.searchBatch(sift.queries, 10, { filter, ef: 64 }).ids, 10, truth, 10, 10);
    console.log(`siftsmall, 10% filter, recall@10 at ef 64 (${build}): graph ${graph.toFixed(3)}, default ${chosen.toFixed(3)}`);
    expect(graph).toBeGreaterThanOrEqual(0.9);
    expect(chosen).toBe(1);
    index.dispose();
    flat.dispose();
  }, 120_000);
});
