// Threads: batch calls on a worker pool over shared memory (src/pool.ts, src/parallel.ts,
// assembly/batch.ts, assembly/locks.ts). Parallel searches must equal serial ones
// exactly; parallel builds must be sound and as good as serial ones on real data; the
// async forms must queue, report progress, abort cleanly and leave no worker behind.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FlatIndex, HnswIndex, IvfIndex, NO_ID } from '../src/index.js';
import { recallAtK } from '../src/recall.js';
import { bruteForceTopK } from '../bench/lib/brute.ts';
import { seededVectors, siftsmall } from './helpers/data.js';
import { expectWannError, expectWannRejection } from './helpers/expect.js';

const sift = siftsmall();
const K = 10;
/** Real-data builds take seconds, more on a busy 2-core machine. */
const SLOW = 120_000;

/** The same graph on 1 and on 2 threads: built serially, loaded twice. */
async function twins(options: Parameters<typeof HnswIndex.create>[0], rows: Float32Array) {
  const serial = await HnswIndex.create({ ...options, threads: 1 });
  serial.addBatch(rows);
  const bytes = serial.serialize();
  const parallel = await HnswIndex.load(bytes, { threads: 2 });
  await startWorkers(parallel, options.dim);
  return { serial, parallel };
}

/** Starts the workers of `index` (an async call does), so that batches from 64 rows use them. */
async function startWorkers(index: { searchBatchAsync: HnswIndex['searchBatchAsync'] }, dim: number): Promise<void> {
  await index.searchBatchAsync(new Float32Array(dim), 1);
}

describe('threads: searches', () => {
  it('threads: 2 runs on two workers; threads: 1 and simd: false on the calling thread', async () => {
    const two = await HnswIndex.create({ dim: 8, threads: 2 });
    const one = await HnswIndex.create({ dim: 8, threads: 1 });
    const scalar = await HnswIndex.create({ dim: 8, threads: 2, simd: false });
    expect([two.threads, one.threads, scalar.threads]).toEqual([2, 1, 1]);
    expect(two.simd).toBe(true);
    for (const index of [two, one, scalar]) index.dispose();
  });

  it('searchBatch on 2 threads returns exactly what 1 thread returns (SIFT, ef 16 … 128)', async () => {
    const { serial, parallel } = await twins({ dim: sift.dim }, sift.base);
    const queries = sift.base.subarray(0, 2000 * sift.dim); // more rows than one claim, fewer than one call
    for (const ef of [16, 128]) {
      const a = serial.searchBatch(queries, K, { ef }), b = parallel.searchBatch(queries, K, { ef });
      expect(b.ids).toEqual(a.ids);
      expect(b.distances).toEqual(a.distances);
      const c = await parallel.searchBatchAsync(queries, K, { ef });
      expect(c.ids).toEqual(a.ids);
    }
    serial.dispose();
    parallel.dispose();
  }, SLOW);

  it('equal results for every kind and storage, with filters, deletions and k beyond the index', async () => {
    const data = seededVectors({ n: 3000, queries: 300, dim: 20, seed: 7 });
    const kinds = [
      () => FlatIndex.create({ dim: 20, metric: 'cosine', threads: 1 }),
      () => HnswIndex.create({ dim: 20, metric: 'ip', storage: 'i8', keepVectors: true, threads: 1 }),
      () => HnswIndex.create({ dim: 20, storage: 'pq', pq: { m: 5, bits: 4 }, threads: 1 }),
      () => IvfIndex.create({ dim: 20, nlist: 16, nprobe: 4, pq: { m: 5 }, keepVectors: true, threads: 1 }),
    ];
    for (const make of kinds) {
      const serial = await make();
      serial.addBatch(data.base);
      for (let id = 0; id < 3000; id += 7) serial.remove(id);
      const parallel = await (serial.constructor as typeof HnswIndex).load(serial.serialize(), { threads: 2 });
      await startWorkers(parallel, 20);
      const options = { filter: (id: number) => id % 3 !== 0 };
      for (const [k, opts, rows] of [[K, {}, 300], [K, options, 300], [5000, {}, 70]] as const) {
        const queries = data.queries.subarray(0, rows * 20);
        const a = serial.searchBatch(queries, k, opts), b = parallel.searchBatch(queries, k, opts);
        expect(b.ids, `${serial.constructor.name} ${serial.storage} k ${k}`).toEqual(a.ids);
        expect(b.distances).toEqual(a.distances);
      }
      serial.dispose();
      parallel.dispose();
    }
  }, SLOW);

  it('small batches and single searches stay on the calling thread, answering the same', async () => {
    const { serial, parallel } = await twins({ dim: sift.dim }, sift.base.subarray(0, 3000 * sift.dim));
    const queries = sift.queries.subarray(0, 10 * sift.dim);
    expect(parallel.searchBatch(queries, K).ids).toEqual(serial.searchBatch(queries, K).ids);
    expect(parallel.search(sift.queries.subarray(0, sift.dim), K).ids).toEqual(serial.search(sift.queries.subarray(0, sift.dim), K).ids);
    serial.dispose();
    parallel.dispose();
  }, SLOW);

  it('work counters add up every thread', async () => {
    const { serial, parallel } = await twins({ dim: sift.dim }, sift.base.subarray(0, 3000 * sift.dim));
    const queries = sift.base.subarray(0, 500 * sift.dim);
    for (const index of [serial, parallel]) {
      index.resetCounters();
      index.searchBatch(queries, K);
    }
    expect(parallel.counters).toEqual(serial.counters);
    serial.dispose();
    parallel.dispose();
  }, SLOW);
});

