// Compressed storage (assembly/storage.ts, f16.ts, int8.ts, binary.ts; src/ options,
// train, rerank): every storage kind against brute force on real data, both builds
// identical, persistence, filters, removal, updates, get(), training, memory, and a
// clear error for every misuse.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, loadIndex, type StorageName } from '../src/index.ts';
import { recallAtK } from '../src/recall.ts';
import { bruteForceTopK } from '../bench/lib/brute.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, hasSharedSet, row, seededVectors, sharedSet, siftsmall, simdOption } from './helpers/data.ts';
import { expectWannError, expectWannRejection } from './helpers/expect.ts';

const K = 10;
const COMPRESSED: StorageName[] = ['f16', 'i8', 'binary'];

/** recall@10 of searchBatch over a set's first `nq` queries against its ground truth. */
function recallOn(index: HnswIndex | FlatIndex, set: { queries: Float32Array; gt: Int32Array; gtK: number; dim: number }, nq: number, options: { ef?: number; rerank?: number }): number {
  const found = index.searchBatch(set.queries.subarray(0, nq * set.dim), K, options);
  return recallAtK(found.ids, K, set.gt.subarray(0, nq * set.gtK), set.gtK, K);
}

describe.each(BUILDS)('storage kinds on siftsmall (%s build)', (build) => {
  const simd = simdOption(build);
  const sift = siftsmall();
  const built = new Map<string, Promise<HnswIndex>>();
  /** One index per configuration, built once for this describe. */
  const index = (storage: StorageName, keepVectors = false) => {
    const key = `${storage}${keepVectors}`;
    if (!built.has(key)) {
      built.set(key, (async () => {
        const created = await HnswIndex.create({ dim: sift.dim, capacity: sift.n, M: 16, efConstruction: 100, seed: 7, simd, threads: 1, storage, keepVectors });
        created.addBatch(sift.base);
        return created;
      })());
    }
    return built.get(key)!;
  };

  test("f16 and i8 hold SIFT's integers exactly: the same answers as f32 at every ef", async () => {
    const f32 = await index('f32');
    for (const storage of ['f16', 'i8'] as const) {
      const other = await index(storage);
      for (const ef of [16, 64]) {
        const a = f32.searchBatch(sift.queries, K, { ef }), b = other.searchBatch(sift.queries, K, { ef });
        expect(firstDifference(b.ids, a.ids)).toBeNull();
        expect(firstDifference(b.distances, a.distances)).toBeNull();
      }
    }
  }, 60_000);

  test('memory: i8 rows take at most 0.45 of the f32 index, f16 at most 0.65', async () => {
    const f32 = (await index('f32')).memoryBytes;
    expect((await index('i8')).memoryBytes / f32).toBeLessThanOrEqual(0.45);
    expect((await index('f16')).memoryBytes / f32).toBeLessThanOrEqual(0.65);
    expect((await index('i8', true)).memoryBytes).toBeGreaterThan(f32); // the f32 rows again, beside the codes
  }, 60_000);

  test('binary with kept rows: recall@10 >= 0.95 at rerank 200 (128 bits say less than 784), distances exact', async () => {
    const binary = await index('binary', true);
    expect(recallOn(binary, sift, sift.nq, { ef: 64, rerank: 200 })).toBeGreaterThanOrEqual(0.95);
    const exact = bruteForceTopK(sift.base, sift.queries.subarray(0, 5 * sift.dim), sift.dim, K, 'l2');
    const got = binary.searchBatch(sift.queries.subarray(0, 5 * sift.dim), K, { ef: 64, rerank: 200 });
    for (let i = 0; i < 5 * K; i++) if (got.ids[i] === exact.ids[i]) expect(got.distances[i]).toBe(exact.distances[i]);
  }, 60_000);

  test("get() gives SIFT's integers back exactly from f16 and i8 codes and from kept rows", async () => {
    for (const [storage, keep] of [['f16', false], ['i8', false], ['i8', true], ['binary', true]] as const) {
      const stored = (await index(storage, keep)).get(123)!;
      expect(Array.from(stored)).toEqual(Array.from(row(sift.base, sift.dim, 123)));
    }
  }, 60_000);
});

