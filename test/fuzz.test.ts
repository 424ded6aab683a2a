// Fuzz (fast-check): random sequences of add / append / re-add / remove / search / filtered
// search / serialize + load run on an HnswIndex and a FlatIndex side by side against a
// brute-force oracle (a Map of id → vector), for every storage kind (and an IvfIndex for 'pq'), with checkIntegrity
// and get() of every id after every step; the same with calls made from inside callbacks
// (addBatch's onProgress, filter predicates and iterables): changes and searches refused
// with BUSY, reads answered, nothing changed; and 1,000 create / serialize / load /
// dispose cycles leave process memory flat.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, IvfIndex, type PqOptions, type StorageName } from '../src/index.ts';
import { firstDifference } from './helpers/brute.ts';
import { expectWannError } from './helpers/expect.ts';

const DIM = 5;
const IDS = 100; // ids 0 … 99: few enough that re-adds and removals collide often

type Metric = 'l2' | 'ip';

type Op =
  | { op: 'add'; id: number; vector: number[] }
  /** add() under id = the number of items: ids 0, 1, 2, … as a fresh index numbers its slots (no labels kept until that breaks). */
  | { op: 'append'; vector: number[] }
  | { op: 'remove'; id: number }
  | { op: 'search'; vector: number[]; k: number; allow?: number[] }
  | { op: 'reload' }
  /** HnswIndex.optimize(): every search before it answers the same after it. */
  | { op: 'optimize'; vector: number[] }
  /** addBatch() whose onProgress makes `calls` on the index. */
  | { op: 'addBatch'; rows: { id: number; vector: number[] }[]; calls: Reentry[] }
  /** A filtered search whose predicate or iterable makes `calls` on the index (once). */
  | { op: 'callbackSearch'; vector: number[]; k: number; allow: number[]; via: 'predicate' | 'iterable'; calls: Reentry[] };

/** A call made on an index from inside one of its callbacks. */
type Reentry =
  | { call: 'add' | 'addBatch' | 'remove' | 'has' | 'get'; id: number; vector: number[] }
  | { call: 'train' | 'searchBatch' | 'dispose' | 'size' | 'serialize'; vector: number[] }
  | { call: 'search'; vector: number[]; id: number; filtered: boolean };

// Small integer coordinates: l2 and 1 - dot are exact in f32, so the oracle's order
// (distance, then id) is the index's order exactly, ties included.
const vector = fc.array(fc.integer({ min: -4, max: 4 }), { minLength: DIM, maxLength: DIM });
const id = fc.integer({ min: 0, max: IDS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), id, vector }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('append' as const), vector }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), id }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('search' as const), vector, k: fc.integer({ min: 1, max: 12 }), allow: fc.option(fc.array(id, { maxLength: 15 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reload' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('optimize' as const), vector }) },
);

const reentry: fc.Arbitrary<Reentry> = fc.oneof(
  fc.record({ call: fc.constantFrom('add', 'addBatch', 'remove', 'has', 'get') as fc.Arbitrary<'add'>, id, vector }),
  fc.record({ call: fc.constantFrom('train', 'searchBatch', 'dispose', 'size', 'serialize') as fc.Arbitrary<'train'>, vector }),
  fc.record({ call: fc.constant('search' as const), vector, id, filtered: fc.boolean() }),
);
const calls = fc.array(reentry, { minLength: 1, maxLength: 4 });
/** The operations above, and the same with callbacks that call back into the index. */
const opWithCallbacks: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: op },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addBatch' as const), rows: fc.uniqueArray(fc.record({ id, vector }), { selector: (r) => r.id, maxLength: 6 }), calls }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('callbackSearch' as const), vector, k: fc.integer({ min: 1, max: 12 }), allow: fc.array(id, { maxLength: 15 }),
      via: fc.constantFrom('predicate', 'iterable') as fc.Arbitrary<'predicate' | 'iterable'>, calls,
    }),
  },
);

