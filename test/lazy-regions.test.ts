// What an index holds only once it needs it (assembly/regions.ts): while ids are the
// slots' own numbers (0, 1, 2, … as added) there are no labels and no id table; the
// removal flags and free stack come with the first removal, the filter bits with the
// first filtered search, a PQ index's group areas with the first batch search, and
// only graphs keep visited tags. Each step must change nothing a user sees: the same
// answers before and after, through saves, loads, reorders and hnswlib files.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, IvfIndex } from '../src/index.ts';
import { BUILDS, row, seededVectors, simdOption } from './helpers/data.ts';

const DIM = 16;
const N = 12_000;
const data = seededVectors({ n: N, queries: 20, dim: DIM, seed: 71 });
const sequential = Array.from({ length: N }, (_, i) => i);
const scattered = sequential.map((i) => (i * 2_654_435_761) % 4_294_967_291);

type AnyIndex = HnswIndex | FlatIndex | IvfIndex;

// One thread: a parallel build is not deterministic, and the first test compares two builds.
const KINDS = [
  { name: 'HnswIndex f32', make: (simd: boolean) => HnswIndex.create({ dim: DIM, simd, capacity: N, seed: 3, threads: 1 }) },
  { name: 'FlatIndex f32', make: (simd: boolean) => FlatIndex.create({ dim: DIM, simd, capacity: N, threads: 1 }) },
  { name: 'FlatIndex pq', make: (simd: boolean) => FlatIndex.create({ dim: DIM, simd, capacity: N, storage: 'pq', pq: { m: 4 }, threads: 1 }) },
  { name: 'IvfIndex', make: (simd: boolean) => IvfIndex.create({ dim: DIM, simd, capacity: N, nlist: 16, pq: { m: 4 }, threads: 1 }) },
] as const;

async function build(make: (simd: boolean) => Promise<AnyIndex>, simd: boolean, ids: number[]): Promise<AnyIndex> {
  const index = await make(simd);
  if (!index.trained) index.train(data.base.subarray(0, 4000 * DIM));
  index.addBatch(data.base, ids);
  return index;
}

/** Runs `check` on `index` saved and loaded again (one thread, the same build), then disposes the copy. */
async function reloaded(index: AnyIndex, simd: boolean, check: (copy: AnyIndex) => void): Promise<void> {
  const copy = await (index.constructor as typeof FlatIndex).load(index.serialize(), { simd, threads: 1 }) as AnyIndex;
  try {
    check(copy);
  } finally {
    copy.dispose();
  }
}

/** A search wide enough to find a row's own code: every list of an IvfIndex, ef 64 elsewhere. */
function wide(index: AnyIndex, filter?: (id: number) => boolean) {
  return (index instanceof IvfIndex ? { nprobe: 16, filter } : { ef: 64, filter }) as { ef: number };
}

/** Ids and distances of every query, ids mapped through `back` (an index's id → its row number). */
function answers(index: AnyIndex, back: (id: number) => number, filter?: (id: number) => boolean) {
  const out: [number, number][][] = [];
  for (let q = 0; q < 20; q++) {
    const found = index.search(row(data.queries, DIM, q), 10, wide(index, filter));
    out.push(Array.from(found.ids, (id, i) => [back(id), found.distances[i]]));
  }
  return out;
}

const CASES = KINDS.flatMap((kind) => BUILDS.map((b) => ({ ...kind, build: b })));