describe.each(BUILDS)('i8 on float data (%s build)', (build) => {
  const simd = simdOption(build);
  const dim = 24, data = seededVectors({ n: 3000, queries: 100, dim, seed: 5 });
  const scaled = data.base.map((v, i) => v * (1 + (i % 4))); // dimensions of different ranges, as embeddings have

  test.each(['l2', 'ip', 'cosine'] as const)('%s: recall@10 of the codes, and of a re-rank from kept rows, against brute force', async (metric) => {
    const truth = bruteForceTopK(scaled, data.queries, dim, K, metric);
    const options = { dim, metric, M: 12, efConstruction: 80, seed: 3, simd, threads: 1, capacity: data.n };
    const f32 = await HnswIndex.create(options);
    const i8 = await HnswIndex.create({ ...options, storage: 'i8' });
    const kept = await HnswIndex.create({ ...options, storage: 'i8', keepVectors: true, rerank: 40 });
    for (const index of [f32, i8, kept]) index.addBatch(scaled);
    const recall = (index: HnswIndex) => recallAtK(index.searchBatch(data.queries, K, { ef: 64 }).ids, K, truth.ids, K, K);
    // One scale for all dimensions costs the narrow ones precision (measured: l2 -0.05, ip -0.07, cosine -0.03).
    expect(recall(i8)).toBeGreaterThanOrEqual(recall(f32) - 0.1);
    expect(recall(kept)).toBeGreaterThanOrEqual(recall(f32) - 0.002);
    for (const index of [f32, i8, kept]) index.dispose();
  });

  test('get() is within half a quantisation step of every value', async () => {
    const index = await FlatIndex.create({ dim, storage: 'i8', simd });
    index.addBatch(scaled);
    let lo = Infinity, hi = -Infinity;
    for (const v of scaled) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const halfStep = (hi - lo) / 255 / 2 + 1e-4; // the widest dimension's range sets the step
    for (const id of [0, 1, 2999]) {
      const got = index.get(id)!;
      for (let j = 0; j < dim; j++) expect(Math.abs(got[j] - scaled[id * dim + j])).toBeLessThanOrEqual(halfStep);
    }
    index.dispose();
  });
});

describe('binary on MNIST-784 (../shared/data)', () => {
  test.skipIf(!hasSharedSet('mnist-784-10k'))('recall@10 >= 0.95 with rerank 64, both builds the same answers', async () => {
    const mnist = sharedSet('mnist-784-10k');
    const answers = [];
    for (const build of BUILDS) {
      const index = await HnswIndex.create({ dim: mnist.dim, capacity: mnist.n, storage: 'binary', keepVectors: true, simd: simdOption(build), threads: 1, efConstruction: 100 });
      index.addBatch(mnist.base);
      expect(recallOn(index, mnist, 200, { ef: 64, rerank: 64 })).toBeGreaterThanOrEqual(0.95);
      answers.push(index.searchBatch(mnist.queries.subarray(0, 200 * mnist.dim), K, { ef: 32, rerank: 0 }));
      index.dispose();
    }
    expect(firstDifference(answers[0].ids, answers[1].ids)).toBeNull();
    expect(firstDifference(answers[0].distances, answers[1].distances)).toBeNull();
  }, 60_000);
});

describe.each(COMPRESSED)('%s: both builds, persistence, mutation, filters', (storage) => {
  const dim = 21, data = seededVectors({ n: 600, queries: 30, dim, seed: 9 });
  const create = (simd: boolean, metric: 'l2' | 'ip' | 'cosine' = 'l2') =>
    HnswIndex.create({ dim, metric, M: 8, efConstruction: 60, seed: 4, simd, threads: 1, storage, keepVectors: storage === 'binary' });

  test.each(['l2', 'ip', 'cosine'] as const)('%s: the SIMD and scalar builds build the same graph and give the same answers', async (metric) => {
    const [simd, scalar] = [await create(true, metric), await create(false, metric)];
    for (const index of [simd, scalar]) index.addBatch(data.base);
    expect(firstDifference(simd.serialize(), scalar.serialize())).toBeNull();
    const a = simd.searchBatch(data.queries, K, { ef: 40 }), b = scalar.searchBatch(data.queries, K, { ef: 40 });
    expect(firstDifference(a.ids, b.ids)).toBeNull();
    expect(firstDifference(a.distances, b.distances)).toBeNull();
    simd.dispose();
    scalar.dispose();
  });

  test('serialize / load: same answers, same bytes, the quantizer and kept rows included; loading then adding matches', async () => {
    const index = await create(true);
    index.addBatch(data.base.subarray(0, 400 * dim));
    index.remove(3);
    const bytes = index.serialize();
    const loaded = await loadIndex(bytes, { threads: 1 }); // adds below must repeat exactly
    expect([loaded.storage, loaded.keepVectors, loaded.trained, loaded.size]).toEqual([storage, storage === 'binary', true, 399]);
    expect(firstDifference(loaded.serialize(), bytes)).toBeNull();
    expect(firstDifference(loaded.searchBatch(data.queries, K).ids, index.searchBatch(data.queries, K).ids)).toBeNull();
    for (const target of [index, loaded]) target.addBatch(data.base.subarray(400 * dim), Uint32Array.from({ length: 200 }, (_, i) => 400 + i));
    expect(firstDifference(loaded.serialize(), index.serialize())).toBeNull();
    index.dispose();
    loaded.dispose();
  });

  test('remove, update and filters answer as a FlatIndex of the same storage over the remaining items', async () => {
    const index = await create(true);
    const flat = await FlatIndex.create({ dim, storage, keepVectors: storage === 'binary' });
    for (const target of [index, flat]) {
      target.addBatch(data.base);
      for (let id = 0; id < 600; id += 3) target.remove(id);
      target.add(row(data.queries, dim, 0), 1); // an update: id 1 now sits on query 0
    }
    expect(index.checkIntegrity()).toBeNull();
    const allowed = Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 5 === 1);
    const exact = flat.search(row(data.queries, dim, 0), 1, { filter: allowed, rerank: storage === 'binary' ? 600 : undefined });
    expect(exact.ids[0]).toBe(1);
    const graph = index.search(row(data.queries, dim, 0), K, { filter: allowed, ef: 64, exact: false });
    expect(graph.ids[0]).toBe(1);
    expect(Array.from(graph.ids).every((id) => id % 5 === 1 && id % 3 !== 0)).toBe(true);
    index.dispose();
    flat.dispose();
  });
});