/** The k nearest allowed items as [distance, id], by distance then id. */
function oracle(items: Map<number, number[]>, metric: Metric, query: number[], k: number, allow?: number[]): [number, number][] {
  const allowed = allow === undefined ? undefined : new Set(allow);
  const scored: [number, number][] = [];
  for (const [itemId, v] of items) {
    if (allowed && !allowed.has(itemId)) continue;
    scored.push([distanceTo(metric, v, query), itemId]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, k);
}

function distanceTo(metric: Metric, v: number[], query: number[]): number {
  let d = 0;
  for (let j = 0; j < DIM; j++) d += metric === 'l2' ? (v[j] - query[j]) ** 2 : -v[j] * query[j];
  return metric === 'l2' ? d : 1 + d;
}

/**
 * `got` is an exact answer: the oracle's distances in the oracle's order, each id at
 * its true distance. Which of several items tied at the k-th distance is returned is
 * not specified; everything nearer must match exactly.
 */
function expectExact(got: { ids: Uint32Array; distances: Float32Array }, want: [number, number][], items: Map<number, number[]>, metric: Metric, query: number[]): void {
  expect(Array.from(got.distances)).toEqual(want.map(([d]) => d));
  got.ids.forEach((gotId, i) => expect(distanceTo(metric, items.get(gotId)!, query)).toBe(want[i][0]));
  const last = want.length === 0 ? 0 : want[want.length - 1][0];
  expect(Array.from(got.ids).filter((_, i) => want[i][0] < last)).toEqual(want.filter(([d]) => d < last).map(([, i]) => i));
}

/** What one property counts, for its summary line. */
interface Tally {
  sequences: number;
  steps: number;
  /** Oracle results the HnswIndex found (by distance), of those wanted. */
  graphHits: number;
  graphWanted: number;
  /** Calls made from inside callbacks: refused with BUSY, or reads answered. */
  busy: number;
  reads: number;
}

/** How one storage kind is fuzzed. */
interface StorageCase {
  storage: StorageName;
  /** Sequences per metric. */
  runs: number;
  seeds: Record<Metric, number>;
  /**
   * Keep f32 rows beside the codes ('binary'): the FlatIndex then re-scores every item
   * (rerank IDS, set at create so reloads must keep it) and is exact; the HnswIndex
   * re-scores rerankPerK × k candidates per search.
   */
  keepVectors: boolean;
  rerankPerK: number;
  /** The least HnswIndex recall by distance over all of a property's searches. */
  minRecall: number;
  /** The shape of 'pq' codes. */
  pq?: PqOptions;
}

// f16 stores integers up to 2048 exactly, and i8 trained on TRAINING gets scale 1 and
// integer offsets (assembly/int8.ts), so on these coordinates both hold every row exactly
// and score exactly as f32 does: the same assertions hold. Binary codes hold 5 bits a
// row; with the rows kept, the FlatIndex re-scoring all items is exact, and the graph
// (built from the kept rows) loses only what the codes' first pass misses.
// The f32 runs are the original ones: same counts and seeds, so the same sequences. The
// other kinds take 100 each (about 2.5 s a property on 2 cores): the file runs in about
// 30 s. Each kind has its own seeds, so the kinds see different sequences.
const CASES: StorageCase[] = [
  { storage: 'f32', runs: 200, seeds: { l2: 11, ip: 12 }, keepVectors: false, rerankPerK: 0, minRecall: 0.97 },
  { storage: 'f16', runs: 100, seeds: { l2: 21, ip: 22 }, keepVectors: false, rerankPerK: 0, minRecall: 0.97 },
  { storage: 'i8', runs: 100, seeds: { l2: 31, ip: 32 }, keepVectors: false, rerankPerK: 0, minRecall: 0.97 },
  // Re-scoring 10 × k found every true neighbour: recall 1.0000 for l2 and ip at these
  // seeds and at four others. The codes alone do not: over the first 50 sequences,
  // re-scoring 1 × k gave 0.90, 2 × k 0.986, 4 × k 0.997 (l2; ip alike). The floor 0.995 fails when
  // the re-rank is lost or narrowed to 2 × k, and leaves room for other seeds.
  { storage: 'binary', runs: 100, seeds: { l2: 41, ip: 42 }, keepVectors: true, rerankPerK: 10, minRecall: 0.995 },
  // 4-bit codes of 3 subspaces (2 + 2 + 1 values: padding, and an odd m's half-empty byte);
  // the FlatIndex scans them 32 at a time, re-ranking every item; the graph re-ranks 10 × k.
  { storage: 'pq', runs: 60, seeds: { l2: 51, ip: 52 }, keepVectors: true, rerankPerK: 10, minRecall: 0.995, pq: { m: 3, bits: 4, iterations: 3 } },
];

/**
 * Training rows spanning the coordinates: i8 gets scale 1, binary the centre 0; 'pq'
 * (16 centroids a subspace) needs 16 rows or more, and gets 32 across the grid.
 */
const TRAINING = [
  Array<number>(DIM).fill(-4), Array<number>(DIM).fill(4),
  ...Array.from({ length: 30 }, (_, i) => Array.from({ length: DIM }, (_, j) => ((i * (j + 3) + j) % 9) - 4)),
];

/** What get() gives for `rowId`, as a plain array (undefined where absent). */
function storedRow(index: HnswIndex | FlatIndex | IvfIndex, rowId: number): number[] | undefined {
  const row = index.get(rowId);
  return row && Array.from(row);
}

/** What get() gives for ids 0 … IDS - 1. */
function storedRows(index: HnswIndex | FlatIndex | IvfIndex): (number[] | undefined)[] {
  return Array.from({ length: IDS }, (_, i) => storedRow(index, i));
}

/** Runs one operation sequence on an HnswIndex and a FlatIndex of `kind`, checking each step against the oracle. */
async function runSequence(kind: StorageCase, metric: Metric, ops: Op[], tally: Tally): Promise<void> {
  tally.sequences++;
  const common = { dim: DIM, metric, capacity: 4, storage: kind.storage, keepVectors: kind.keepVectors, pq: kind.pq };
  let hnsw = await HnswIndex.create({ ...common, M: 4, efConstruction: 16, seed: 1 });
  let flat = await FlatIndex.create({ ...common, rerank: kind.keepVectors ? IDS : undefined });
  // 'pq' also runs an IvfIndex scanning every list and re-ranking every item: exact, as the FlatIndex.
  let ivf = kind.storage === 'pq' ? await IvfIndex.create({ ...common, nlist: 3, nprobe: 3, rerank: IDS }) : undefined;
  for (const index of [hnsw, flat, ivf]) if (index && !index.trained) index.train(TRAINING); // add() before training is NOT_TRAINED
  const items = new Map<number, number[]>();
  try {
    for (const step of ops) {
      tally.steps++;
      if (step.op === 'add' || step.op === 'append') {
        const id = step.op === 'add' ? step.id : items.size;
        hnsw.add(step.vector, id);
        flat.add(step.vector, id);
        ivf?.add(step.vector, id);
        items.set(id, step.vector);
      } else if (step.op === 'remove') {
        expect(hnsw.remove(step.id)).toBe(items.has(step.id));
        if (ivf) expect(ivf.remove(step.id)).toBe(items.has(step.id));
        expect(flat.remove(step.id)).toBe(items.delete(step.id));
      } else if (step.op === 'addBatch') {
        const after = new Map(items);
        for (const { id: rowId, vector: v } of step.rows) after.set(rowId, v);
        for (const index of [hnsw, flat]) {
          const inside = new Reads();
          const progress: number[][] = [];
          index.addBatch(step.rows.map((r) => r.vector), step.rows.map((r) => r.id), {
            onProgress: (done, total) => {
              progress.push([done, total]);
              reenter(index, step.calls, after, inside, tally); // the whole batch is in when the last chunk reports
            },
          });
          expect(progress).toEqual([[step.rows.length, step.rows.length]]);
          inside.expectSameBytes(index);
        }
        ivf?.addBatch(step.rows.map((r) => r.vector), step.rows.map((r) => r.id));
        for (const [rowId, v] of after) items.set(rowId, v);
      } else if (step.op === 'search' || step.op === 'callbackSearch') {
        const inside = new Reads();
        const filter = (index: HnswIndex | FlatIndex) => (step.op === 'search' ? step.allow : callbackFilter(index, step, items, inside, tally));
        const want = oracle(items, metric, step.vector, step.k, step.allow);
        expectExact(flat.search(step.vector, step.k, { ef: 64, filter: filter(flat) }), want, items, metric, step.vector);
        if (ivf && step.op === 'search') expectExact(ivf.search(step.vector, step.k, { filter: step.allow }), want, items, metric, step.vector);
        const rerank = kind.keepVectors ? kind.rerankPerK * step.k : undefined;
        const got = hnsw.search(step.vector, step.k, { ef: 64, filter: filter(hnsw), rerank });
        expectSound(got, items, metric, step.vector, step.allow);
        inside.expectSameBytes(hnsw, flat);
        // Recall by distance: ties at the k-th distance count as hits whichever id is returned.
        const bound = want.length === 0 ? -Infinity : want[want.length - 1][0];
        tally.graphHits += Math.min(want.length, Array.from(got.distances).filter((d) => d <= bound).length);
        tally.graphWanted += want.length;
      } else if (step.op === 'optimize') {
        const probe = (k: number) => hnsw.search(step.vector, k, { ef: 64 });
        const before = probe(IDS);
        hnsw.optimize();
        expect(probe(IDS)).toEqual(before);
      } else {
        const [hnswBytes, flatBytes] = [hnsw.serialize(), flat.serialize()];
        const [hnswAgain, flatAgain] = [await HnswIndex.load(hnswBytes), await FlatIndex.load(flatBytes)];
        hnsw.dispose();
        flat.dispose();
        [hnsw, flat] = [hnswAgain, flatAgain];
        expect(firstDifference(hnsw.serialize(), hnswBytes)).toBeNull();
        expect(firstDifference(flat.serialize(), flatBytes)).toBeNull();
        if (ivf) {
          const ivfBytes = ivf.serialize();
          ivf.dispose();
          ivf = await IvfIndex.load(ivfBytes);
          expect(firstDifference(ivf.serialize(), ivfBytes)).toBeNull();
        }
      }
      expect(hnsw.checkIntegrity()).toBeNull();
      expect([hnsw.size, flat.size]).toEqual([items.size, items.size]);
      const ids = Array.from({ length: IDS }, (_, i) => i);
      expect(ids.map((i) => hnsw.has(i))).toEqual(ids.map((i) => items.has(i)));
      // Every storage here holds these rows exactly (binary and pq in their kept f32 rows).
      const want = ids.map((i) => items.get(i));
      expect(storedRows(hnsw)).toEqual(want);
      expect(storedRows(flat)).toEqual(want);
      if (ivf) {
        expect(ivf.size).toBe(items.size);
        expect(storedRows(ivf)).toEqual(want);
      }
    }
  } finally {
    hnsw.dispose();
    flat.dispose();
    ivf?.dispose();
  }
}

/** What serialize() gave inside callbacks, to compare with the index once the outer call returned. */
class Reads {
  readonly bytes = new Map<HnswIndex | FlatIndex, Uint8Array[]>();

  add(index: HnswIndex | FlatIndex, bytes: Uint8Array): void {
    this.bytes.set(index, [...(this.bytes.get(index) ?? []), bytes]);
  }

  /** Reading inside the callback saw the index as it is after the call: nothing half-done. */
  expectSameBytes(...indexes: (HnswIndex | FlatIndex)[]): void {
    for (const index of indexes) {
      const now = this.bytes.has(index) ? index.serialize() : undefined;
      for (const bytes of this.bytes.get(index) ?? []) expect(firstDifference(bytes, now!)).toBeNull();
    }
  }
}

/**
 * Makes `calls` on `index` from inside one of its callbacks, where `items` is what it
 * holds: every change and search (and dispose) throws BUSY, reads answer as usual.
 */
function reenter(index: HnswIndex | FlatIndex, calls: Reentry[], items: Map<number, number[]>, inside: Reads, tally: Tally): void {
  for (const c of calls) {
    switch (c.call) {
      case 'add': expectWannError(() => index.add(c.vector, c.id), 'BUSY'); break;
      case 'addBatch': expectWannError(() => index.addBatch([c.vector], [c.id], { onProgress: () => {} }), 'BUSY'); break;
      case 'remove': expectWannError(() => index.remove(c.id), 'BUSY'); break;
      case 'train': expectWannError(() => index.train(TRAINING), 'BUSY'); break;
      case 'search': expectWannError(() => index.search(c.vector, 3, c.filtered ? { filter: (i) => i === c.id } : {}), 'BUSY'); break;
      case 'searchBatch': expectWannError(() => index.searchBatch([c.vector], 3), 'BUSY'); break;
      case 'dispose': expectWannError(() => index.dispose(), 'BUSY'); expect(index.disposed).toBe(false); break;
      case 'size': expect(index.size).toBe(items.size); break;
      case 'has': expect(index.has(c.id)).toBe(items.has(c.id)); break;
      case 'get': expect(storedRow(index, c.id)).toEqual(items.get(c.id)); break;
      case 'serialize': inside.add(index, index.serialize()); break;
    }
    if (['size', 'has', 'get', 'serialize'].includes(c.call)) tally.reads++;
    else tally.busy++;
  }
}

/** The filter of a callbackSearch: allows `step.allow`, and makes its calls the first time it runs. */
function callbackFilter(index: HnswIndex | FlatIndex, step: Extract<Op, { op: 'callbackSearch' }>, items: Map<number, number[]>, inside: Reads, tally: Tally) {
  let entered = false;
  const enter = () => {
    if (!entered) reenter(index, step.calls, items, inside, tally);
    entered = true;
  };
  const allowed = new Set(step.allow);
  if (step.via === 'predicate') {
    return (candidate: number) => {
      enter();
      return allowed.has(candidate);
    };
  }
  return { *[Symbol.iterator]() {
    enter();
    yield* step.allow;
  } };
}

/** Every result is live, allowed, at its true distance, and nearest first. */
function expectSound(got: { ids: Uint32Array; distances: Float32Array }, items: Map<number, number[]>, metric: Metric, query: number[], allow?: number[]): void {
  const ids = Array.from(got.ids);
  expect(ids.every((gotId) => items.has(gotId) && (!allow || allow.includes(gotId)))).toBe(true);
  expect(Array.from(got.distances)).toEqual(ids.map((gotId) => distanceTo(metric, items.get(gotId)!, query)));
  expect(got.distances.every((d, i) => i === 0 || got.distances[i - 1] <= d)).toBe(true);
}

describe.each(CASES.flatMap((kind) => (['l2', 'ip'] as const).map((metric) => [kind.storage, metric, kind] as const)))(
  'fuzz: operation sequences against a brute-force oracle (%s, %s)', (storage, metric, kind) => {
    test('FlatIndex matches the oracle exactly, HnswIndex stays sound and near it, both survive reloads', async () => {
      const tally: Tally = { sequences: 0, steps: 0, graphHits: 0, graphWanted: 0, busy: 0, reads: 0 };
      await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 150, size: 'large' }), (ops) => runSequence(kind, metric, ops, tally)),
        { numRuns: kind.runs, seed: kind.seeds[metric] });
      const recall = tally.graphHits / Math.max(1, tally.graphWanted);
      console.log(`fuzz ${storage} ${metric}: ${tally.sequences} sequences, ${tally.steps} steps; HnswIndex recall against the oracle ${recall.toFixed(4)}`);
      expect(tally.sequences).toBe(kind.runs);
      expect(recall).toBeGreaterThanOrEqual(kind.minRecall);
    }, 120_000);
  });

