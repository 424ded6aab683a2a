// Persistence (src/format.ts, assembly/restore.ts, assembly/checksum.ts): serialize() and
// load() round trips answer exactly as the original and keep inserting deterministically;
// version 1 files still load; every kind of damaged file is rejected with its own
// WannError code; save()/open().

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { Header, Region, State } from '../src/abi.ts';
import { FlatIndex, HnswIndex, loadIndex, WannError, type StorageName } from '../src/index.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, row, seededVectors, simdOption } from './helpers/data.ts';
import { expectWannRejection } from './helpers/expect.ts';
import { reseal, regionOffset, regionTable, stateAt } from './helpers/wann-file.ts';
import { xxh64 } from './helpers/xxh64.ts';

const DIM = 13; // not a multiple of 4: rows carry padding
const data = seededVectors({ n: 900, queries: 50, dim: DIM, seed: 31 });
const more = seededVectors({ n: 300, dim: DIM, seed: 32 });

/** An HnswIndex of `data.base`; 'binary' keeps its f32 rows, as an HnswIndex must. */
async function built(simd: boolean, metric: 'l2' | 'ip' | 'cosine' = 'l2', storage: StorageName = 'f32'): Promise<HnswIndex> {
  const index = await HnswIndex.create({ dim: DIM, metric, M: 6, efConstruction: 40, seed: 3, simd, threads: 1, ef: 20, storage, keepVectors: storage === 'binary' });
  index.addBatch(data.base);
  return index;
}

describe.each(BUILDS)('serialize / load (%s build)', (build) => {
  const simd = simdOption(build);

  test.each(['l2', 'ip', 'cosine'] as const)('HnswIndex %s: same answers, same parameters, same bytes again', async (metric) => {
    const index = await built(simd, metric);
    for (const id of [5, 17, 400]) index.remove(id);
    const bytes = index.serialize();
    expect(bytes.length % 4).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('WANN');
    const loaded = await HnswIndex.load(bytes, { simd });
    expect([loaded.dim, loaded.metric, loaded.M, loaded.efConstruction, loaded.seed, loaded.ef, loaded.size, loaded.capacity, loaded.maxLevel])
      .toEqual([index.dim, index.metric, index.M, index.efConstruction, index.seed, index.ef, index.size, index.capacity, index.maxLevel]);
    expect(loaded.checkIntegrity()).toBeNull();
    for (const ef of [1, 20, 100]) {
      const a = index.searchBatch(data.queries, 10, { ef });
      const b = loaded.searchBatch(data.queries, 10, { ef });
      expect(firstDifference(a.ids, b.ids)).toBeNull();
      expect(firstDifference(a.distances, b.distances)).toBeNull();
    }
    expect(loaded.has(17)).toBe(false);
    expect(firstDifference(loaded.serialize(), bytes)).toBeNull();
    index.dispose();
    loaded.dispose();
  });

  test('a loaded index keeps inserting deterministically: same bytes as one never saved', async () => {
    const original = await built(simd);
    const loaded = await HnswIndex.load(original.serialize(), { simd, threads: 1 });
    for (const index of [original, loaded]) {
      index.addBatch(more.base, Uint32Array.from({ length: more.n }, (_, i) => 10_000 + i));
      index.remove(3);
      index.add(row(more.base, DIM, 0), 3);
    }
    expect(firstDifference(loaded.serialize(), original.serialize())).toBeNull();
    original.dispose();
    loaded.dispose();
  });

  test('FlatIndex and an empty index round-trip; loadIndex() dispatches on the kind', async () => {
    const flat = await FlatIndex.create({ dim: DIM, metric: 'cosine', simd });
    flat.addBatch(data.base);
    flat.remove(2);
    const again = await loadIndex(flat.serialize(), { simd });
    expect(again).toBeInstanceOf(FlatIndex);
    expect(firstDifference(again.searchBatch(data.queries, 5).ids, flat.searchBatch(data.queries, 5).ids)).toBeNull();
    const empty = await HnswIndex.create({ dim: 4, simd });
    const emptyAgain = await loadIndex(empty.serialize(), { simd });
    expect(emptyAgain).toBeInstanceOf(HnswIndex);
    expect(emptyAgain.size).toBe(0);
    emptyAgain.add([1, 2, 3, 4], 9);
    expect(emptyAgain.search([1, 2, 3, 4], 1).ids[0]).toBe(9);
    for (const index of [flat, again, empty, emptyAgain]) index.dispose();
  });
});

