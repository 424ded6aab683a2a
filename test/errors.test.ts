// Bad input (src/vectors.ts, src/options.ts, src/errors.ts): every mistake gets a
// WannError with its code and a message naming what was expected and what was given,
// and the index still works afterwards with nothing half-added. Also the input forms
// that are accepted (number[], Float64Array, number[][]), and empty-index searches.

import { describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, MAX_ID, NO_ID, WannError, type HnswOptions } from '../src/index.ts';
import { BUILDS, simdOption } from './helpers/data.ts';
import { expectWannError, expectWannRejection, num } from './helpers/expect.ts';

const KINDS = [
  ['HnswIndex', HnswIndex],
  ['FlatIndex', FlatIndex],
] as const;
const CASES = KINDS.flatMap(([name, Index]) => BUILDS.map((build) => ({ name, Index, build })));

const DIM = 4;
/** The items every test starts with: id i at [i, i², 1, -i]. */
const START = Array.from({ length: 5 }, (_, i) => [i, i * i, 1, -i]);

type AnyIndex = HnswIndex | FlatIndex;

/** The index answers as before the rejected call: same size, same items, exact self-search. */
function expectStillWorks(index: AnyIndex, size = START.length): void {
  expect(index.size).toBe(size);
  START.forEach((vector, id) => {
    expect(index.has(id)).toBe(true);
    const { ids, distances } = index.search(vector, 1);
    expect([ids[0], distances[0]]).toEqual([id, 0]);
  });
  index.add([9, 9, 9, 9], 1000 + size); // and it still takes new items
  expect(index.search([9, 9, 9, 9], 1).ids[0]).toBe(1000 + size);
}

