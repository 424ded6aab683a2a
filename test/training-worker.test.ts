// trainAsync(), and addBatchAsync() of an untrained 'pq' index: k-means in a worker of
// its own (src/training-worker.ts), the same codebooks as train() on the calling thread,
// bit for bit; steps reported; an abort or a dispose leaves nothing half-done.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, IvfIndex, ProductQuantizer, WannError } from '../src/index.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, seededVectors, siftsmall, simdOption } from './helpers/data.ts';

const data = seededVectors({ n: 1200, queries: 5, dim: 24, seed: 8 });

describe.each(BUILDS)('%s build', (build) => {
  const simd = simdOption(build);

  test.each([
    ['FlatIndex, 8-bit', () => FlatIndex.create({ dim: 24, storage: 'pq', pq: { m: 6, iterations: 5 }, simd, threads: 1 })],
    ['FlatIndex, 4-bit, cosine', () => FlatIndex.create({ dim: 24, metric: 'cosine', storage: 'pq', pq: { m: 6, bits: 4, iterations: 5 }, simd, threads: 1 })],
    ['IvfIndex, 2 threads', () => IvfIndex.create({ dim: 24, nlist: 12, pq: { m: 4, iterations: 5 }, seed: 5, simd, threads: 2 })],
    ['HnswIndex', () => HnswIndex.create({ dim: 24, storage: 'pq', pq: { m: 8, iterations: 5 }, seed: 5, simd, threads: 1 })],
  ] as const)('%s: trainAsync() trains the codebooks train() does, reporting every k-means step', async (_name, make) => {
    const [here, there] = [await make(), await make()];
    const steps: [number, number][] = [], stepsThere: [number, number][] = [];
    here.train(data.base, { onProgress: (done, total) => steps.push([done, total]) });
    await there.trainAsync(data.base, { onProgress: (done, total) => stepsThere.push([done, total]) });
    expect(there.trained).toBe(true);
    expect(stepsThere).toEqual(steps);
    expect(steps.at(-1)![0]).toBe(steps.at(-1)![1]);
    for (const index of [here, there]) index.addBatch(data.base);
    expect(firstDifference(there.serialize(), here.serialize())).toBeNull();
    here.dispose();
    there.dispose();
  });

  test('ProductQuantizer.train() trains in the worker: the codebooks a FlatIndex\'s train() makes here, and the same codes', async () => {
    const shape = { m: 6, iterations: 5 };
    const quantizer = await ProductQuantizer.train(data.base, { dim: 24, ...shape, seed: 0, simd }); // a FlatIndex's seed
    const index = await FlatIndex.create({ dim: 24, storage: 'pq', pq: shape, simd, threads: 1 });
    index.train(data.base);
    index.addBatch(data.base.subarray(0, 50 * 24));
    const decoded = quantizer.decode(quantizer.encode(data.base.subarray(0, 50 * 24)));
    for (let id = 0; id < 50; id++) expect(firstDifference(index.get(id)!, decoded.subarray(id * 24, (id + 1) * 24))).toBeNull();
    quantizer.dispose();
    index.dispose();
  });

  test('an untrained index\'s addBatchAsync() trains in the worker too: the same index as addBatch()', async () => {
    const make = () => IvfIndex.create({ dim: 24, nlist: 8, pq: { m: 4, iterations: 5 }, seed: 5, simd, threads: 1 });
    const [here, there] = [await make(), await make()];
    here.addBatch(data.base);
    await there.addBatchAsync(data.base);
    expect(firstDifference(there.serialize(), here.serialize())).toBeNull();
    here.dispose();
    there.dispose();
  });
});

test('the calling thread stays free: timers run between the k-means steps of a SIFT training', async () => {
  const sift = siftsmall();
  const index = await FlatIndex.create({ dim: sift.dim, storage: 'pq', pq: { m: 16, iterations: 8 }, threads: 1 });
  let ticks = 0, firstStepTicks = -1, lastStepTicks = -1;
  const timer = setInterval(() => ticks++, 1);
  await index.trainAsync(sift.base, {
    onProgress: (done, total) => {
      if (done === 1) firstStepTicks = ticks;
      if (done === total) lastStepTicks = ticks;
    },
  });
  clearInterval(timer);
  // On the calling thread every step would run in one turn of the event loop: no tick between the first and the last.
  expect(lastStepTicks).toBeGreaterThan(firstStepTicks);
  expect(index.trained).toBe(true);
  index.dispose();
});

test('an abort stops the training: ABORTED, the index untrained and usable; a signal aborted before the call changes nothing', async () => {
  const index = await IvfIndex.create({ dim: 24, nlist: 8, pq: { m: 4, iterations: 25 }, threads: 1 });
  const controller = new AbortController();
  const training = index.trainAsync(data.base, { signal: controller.signal, onProgress: (done) => { if (done === 3) controller.abort(); } });
  await expect(training).rejects.toMatchObject({ code: 'ABORTED', message: expect.stringContaining('still untrained') });
  expect(index.trained).toBe(false);
  await expect(index.addBatchAsync(data.base, undefined, { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  expect([index.trained, index.size]).toEqual([false, 0]);
  await index.trainAsync(data.base);
  index.addBatch(data.base);
  expect(index.size).toBe(1200);
  index.dispose();
});

test('onProgress that calls back into the index: changes and searches throw BUSY, reading works; the training goes on', async () => {
  const index = await FlatIndex.create({ dim: 24, storage: 'pq', pq: { m: 6, iterations: 3 }, threads: 1 });
  const seen: string[] = [];
  await index.trainAsync(data.base, {
    onProgress: (done) => {
      if (done !== 1) return;
      for (const call of [() => index.add(data.base.subarray(0, 24), 1), () => index.search(data.base.subarray(0, 24), 1), () => index.train(data.base)]) {
        try { call(); seen.push('no error'); } catch (error) { seen.push((error as WannError).code); }
      }
      seen.push(`size ${index.size}, trained ${index.trained}`);
    },
  });
  expect(seen).toEqual(['BUSY', 'BUSY', 'BUSY', 'size 0, trained false']);
  expect(index.trained).toBe(true);
  index.dispose();
});

test('onProgress that throws rejects the call with its error; dispose() meanwhile rejects DISPOSED', async () => {
  const index = await FlatIndex.create({ dim: 24, storage: 'pq', pq: { m: 6, iterations: 10 }, threads: 1 });
  const thrown = new Error('from onProgress');
  await expect(index.trainAsync(data.base, { onProgress: () => { throw thrown; } })).rejects.toBe(thrown);
  expect(index.trained).toBe(false);
  const training = index.trainAsync(data.base);
  index.dispose();
  await expect(training).rejects.toMatchObject({ code: 'DISPOSED' });
});

test('misuse: too few rows, rows already added, a wrong sample, bad options: clear errors before any worker starts', async () => {
  const index = await FlatIndex.create({ dim: 24, storage: 'pq', pq: { m: 6 } });
  await expect(index.trainAsync(data.base.subarray(0, 100 * 24))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('at least 256 rows') });
  await expect(index.trainAsync(new Float32Array(25))).rejects.toBeInstanceOf(WannError);
  await expect(index.trainAsync(data.base, { onProgress: 3 } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(index.trainAsync(data.base, { sideways: true } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await index.trainAsync(data.base);
  index.add(data.base.subarray(0, 24), 1);
  await expect(index.trainAsync(data.base)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('before rows are added') });
  index.dispose();
  const f32 = await FlatIndex.create({ dim: 24 });
  await f32.trainAsync(data.base); // nothing to train: resolves
  expect(f32.trained).toBe(true);
  f32.dispose();
});
