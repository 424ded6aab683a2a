// Files that lie (assembly/integrity.ts, assembly/resize.ts restoreLayout): a checksum is
// no trust boundary, since anyone can recompute it, so each lie below is resealed and
// must be refused with its own CORRUPT_GRAPH problem, or, for sizes, must not make
// load() reserve what the file does not hold. Each case was accepted before the fix.

import { describe, expect, test } from 'vitest';
import { Kind, Metric, Region, State, Storage } from '../src/abi.ts';
import { HnswIndex } from '../src/index.ts';
import { compileBuild, instantiate } from '../src/wasm.ts';
import { seededVectors } from './helpers/data.ts';
import { expectWannRejection } from './helpers/expect.ts';
import { regionOffset, reseal, stateAt } from './helpers/wann-file.ts';

const DIM = 7; // stride 8: every row carries one padding lane
const M = 6;
const data = seededVectors({ n: 300, dim: DIM, seed: 61 });

const FIRST_ID = 100_000;

async function fileOf(storage: 'f32' | 'f16' | 'i8' = 'f32', keepVectors = false): Promise<Uint8Array> {
  const index = await HnswIndex.create({ dim: DIM, M, efConstruction: 30, seed: 2, storage, keepVectors });
  // ids from 100,000: not the slot numbers, so the file keeps its LABELS region for the edits below
  index.addBatch(data.base, Uint32Array.from({ length: data.base.length / DIM }, (_, i) => FIRST_ID + i));
  index.remove(FIRST_ID + 11);
  const bytes = index.serialize();
  index.dispose();
  return bytes;
}

/** A resealed copy of `bytes` after `edit` on its DataView. */
function lie(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer));
  return reseal(copy);
}

describe('resealed files whose content lies are CORRUPT_GRAPH', () => {
  test('two upper-level lists sharing words', async () => {
    const bytes = await fileOf();
    const levels = regionOffset(bytes, Region.LEVELS), upperOff = regionOffset(bytes, Region.UPPER_OFF);
    const tall = Array.from({ length: 300 }, (_, slot) => slot).filter((slot) => bytes[levels + slot] > 0);
    expect(tall.length).toBeGreaterThan(2);
    const second = lie(bytes, (view) => view.setUint32(upperOff + 4 * tall[1], view.getUint32(upperOff + 4 * tall[0], true), true));
    await expectWannRejection(HnswIndex.load(second), 'CORRUPT_GRAPH', 'BAD_UPPER_OFFSET');
  });

  test('a link listed twice', async () => {
    const bytes = await fileOf();
    const links0 = regionOffset(bytes, Region.LINKS0);
    expect(new DataView(bytes.buffer).getUint32(links0, true)).toBeGreaterThan(1);
    const repeated = lie(bytes, (view) => view.setUint32(links0 + 8, view.getUint32(links0 + 4, true), true));
    await expectWannRejection(HnswIndex.load(repeated), 'CORRUPT_GRAPH', 'REPEATED_LINK');
  });

  test('NaN or Infinity in a row, a non-zero padding lane, a live label of NO_ID', async () => {
    const bytes = await fileOf();
    const codes = regionOffset(bytes, Region.CODES), labels = regionOffset(bytes, Region.LABELS);
    const rowAt = (slot: number) => codes + slot * 8 * 4;
    const cases: [string, (view: DataView) => void][] = [
      ['BAD_ROW', (view) => view.setFloat32(rowAt(3), NaN, true)],
      ['BAD_ROW', (view) => view.setFloat32(rowAt(4) + 12, -Infinity, true)],
      ['BAD_ROW', (view) => view.setFloat32(rowAt(5) + 7 * 4, 1, true)], // lane 7: padding
      ['BAD_LABEL', (view) => view.setUint32(labels + 4 * 6, 0xffffffff, true)],
    ];
    for (const [problem, edit] of cases) await expectWannRejection(HnswIndex.load(lie(bytes, edit)), 'CORRUPT_GRAPH', problem);
  });

  test('an Infinity half, non-zero int8 padding, a NaN kept row', async () => {
    const half = await fileOf('f16');
    await expectWannRejection(HnswIndex.load(lie(half, (view) => view.setUint16(regionOffset(half, Region.CODES) + 2, 0x7c00, true))), 'CORRUPT_GRAPH', 'BAD_ROW');
    const codes = await fileOf('i8', true);
    await expectWannRejection(HnswIndex.load(lie(codes, (view) => view.setUint8(regionOffset(codes, Region.CODES) + DIM, 1))), 'CORRUPT_GRAPH', 'BAD_ROW');
    await expectWannRejection(HnswIndex.load(lie(codes, (view) => view.setFloat32(regionOffset(codes, Region.RAW) + 8, NaN, true))), 'CORRUPT_GRAPH', 'BAD_ROW');
  });

  test('an hnswlib file with a repeated link', async () => {
    const index = await HnswIndex.create({ dim: DIM, M, efConstruction: 30 });
    index.addBatch(data.base);
    const bytes = index.toHnswlib();
    index.dispose();
    const view = new DataView(bytes.buffer);
    const recordBytes = view.getUint32(24, true);
    for (let slot = 0; slot < 300; slot++) {
      const record = 96 + slot * recordBytes;
      if (view.getUint16(record, true) < 2) continue;
      view.setUint32(record + 8, view.getUint32(record + 4, true), true);
      break;
    }
    await expectWannRejection(HnswIndex.fromHnswlib(bytes, { metric: 'l2' }), 'CORRUPT_GRAPH', 'REPEATED_LINK');
  });
});

describe('what a load reserves is bounded by what the file holds', () => {
  test('a capacity of 2^30 or an efConstruction of 2^31 - 1 in a small file reserves a few MB, and the index still grows', async () => {
    const bytes = await fileOf();
    expect(bytes.length).toBeLessThan(100_000);
    for (const [field, value] of [[State.CAPACITY, 2 ** 30], [State.EF_CONSTRUCTION, 2 ** 31 - 1]] as const) {
      const loaded = await HnswIndex.load(lie(bytes, (view) => view.setUint32(stateAt(field), value, true)));
      expect(loaded.memoryBytes).toBeLessThan(32 * 2 ** 20);
      loaded.addBatch(data.base.map((v) => v + 0.5), Uint32Array.from({ length: 300 }, (_, i) => 1000 + i));
      expect([loaded.size, loaded.checkIntegrity(), loaded.search(data.base.subarray(0, DIM), 1).ids[0]]).toEqual([599, null, FIRST_ID]);
      loaded.dispose();
    }
  });
});

test('a FlatIndex with removals: checking its integrity leaves its id table intact (it has visited tags of its own)', async () => {
  const x = await instantiate(await compileBuild('simd'));
  expect(x.init(Kind.FLAT, Metric.L2, Storage.F32, 4, 0, 0, 0, 0, 64, 0)).toBe(0);
  const input = (x.inputPtr() >>> 0) >>> 2;
  for (let id = 0; id < 40; id++) {
    new Float32Array(x.memory.buffer).set([id, 1, 2, 3], input);
    expect(x.add(id)).toBe(id);
  }
  for (const id of [3, 17, 29]) expect(x.remove(id)).toBe(1);
  expect(x.checkIntegrity()).toBe(0);
  const slots = Array.from({ length: 40 }, (_, id) => x.slotOf(id));
  expect(slots.filter((slot) => slot < 0).length).toBe(3);
  expect(slots.every((slot, id) => slot === ([3, 17, 29].includes(id) ? -1 : id))).toBe(true);
});