describe.each(CASES)('$name rejects bad input ($build build)', ({ name, Index, build }) => {
  async function fresh(): Promise<AnyIndex> {
    const index = await Index.create({ dim: DIM, simd: simdOption(build), threads: 1 });
    index.addBatch(START);
    return index;
  }

  test('wrong dimension: add, addBatch (rows and flat), search, searchBatch', async () => {
    const index = await fresh();
    expectWannError(() => index.add([1, 2, 3]), 'DIMENSION_MISMATCH', num(3), num(DIM), 'dim');
    expectWannError(() => index.add(new Float32Array(5)), 'DIMENSION_MISMATCH', num(5), num(DIM));
    expectWannError(() => index.add([]), 'DIMENSION_MISMATCH', num(0), num(DIM));
    expectWannError(() => index.addBatch([[1, 2, 3, 4], [1, 2, 3, 4, 5]]), 'DIMENSION_MISMATCH', num(5), num(DIM), '[1]');
    expectWannError(() => index.addBatch(new Float32Array(10)), 'DIMENSION_MISMATCH', num(10), num(DIM), 'multiple');
    expectWannError(() => index.search([1, 2], 1), 'DIMENSION_MISMATCH', num(2), num(DIM));
    expectWannError(() => index.search(new Float64Array(8), 1), 'DIMENSION_MISMATCH', num(8), num(DIM));
    expectWannError(() => index.searchBatch([[1, 2, 3, 4], [1, 2, 3]], 1), 'DIMENSION_MISMATCH', num(3), num(DIM), '[1]');
    expectWannError(() => index.searchBatch(new Float32Array(7), 1), 'DIMENSION_MISMATCH', num(7), num(DIM));
    expectStillWorks(index);
  });

  test('NaN and ±Infinity: add, addBatch, search, searchBatch', async () => {
    const index = await fresh();
    expectWannError(() => index.add([1, NaN, 3, 4]), 'NOT_FINITE', 'NaN', '[1]', 'finite');
    expectWannError(() => index.add(Float32Array.of(1, 2, Infinity, 4)), 'NOT_FINITE', 'Infinity', '[2]');
    expectWannError(() => index.add(Float64Array.of(-Infinity, 2, 3, 4)), 'NOT_FINITE', '-Infinity', '[0]');
    expectWannError(() => index.addBatch([[1, 2, 3, 4], [5, 6, 7, NaN]]), 'NOT_FINITE', 'NaN', '[1]');
    expectWannError(() => index.addBatch(Float32Array.of(1, 2, 3, 4, 5, 6, Infinity, 8)), 'NOT_FINITE', 'Infinity', 'row 1');
    expectWannError(() => index.search([NaN, 0, 0, 0], 3), 'NOT_FINITE', 'NaN');
    expectWannError(() => index.searchBatch([[0, 0, 0, 0], [0, Infinity, 0, 0]], 3), 'NOT_FINITE', 'Infinity');
    expectWannError(() => index.searchBatch(Float32Array.of(0, 0, 0, NaN), 3), 'NOT_FINITE', 'NaN');
    expectStillWorks(index);
  });

  test('vectors that are not vectors', async () => {
    const index = await fresh();
    expectWannError(() => index.add('abcd' as never), 'INVALID_ARGUMENT', '"abcd"');
    expectWannError(() => index.add(null as never), 'INVALID_ARGUMENT', 'null');
    expectWannError(() => index.add(new Int32Array(4) as never), 'INVALID_ARGUMENT', 'Int32Array');
    expectWannError(() => index.add(['1', '2', '3', '4'] as never), 'NOT_FINITE', '"1"');
    expectWannError(() => index.addBatch(new Float64Array(8) as never), 'INVALID_ARGUMENT', 'Float64Array');
    expectWannError(() => index.addBatch({ length: 1 } as never), 'INVALID_ARGUMENT');
    expectWannError(() => index.search(undefined as never, 1), 'INVALID_ARGUMENT', 'undefined');
    expectWannError(() => index.searchBatch(5 as never, 1), 'INVALID_ARGUMENT', '5');
    expectStillWorks(index);
  });

  test('k must be a positive integer: 0, -1, 1.5, NaN, Infinity, "3"', async () => {
    const index = await fresh();
    for (const k of [0, -1, 1.5, NaN, Infinity, '3']) {
      expectWannError(() => index.search([0, 0, 0, 0], k as number), 'INVALID_ARGUMENT', 'k', 'positive integer', num(String(k).replace('"', '')));
      expectWannError(() => index.searchBatch([[0, 0, 0, 0]], k as number), 'INVALID_ARGUMENT', 'k', 'positive integer');
    }
    expectStillWorks(index);
  });

  test('ids must be integers in 0 … MAX_ID: -1, 1.5, NaN, MAX_ID + 1, 2^32, "7"', async () => {
    const index = await fresh();
    for (const id of [-1, 1.5, NaN, MAX_ID + 1, 2 ** 32, '7']) {
      expectWannError(() => index.add([0, 0, 0, 1], id as number), 'INVALID_ID', num(MAX_ID), id === '7' ? '"7"' : num(id as number));
      expectWannError(() => index.addBatch([[0, 0, 0, 1]], [id as number]), 'INVALID_ID', 'ids[0]', num(MAX_ID));
      expectWannError(() => index.has(id as number), 'INVALID_ID');
    }
    expectStillWorks(index);
    index.add([7, 7, 7, 7], MAX_ID); // the largest id is fine
    expect(index.search([7, 7, 7, 7], 1).ids[0]).toBe(MAX_ID);
    expect(index.has(MAX_ID)).toBe(true);
  });

  test('duplicate ids: twice in one batch, colliding default ids; nothing is added (an explicit present id updates)', async () => {
    const index = await fresh();
    expectWannError(() => index.addBatch([[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 3]], [80, 81, 80]), 'DUPLICATE_ID', num(80), 'twice');
    expect(index.has(70) || index.has(80) || index.has(81)).toBe(false);
    index.add([0, 0, 0, 1], 6); // now the default ids of a 2-row batch (6, 7) collide
    expectWannError(() => index.addBatch([[0, 0, 0, 2], [0, 0, 0, 3]]), 'DUPLICATE_ID', num(6));
    expectWannError(() => index.add([0, 0, 0, 4]), 'DUPLICATE_ID', num(6)); // default id = size = 6
    expect(index.size).toBe(6);
  });

  test('a rejected batch adds nothing, whichever row or id is bad', async () => {
    const index = await fresh();
    const good = (n: number) => Array.from({ length: n }, (_, i) => [i + 0.5, 2, 3, 4]);
    expectWannError(() => index.addBatch([...good(3000), [1, 2, NaN, 4]]), 'NOT_FINITE');
    expectWannError(() => index.addBatch([...good(3000), [1, 2, 3]]), 'DIMENSION_MISMATCH');
    expectWannError(() => index.addBatch(good(3000), Array.from({ length: 3000 }, (_, i) => (i === 2999 ? 100 : 100 + i))), 'DUPLICATE_ID');
    expectWannError(() => index.addBatch(good(3000), Array.from({ length: 3000 }, (_, i) => (i === 2999 ? -5 : 100 + i))), 'INVALID_ID');
    expect(index.has(100)).toBe(false);
    expectStillWorks(index);
  });

  test('ids of the wrong length or type, and a progress callback that is not a function', async () => {
    const index = await fresh();
    expectWannError(() => index.addBatch([[0, 0, 0, 1], [0, 0, 0, 2], [0, 0, 0, 3]], [10, 11]), 'INVALID_ARGUMENT', num(2), num(3));
    expectWannError(() => index.addBatch([[0, 0, 0, 1]], [10, 11]), 'INVALID_ARGUMENT', num(2), num(1));
    expectWannError(() => index.addBatch([[0, 0, 0, 1]], 'ab' as never), 'INVALID_ARGUMENT', '"ab"');
    expectWannError(() => index.addBatch([[0, 0, 0, 1]], undefined, { onProgress: 5 as never }), 'INVALID_ARGUMENT', 'onProgress');
    expectStillWorks(index);
    index.addBatch([[0, 0, 0, 1]], Uint32Array.of(500)); // a Uint32Array of ids is fine
    expect(index.has(500)).toBe(true);
  });

  test('use after dispose: every method and accessor throws DISPOSED, dispose() twice is fine', async () => {
    const index = await fresh();
    index.dispose();
    expect(index.disposed).toBe(true);
    const calls: Array<[string, () => unknown]> = [
      ['add', () => index.add([0, 0, 0, 1])],
      ['addBatch', () => index.addBatch([[0, 0, 0, 1]])],
      ['search', () => index.search([0, 0, 0, 1], 1)],
      ['searchBatch', () => index.searchBatch([[0, 0, 0, 1]], 1)],
      ['has', () => index.has(1)],
      ['size', () => index.size],
      ['capacity', () => index.capacity],
      ['memoryBytes', () => index.memoryBytes],
      ['counters', () => index.counters],
      ['resetCounters', () => index.resetCounters()],
    ];
    if (index instanceof HnswIndex) {
      calls.push(['checkIntegrity', () => index.checkIntegrity()], ['maxLevel', () => index.maxLevel]);
    }
    const codes = calls.map(([method, call]) => {
      try {
        call();
        return [method, 'no error'];
      } catch (error) {
        return [method, (error as WannError).code];
      }
    });
    expect(codes).toEqual(calls.map(([method]) => [method, 'DISPOSED']));
    expectWannError(calls[0][1], 'DISPOSED', name, 'disposed');
    index.dispose();
    index[Symbol.dispose]();
    expect(index.disposed).toBe(true);
    // What was fixed at create() stays readable.
    expect([index.dim, index.metric, index.build]).toEqual([DIM, 'l2', build]);
  });

  test('from a callback (onProgress, a filter predicate or iterable, train progress) changes and searches throw BUSY; reads work', async () => {
    const index = await fresh();
    const calls: Array<[string, () => unknown]> = [
      ['add', () => index.add([0, 0, 0, 1], 77)],
      ['addBatch', () => index.addBatch([[0, 0, 0, 1]], [78])],
      ['remove', () => index.remove(0)],
      ['search', () => index.search([0, 0, 0, 1], 1, { filter: [1] })],
      ['searchBatch', () => index.searchBatch([[0, 0, 0, 1]], 1)],
      ['train', () => index.train([[0, 0, 0, 1]])],
      ['dispose', () => index.dispose()],
    ];
    const reads: Array<() => unknown> = [() => index.size, () => index.has(1), () => index.get(1)![1], () => index.serialize().length > 0];
    const seen: string[][] = [];
    const read: unknown[][] = [];
    /** Every change or search made from inside a callback must be refused; reads must answer. */
    const tryAll = () => read.push(reads.map((get) => get())) && seen.push(calls.map(([method, call]) => {
      try {
        call();
        return `${method}: no error`;
      } catch (error) {
        return `${method}: ${(error as WannError).code}`;
      }
    }));
    const refused = calls.map(([method]) => `${method}: BUSY`);
    index.addBatch([[5, 5, 5, 5], [6, 6, 6, 6]], [5, 6], { onProgress: tryAll });
    index.search([1, 1, 1, 1], 2, { filter: (id) => (tryAll(), id < 3) });
    index.search([1, 1, 1, 1], 2, { filter: (function* () { tryAll(); yield 2; })() });
    expect(seen.length).toBe(1 + 7 + 1); // one progress report, the predicate once per live item, the generator once
    expect(seen.every((codes) => JSON.stringify(codes) === JSON.stringify(refused))).toBe(true);
    // The batch's two rows are one chunk: its report comes after both, as do the searches.
    expect(read.every((values) => JSON.stringify(values) === JSON.stringify([7, true, 1, true]))).toBe(true);
    expectWannError(() => index.addBatch([[7, 7, 7, 7]], [7], { onProgress: () => index.add([1, 1, 1, 1], 70) }), 'BUSY', 'callback', 'after it returns');
    expect([index.size, index.has(77), index.has(70), index.disposed]).toEqual([8, false, false, false]);
    const quantized = await Index.create({ dim: DIM, storage: 'i8', simd: simdOption(build), threads: 1 });
    expectWannError(() => quantized.train(START, { onProgress: () => quantized.add([1, 1, 1, 1]) }), 'BUSY');
    quantized.dispose();
    for (const id of [5, 6, 7]) index.remove(id);
    expectStillWorks(index);
  });

  test('[Symbol.dispose]() disposes', async () => {
    const index = await fresh();
    index[Symbol.dispose]();
    expect(index.disposed).toBe(true);
    expectWannError(() => index.search([0, 0, 0, 1], 1), 'DISPOSED');
  });

  test('an empty index answers searches with nothing, not an error', async () => {
    const index = await Index.create({ dim: DIM, simd: simdOption(build), threads: 1 });
    try {
      expect(index.search([1, 2, 3, 4], 10)).toEqual({ ids: new Uint32Array(0), distances: new Float32Array(0) });
      const batch = index.searchBatch(new Float32Array(3 * DIM), 2);
      expect(batch.k).toBe(2);
      expect(Array.from(batch.ids)).toEqual(new Array(6).fill(NO_ID));
      expect(Array.from(batch.distances)).toEqual(new Array(6).fill(Infinity));
      expect(index.searchBatch([], 3)).toEqual({ ids: new Uint32Array(0), distances: new Float32Array(0), k: 3 });
      index.addBatch([]); // an empty batch is a no-op
      expect(index.size).toBe(0);
      expectWannError(() => index.search([1, 2, 3], 10), 'DIMENSION_MISMATCH'); // but still checked
    } finally {
      index.dispose();
    }
  });

  test('accepted input forms: number[], Float64Array, number[][], Float64Array[], flat Float32Array', async () => {
    const vectors = [[0.1, 0.2, 0.3, 0.4], [1 / 3, 2 / 3, 1, 4 / 3], [-1, 0, 1e-3, 7]];
    const flat = new Float32Array(vectors.flat());
    const forms: Array<(index: AnyIndex) => void> = [
      (index) => index.addBatch(flat),
      (index) => index.addBatch(vectors),
      (index) => index.addBatch(vectors.map((v) => Float64Array.from(v))),
      (index) => vectors.forEach((v) => index.add(v)),
      (index) => vectors.forEach((v) => index.add(Float64Array.from(v))),
    ];
    const query = [0.3, 0.1, 0.2, 1];
    const results = [];
    for (const addForm of forms) {
      const index = await Index.create({ dim: DIM, simd: simdOption(build), threads: 1 });
      try {
        addForm(index);
        results.push(index.search(query, 3), index.search(Float64Array.from(query), 3), index.search(Float32Array.from(query), 3));
        const batches = [index.searchBatch([query, query], 3), index.searchBatch([Float64Array.from(query)], 3), index.searchBatch(Float32Array.from(query), 3)];
        for (const batch of batches) results.push({ ids: batch.ids.subarray(0, 3), distances: batch.distances.subarray(0, 3) });
      } finally {
        index.dispose();
      }
    }
    // Every form stores the same f32 rows and asks the same f32 query.
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0].ids.length).toBe(3);
  });
});

