// Product quantization ('pq'): k-means against a float64 reference, the codec's error
// bound, ADC distances against distances to decoded rows, the 4-bit fast scan against the
// exact ADC order, recall on SIFT against brute force, both builds bit for bit,
// persistence, filters, removal and every misuse.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, IvfIndex, loadIndex, ProductQuantizer, type MetricName } from '../src/index.ts';
import { recallAtK } from '../src/recall.ts';
import { distance64 } from '../bench/lib/brute.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, normalizeRows, row, seededVectors, siftsmall, simdOption } from './helpers/data.ts';
import { expectWannError, expectWannRejection } from './helpers/expect.ts';

const sift = siftsmall();
/** Fewer iterations than the default keep the suite quick; the benchmarks train fully. */
const QUICK = { iterations: 6, sampleRows: 4000 };

/** Nearest centroid of each subspace slice of `x`, in float64 (ties: the lower number). */
function nearestCodes(x: Float32Array, at: number, dim: number, m: number, K: number, books: Float32Array): { codes: number[]; margin: number } {
  const sub = Math.ceil(dim / m);
  const codes: number[] = [];
  let margin = Infinity;
  for (let j = 0; j < m; j++) {
    const distances = Array.from({ length: K }, (_, k) => {
      let sum = 0;
      for (let t = 0; t < sub; t++) {
        const value = j * sub + t < dim ? x[at + j * sub + t] : 0;
        sum += (value - books[(j * K + k) * sub + t]) ** 2;
      }
      return sum;
    });
    const order = distances.map((d, k) => [d, k]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    codes.push(order[0][1]);
    margin = Math.min(margin, order[1][0] - order[0][0]);
  }
  return { codes, margin };
}

function codeValues(code: Uint8Array, m: number, bits: number): number[] {
  return Array.from({ length: m }, (_, j) => (bits === 8 ? code[j] : (code[j >> 1] >> ((j & 1) * 4)) & 15));
}

describe.each(BUILDS)('ProductQuantizer (%s build)', (build) => {
  const simd = simdOption(build);
  const data = seededVectors({ n: 1200, queries: 20, dim: 10, seed: 7 }); // 10 = 3 + 3 + 3 + 1 (+ padding) with m 4

  test('one Lloyd iteration moves every centroid to the float64 mean of the rows nearest to it', async () => {
    const shape = { dim: 10, m: 4, bits: 4 as const, seed: 3, simd };
    const before = await ProductQuantizer.train(data.base, { ...shape, iterations: 1 });
    const after = await ProductQuantizer.train(data.base, { ...shape, iterations: 2 });
    const K = 16, sub = 3;
    const sums = new Float64Array(4 * K * sub), counts = new Float64Array(4 * K);
    for (let i = 0; i < data.n; i++) {
      const { codes } = nearestCodes(data.base, i * 10, 10, 4, K, before.codebooks);
      codes.forEach((k, j) => {
        counts[j * K + k]++;
        for (let t = 0; t < sub; t++) sums[(j * K + k) * sub + t] += j * sub + t < 10 ? data.base[i * 10 + j * sub + t] : 0;
      });
    }
    expect(counts.every((c) => c > 0)).toBe(true); // no empty cluster: the split rule is not in play here
    const books = after.codebooks;
    for (let c = 0; c < 4 * K; c++) {
      for (let t = 0; t < sub; t++) expect(books[c * sub + t]).toBeCloseTo(sums[c * sub + t] / counts[c], 5);
    }
    before.dispose();
    after.dispose();
  });

  test.each([8, 4] as const)('%i-bit codes name the nearest centroid of every slice, and decode to those centroids', async (bits) => {
    const pq = await ProductQuantizer.train(data.base, { dim: 10, m: 4, bits, iterations: 5, simd });
    const books = pq.codebooks, K = 2 ** bits;
    const codes = pq.encode(data.queries);
    expect(codes.length).toBe(data.nq * pq.codeBytes);
    const decoded = pq.decode(codes);
    for (let q = 0; q < data.nq; q++) {
      const { codes: expected, margin } = nearestCodes(data.queries, q * 10, 10, 4, K, books);
      if (margin > 1e-4) expect(codeValues(codes.subarray(q * pq.codeBytes, (q + 1) * pq.codeBytes), 4, bits)).toEqual(expected);
      for (let d = 0; d < 10; d++) {
        const j = Math.floor(d / 3), k = codeValues(codes.subarray(q * pq.codeBytes), 4, bits)[j];
        expect(decoded[q * 10 + d]).toBe(books[(j * K + k) * 3 + (d % 3)]);
      }
    }
    pq.dispose();
    expect(() => pq.encode(data.queries)).toThrow(/disposed/);
  });

  test('init: each seeding is deterministic, and the two give different codebooks; \'random\' is the default', async () => {
    const train = (init?: 'random' | 'k-means++') => ProductQuantizer.train(data.base, { dim: 10, m: 5, iterations: 2, seed: 3, simd, ...(init ? { init } : {}) });
    const [plain, random, again, plusPlus] = [await train(), await train('random'), await train('random'), await train('k-means++')];
    expect(firstDifference(plain.codebooks, random.codebooks)).toBeNull();
    expect(firstDifference(again.codebooks, random.codebooks)).toBeNull();
    expect(firstDifference(plusPlus.codebooks, random.codebooks)).not.toBeNull();
    for (const quantizer of [plain, random, again, plusPlus]) quantizer.dispose();
  });

  test('same seed and sample, same codebooks; training reports every step', async () => {
    const steps: number[][] = [];
    const a = await ProductQuantizer.train(data.base, { dim: 10, m: 5, iterations: 3, bits: 4, seed: 11, simd, onProgress: (done, total) => steps.push([done, total]) });
    const b = await ProductQuantizer.train(data.base, { dim: 10, m: 5, iterations: 3, bits: 4, seed: 11, simd });
    expect(firstDifference(a.codebooks, b.codebooks)).toBeNull();
    expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, 20])); // m × (seeding + iterations)
  });
});