// Re-entrant calls: one property per storage kind (a metric each), 50 sequences, about
// 1.5 s each. The callbacks run on both indexes of a step, so each call is made twice.
describe.each(CASES.map((kind, i) => [kind.storage, i % 2 === 0 ? 'l2' : 'ip', kind] as const))(
  'fuzz: calls from inside callbacks (%s, %s)', (storage, metric, kind) => {
    test('changes and searches from onProgress, filter predicates and iterables are BUSY, reads answer, the outer call matches the oracle', async () => {
      const tally: Tally = { sequences: 0, steps: 0, graphHits: 0, graphWanted: 0, busy: 0, reads: 0 };
      await fc.assert(fc.asyncProperty(fc.array(opWithCallbacks, { minLength: 5, maxLength: 100, size: 'large' }), (ops) => runSequence(kind, metric, ops, tally)),
        { numRuns: 50, seed: kind.seeds[metric] + 100 });
      console.log(`fuzz re-entrant ${storage} ${metric}: ${tally.sequences} sequences, ${tally.steps} steps; calls from callbacks: ${tally.busy} refused with BUSY, ${tally.reads} reads answered`);
      expect(tally.busy).toBeGreaterThan(0);
      expect(tally.reads).toBeGreaterThan(0);
    }, 120_000);
  });

test('no leak: 1,000 create / add / serialize / load / dispose cycles leave RSS flat', async () => {
  const vectors = Float32Array.from({ length: 200 * 16 }, (_, i) => Math.sin(i));
  const cycle = async () => {
    // One thread: a threads index's shared memory is reclaimed at V8's next full GC only,
    // which a run of 1,000 small indexes may not trigger (RSS then sits ~150 MB higher;
    // flat once gc() runs: README "Threads").
    const index = await HnswIndex.create({ dim: 16, M: 8, efConstruction: 32, threads: 1 });
    index.addBatch(vectors);
    const again = await HnswIndex.load(index.serialize(), { threads: 1 });
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
