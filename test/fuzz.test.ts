// Fuzz (fast-check): random sequences of add / re-add / remove / search / filtered
// search / serialize + load run on an HnswIndex and a FlatIndex side by side against a
// brute-force oracle (a Map of id → vector), with checkIntegrity after every step; and
// 1,000 create / serialize / load / dispose cycles leave process memory flat.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex } from '../src/index.ts';
import { firstDifference } from './helpers/brute.ts';

const DIM = 5;
const IDS = 100; // ids 0 … 99: few enough that re-adds and removals collide often

type Op =
  | { op: 'add'; id: number; vector: number[] }
  | { op: 'remove'; id: number }
  | { op: 'search'; vector: number[]; k: number; allow?: number[] }
  | { op: 'reload' };

// Small integer coordinates: l2 and 1 - dot are exact in f32, so the oracle's order
// (distance, then id) is the index's order exactly, ties included.
const vector = fc.array(fc.integer({ min: -4, max: 4 }), { minLength: DIM, maxLength: DIM });
const id = fc.integer({ min: 0, max: IDS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), id, vector }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), id }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('search' as const), vector, k: fc.integer({ min: 1, max: 12 }), allow: fc.option(fc.array(id, { maxLength: 15 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reload' as const }) },
);

/** The k nearest allowed items as [distance, id], by distance then id. */
function oracle(items: Map<number, number[]>, metric: 'l2' | 'ip', query: number[], k: number, allow?: number[]): [number, number][] {
  const allowed = allow === undefined ? undefined : new Set(allow);
  const scored: [number, number][] = [];
  for (const [itemId, v] of items) {
    if (allowed && !allowed.has(itemId)) continue;
    scored.push([distanceTo(metric, v, query), itemId]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, k);
}

function distanceTo(metric: 'l2' | 'ip', v: number[], query: number[]): number {
  let d = 0;
  for (let j = 0; j < DIM; j++) d += metric === 'l2' ? (v[j] - query[j]) ** 2 : -v[j] * query[j];
  return metric === 'l2' ? d : 1 + d;
}

/**
 * `got` is an exact answer: the oracle's distances in the oracle's order, each id at
 * its true distance. Which of several items tied at the k-th distance is returned is
 * not specified; everything nearer must match exactly.
 */
function expectExact(got: { ids: Uint32Array; distances: Float32Array }, want: [number, number][], items: Map<number, number[]>, metric: 'l2' | 'ip', query: number[]): void {
  expect(Array.from(got.distances)).toEqual(want.map(([d]) => d));
  got.ids.forEach((gotId, i) => expect(distanceTo(metric, items.get(gotId)!, query)).toBe(want[i][0]));
  const last = want.length === 0 ? 0 : want[want.length - 1][0];
  expect(Array.from(got.ids).filter((_, i) => want[i][0] < last)).toEqual(want.filter(([d]) => d < last).map(([, i]) => i));
}

describe.each(['l2', 'ip'] as const)('fuzz: operation sequences against a brute-force oracle (%s)', (metric) => {
  test('FlatIndex matches the oracle exactly, HnswIndex stays sound and near it, both survive reloads', async () => {
    let sequences = 0, steps = 0, graphHits = 0, graphWanted = 0;
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 150, size: 'large' }), async (ops) => {
      sequences++;
      let hnsw = await HnswIndex.create({ dim: DIM, metric, M: 4, efConstruction: 16, capacity: 4, seed: 1 });
      let flat = await FlatIndex.create({ dim: DIM, metric, capacity: 4 });
      const items = new Map<number, number[]>();
      try {
        for (const step of ops) {
          steps++;
          if (step.op === 'add') {
            hnsw.add(step.vector, step.id);
            flat.add(step.vector, step.id);
            items.set(step.id, step.vector);
          } else if (step.op === 'remove') {
            expect(hnsw.remove(step.id)).toBe(items.has(step.id));
            expect(flat.remove(step.id)).toBe(items.delete(step.id));
          } else if (step.op === 'search') {
            const want = oracle(items, metric, step.vector, step.k, step.allow);
            const options = { ef: 64, filter: step.allow };
            expectExact(flat.search(step.vector, step.k, options), want, items, metric, step.vector);
            const got = hnsw.search(step.vector, step.k, options);
            expect(Array.from(got.ids).every((gotId) => items.has(gotId) && (!step.allow || step.allow.includes(gotId)))).toBe(true);
            // Recall by distance: ties at the k-th distance count as hits whichever id is returned.
            const bound = want.length === 0 ? -Infinity : want[want.length - 1][0];
            graphHits += Math.min(want.length, Array.from(got.distances).filter((d) => d <= bound).length);
            graphWanted += want.length;
          } else {
            const [hnswBytes, flatBytes] = [hnsw.serialize(), flat.serialize()];
            const [hnswAgain, flatAgain] = [await HnswIndex.load(hnswBytes), await FlatIndex.load(flatBytes)];
            hnsw.dispose();
            flat.dispose();
            [hnsw, flat] = [hnswAgain, flatAgain];
            expect(firstDifference(hnsw.serialize(), hnswBytes)).toBeNull();
          }
          expect(hnsw.checkIntegrity()).toBeNull();
          expect([hnsw.size, flat.size]).toEqual([items.size, items.size]);
          for (let i = 0; i < IDS; i++) expect(hnsw.has(i)).toBe(items.has(i));
        }
        for (const [itemId, v] of items) expect(Array.from(flat.get(itemId)!)).toEqual(v);
      } finally {
        hnsw.dispose();
        flat.dispose();
      }
    }), { numRuns: 200, seed: metric === 'l2' ? 11 : 12 });
    const recall = graphHits / Math.max(1, graphWanted);
    console.log(`fuzz ${metric}: ${sequences} sequences, ${steps} steps; HnswIndex recall against the oracle ${recall.toFixed(4)}`);
    expect(sequences).toBe(200);
    expect(recall).toBeGreaterThanOrEqual(0.97);
  }, 120_000);
});

test('no leak: 1,000 create / add / serialize / load / dispose cycles leave RSS flat', async () => {
  const vectors = Float32Array.from({ length: 200 * 16 }, (_, i) => Math.sin(i));
  const cycle = async () => {
    const index = await HnswIndex.create({ dim: 16, M: 8, efConstruction: 32 });
    index.addBatch(vectors);
    const again = await HnswIndex.load(index.serialize());
    index.dispose();
    again.search(vectors.subarray(0, 16), 5);
    again.dispose();
  };
  for (let i = 0; i < 200; i++) await cycle(); // warm up: compiled code, V8 heap sizes
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 1000; i++) await cycle();
  const grownMb = (process.memoryUsage().rss - before) / 2 ** 20;
  console.log(`RSS after 1,000 more cycles: ${grownMb >= 0 ? '+' : ''}${grownMb.toFixed(1)} MB`);
  // Each cycle makes two instances of about 0.5 MB: a leak would add 1 GB.
  expect(grownMb).toBeLessThan(100);
}, 120_000);