test('both builds train the same codebooks and write the same index, bit for bit', async () => {
  const files = await Promise.all([true, false].map(async (simd) => {
    const index = await HnswIndex.create({ dim: sift.dim, M: 8, efConstruction: 48, storage: 'pq', pq: { m: 16, ...QUICK }, simd, threads: 1 });
    index.addBatch(sift.base.subarray(0, 3000 * sift.dim));
    const bytes = index.serialize();
    index.dispose();
    return bytes;
  }));
  expect(firstDifference(files[0], files[1])).toBeNull();
}, 60_000);

describe.each(['l2', 'ip', 'cosine'] as MetricName[])('ADC distances are the distances to the decoded rows (%s)', (metric) => {
  test.each([[8, 'FlatIndex'], [4, 'FlatIndex'], [4, 'HnswIndex']] as const)('%i-bit codes in a %s', async (bits, kind) => {
    const data = seededVectors({ n: 600, queries: 12, dim: 24, seed: 5 });
    const options = { dim: 24, metric, storage: 'pq' as const, pq: { m: 6, bits, iterations: 4 } };
    const index = kind === 'FlatIndex' ? await FlatIndex.create(options) : await HnswIndex.create({ ...options, ef: 600 });
    index.addBatch(data.base);
    const decoded = Array.from({ length: data.n }, (_, i) => index.get(i)!);
    const queries = metric === 'cosine' ? normalizeRows(data.queries, 24) : data.queries;
    for (let q = 0; q < data.nq; q++) {
      const { ids, distances } = index.search(row(data.queries, 24, q), 10);
      // Exact ADC order over every row, in float64: a 4-bit scan chooses by a u8 table, then re-scores in f32.
      const exact = decoded.map((v, i) => [distance64(metric === 'cosine' ? 'ip' : metric, queries, q * 24, v, 0, 24), i]).sort((a, b) => a[0] - b[0]);
      ids.forEach((id, i) => expect(distances[i]).toBeCloseTo(exact.find(([, j]) => j === id)![0], 3));
      const best = new Set(exact.slice(0, 10).map(([, i]) => i));
      expect([...ids].filter((id) => best.has(id)).length).toBeGreaterThanOrEqual(kind === 'FlatIndex' && bits === 8 ? 10 : 8);
    }
    index.dispose();
  });
});