describe.each(CASES)('$name ($build build)', { timeout: 60_000 }, ({ make, build: b }) => {
  const simd = simdOption(b);
  const rowOfScattered = new Map(scattered.map((id, i) => [id, i]));

  test('ids 0, 1, 2, … take no labels or id table, and answer as scattered ids do', async () => {
    const plain = await build(make, simd, sequential);
    const mapped = await build(make, simd, scattered);
    try {
      // labels (4 B) and the id table (at least 5.3 B) per item; a 64 KiB page of slack either way
      expect(mapped.memoryBytes - plain.memoryBytes).toBeGreaterThanOrEqual(9 * N - 65_536);
      expect(answers(plain, (id) => id)).toEqual(answers(mapped, (id) => rowOfScattered.get(id)!));
      expect(plain.has(N - 1) && !plain.has(N) && plain.has(0)).toBe(true);
      const saved = mapped.serialize().length - plain.serialize().length; // the file leaves the labels out too
      expect(saved).toBeGreaterThanOrEqual(4 * N);
      expect(saved).toBeLessThan(4 * N + 64);
      await reloaded(plain, simd, (loaded) => {
        expect(loaded.memoryBytes).toBeLessThanOrEqual(plain.memoryBytes);
        expect(answers(loaded, (id) => id)).toEqual(answers(plain, (id) => id));
      });
    } finally {
      plain.dispose();
      mapped.dispose();
    }
  });

  test('the first id that is not its slot writes the labels, mid-batch, and nothing is lost', async () => {
    const index = await make(simd);
    try {
      if (!index.trained) index.train(data.base.subarray(0, 4000 * DIM));
      index.addBatch(data.base.subarray(0, 1000 * DIM), sequential.slice(0, 1000));
      const before = index.memoryBytes;
      // rows 1000 … 1999: the first 500 keep the numbering, then ids jump
      const ids = sequential.slice(1000, 2000).map((i) => (i < 1500 ? i : i + 1_000_000));
      index.addBatch(data.base.subarray(1000 * DIM, 2000 * DIM), ids);
      expect(index.memoryBytes).toBeGreaterThan(before);
      const all = [...sequential.slice(0, 1000), ...ids];
      expect(all.every((id) => index.has(id))).toBe(true);
      expect(index.has(1500)).toBe(false);
      const exact = index instanceof HnswIndex || index.storage === 'f32';
      for (const i of [0, 999, 1000, 1499, 1500, 1999]) {
        const stored = index.get(all[i]);
        expect(stored).not.toBeNull();
        if (exact) expect(Array.from(stored!)).toEqual(Array.from(row(data.base, DIM, i)));
      }
      const found = index.searchBatch(data.base.subarray(0, 2000 * DIM), 1, wide(index));
      let self = 0;
      for (let i = 0; i < 2000; i++) if (found.ids[i] === all[i]) self++;
      expect(self).toBeGreaterThan(exact ? 1990 : 1000); // pq codes collide
      await reloaded(index, simd, (loaded) => expect(all.every((id) => loaded.has(id))).toBe(true));
    } finally {
      index.dispose();
    }
  });

  test('removals: the first grows memory once; a freed slot reused under another id keeps every id right', async () => {
    const index = await build(make, simd, sequential);
    try {
      const before = index.memoryBytes;
      expect(index.remove(5)).toBe(true);
      const afterFirst = index.memoryBytes;
      expect(afterFirst).toBeGreaterThan(before);
      expect(index.remove(6)).toBe(true);
      expect(index.remove(6)).toBe(false);
      expect(index.memoryBytes).toBe(afterFirst);
      expect(index.has(5) || index.has(6)).toBe(false);
      const hits = answers(index, (id) => id).flat().map(([id]) => id);
      expect(hits.includes(5) || hits.includes(6)).toBe(false);
      // slot 6 is reused first (last freed): under id 6 again, then slot 5 under a new id
      index.add(row(data.base, DIM, 6), 6);
      index.add(row(data.base, DIM, 5), 777_777);
      expect(index.has(6) && index.has(777_777) && !index.has(5)).toBe(true);
      expect(index.size).toBe(N);
      if (index instanceof HnswIndex) expect(index.checkIntegrity()).toBeNull();
      const nearest = index.search(row(data.base, DIM, 5), 1, wide(index));
      if (!(index instanceof IvfIndex || index.storage === 'pq')) expect(nearest.ids[0]).toBe(777_777);
      await reloaded(index, simd, (loaded) => {
        expect(loaded.has(777_777) && loaded.has(6) && !loaded.has(5)).toBe(true);
        expect(answers(loaded, (id) => id)).toEqual(answers(index, (id) => id));
      });
    } finally {
      index.dispose();
    }
  });

  test('the first filtered search makes the filter bits; the predicate sees the ids', async () => {
    const index = await build(make, simd, sequential);
    try {
      const before = index.memoryBytes;
      const seen = new Set<number>();
      const even = (id: number) => {
        seen.add(id);
        return id % 2 === 0;
      };
      const filtered = answers(index, (id) => id, even);
      expect(filtered.flat().every(([id]) => id % 2 === 0)).toBe(true);
      expect(seen.size).toBe(N);
      expect(Math.min(...seen)).toBe(0);
      expect(Math.max(...seen)).toBe(N - 1);
      expect(index.memoryBytes).toBeGreaterThanOrEqual(before);
      const grown = index.memoryBytes;
      answers(index, (id) => id, even);
      expect(index.memoryBytes).toBe(grown);
    } finally {
      index.dispose();
    }
  });
});

describe.each(BUILDS)('graph and batch working memory (%s build)', { timeout: 60_000 }, (b) => {
  const simd = simdOption(b);

  test('optimize() renumbers slots: ids 0, 1, 2, … stay the items they were', async () => {
    const index = (await build(KINDS[0].make, simd, sequential)) as HnswIndex;
    try {
      const before = answers(index, (id) => id);
      index.optimize();
      expect(index.checkIntegrity()).toBeNull();
      expect(answers(index, (id) => id)).toEqual(before);
      for (const i of [0, 17, N - 1]) expect(Array.from(index.get(i)!)).toEqual(Array.from(row(data.base, DIM, i)));
    } finally {
      index.dispose();
    }
  });

  test('knnGraph() and hnswlib files give the ids, with slot-numbered ids and a removal', async () => {
    const index = (await build(KINDS[0].make, simd, sequential)) as HnswIndex;
    try {
      index.remove(3);
      const graph = await index.knnGraph(2);
      expect(graph.ids.length).toBe(N - 1);
      expect(Array.from(graph.ids.subarray(0, 4))).toEqual([0, 1, 2, 4]);
      const copy = await HnswIndex.fromHnswlib(index.toHnswlib(), { metric: 'l2', simd });
      try {
        expect(copy.size).toBe(N - 1);
        expect(copy.has(3)).toBe(false);
        expect(answers(copy, (id) => id)).toEqual(answers(index, (id) => id));
      } finally {
        copy.dispose();
      }
    } finally {
      index.dispose();
    }
  });

  test('a flat PQ index makes its group areas at the first batch search, not before', async () => {
    // m 16: a group's eight lookup tables (128 KiB) outgrow any page of slack
    const index = await build((s) => FlatIndex.create({ dim: DIM, simd: s, capacity: N, storage: 'pq', pq: { m: 16 }, threads: 1 }), simd, sequential);
    try {
      const built = index.memoryBytes;
      const one = answers(index, (id) => id);
      expect(index.memoryBytes).toBe(built);
      const batch = index.searchBatch(data.queries, 10);
      expect(index.memoryBytes).toBeGreaterThan(built);
      expect(one.map((r) => r.map(([id]) => id))).toEqual(Array.from({ length: 20 }, (_, q) => Array.from(batch.ids.subarray(q * 10, q * 10 + 10))));
    } finally {
      index.dispose();
    }
  });
});
