// Updating and deleting (assembly/mutation.ts, hnsw.ts updateNode, idmap.ts removeSlot):
// remove() hides an id at once and frees its slot for reuse, re-adding an id updates
// its vector, get() copies it out, size counts live items; recall holds after 30% churn
// of siftsmall; the graph passes checkIntegrity throughout.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex } from '../src/index.ts';
import { recallAtK } from '../src/recall.ts';
import { BUILDS, normalizeRows, row, seededVectors, siftsmall, simdOption } from './helpers/data.ts';
import { mulberry32 } from '../bench/lib/data.ts';

const DIM = 16;
const data = seededVectors({ n: 1200, queries: 40, dim: DIM, seed: 77 });

const KINDS = [
  ['HnswIndex', (simd: boolean) => HnswIndex.create({ dim: DIM, M: 8, efConstruction: 64, simd })],
  ['FlatIndex', (simd: boolean) => FlatIndex.create({ dim: DIM, simd })],
] as const;
const CASES = KINDS.flatMap(([name, create]) => BUILDS.map((build) => ({ name, create, build })));

const integrity = (index: HnswIndex | FlatIndex) => (index instanceof HnswIndex ? index.checkIntegrity() : null);

describe.each(CASES)('$name updates and removal ($build build)', ({ create, build }) => {
  const simd = simdOption(build);

  test('remove(): gone from every result at once, size counts live items, twice is false', async () => {
    const index = await create(simd);
    index.addBatch(data.base);
    const target = row(data.base, DIM, 10);
    expect(index.search(target, 1).ids[0]).toBe(10);
    expect(index.remove(10)).toBe(true);
    expect(index.remove(10)).toBe(false);
    expect(index.remove(123_456)).toBe(false);
    expect([index.size, index.has(10), index.get(10)]).toEqual([data.n - 1, false, undefined]);
    const after = index.searchBatch(data.base, 20, { ef: 100 });
    expect(after.ids.includes(10)).toBe(false);
    expect(index.search(target, 1).ids[0]).not.toBe(10);
    expect(integrity(index)).toBeNull();
    index.dispose();
  });

  test('a removed slot is reused by the next new id: no growth, found exactly', async () => {
    const index = await create(simd);
    index.addBatch(data.base.subarray(0, 1000 * DIM));
    // The first removal makes the removal flags, and the first id unlike its slot the labels (assembly/regions.ts): once.
    index.remove(0);
    index.add(row(data.base, DIM, 0), 123_456);
    index.remove(123_456);
    const memory = index.memoryBytes, capacity = index.capacity;
    for (let id = 1; id < 300; id++) index.remove(id);
    for (let i = 0; i < 300; i++) index.add(row(data.base, DIM, 1000 + (i % 200)), 5000 + i);
    expect([index.size, index.capacity, index.memoryBytes]).toEqual([1000, capacity, memory]);
    expect(integrity(index)).toBeNull();
    for (let i = 0; i < 200; i += 17) {
      const found = index.search(row(data.base, DIM, 1000 + i), 2, { ef: 64 });
      expect(found.distances[0]).toBe(0);
      expect([5000 + i, 5200 + i]).toContain(found.ids[0]);
    }
    index.dispose();
  });

  test('re-adding an id replaces its vector; get() returns a copy; batches may mix new and present ids', async () => {
    const index = await create(simd);
    index.addBatch(data.base.subarray(0, 500 * DIM));
    const replacement = row(data.base, DIM, 900);
    index.add(replacement, 7);
    expect(index.size).toBe(500);
    expect(Array.from(index.get(7)!)).toEqual(Array.from(replacement));
    const copy = index.get(7)!;
    copy[0] = 1e9;
    expect(index.get(7)![0]).toBe(replacement[0]);
    expect(index.search(replacement, 1).ids[0]).toBe(7);
    index.addBatch(data.base.subarray(901 * DIM, 904 * DIM), [8, 10_000, 9]);
    expect(index.size).toBe(501);
    expect(index.search(row(data.base, DIM, 903), 1).ids[0]).toBe(9);
    expect(index.search(row(data.base, DIM, 902), 1).ids[0]).toBe(10_000);
    expect(integrity(index)).toBeNull();
    index.dispose();
  });

  test('removing everything leaves an empty, usable index', async () => {
    const index = await create(simd);
    index.addBatch(data.base.subarray(0, 50 * DIM));
    for (let id = 0; id < 50; id++) index.remove(id);
    expect(index.size).toBe(0);
    expect(index.search(row(data.base, DIM, 0), 5).ids.length).toBe(0);
    expect(integrity(index)).toBeNull();
    index.add(row(data.base, DIM, 3), 77);
    expect(Array.from(index.search(row(data.base, DIM, 3), 5).ids)).toEqual([77]);
    expect(integrity(index)).toBeNull();
    index.dispose();
  });
});

test('get() returns the stored, normalised vector for cosine', async () => {
  const index = await HnswIndex.create({ dim: 3, metric: 'cosine' });
  index.add([3, 0, 4], 1);
  expect(Array.from(index.get(1)!)).toEqual(Array.from(normalizeRows(Float32Array.of(3, 0, 4), 3)));
  index.dispose();
});

describe.each(BUILDS)('churn on siftsmall (%s build)', (build) => {
  test('removing and re-adding 30% keeps recall@10 >= 0.95 at ef 64', async () => {
    const sift = siftsmall();
    const index = await HnswIndex.create({ dim: sift.dim, M: 16, efConstruction: 100, capacity: sift.n, simd: simdOption(build), threads: 1 });
    index.addBatch(sift.base);
    const recall = () => recallAtK(index.searchBatch(sift.queries, 10, { ef: 64 }).ids, 10, sift.gt, sift.gtK, 10);
    const before = recall();
    const random = mulberry32(30);
    const ids = Array.from({ length: sift.n }, (_, i) => i);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const churned = ids.slice(0, Math.round(sift.n * 0.3));
    for (const id of churned) index.remove(id);
    const gone = new Set(churned);
    expect(index.searchBatch(sift.queries, 10, { ef: 64 }).ids.some((id) => gone.has(id))).toBe(false);
    for (const id of churned) index.add(row(sift.base, sift.dim, id), id);
    expect(index.checkIntegrity()).toBeNull();
    expect([index.size, index.capacity]).toEqual([sift.n, sift.n]);
    const after = recall();
    console.log(`siftsmall recall@10 at ef 64 (${build}): ${before.toFixed(3)} built, ${after.toFixed(3)} after removing and re-adding 30%`);
    expect(after).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