describe('threads: builds', () => {
  it('a parallel addBatch is sound and as good as a serial one on SIFT (recall@10 within 0.005)', async () => {
    const recalls = [];
    for (const threads of [1, 2]) {
      const index = await HnswIndex.create({ dim: sift.dim, threads });
      index.addBatch(sift.base);
      expect(index.checkIntegrity()).toBeNull();
      expect(index.size).toBe(sift.n);
      const found = index.searchBatch(sift.queries, K, { ef: 64 });
      recalls.push(recallAtK(found.ids, K, sift.gt, sift.gtK, K));
      index.dispose();
    }
    expect(recalls[1]).toBeGreaterThan(recalls[0] - 0.005);
    expect(recalls[1]).toBeGreaterThan(0.95);
  }, SLOW);

  it('updates and reused slots keep serial order on threads', async () => {
    const data = seededVectors({ n: 2000, dim: 16, seed: 3 });
    const serial = await HnswIndex.create({ dim: 16, threads: 1 });
    const parallel = await HnswIndex.create({ dim: 16, threads: 2 });
    for (const index of [serial, parallel]) {
      index.addBatch(data.base.subarray(0, 1500 * 16));
      index.addBatch(data.base.subarray(1500 * 16), Uint32Array.from({ length: 500 }, (_, i) => i * 3)); // updates ids 0, 3, … 1497
      for (let id = 0; id < 1500; id += 5) index.remove(id);
      index.addBatch(data.base.subarray(0, 400 * 16), Uint32Array.from({ length: 400 }, (_, i) => 5000 + i)); // reuses slots
      expect(index.checkIntegrity()).toBeNull();
    }
    expect(parallel.size).toBe(serial.size);
    for (const id of [0, 1, 3, 1497, 1499, 5000, 5399]) {
      expect(parallel.get(id), `id ${id}`).toEqual(serial.get(id));
    }
    serial.dispose();
    parallel.dispose();
  }, SLOW);

  it('storage kinds build on threads: i8, pq (trained on the batch), f16 with kept rows', async () => {
    const data = seededVectors({ n: 3000, queries: 100, dim: 32, seed: 11 });
    const truth = bruteForceTopK(data.base, data.queries, 32, K);
    for (const options of [{ storage: 'i8' as const }, { storage: 'pq' as const, pq: { m: 8 } , keepVectors: true }, { storage: 'f16' as const, keepVectors: true }]) {
      const index = await HnswIndex.create({ dim: 32, threads: 2, ...options });
      index.addBatch(data.base);
      expect(index.checkIntegrity()).toBeNull();
      const recall = recallAtK(index.searchBatch(data.queries, K, { ef: 128 }).ids, K, truth.ids, K, K);
      expect(recall, options.storage).toBeGreaterThan(0.8);
      index.dispose();
    }
  }, SLOW);

  it('many small async batches queue behind each other and all land, linked', async () => {
    const data = seededVectors({ n: 4000, queries: 50, dim: 12, seed: 5 });
    const index = await HnswIndex.create({ dim: 12, threads: 2 });
    const calls: Promise<unknown>[] = [];
    for (let start = 0; start < 4000; start += 200) {
      const ids = Uint32Array.from({ length: 200 }, (_, i) => start + i);
      calls.push(index.addBatchAsync(data.base.subarray(start * 12, (start + 200) * 12), ids));
      calls.push(index.searchBatchAsync(data.queries, 3));
    }
    await Promise.all(calls);
    expect(index.size).toBe(4000);
    expect(index.checkIntegrity()).toBeNull();
    for (let id = 0; id < 4000; id += 397) expect(index.search(data.base.subarray(id * 12, id * 12 + 12), 1).ids[0]).toBe(id);
    index.dispose();
  }, SLOW);
});

