// The README's quick start: six 2-d items, the query "Orange", both builds.

import { describe, expect, test } from 'vitest';
import { HnswIndex } from '../src/index.ts';
import { BUILDS, simdOption } from './helpers/data.ts';

const ITEMS: Array<[string, number[]]> = [
  ['Apple', [0.9, 0.2]],
  ['Banana', [0.8, 0.3]],
  ['Cherry', [0.9, 0.1]],
  ['Chair', [0.1, 0.7]],
  ['Table', [0.1, 0.9]],
  ['Sofa', [0.2, 0.9]],
];
const ORANGE = [0.85, 0.25];

describe.each(BUILDS)('the README seed example (%s build)', (build) => {
  test('Orange is nearest to Apple, Banana, Cherry, in that order', async () => {
    const index = await HnswIndex.create({ dim: 2, metric: 'l2', M: 16, efConstruction: 100, simd: simdOption(build), threads: 1 });
    try {
      index.addBatch(ITEMS.map(([, vector]) => vector)); // ids 0 … 5
      expect(index.build).toBe(build);
      const { ids, distances } = index.search(ORANGE, 3, { ef: 10 });
      expect([...ids].map((id) => ITEMS[id][0])).toEqual(['Apple', 'Banana', 'Cherry']);
      // Squared L2 of the f32 values: 0.005, 0.005, 0.025 (the first two differ in the last bits).
      [0.005, 0.005, 0.025].forEach((want, i) => expect(distances[i]).toBeCloseTo(want, 6));
      expect(distances[0]).toBeLessThanOrEqual(distances[1]);
      expect(index.checkIntegrity()).toBeNull();
    } finally {
      index.dispose();
    }
  });

  test('the furniture is nearest to a chair-like query', async () => {
    const index = await HnswIndex.create({ dim: 2, metric: 'l2', M: 16, efConstruction: 100, simd: simdOption(build), threads: 1 });
    try {
      ITEMS.forEach(([, vector], id) => index.add(vector, id));
      const { ids } = index.search([0.1, 0.75], 3, { ef: 10 });
      expect([...ids].map((id) => ITEMS[id][0])).toEqual(['Chair', 'Table', 'Sofa']);
    } finally {
      index.dispose();
    }
  });
});

test('both builds give bit-identical distances for the seed example', async () => {
  const results = await Promise.all(BUILDS.map(async (build) => {
    const index = await HnswIndex.create({ dim: 2, M: 16, efConstruction: 100, simd: simdOption(build), threads: 1 });
    index.addBatch(ITEMS.map(([, vector]) => vector));
    const result = index.search(ORANGE, 6, { ef: 10 });
    index.dispose();
    return result;
  }));
  expect(results[0]).toEqual(results[1]);
  expect([...results[0].distances].map((d, i) => Object.is(d, results[1].distances[i]))).not.toContain(false);
});