describe.each(BUILDS)('version 1 files still load (%s build)', (build) => {
  const simd = simdOption(build);
  // Written by wann at commit b292a93 (format version 1, f32 rows only) from this seeded data.
  const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
  const v1 = seededVectors({ n: 300, dim: DIM, seed: 41 });

  test('an HnswIndex (cosine, with removals) loads as the very index today\'s code builds', async () => {
    const loaded = await HnswIndex.load(fixture('v1-hnsw-cosine.wann'), { simd, threads: 1 });
    const fresh = await HnswIndex.create({ dim: DIM, metric: 'cosine', M: 6, efConstruction: 40, seed: 9, ef: 24, capacity: 310, simd, threads: 1 });
    fresh.addBatch(v1.base);
    for (const id of [3, 50, 299]) fresh.remove(id);
    expect([loaded.storage, loaded.size, loaded.ef, loaded.seed, loaded.checkIntegrity()]).toEqual(['f32', 297, 24, 9, null]);
    expect(firstDifference(loaded.serialize(), fresh.serialize())).toBeNull(); // same state, same regions
    loaded.add(row(v1.base, DIM, 3), 3); // and it goes on inserting as the fresh one does
    fresh.add(row(v1.base, DIM, 3), 3);
    expect(firstDifference(loaded.serialize(), fresh.serialize())).toBeNull();
    loaded.dispose();
    fresh.dispose();
  });

  test('a FlatIndex (ip, with a removal) loads through loadIndex()', async () => {
    const loaded = await loadIndex(fixture('v1-flat-ip.wann'), { simd });
    const fresh = await FlatIndex.create({ dim: DIM, metric: 'ip', capacity: 300, simd });
    fresh.addBatch(v1.base.subarray(0, 120 * DIM));
    fresh.remove(7);
    expect(loaded).toBeInstanceOf(FlatIndex);
    expect(firstDifference(loaded.serialize(), fresh.serialize())).toBeNull();
    loaded.dispose();
    fresh.dispose();
  });
});

