// WASM memory (src/base-index.ts #reserve, assembly/layout.ts relayout): capacity and
// memory grow as items arrive and what was added before growth is still found exactly;
// addBatch reports progress; searches allocate nothing once warmed up.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex } from '../src/index.ts';
import { BUILDS, row, seededVectors, simdOption } from './helpers/data.ts';

const KINDS = [
  ['HnswIndex', HnswIndex],
  ['FlatIndex', FlatIndex],
] as const;

const CASES = KINDS.flatMap(([name, Index]) => BUILDS.map((build) => ({ name, Index, build })));

describe.each(CASES)('$name memory ($build build)', ({ name, Index, build }) => {
  const simd = simdOption(build);

  test('capacity 1 grows through several memory.grow calls; every item is still found exactly', async () => {
    const dim = 27;
    const n = 3000;
    const data = seededVectors({ n, dim, seed: 55 });
    const idOf = (i: number) => (i * 2_654_435_761) % 4_294_967_291; // scattered ids exercise the id table
    const index = await Index.create({ dim, capacity: 1, simd });
    try {
      const memory = [index.memoryBytes];
      const capacity = [index.capacity];
      let addedBeforeFirstGrowth = -1;
      const track = () => {
        if (index.memoryBytes !== memory.at(-1) && addedBeforeFirstGrowth < 0) addedBeforeFirstGrowth = index.size - 1;
        if (index.memoryBytes !== memory.at(-1)) memory.push(index.memoryBytes);
        if (index.capacity !== capacity.at(-1)) capacity.push(index.capacity);
        expect(index.capacity).toBeGreaterThanOrEqual(index.size);
      };
      // The first half one at a time, the rest in batches of assorted sizes.
      for (let i = 0; i < n / 2; i++) {
        index.add(row(data.base, dim, i), idOf(i));
        track();
      }
      for (let start = n / 2, step = 1; start < n; start += step, step = step * 3 + 1) {
        const end = Math.min(n, start + step);
        index.addBatch(data.base.subarray(start * dim, end * dim), Array.from({ length: end - start }, (_, j) => idOf(start + j)));
        track();
      }
      expect(index.size).toBe(n);
      expect(memory.length).toBeGreaterThanOrEqual(4);
      expect(capacity.length).toBeGreaterThanOrEqual(4);
      expect(memory.every((bytes, i) => i === 0 || bytes > memory[i - 1])).toBe(true);
      expect(capacity.every((c, i) => i === 0 || c > capacity[i - 1])).toBe(true);
      expect(addedBeforeFirstGrowth).toBeGreaterThanOrEqual(0);

      if (index instanceof HnswIndex) expect(index.checkIntegrity()).toBeNull();
      const found = index.searchBatch(data.base, 1, { ef: 64 });
      const missed: number[] = [];
      for (let i = 0; i < n; i++) if (found.ids[i] !== idOf(i) || found.distances[i] !== 0) missed.push(i);
      if (name === 'FlatIndex') {
        expect(missed).toEqual([]);
      } else {
        // Approximate, but the rows from before the first growth must all be there.
        expect(missed.length).toBeLessThanOrEqual(n / 100);
        expect(missed.filter((i) => i <= addedBeforeFirstGrowth)).toEqual([]);
      }
      expect(Array.from({ length: n }, (_, i) => index.has(idOf(i))).every(Boolean)).toBe(true);
      expect(index.has(idOf(n))).toBe(false);
    } finally {
      index.dispose();
    }
  }, 120_000);

  test('addBatch reports monotone (done, total), ending at (n, n)', async () => {
    const dim = 5;
    for (const n of [1, 1024, 2500]) {
      const data = seededVectors({ n, dim, seed: n });
      const index = await Index.create({ dim, simd });
      try {
        const calls: Array<[number, number]> = [];
        index.addBatch(data.base, undefined, { onProgress: (done, total) => calls.push([done, total]) });
        expect(calls.at(-1)).toEqual([n, n]);
        expect(calls.every(([done, total], i) => total === n && done > (i === 0 ? 0 : calls[i - 1][0]))).toBe(true);
        expect(calls.length).toBe(Math.ceil(n / 1024));
        expect(index.size).toBe(n);
      } finally {
        index.dispose();
      }
    }
  });

  test('progress is reported for arrays of vectors too, and each call sees the rows added so far', async () => {
    const dim = 3;
    const rows = Array.from({ length: 2100 }, (_, i) => [i, i % 10, 1]);
    const index = await Index.create({ dim, simd });
    try {
      const sizes: number[] = [];
      index.addBatch(rows, undefined, { onProgress: (done) => sizes.push(done, index.size) });
      expect(sizes).toEqual([1024, 1024, 2048, 2048, 2100, 2100]);
    } finally {
      index.dispose();
    }
  });

  test('a wider search than ever before grows the scratch once and moves the data intact', async () => {
    const dim = 10;
    const n = 2000;
    const data = seededVectors({ n, dim, seed: 19 });
    const index = await Index.create({ dim, capacity: n, simd });
    try {
      index.addBatch(data.base);
      const before = index.memoryBytes;
      const wide = index.search(row(data.base, dim, 0), 10, { ef: 20_000 }); // FlatIndex: k decides
      const wider = index.search(row(data.base, dim, 1), 20_000);
      expect(index.memoryBytes).toBeGreaterThan(before);
      expect([wide.ids[0], wide.distances[0], wider.ids.length, wider.ids[0]]).toEqual([0, 0, n, 1]);
      const found = index.searchBatch(data.base, 1, { ef: 64 }); // on threads: their working memory too
      const grown = index.memoryBytes;
      expect(Array.from(found.ids).filter((id, i) => id !== i).length).toBeLessThanOrEqual(n / 100);
      index.search(row(data.base, dim, 2), 20_000, { ef: 20_000 });
      expect(index.memoryBytes).toBe(grown);
      if (index instanceof HnswIndex) expect(index.checkIntegrity()).toBeNull();
    } finally {
      index.dispose();
    }
  });

  test('no allocation per query: 10,000 searches after warm-up leave memoryBytes unchanged', async () => {
    const dim = 32;
    const data = seededVectors({ n: 2000, queries: 100, dim, seed: 8 });
    const index = await Index.create({ dim, simd });
    try {
      index.addBatch(data.base);
      index.search(row(data.queries, dim, 0), 10, { ef: 64 }); // warm-up: sizes the scratch for ef 64
      index.searchBatch(data.queries, 10, { ef: 64 });
      const before = index.memoryBytes;
      for (let i = 0; i < 10_000; i++) index.search(row(data.queries, dim, i % 100), 10, { ef: 64 });
      for (let i = 0; i < 10; i++) index.searchBatch(data.queries, 10, { ef: 32 });
      expect(index.memoryBytes).toBe(before);
    } finally {
      index.dispose();
    }
  }, 120_000);
});

// Bug: assembly/layout.ts tableSizeFor() (line ~102) doubles a u32 until
// size * 3 >= slots * 4; for more than 1,610,612,736 slots the size wraps to 0 and the
// loop never ends. create({ capacity }) accepts up to 2^32 - 1 (src/options.ts), so
// create({ dim: 4, capacity: 2 ** 31 }) hangs the thread for good (no WannError, no
// way to interrupt it from JS). Run in a child process so the hang cannot stall the suite.
test('a capacity beyond what 4 GiB can hold is refused with a WannError, not a hang', () => {
  const child = fileURLToPath(new URL('./helpers/create-child.ts', import.meta.url));
  const capacity = 2 ** 31;
  // A correct create() answers in well under a second; the watchdog only ends a hang.
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, 'FlatIndex', JSON.stringify({ dim: 4, capacity })], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL',
  });
  expect(run.error, 'the child was killed by the watchdog: create() hung').toBeUndefined();
  expect(JSON.parse(run.stdout)).toEqual({
    ok: false, name: 'WannError', code: expect.stringMatching(/^(OUT_OF_MEMORY|INVALID_OPTION)$/), message: expect.stringContaining(String(capacity)),
  });
}, 60_000);
