// Every options argument (src/options.ts checkOptionNames, resolveLoadOptions,
// resolveHnswlibOptions): an object or omitted, never null; unknown names refused with a
// hint; each load option checked for its type. Set-up options (create, load, open,
// loadIndex, fromHnswlib) fail with INVALID_OPTION, a call's options (search,
// searchBatch, addBatch, train) with INVALID_ARGUMENT; the index is unchanged after.
// Also: null is not an id.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FlatIndex, HnswIndex, loadIndex, type HnswOptions } from '../src/index.ts';
import { expectWannError, expectWannRejection } from './helpers/expect.ts';

const DIM = 4;
const ROWS = Array.from({ length: 8 }, (_, i) => [i, 1, -i, 2]);
const NOT_OBJECTS = [null, 'ef', 5, true, [1]] as const;

async function filled(): Promise<HnswIndex> {
  const index = await HnswIndex.create({ dim: DIM });
  index.addBatch(ROWS);
  return index;
}

describe('the options of one call: INVALID_ARGUMENT', () => {
  test('search, searchBatch, addBatch and train refuse options that are not an object, null included', async () => {
    const index = await filled();
    for (const options of NOT_OBJECTS) {
      expectWannError(() => index.search(ROWS[0], 2, options as never), 'INVALID_ARGUMENT', 'search() options must be an object');
      expectWannError(() => index.searchBatch(ROWS, 2, options as never), 'INVALID_ARGUMENT', 'searchBatch() options must be an object');
      expectWannError(() => index.addBatch([[9, 9, 9, 9]], [99], options as never), 'INVALID_ARGUMENT', 'addBatch() options');
      expectWannError(() => index.train([[9, 9, 9, 9]], options as never), 'INVALID_ARGUMENT', 'train() options');
    }
    expect(index.size).toBe(ROWS.length);
    expect(index.has(99)).toBe(false);
    expect(index.search(ROWS[3], 1, undefined).ids[0]).toBe(3); // omitted is fine
    index.dispose();
  });

  test('unknown names are refused, with a hint for a near miss', async () => {
    const index = await filled();
    expectWannError(() => index.search(ROWS[0], 2, { efSearch: 10 } as never), 'INVALID_ARGUMENT', '"efSearch"', 'known options: ef, rerank, filter, exact');
    expectWannError(() => index.searchBatch(ROWS, 2, { EF: 10 } as never), 'INVALID_ARGUMENT', 'did you mean "ef"');
    expectWannError(() => index.addBatch([[9, 9, 9, 9]], [99], { on_progress: () => {} } as never), 'INVALID_ARGUMENT', 'did you mean "onProgress"');
    expect(index.has(99)).toBe(false);
    index.dispose();
  });
});

test('add(vector, null) is INVALID_ID: only an omitted id means the default', async () => {
  const index = await filled();
  expectWannError(() => index.add([9, 9, 9, 9], null as never), 'INVALID_ID', 'got null');
  expect(index.size).toBe(ROWS.length);
  index.add([9, 9, 9, 9], undefined);
  expect(index.search([9, 9, 9, 9], 1).ids[0]).toBe(ROWS.length);
  index.dispose();
});

test("create() hints at the API's name for kebab or snake case, and takes no inherited names as a metric", async () => {
  await expectWannRejection(HnswIndex.create({ dim: 4, ef_construction: 8 } as never), 'INVALID_OPTION', 'did you mean "efConstruction"');
  await expectWannRejection(HnswIndex.create({ dim: 4, 'ef-construction': 8 } as never), 'INVALID_OPTION', 'did you mean "efConstruction"');
  await expectWannRejection(HnswIndex.create({ dim: 4, metric: 'toString' } as never), 'INVALID_OPTION', 'metric', '"toString"');
  await expectWannRejection(FlatIndex.create({ dim: 4, storage: 'constructor' } as never), 'INVALID_OPTION', 'storage', '"constructor"');
});