describe('damaged or foreign files: one code each', () => {
  let bytes: Uint8Array;
  let flatBytes: Uint8Array;
  const compressedBytes = {} as Record<'i8' | 'binary', Uint8Array>;
  const setup = (async () => {
    const index = await built(true);
    // Labels that are not the slot numbers and a removal: the file keeps LABELS and DELETED for the edits below.
    index.remove(5);
    index.add(row(data.base, DIM, 5), 5000); // reuses slot 5
    index.remove(6);
    bytes = index.serialize();
    index.dispose();
    for (const storage of ['i8', 'binary'] as const) {
      const compressed = await built(true, 'l2', storage);
      compressedBytes[storage] = compressed.serialize();
      compressed.dispose();
    }
    const flat = await FlatIndex.create({ dim: DIM });
    flat.addBatch(data.base.subarray(0, 10 * DIM));
    flatBytes = flat.serialize();
    flat.dispose();
  })();

  test('truncated, bad magic, unsupported version, checksums, wrong kind, metric, dim', async () => {
    await setup;
    await expectWannRejection(HnswIndex.load(bytes.subarray(0, 2)), 'TRUNCATED');
    await expectWannRejection(HnswIndex.load(bytes.subarray(0, 100)), 'TRUNCATED');
    await expectWannRejection(HnswIndex.load(bytes.subarray(0, bytes.length - 1)), 'TRUNCATED', String(bytes.length));
    await expectWannRejection(HnswIndex.load(new Uint8Array(bytes.length)), 'BAD_MAGIC');
    const version = bytes.slice();
    version[4] = 5;
    await expectWannRejection(HnswIndex.load(version), 'UNSUPPORTED_VERSION', 'version 5');
    const header = bytes.slice();
    header[stateAt(State.COUNT)] ^= 1;
    await expectWannRejection(HnswIndex.load(header), 'CHECKSUM_MISMATCH', 'header');
    const body = bytes.slice();
    body[regionOffset(bytes, Region.CODES) + 7] ^= 0x10; // a vector's byte
    await expectWannRejection(HnswIndex.load(body), 'CHECKSUM_MISMATCH', 'file');
    await expectWannRejection(HnswIndex.load(flatBytes), 'WRONG_KIND', 'FlatIndex');
    await expectWannRejection(FlatIndex.load(bytes), 'WRONG_KIND', 'HnswIndex');
    await expectWannRejection(HnswIndex.load(bytes, { metric: 'ip' }), 'WRONG_METRIC', "'l2'");
    await expectWannRejection(HnswIndex.load(bytes, { dim: 12 }), 'DIMENSION_MISMATCH', '13');
    await expectWannRejection(HnswIndex.load([1, 2] as unknown as Uint8Array), 'INVALID_ARGUMENT');
  });

  test('impossible header fields (with valid checksums) are BAD_HEADER', async () => {
    await setup;
    const edits: [number, number][] = [
      [stateAt(State.KIND), 7], [stateAt(State.METRIC), 9], [stateAt(State.STORAGE), 9], [stateAt(State.DIM), 0],
      [stateAt(State.M), 1], [stateAt(State.KEEP_VECTORS), 1], [stateAt(State.TRAINED), 0], [stateAt(State.CAPACITY), 2 ** 31],
      [stateAt(State.DELETED_COUNT), 5000], [stateAt(State.MAX_LEVEL), 300], [stateAt(State.ARENA_USED), 2 ** 31],
      [stateAt(State.COUNT), 899], [Header.REGION_COUNT * 4, 3], [Header.WORDS * 4, Region.RAW],
    ];
    for (const [at, value] of edits) {
      const edited = bytes.slice();
      new DataView(edited.buffer).setUint32(at, value, true);
      await expectWannRejection(HnswIndex.load(reseal(edited)), 'BAD_HEADER');
    }
    const longer = new Uint8Array(bytes.length + 16);
    longer.set(bytes);
    await expectWannRejection(HnswIndex.load(longer), 'BAD_HEADER', 'trailing');
  });

  test('a link out of range, a bad entry point, duplicate ids, a bad free list are CORRUPT_GRAPH', async () => {
    await setup;
    const links0 = regionOffset(bytes, Region.LINKS0), labels = regionOffset(bytes, Region.LABELS);
    const cases: [string, (view: DataView) => void][] = [
      ['LINK_OUT_OF_RANGE', (view) => view.setUint32(links0 + 4, 900, true)],
      ['SELF_LINK', (view) => view.setUint32(links0 + 4, 0, true)],
      ['TOO_MANY_LINKS', (view) => view.setUint32(links0, 13, true)],
      ['BAD_ENTRY', (view) => view.setUint32(stateAt(State.ENTRY_SLOT), 899, true)],
      ['DUPLICATE_ID', (view) => view.setUint32(labels + 4, 0, true)],
      ['BAD_DELETED', (view) => view.setUint8(regionOffset(bytes, Region.DELETED), 2)],
    ];
    for (const [problem, edit] of cases) {
      const edited = bytes.slice();
      edit(new DataView(edited.buffer));
      await expectWannRejection(HnswIndex.load(reseal(edited)), 'CORRUPT_GRAPH', problem);
    }
  });

  test('property: random truncations and bit flips are all rejected with a WannError (fast-check)', async () => {
    await setup;
    await expectDamageRejected(bytes, 3000, 4);
  }, 120_000);

  test.each(['i8', 'binary'] as const)("property: the same over the file of an HnswIndex of storage '%s', quantizer and codes included (fast-check)", async (storage) => {
    await setup;
    await expectDamageRejected(compressedBytes[storage], 800, storage === 'i8' ? 5 : 6);
  }, 60_000);

  test('a quantizer that cannot be used (with valid checksums) is CORRUPT_GRAPH naming BAD_QUANTIZER', async () => {
    await setup;
    // QUANTIZER region: i8 starts with its scale (f32) and has offsets from byte 16
    // (assembly/int8.ts); binary has ‖c‖² at byte 4 and its centre from byte 16 (assembly/binary.ts).
    const edit = (storage: 'i8' | 'binary', at: number, value: number) => {
      const original = compressedBytes[storage];
      const edited = original.slice();
      new DataView(edited.buffer).setFloat32(regionOffset(original, Region.QUANTIZER) + at, value, true);
      return reseal(edited);
    };
    const bad: ['i8' | 'binary', number, number][] = [
      ['i8', 0, NaN], ['i8', 0, 0], ['i8', 0, Infinity], ['i8', 0, -1], ['i8', 16 + 4 * (DIM - 1), NaN],
      ['binary', 16, NaN], ['binary', 16, -Infinity], ['binary', 16 + 4 * (DIM - 1), NaN], ['binary', 4, Infinity],
    ];
    for (const [storage, at, value] of bad) {
      await expectWannRejection(HnswIndex.load(edit(storage, at, value)), 'CORRUPT_GRAPH', 'BAD_QUANTIZER');
    }
    // Usable values, resealed the same way, load: only the bad values were rejected.
    for (const [storage, at, value] of [['i8', 0, 2], ['binary', 16, 0.5]] as const) {
      const loaded = await HnswIndex.load(edit(storage, at, value));
      expect([loaded.storage, loaded.size]).toEqual([storage, data.n]);
      loaded.dispose();
    }
  });
});