describe('recall on SIFT (10k × 128) against brute force', () => {
  const recall = (ids: Uint32Array) => recallAtK(ids, 10, sift.gt, sift.gtK, 10);

  test('flat scans: 8-bit ADC, the 4-bit fast scan, and a re-rank of 100 from kept rows', async () => {
    const results: Record<string, number> = {};
    for (const [name, pq, extra] of [
      ['pq8 m16', { m: 16 }, {}], ['pq4 m32', { m: 32, bits: 4 as const }, {}], ['pq8 m16 rerank 100', { m: 16 }, { keepVectors: true, rerank: 100 }],
    ] as const) {
      const index = await FlatIndex.create({ dim: sift.dim, storage: 'pq', pq: { ...pq, ...QUICK }, ...extra });
      index.addBatch(sift.base);
      results[name] = recall(index.searchBatch(sift.queries, 10).ids);
      index.dispose();
    }
    console.log('pq flat recall@10 on siftsmall:', results);
    // FAISS 1.7.3 IndexPQ reaches 0.73 (m 16, 8 bits) and 0.61 (m 32, 4 bits) here with 25 iterations.
    expect(results['pq8 m16']).toBeGreaterThan(0.65);
    expect(results['pq4 m32']).toBeGreaterThan(0.55);
    expect(results['pq8 m16 rerank 100']).toBeGreaterThan(0.99);
  }, 60_000); // SIFT: seconds on a loaded 2-core machine

  test('HNSW over PQ codes: built from codes alone, or from kept rows with a re-rank', async () => {
    const codesOnly = await HnswIndex.create({ dim: sift.dim, storage: 'pq', pq: { m: 16, ...QUICK } });
    const kept = await HnswIndex.create({ dim: sift.dim, storage: 'pq', pq: { m: 16, ...QUICK }, keepVectors: true });
    for (const index of [codesOnly, kept]) index.addBatch(sift.base);
    const withCodes = recall(codesOnly.searchBatch(sift.queries, 10, { ef: 128 }).ids);
    const reranked = recall(kept.searchBatch(sift.queries, 10, { ef: 128, rerank: 100 }).ids);
    console.log(`pq hnsw recall@10 on siftsmall: codes only ${withCodes}, kept rows + rerank 100 ${reranked}`);
    expect(withCodes).toBeGreaterThan(0.65);
    expect(reranked).toBeGreaterThan(0.97);
    expect(kept.checkIntegrity()).toBeNull();
    codesOnly.dispose();
    kept.dispose();
  }, 60_000); // SIFT: seconds on a loaded 2-core machine
});

describe('a pq index is an index like the others', () => {
  const data = seededVectors({ n: 700, queries: 10, dim: 20, seed: 9 });

  test.each([[8, 'FlatIndex'], [4, 'FlatIndex'], [8, 'HnswIndex'], [4, 'HnswIndex']] as const)(
    '%i-bit %s: removal, reuse, filters, get(), save and load answer the same',
    async (bits, kind) => {
      const options = { dim: 20, storage: 'pq' as const, pq: { m: 5, bits, iterations: 3 } };
      const index = kind === 'FlatIndex' ? await FlatIndex.create(options) : await HnswIndex.create(options);
      index.addBatch(data.base);
      for (const id of [0, 33, 34, 699]) expect(index.remove(id)).toBe(true);
      index.add(row(data.base, 20, 0), 5000); // reuses a freed slot
      expect(index.size).toBe(697);
      const query = row(data.queries, 20, 1);
      const filtered = index.search(query, 5, { filter: (id) => id % 2 === 0 });
      expect([...filtered.ids].every((id) => id % 2 === 0)).toBe(true);
      const copy = await loadIndex(index.serialize());
      expect(copy.storage).toBe('pq');
      expect(copy.pq).toEqual({ m: 5, bits });
      expect(copy.search(query, 10)).toEqual(index.search(query, 10));
      expect(copy.get(5000)).toEqual(index.get(5000));
      expect(firstDifference(copy.serialize(), index.serialize())).toBeNull();
      if (copy instanceof HnswIndex) expect(copy.checkIntegrity()).toBeNull();
      const got = index.get(12)!; // the decoded row: near the original, not equal
      expect(got.length).toBe(20);
      expect(distance64('l2', got, 0, data.base, 12 * 20, 20)).toBeLessThan(distance64('l2', new Float32Array(20), 0, data.base, 12 * 20, 20));
      index.dispose();
      copy.dispose();
    },
  );

  test('misuse gets a clear error', async () => {
    await expectWannRejection(FlatIndex.create({ dim: 20, storage: 'pq', pq: { bits: 5 as 4 } }), 'INVALID_OPTION', 'pq.bits must be 4 or 8');
    await expectWannRejection(FlatIndex.create({ dim: 20, storage: 'pq', pq: { m: 21 } }), 'INVALID_OPTION', 'pq.m must be an integer in 1 … 20');
    await expectWannRejection(FlatIndex.create({ dim: 20, storage: 'i8', pq: { m: 4 } }), 'INVALID_OPTION', "pq options shape storage 'pq'");
    await expectWannRejection(FlatIndex.create({ dim: 20, storage: 'pq', pq: { m: 4, Bits: 4 } as object }), 'INVALID_OPTION', 'did you mean "bits"');
    await expectWannRejection(FlatIndex.create({ dim: 20, storage: 'pq', rerank: 10 }), 'INVALID_OPTION', 'keepVectors: true');
    await expectWannRejection(FlatIndex.create({ dim: 20, storage: 'pq', pq: { init: 'kmeans' as 'random' } }), 'INVALID_OPTION', "pq.init must be 'random' or 'k-means++', got \"kmeans\"");
    await expectWannRejection(ProductQuantizer.train(data.base, { dim: 20, init: 'plusplus' as 'random' }), 'INVALID_OPTION', "init must be 'random' or 'k-means++'");
    const index = await FlatIndex.create({ dim: 20, storage: 'pq', pq: { m: 4 } });
    expectWannError(() => index.add(row(data.base, 20, 0)), 'NOT_TRAINED', "storage 'pq'", 'train(sample)');
    expectWannError(() => index.addBatch(data.base.subarray(0, 100 * 20)), 'INVALID_ARGUMENT', '256 centroids', 'at least 256 rows, got 100');
    expect(index.size).toBe(0);
    index.train(data.base);
    index.add(row(data.base, 20, 0));
    expectWannError(() => index.train(data.base), 'INVALID_ARGUMENT', 'before rows are added');
    index.dispose();
  });
});