describe('HnswIndex rejects a bad ef', () => {
  test('ef must be a positive integer, in search options and the ef property', async () => {
    const index = await HnswIndex.create({ dim: DIM });
    try {
      index.addBatch(START);
      for (const ef of [0, -5, 2.5, NaN, '8']) {
        expectWannError(() => index.search([0, 0, 0, 0], 1, { ef: ef as number }), 'INVALID_ARGUMENT', 'ef', 'positive integer');
        expectWannError(() => index.searchBatch([[0, 0, 0, 0]], 1, { ef: ef as number }), 'INVALID_ARGUMENT', 'ef');
        expectWannError(() => (index.ef = ef as number), 'INVALID_ARGUMENT', 'ef');
      }
      expect(index.ef).toBe(64);
      expectStillWorks(index);
    } finally {
      index.dispose();
    }
  });
});

describe('create() rejects bad options with INVALID_OPTION', () => {
  const BAD: Array<[string, Record<string, unknown>, ...Array<string | RegExp>]> = [
    ['dim 0', { dim: 0 }, 'dim', num(0), num(65536)],
    ['dim 1.5', { dim: 1.5 }, 'dim', num(1.5)],
    ['dim -3', { dim: -3 }, 'dim', num(-3)],
    ['dim 65537', { dim: 65537 }, 'dim', num(65537)],
    ['dim "4"', { dim: '4' }, 'dim', '"4"'],
    ['no dim', {}, 'dim', 'undefined'],
    ['M 1', { dim: 4, M: 1 }, 'M', num(1), num(2)],
    ['M 10001', { dim: 4, M: 10001 }, 'M', num(10001)],
    ['M 2.5', { dim: 4, M: 2.5 }, 'M', num(2.5)],
    ['efConstruction 0', { dim: 4, efConstruction: 0 }, 'efConstruction', num(0)],
    ['ef 0', { dim: 4, ef: 0 }, 'ef', num(0)],
    ['capacity 0', { dim: 4, capacity: 0 }, 'capacity', num(0)],
    ['capacity 2.5', { dim: 4, capacity: 2.5 }, 'capacity', num(2.5)],
    ['seed -1', { dim: 4, seed: -1 }, 'seed', num(-1)],
    ['seed 0.5', { dim: 4, seed: 0.5 }, 'seed', num(0.5)],
    ['metric "euclidean"', { dim: 4, metric: 'euclidean' }, 'metric', '"euclidean"', "'l2'"],
    ['metric "L2"', { dim: 4, metric: 'L2' }, 'metric', '"L2"'],
    ['simd "yes"', { dim: 4, simd: 'yes' }, 'simd', '"yes"', "'auto'"],
    ['simd 1', { dim: 4, simd: 1 }, 'simd', num(1)],
    ['unknown key', { dim: 4, effort: 3 }, '"effort"', 'known options'],
    ['misspelt key', { dim: 4, efconstruction: 3 }, '"efconstruction"', 'did you mean "efConstruction"'],
  ];

  test.each(BAD)('HnswIndex: %s', async (_, options, ...fragments) => {
    await expectWannRejection(HnswIndex.create(options as unknown as HnswOptions), 'INVALID_OPTION', ...fragments);
  });

  const FLAT_BAD = BAD.filter(([, options]) => !['M', 'efConstruction', 'ef', 'seed', 'efconstruction'].some((key) => key in options));
  test.each(FLAT_BAD)('FlatIndex: %s', async (_, options, ...fragments) => {
    await expectWannRejection(FlatIndex.create(options as unknown as HnswOptions), 'INVALID_OPTION', ...fragments);
  });

  test('FlatIndex refuses the HNSW-only options by name', async () => {
    for (const key of ['M', 'efConstruction', 'ef', 'seed']) {
      await expectWannRejection(FlatIndex.create({ dim: 4, [key]: 8 } as never), 'INVALID_OPTION', `"${key}"`);
    }
  });

  test('options that are not an object', async () => {
    for (const options of [null, undefined, 4, 'dim: 4']) {
      await expectWannRejection(HnswIndex.create(options as never), 'INVALID_OPTION', 'object');
      await expectWannRejection(FlatIndex.create(options as never), 'INVALID_OPTION', 'object');
    }
  });

  test('a rejected create() throws a WannError that is an Error', async () => {
    const error = await expectWannRejection(HnswIndex.create({ dim: 0 }), 'INVALID_OPTION');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(WannError);
    expect(String(error)).toMatch(/^WannError: dim/);
  });
});