describe('training', () => {
  const dim = 8, data = seededVectors({ n: 200, queries: 1, dim, seed: 2 });

  test.each(['i8', 'binary'] as const)('%s: add() before training is NOT_TRAINED; train() then add() one at a time works', async (storage) => {
    const index = await FlatIndex.create({ dim, storage, keepVectors: true });
    expect(index.trained).toBe(false);
    expectWannError(() => index.add(row(data.base, dim, 0)), 'NOT_TRAINED', 'train(sample)', `'${storage}'`);
    expect(index.size).toBe(0);
    const progress: number[] = [];
    index.train(data.base, { onProgress: (done) => progress.push(done) });
    expect([index.trained, progress.at(-1)]).toEqual([true, 200]);
    for (let i = 0; i < 50; i++) index.add(row(data.base, dim, i));
    expect(index.search(row(data.base, dim, 7), 1, { rerank: 50 }).ids[0]).toBe(7);
    expectWannError(() => index.train(data.base), 'INVALID_ARGUMENT', 'holds 50');
    index.dispose();
  });

  test('the first addBatch trains on its own rows; an empty untrained index saves, loads and searches', async () => {
    const empty = await HnswIndex.create({ dim, storage: 'i8' });
    const again = await HnswIndex.load(empty.serialize());
    expect([again.trained, again.search(row(data.base, dim, 0), 3).ids.length]).toEqual([false, 0]);
    again.addBatch(data.base);
    expect([again.trained, again.size]).toEqual([true, 200]);
    expect(again.search(row(data.base, dim, 9), 1).ids[0]).toBe(9);
    for (const index of [empty, again]) index.dispose();
  });

  test('f32 and f16 need no training: train() does nothing', async () => {
    for (const storage of ['f32', 'f16'] as const) {
      const index = await FlatIndex.create({ dim, storage });
      expect(index.trained).toBe(true);
      index.train(data.base);
      index.add(row(data.base, dim, 0));
      expect(index.size).toBe(1);
      index.dispose();
    }
  });
});

describe('misuse gets a clear error', () => {
  test('options: storage, keepVectors, rerank, binary graphs without rows', async () => {
    await expectWannRejection(HnswIndex.create({ dim: 4, storage: 'int8' as StorageName }), 'INVALID_OPTION', "'f32', 'f16', 'i8', 'binary' or 'pq'", '"int8"');
    await expectWannRejection(FlatIndex.create({ dim: 4, keepVectors: 'yes' as unknown as boolean }), 'INVALID_OPTION', 'keepVectors');
    await expectWannRejection(HnswIndex.create({ dim: 4, storage: 'i8', rerank: 50 }), 'INVALID_OPTION', 'keepVectors: true');
    await expectWannRejection(HnswIndex.create({ dim: 4, rerank: -1 }), 'INVALID_OPTION', 'rerank');
    await expectWannRejection(HnswIndex.create({ dim: 4, storage: 'binary' }), 'INVALID_OPTION', 'keepVectors: true', 'FlatIndex');
  });

  test('rerank per call without kept rows; values f16 or f32 would store as Infinity; hnswlib files of codes', async () => {
    const index = await HnswIndex.create({ dim: 3, storage: 'f16' });
    index.add([1, 2, 3]);
    expectWannError(() => index.search([1, 2, 3], 1, { rerank: 10 }), 'INVALID_ARGUMENT', 'keepVectors: true');
    const kept = await FlatIndex.create({ dim: 2, storage: 'f16', keepVectors: true });
    for (let i = 0; i < 6; i++) kept.add([i % 3, i % 2], i);
    expect(kept.search([0, 0], 4, { rerank: 2 }).ids.length).toBe(4); // a re-rank shallower than k is raised to k
    kept.dispose();
    expectWannError(() => index.search([1, 2, 3], 1, { rerank: 1.5 }), 'INVALID_ARGUMENT', 'rerank');
    expectWannError(() => index.add([1, 70000, 3]), 'NOT_FINITE', '70000', '65504');
    expectWannError(() => index.addBatch([[1, 2, 3], [-65520, 0, 0]]), 'NOT_FINITE', 'vectors[1][0]');
    expectWannError(() => index.toHnswlib(), 'INVALID_ARGUMENT', "storage 'f32'");
    expect(index.size).toBe(1);
    const f32 = await FlatIndex.create({ dim: 2 });
    expectWannError(() => f32.add([1e39, 0]), 'NOT_FINITE', '1e+39', 'float32');
    expectWannError(() => f32.add(new Float64Array([0, -3.5e38])), 'NOT_FINITE', 'float32');
    f32.add([3.4e38, 0]); // the largest finite float32 values are fine
    expect(f32.size).toBe(1);
    for (const target of [index, f32]) target.dispose();
  });
});