describe('load(), open(), loadIndex() and fromHnswlib() check their options as create() does: INVALID_OPTION', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wann-options-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Every way of loading a wann file with `options`. */
  async function everyLoad(options: unknown): Promise<Array<[string, () => Promise<unknown>]>> {
    const hnsw = await filled(), flat = await FlatIndex.create({ dim: DIM });
    flat.addBatch(ROWS);
    const [hnswBytes, flatBytes] = [hnsw.serialize(), flat.serialize()];
    writeFileSync(join(dir, 'hnsw.wann'), hnswBytes);
    writeFileSync(join(dir, 'flat.wann'), flatBytes);
    hnsw.dispose();
    flat.dispose();
    return [
      ['HnswIndex.load', () => HnswIndex.load(hnswBytes, options as never)],
      ['FlatIndex.load', () => FlatIndex.load(flatBytes, options as never)],
      ['loadIndex', () => loadIndex(hnswBytes, options as never)],
      ['HnswIndex.open', () => HnswIndex.open(join(dir, 'hnsw.wann'), options as never)],
      ['FlatIndex.open', () => FlatIndex.open(join(dir, 'flat.wann'), options as never)],
    ];
  }

  const BAD: Array<[string, unknown, ...string[]]> = [
    ...NOT_OBJECTS.map((options): [string, unknown, string] => [`options ${JSON.stringify(options)}`, options, 'load() options must be an object']),
    ['an unknown name', { ef: 64 }, 'unknown load() option "ef"', 'known options: simd, threads, wasm, metric, dim'],
    ['a near miss', { Metric: 'l2' }, 'did you mean "metric"'],
    ['dim "4"', { dim: '4' }, 'dim must be an integer', '"4"'],
    ['dim 0', { dim: 0 }, 'dim must be an integer', 'got 0'],
    ['dim 4.5', { dim: 4.5 }, 'dim must be an integer', 'got 4.5'],
    ['metric "euclidean"', { metric: 'euclidean' }, "metric must be 'l2', 'ip' or 'cosine'", '"euclidean"'],
    ['metric "toString"', { metric: 'toString' }, 'metric must be', '"toString"'],
    ['simd "yes"', { simd: 'yes' }, "simd must be 'auto', true or false", '"yes"'],
  ];

  test.each(BAD)('%s', async (_, options, ...fragments) => {
    for (const [name, loading] of await everyLoad(options)) {
      const error = await expectWannRejection(loading(), 'INVALID_OPTION', ...fragments);
      expect(error.message, name).not.toMatch(/expected 4$/); // not "the file's dim is 4, expected 4"
    }
  });

  test('good options still load, and still insist on what they name', async () => {
    for (const [, loading] of await everyLoad({ dim: DIM, metric: 'l2', simd: false, wasm: undefined })) {
      const index = (await loading()) as HnswIndex | FlatIndex;
      expect([index.size, index.build]).toEqual([ROWS.length, 'scalar']);
      index.dispose();
    }
    for (const [, loading] of await everyLoad({ dim: DIM + 1 })) await expectWannRejection(loading(), 'DIMENSION_MISMATCH');
    for (const [, loading] of await everyLoad({ metric: 'cosine' })) await expectWannRejection(loading(), 'WRONG_METRIC');
  });

  test('fromHnswlib(): metric required, the same checks, and ef and seed as create() takes them', async () => {
    const index = await filled();
    const bytes = index.toHnswlib();
    index.dispose();
    const cases: Array<[unknown, ...string[]]> = [
      [null, 'fromHnswlib() options must be an object'],
      [{}, 'needs { metric'],
      [{ metric: 'l2', space: 'l2' }, 'unknown fromHnswlib() option "space"'],
      [{ metric: 'l2', Seed: 3 }, 'did you mean "seed"'],
      [{ metric: 'L2' }, 'metric must be', '"L2"'],
      [{ metric: 'l2', dim: '4' }, 'dim must be an integer'],
      [{ metric: 'l2', ef: '64' }, 'ef must be an integer', '"64"'],
      [{ metric: 'l2', ef: 0 }, 'ef must be an integer'],
      [{ metric: 'l2', seed: -1 }, 'seed must be an integer'],
      [{ metric: 'l2', simd: 1 }, 'simd must be'],
    ];
    for (const [options, ...fragments] of cases) {
      await expectWannRejection(HnswIndex.fromHnswlib(bytes, options as never), 'INVALID_OPTION', ...fragments);
    }
    const loaded = await HnswIndex.fromHnswlib(bytes, { metric: 'l2', dim: DIM, ef: 32, seed: 7, simd: 'auto' });
    expect([loaded.size, loaded.ef, loaded.seed]).toEqual([ROWS.length, 32, 7]);
    loaded.dispose();
  });
});

test('create() options that are not an object name the call', async () => {
  await expectWannRejection(HnswIndex.create(null as unknown as HnswOptions), 'INVALID_OPTION', 'create() options must be an object such as { dim: 128 }, got null');
});