describe('threads: async calls', () => {
  it('addBatchAsync reports progress and leaves the same index a sync add would (on one thread)', async () => {
    const data = seededVectors({ n: 1500, dim: 8, seed: 9 });
    const sync = await HnswIndex.create({ dim: 8, threads: 1 });
    const async = await HnswIndex.create({ dim: 8, threads: 1 });
    sync.addBatch(data.base);
    const progress: number[] = [];
    await async.addBatchAsync(data.base, undefined, { onProgress: (done, total) => { expect(total).toBe(1500); progress.push(done); } });
    expect(progress.at(-1)).toBe(1500);
    expect(async.serialize()).toEqual(sync.serialize()); // one thread: deterministic
    sync.dispose();
    async.dispose();
  }, SLOW);

  it('sync calls during an async call are BUSY; reads answer', async () => {
    const data = seededVectors({ n: 20_000, dim: 16, seed: 2 });
    const index = await HnswIndex.create({ dim: 16, threads: 2 });
    const adding = index.addBatchAsync(data.base);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the call has taken its turn
    expectWannError(() => index.search(data.base.subarray(0, 16), 1), 'BUSY', 'async');
    expectWannError(() => index.add(data.base.subarray(0, 16), 99_999), 'BUSY');
    expect(typeof index.size).toBe('number');
    await adding;
    expect(index.search(data.base.subarray(0, 16), 1).ids[0]).toBe(0);
    index.dispose();
  }, SLOW);

  it('an abort stops between rows: ABORTED, and every row added is linked and found', async () => {
    for (const threads of [1, 2]) {
      const data = seededVectors({ n: 20_000, dim: 32, seed: 4 });
      const index = await HnswIndex.create({ dim: 32, threads });
      const controller = new AbortController();
      const adding = index.addBatchAsync(data.base, undefined, { signal: controller.signal, onProgress: (done) => { if (done > 0) controller.abort(); } });
      await expectWannRejection(adding, 'ABORTED', 'aborted after');
      const added = index.size;
      expect(added, `threads ${threads}`).toBeGreaterThan(0);
      expect(added).toBeLessThan(20_000);
      expect(index.checkIntegrity()).toBeNull();
      for (let id = 0; id < added; id += Math.ceil(added / 50)) {
        expect(index.search(data.base.subarray(id * 32, id * 32 + 32), 1).ids[0]).toBe(id);
      }
      await expectWannRejection(index.searchBatchAsync(data.base, 1, { signal: AbortSignal.abort() }), 'ABORTED');
      index.dispose();
    }
  }, SLOW);

  it('dispose() during an async call rejects it with DISPOSED', async () => {
    const data = seededVectors({ n: 20_000, dim: 32, seed: 8 });
    const index = await HnswIndex.create({ dim: 32, threads: 2 });
    const adding = index.addBatchAsync(data.base);
    await new Promise((resolve) => setTimeout(resolve, 50));
    index.dispose();
    await expectWannRejection(adding, 'DISPOSED');
  }, SLOW);

  it('checks its options: threads, signal, onProgress, option names', async () => {
    for (const threads of [0, 1.5, 257, 'all']) {
      await expectWannRejection(HnswIndex.create({ dim: 4, threads: threads as number }), 'INVALID_OPTION', 'threads');
    }
    const index = await HnswIndex.create({ dim: 4, threads: 2 });
    await expectWannRejection(index.addBatchAsync([[1, 2, 3, 4]], undefined, { signal: {} as AbortSignal }), 'INVALID_ARGUMENT', 'AbortSignal');
    await expectWannRejection(index.searchBatchAsync([[1, 2, 3, 4]], 1, { onProgress: 3 as never }), 'INVALID_ARGUMENT', 'onProgress');
    await expectWannRejection(index.knnGraph(2, { nprobe: 3 } as never), 'INVALID_ARGUMENT', 'nprobe');
    await expectWannRejection(index.knnGraph(0), 'INVALID_ARGUMENT', 'k');
    index.dispose();
  });
});

