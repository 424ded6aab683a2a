// Determinism of the HNSW build (assembly/rng.ts, hnsw.ts, layout.ts): the same seed
// and the same inserts give the same graph, whatever the build, the input form, the
// starting capacity or the batching; the seed really drives the levels.

import { describe, expect, test } from 'vitest';
import { HnswIndex, type HnswOptions } from '../src/index.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, row, seededVectors, simdOption } from './helpers/data.ts';

const DIM = 24;
const data = seededVectors({ n: 1500, queries: 200, dim: DIM, seed: 2024 });

/** What a graph answers: results of every query at two widths, the top level and the work done. */
interface Fingerprint {
  ids: Uint32Array;
  distances: Float32Array;
  narrowIds: Uint32Array;
  maxLevel: number;
  counters: { distances: number; hops: number };
}

async function fingerprint(options: Partial<HnswOptions>, add: (index: HnswIndex) => void): Promise<Fingerprint> {
  const index = await HnswIndex.create({ dim: DIM, M: 8, efConstruction: 64, threads: 1, ...options });
  try {
    add(index);
    expect(index.checkIntegrity()).toBeNull();
    index.resetCounters();
    const wide = index.searchBatch(data.queries, 10, { ef: 64 });
    const narrow = index.searchBatch(data.queries, 1, { ef: 1 });
    return { ids: wide.ids, distances: wide.distances, narrowIds: narrow.ids, maxLevel: index.maxLevel, counters: index.counters };
  } finally {
    index.dispose();
  }
}

const addAll = (index: HnswIndex) => index.addBatch(data.base);

function expectSame(a: Fingerprint, b: Fingerprint): void {
  expect(firstDifference(a.ids, b.ids)).toBeNull();
  expect(firstDifference(a.distances, b.distances)).toBeNull();
  expect(firstDifference(a.narrowIds, b.narrowIds)).toBeNull();
  expect(a.maxLevel).toBe(b.maxLevel);
  expect(a.counters).toEqual(b.counters);
}

describe.each(BUILDS)('HnswIndex determinism (%s build)', (build) => {
  const simd = simdOption(build);

  test('same seed and same inserts: identical results and work on every query', async () => {
    expectSame(await fingerprint({ simd, seed: 5 }, addAll), await fingerprint({ simd, seed: 5 }, addAll));
  });

  test('the insertion path does not matter: add() one by one, number[][] batches, small chunks', async () => {
    const reference = await fingerprint({ simd, seed: 5 }, addAll);
    const oneByOne = await fingerprint({ simd, seed: 5 }, (index) => {
      for (let i = 0; i < data.n; i++) index.add(row(data.base, DIM, i));
    });
    const nested = await fingerprint({ simd, seed: 5 }, (index) => {
      index.addBatch(Array.from({ length: data.n }, (_, i) => Array.from(row(data.base, DIM, i))));
    });
    const chunked = await fingerprint({ simd, seed: 5 }, (index) => {
      for (let start = 0; start < data.n; start += 333) index.addBatch(data.base.subarray(start * DIM, Math.min(data.n, start + 333) * DIM));
    });
    expectSame(oneByOne, reference);
    expectSame(nested, reference);
    expectSame(chunked, reference);
  });

  test('the starting capacity does not matter: growing from 1 gives the same graph', async () => {
    expectSame(await fingerprint({ simd, seed: 5, capacity: 1 }, addAll), await fingerprint({ simd, seed: 5, capacity: data.n }, addAll));
  });

  test('the seed is used, high bits included: different seeds build different graphs, all sound', async () => {
    const seeds = [1, 2, 2 ** 32 + 1];
    const prints = await Promise.all(seeds.map((seed) => fingerprint({ simd, seed }, addAll)));
    // Work counters differ as soon as one level differs; equal counters for all
    // pairs would mean the seed (or its high 32 bits) is ignored.
    for (let i = 0; i < prints.length; i++) {
      for (let j = i + 1; j < prints.length; j++) {
        expect(prints[i].counters, `seeds ${seeds[i]} and ${seeds[j]}`).not.toEqual(prints[j].counters);
      }
    }
  });
});

test('the SIMD and scalar builds build the same graph: identical results and work', async () => {
  const [simd, scalar] = await Promise.all(BUILDS.map((build) => fingerprint({ simd: simdOption(build), threads: 1, seed: 9 }, addAll)));
  expectSame(simd, scalar);
});

test('cosine and ip graphs are identical across builds too', async () => {
  for (const metric of ['ip', 'cosine'] as const) {
    const [simd, scalar] = await Promise.all(BUILDS.map((build) => fingerprint({ simd: simdOption(build), threads: 1, seed: 9, metric }, addAll)));
    expectSame(simd, scalar);
  }
});