/** Random truncations and 1–4 bit flips of `bytes`: every load rejects with a file-level WannError. */
async function expectDamageRejected(bytes: Uint8Array, numRuns: number, seed: number): Promise<void> {
  let runs = 0;
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.record({ cut: fc.integer({ min: 0, max: bytes.length - 1 }) }),
      fc.record({ flips: fc.array(fc.tuple(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }) }),
    ),
    async (damage) => {
      runs++;
      let damaged: Uint8Array;
      if ('cut' in damage) {
        damaged = bytes.subarray(0, damage.cut);
      } else {
        damaged = bytes.slice();
        for (const [at, bit] of damage.flips) damaged[at] ^= 1 << bit;
        if (firstDifference(damaged, bytes) === null) return; // two flips cancelled out
      }
      const error = await HnswIndex.load(damaged).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(WannError);
      expect(['TRUNCATED', 'BAD_MAGIC', 'UNSUPPORTED_VERSION', 'CHECKSUM_MISMATCH', 'BAD_HEADER']).toContain((error as WannError).code);
    },
  ), { numRuns, seed });
  expect(runs).toBe(numRuns);
}

describe('save() and open()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wann-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('save writes through a temporary file renamed into place; open reads it back', async () => {
    const index = await built(true);
    const path = join(dir, 'index.wann');
    await index.save(path);
    await index.save(path); // replaces the old file
    expect(readdirSync(dir)).toEqual(['index.wann']);
    const opened = await HnswIndex.open(path);
    expect(firstDifference(opened.searchBatch(data.queries, 10).ids, index.searchBatch(data.queries, 10).ids)).toBeNull();
    await expect(index.save(join(dir, 'missing', 'x.wann'))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['index.wann']);
    index.dispose();
    opened.dispose();
  });
});

describe('file checksum (XXH64, assembly/checksum.ts)', () => {
  test('the BigInt reference gives the published XXH64 test vectors', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(xxh64(text(''))).toBe(0xef46db3751d8e999n);
    expect(xxh64(text('a'))).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxh64(text('abc'))).toBe(0x44bc2cf5ad770999n);
  });

  test.each(BUILDS)('the trailer of a saved index is the XXH64 of everything before it (%s build)', async (build) => {
    const index = await HnswIndex.create({ dim: DIM, M: 6, efConstruction: 40, simd: simdOption(build), threads: 1 });
    try {
      index.addBatch(data.base.subarray(0, 100 * DIM));
      const bytes = index.serialize();
      const trailer = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(bytes.length - 8, true);
      expect(trailer).toBe(xxh64(bytes.subarray(0, bytes.length - 8)));
    } finally {
      index.dispose();
    }
  });
});

test('a file leaves out the labels when ids are the slot numbers, and the deleted flags when nothing was removed', async () => {
  const data = seededVectors({ n: 50, dim: DIM, seed: 3 });
  const plain = await FlatIndex.create({ dim: DIM });
  plain.addBatch(data.base); // ids 0 … 49, slot i holds id i
  const renamed = await FlatIndex.create({ dim: DIM });
  renamed.addBatch(data.base, Uint32Array.from({ length: 50 }, (_, i) => 1000 + i));
  const tags = (bytes: Uint8Array) => regionTable(bytes).map((entry) => entry.tag);
  const plainBytes = plain.serialize(), renamedBytes = renamed.serialize();
  expect(tags(plainBytes)).not.toContain(Region.LABELS);
  expect(tags(plainBytes)).not.toContain(Region.DELETED);
  expect(tags(renamedBytes)).toContain(Region.LABELS);
  expect(renamedBytes.length - plainBytes.length).toBeGreaterThanOrEqual(50 * 4);
  const again = await FlatIndex.load(plainBytes);
  expect(again.search(row(data.base, DIM, 7), 3)).toEqual(plain.search(row(data.base, DIM, 7), 3));
  expect(firstDifference(again.serialize(), plainBytes)).toBeNull();
  again.remove(3);
  const removed = again.serialize();
  expect(tags(removed)).toContain(Region.DELETED);
  expect((await FlatIndex.load(removed)).has(3)).toBe(false);
  for (const index of [plain, renamed, again]) index.dispose();
});