describe('threads: the kNN graph', () => {
  it('knnGraph(10) of SIFT has recall ≥ 0.95 against brute force, and never lists an item as its own neighbour', async () => {
    const index = await HnswIndex.create({ dim: sift.dim, threads: 2 });
    index.addBatch(sift.base);
    for (let id = 0; id < sift.n; id += 10) index.remove(id); // removed items are neither rows nor neighbours
    const graph = await index.knnGraph(K, { ef: 64 });
    expect(graph.ids.length).toBe(index.size);
    expect(graph.neighbours.length).toBe(index.size * K);
    const live = Uint32Array.from({ length: sift.n }, (_, i) => i).filter((id) => id % 10 !== 0);
    const base = new Float32Array(live.length * sift.dim);
    live.forEach((id, i) => base.set(sift.base.subarray(id * sift.dim, (id + 1) * sift.dim), i * sift.dim));
    const sample = Array.from({ length: 200 }, (_, i) => i * 43);
    const queries = new Float32Array(sample.length * sift.dim);
    sample.forEach((row, i) => queries.set(base.subarray(row * sift.dim, (row + 1) * sift.dim), i * sift.dim));
    const truth = bruteForceTopK(base, queries, sift.dim, K + 1);
    const expected = new Int32Array(sample.length * K), found = new Uint32Array(sample.length * K);
    sample.forEach((row, i) => {
      const own = graph.ids[row];
      expect(own).toBe(live[row]);
      const others = Array.from(truth.ids.subarray(i * (K + 1), (i + 1) * (K + 1))).map((r) => live[r]).filter((id) => id !== own).slice(0, K);
      expected.set(others, i * K);
      found.set(graph.neighbours.subarray(row * K, (row + 1) * K), i * K);
    });
    for (let i = 0; i < graph.neighbours.length; i++) {
      expect(graph.neighbours[i]).not.toBe(graph.ids[Math.floor(i / K)]);
      expect(graph.neighbours[i] % 10).not.toBe(0);
    }
    expect(recallAtK(found, K, expected, K, K)).toBeGreaterThan(0.95);
    index.dispose();
  }, SLOW);

  it('a FlatIndex graph is exact and equals the one-thread graph; tiny indexes pad with NO_ID', async () => {
    const data = seededVectors({ n: 500, dim: 6, seed: 1 });
    const one = await FlatIndex.create({ dim: 6, threads: 1 });
    const two = await FlatIndex.create({ dim: 6, threads: 2 });
    one.addBatch(data.base);
    two.addBatch(data.base);
    const [a, b] = [await one.knnGraph(4), await two.knnGraph(4)];
    expect(b).toEqual(a);
    const truth = bruteForceTopK(data.base, data.base, 6, 5);
    for (let i = 0; i < 500; i++) expect(a.neighbours.subarray(i * 4, i * 4 + 4)).toEqual(Uint32Array.from(truth.ids.subarray(i * 5 + 1, i * 5 + 5)));
    const tiny = await HnswIndex.create({ dim: 6, threads: 2 });
    tiny.addBatch(data.base.subarray(0, 18));
    const small = await tiny.knnGraph(4);
    expect(Array.from(small.neighbours.subarray(0, 4)).filter((id) => id === NO_ID).length).toBe(2);
    for (const index of [one, two, tiny]) index.dispose();
  }, SLOW);
});

describe('threads: workers', () => {
  it('workers never keep Node alive: a script that uses threads and never disposes exits', () => {
    const child = fileURLToPath(new URL('./helpers/threads-child.ts', import.meta.url));
    for (const args of [[], ['--async']]) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', child, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(out).toContain('threads 2');
    }
  }, SLOW);
});