test('version 2 files still load as today\'s code builds them', async () => {
  const { readFileSync } = await import('node:fs');
  // Written by wann at 64b3f90 (format version 2): an 'i8' HNSW index with kept rows, rerank 30 and two removals.
  const bytes = new Uint8Array(readFileSync(new URL('./fixtures/v2-hnsw-i8.wann', import.meta.url)));
  const v2 = seededVectors({ n: 300, dim: 13, seed: 43 });
  const loaded = await HnswIndex.load(bytes, { threads: 1 });
  const fresh = await HnswIndex.create({ dim: 13, metric: 'l2', M: 6, efConstruction: 40, seed: 5, ef: 24, capacity: 310, storage: 'i8', keepVectors: true, rerank: 30, threads: 1 });
  fresh.addBatch(v2.base);
  for (const id of [4, 77]) fresh.remove(id);
  expect(firstDifference(loaded.serialize(), fresh.serialize())).toBeNull();
  loaded.dispose();
  fresh.dispose();
});

describe('IvfIndex: inverted lists of PQ codes of residuals', () => {
  const recall = (ids: Uint32Array) => recallAtK(ids, 10, sift.gt, sift.gtK, 10);

  test('recall on SIFT grows with nprobe to the codes\' own, and a re-rank from kept rows passes 0.95; both builds bit for bit', async () => {
    const files: Uint8Array[] = [], answers: { ids: Uint32Array; distances: Float32Array }[] = [];
    for (const simd of [true, false]) {
      const index = await IvfIndex.create({ dim: sift.dim, nlist: 100, pq: { m: 16, ...QUICK }, keepVectors: true, simd });
      index.addBatch(sift.base);
      files.push(index.serialize());
      answers.push(index.searchBatch(sift.queries, 10, { nprobe: 16, rerank: 0 })); // ADC distances: the norm terms, which files leave out, too
      if (!simd) { index.dispose(); continue; }
      const sweep = [1, 4, 16, 100].map((nprobe) => recall(index.searchBatch(sift.queries, 10, { nprobe, rerank: 0 }).ids));
      const reranked = recall(index.searchBatch(sift.queries, 10, { nprobe: 16, rerank: 100 }).ids);
      console.log(`ivf-pq recall@10 on siftsmall, nlist 100, nprobe 1 / 4 / 16 / 100: ${sweep.join(' / ')}; nprobe 16 + rerank 100: ${reranked}`);
      for (let i = 1; i < sweep.length; i++) expect(sweep[i]).toBeGreaterThanOrEqual(sweep[i - 1] - 0.005);
      // FAISS 1.7.3 IndexIVFPQ (nlist 100, m 16, 25 iterations) reaches 0.747 at nprobe 16 here.
      expect(sweep[2]).toBeGreaterThan(0.68);
      expect(reranked).toBeGreaterThan(0.95);
      // nprobe past nlist scans every list once: the same answers as nprobe = nlist.
      expect(index.searchBatch(sift.queries, 10, { nprobe: 5000, rerank: 0 }).ids).toEqual(index.searchBatch(sift.queries, 10, { nprobe: 100, rerank: 0 }).ids);
      index.dispose();
    }
    expect(firstDifference(files[0], files[1])).toBeNull();
    expect(firstDifference(answers[0]!.ids, answers[1]!.ids)).toBeNull();
    expect(firstDifference(answers[0]!.distances, answers[1]!.distances)).toBeNull();
  }, 60_000); // SIFT: seconds on a loaded 2-core machine

  test.each(['l2', 'ip', 'cosine'] as MetricName[])('%s: distances are those to the decoded rows (centroid + residual), scanning every list', async (metric) => {
    const data = seededVectors({ n: 500, queries: 8, dim: 16, seed: 12 });
    const index = await IvfIndex.create({ dim: 16, metric, nlist: 7, nprobe: 7, pq: { m: 4, iterations: 4, bits: 4 } });
    index.addBatch(data.base);
    const decoded = Array.from({ length: data.n }, (_, i) => index.get(i)!);
    const queries = metric === 'cosine' ? normalizeRows(data.queries, 16) : data.queries;
    for (let q = 0; q < data.nq; q++) {
      const { ids, distances } = index.search(row(data.queries, 16, q), 5);
      ids.forEach((id, i) => expect(distances[i]).toBeCloseTo(distance64(metric === 'cosine' ? 'ip' : metric, queries, q * 16, decoded[id], 0, 16), 3));
      const exact = decoded.map((v, i) => [distance64(metric === 'cosine' ? 'ip' : metric, queries, q * 16, v, 0, 16), i]).sort((a, b) => a[0] - b[0]);
      expect(distances[4]).toBeLessThanOrEqual(exact[4][0] + 1e-3);
    }
    index.dispose();
  });

  test('removal, reuse, updates, filters (probing on until k pass), save and load answer the same', async () => {
    const data = seededVectors({ n: 800, queries: 6, dim: 12, seed: 4 });
    const index = await IvfIndex.create({ dim: 12, nlist: 20, nprobe: 2, pq: { m: 3, iterations: 3, bits: 4 } });
    index.addBatch(data.base);
    for (const id of [1, 2, 3, 400]) expect(index.remove(id)).toBe(true);
    index.add(row(data.base, 12, 1), 9000); // reuses a freed slot, maybe in another list
    index.add(row(data.base, 12, 5), 7); // an update: 7 moves to 5's list
    expect(index.size).toBe(797);
    const query = row(data.queries, 12, 0);
    expect(index.search(row(data.base, 12, 5), 1).ids[0]).toBe(5); // 5 and 7 hold the same row now
    const rare = index.search(query, 10, { filter: [11, 600, 9000, 2] }); // 2 was removed
    expect([...rare.ids].sort((a, b) => a - b)).toEqual([11, 600, 9000]);
    const copy = await loadIndex(index.serialize());
    expect(copy).toBeInstanceOf(IvfIndex);
    expect([(copy as IvfIndex).nlist, (copy as IvfIndex).nprobe]).toEqual([20, 2]);
    expect(copy.search(query, 10)).toEqual(index.search(query, 10));
    expect(firstDifference(copy.serialize(), index.serialize())).toBeNull();
    copy.dispose();
    index.dispose();
  });

  test('misuse gets a clear error', async () => {
    await expectWannRejection(IvfIndex.create({ dim: 8, storage: 'f32' }), 'INVALID_OPTION', "an IvfIndex stores 'pq' codes");
    await expectWannRejection(IvfIndex.create({ dim: 8, nlist: 0 }), 'INVALID_OPTION', 'nlist must be an integer in 1 … 65536');
    await expectWannRejection(IvfIndex.create({ dim: 8, M: 16 } as object as { dim: number }), 'INVALID_OPTION', 'unknown create() option "M"');
    const index = await IvfIndex.create({ dim: 8, nlist: 300, pq: { m: 2, bits: 4 } });
    const rows = seededVectors({ n: 200, dim: 8, seed: 1 }).base;
    expectWannError(() => index.addBatch(rows), 'INVALID_ARGUMENT', '300 inverted lists train on at least 300 rows, got 200');
    expectWannError(() => index.search(rows.subarray(0, 8), 1, { ef: 10 }), 'INVALID_ARGUMENT', 'unknown search() option "ef"', 'known options: nprobe, rerank, filter, exact');
    const flat = await FlatIndex.create({ dim: 8 });
    expectWannError(() => flat.search(rows.subarray(0, 8), 1, { nprobe: 3 }), 'INVALID_ARGUMENT', 'unknown search() option "nprobe"', 'known options: ef, rerank, filter, exact');
    index.dispose();
    flat.dispose();
  });
});
