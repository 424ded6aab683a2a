// Fuzz (fast-check): files that lie. Valid files of every kind (HnswIndex, FlatIndex and IvfIndex,
// l2 / ip / cosine, storage f32, f16, i8, binary and pq, with removals and a reused slot; and
// hnswlib files from toHnswlib()) are edited structurally: header and state words, region
// table entries, and fields of each region's records (links and link counts, upper-list
// offsets, labels, deleted flags, the free stack, row lanes and padding, quantizer
// parameters), with values taken from the file (another record's offset, a link repeated,
// a count ± 1, a big power of two, NaN). Wann files are re-sealed, so every edit reaches
// the structural checks. A rejected file must give a WannError with a load code; an
// accepted one must survive searches, adds, removes, a round trip and checkIntegrity()
// in bounded memory (helpers/accepted.ts). Issue 8, "Fuzzing that finds this class".
//
// Indexes are small (40 slots, dim 7, M 4): a loop in WASM cannot be interrupted, so a
// lie that made one endless would hang the run, and small indexes keep any loop short.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Header, Region, State } from '../src/abi.ts';
import { FlatIndex, HnswIndex, IvfIndex, type StorageName } from '../src/index.ts';
import { expectRejection, expectUsable, newTally, summary, type FileTally, type Workload } from './helpers/accepted.ts';
import { firstDifference } from './helpers/brute.ts';
import { row, seededVectors } from './helpers/data.ts';
import { hnswlibMutation, mutateHnswlib, mutateWann, wannMutation, type HnswlibMutation, type WannMutation } from './helpers/file-mutations.ts';
import { regionTable, relayout, reseal, word } from './helpers/wann-file.ts';

const DIM = 7; // stride 8: every f32 row has a padding lane
const N = 40;
const data = seededVectors({ n: N + 20, dim: DIM, seed: 71 });
/** 20 rows for adds and queries in the dim of the index (a file may say another dim and be right). */
const rowCache = new Map<number, Float32Array[]>();
const work: Omit<Workload, 'ids'> = {
  rows(dim) {
    if (!rowCache.has(dim)) {
      const { base } = seededVectors({ n: 20, dim, seed: 72 });
      rowCache.set(dim, Array.from({ length: 20 }, (_, i) => row(base, dim, i)));
    }
    return rowCache.get(dim)!;
  },
};

type Metric = 'l2' | 'ip' | 'cosine';
type Kind = 'hnsw' | 'flat' | 'ivf';

interface Base {
  name: string;
  kind: Kind;
  metric: Metric;
  bytes: Uint8Array;
}

/** An index of `n` rows, ids 0 … n - 1, with 3, 17 and 28 removed and 17 added again (its slot reused). */
async function build(kind: Kind, metric: Metric, storage: StorageName, keepVectors = false, n = N): Promise<HnswIndex | FlatIndex | IvfIndex> {
  // 'pq': 4-bit codes of 3 subspaces (3 + 3 + 1 values: padding and a half-empty byte), blocks of 32 in a FlatIndex.
  const pq = storage === 'pq' ? { m: 3, bits: 4 as const, iterations: 2 } : undefined;
  const common = { dim: DIM, metric, storage, keepVectors, capacity: n, simd: true, pq };
  const index = kind === 'hnsw' ? await HnswIndex.create({ ...common, M: 4, efConstruction: 16, seed: 5 })
    : kind === 'ivf' ? await IvfIndex.create({ ...common, nlist: 5, nprobe: 2 }) : await FlatIndex.create(common);
  index.addBatch(data.base.subarray(0, n * DIM));
  for (const id of [3, 17, 28]) index.remove(id);
  if (n > 17) index.add(row(data.base, DIM, N + 19), 17);
  return index;
}

const HNSW_CASES: [Metric, StorageName, boolean][] = [
  ['l2', 'f32', false], ['ip', 'f32', false], ['cosine', 'f32', false], ['cosine', 'f16', false],
  ['l2', 'i8', false], ['ip', 'i8', false], ['l2', 'binary', true], ['cosine', 'binary', true], ['l2', 'pq', false], ['ip', 'pq', true],
];
const FLAT_CASES: [Metric, StorageName, boolean][] = [
  ['l2', 'f32', false], ['cosine', 'f32', false], ['ip', 'f16', false], ['l2', 'i8', false], ['ip', 'binary', false], ['l2', 'binary', true],
  ['l2', 'pq', false],
];
const IVF_CASES: [Metric, StorageName, boolean][] = [['l2', 'pq', false], ['cosine', 'pq', true]];

const bases = (async () => {
  const wann: Base[] = [], hnswlib: Base[] = [];
  for (const [kind, cases] of [['hnsw', HNSW_CASES], ['flat', FLAT_CASES], ['ivf', IVF_CASES]] as const) {
    for (const [metric, storage, keep] of cases) {
      const index = await build(kind, metric, storage, keep);
      wann.push({ name: `${kind} ${metric} ${storage}${keep ? ' keepVectors' : ''}`, kind, metric, bytes: index.serialize() });
      if (index instanceof HnswIndex && storage === 'f32') hnswlib.push({ name: `hnswlib ${metric}`, kind, metric, bytes: index.toHnswlib() });
    }
  }
  const tiny = await build('hnsw', 'l2', 'f32', false, 5); // 5 slots, id 3 removed
  wann.push({ name: 'hnsw l2 f32, 5 slots', kind: 'hnsw', metric: 'l2', bytes: tiny.serialize() });
  hnswlib.push({ name: 'hnswlib l2, 5 slots', kind: 'hnsw', metric: 'l2', bytes: (tiny as HnswIndex).toHnswlib() });
  return { wann, hnswlib };
})();

/** The ids a wann file holds (its LABELS region, or the slot numbers when it has none), so the checks read every row. */
function wannIds(bytes: Uint8Array): number[] {
  const count = Math.min(word(bytes, Header.STATE + State.COUNT), 1000);
  if (word(bytes, Header.STATE + State.LABELS_ARE_SLOTS) === 1) return Array.from({ length: count }, (_, i) => i);
  const labels = regionTable(bytes).find((e) => e.tag === Region.LABELS);
  if (labels === undefined || labels.offset + labels.bytes > bytes.length) return [];
  return Array.from(new Uint32Array(bytes.slice(labels.offset, labels.offset + labels.bytes).buffer));
}

/** The ids an hnswlib file holds (the low word of each record's u64 label). */
function hnswlibIds(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.min(view.getUint32(16, true), 1000), recordBytes = view.getUint32(24, true), labelOffset = view.getUint32(32, true);
  const ids: number[] = [];
  for (let i = 0; i < count && 96 + i * recordBytes + labelOffset + 4 <= bytes.length; i++) ids.push(view.getUint32(96 + i * recordBytes + labelOffset, true));
  return ids;
}

/** Runs `check`, naming the mutation in the error: fast-check then reports the shrunk case in words. */
async function described(edits: string[], check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`[${edits.join('; ')}] → ${what}`, { cause: error });
  }
}

/** One wann mutation: load it as its own kind; rejected with a load code, or usable. */
async function checkWann(pool: Base[], m: WannMutation, tally: FileTally): Promise<void> {
  const base = pool[m.base];
  const { bytes, described: edits } = mutateWann(base.bytes, m);
  tally.mutations++;
  const Index = base.kind === 'hnsw' ? HnswIndex : base.kind === 'ivf' ? IvfIndex : FlatIndex;
  const options = m.expectOriginal ? { simd: m.simd, metric: base.metric, dim: DIM } : { simd: m.simd };
  await described([base.name, ...edits], async () => {
    const index = await Index.load(bytes, options).catch((error: unknown) => expectRejection(error, bytes.length, tally));
    if (index === undefined) return;
    tally.accepted++;
    await expectUsable(index, bytes.length, { ...work, ids: wannIds(bytes) }, (again) => Index.load(again, { simd: m.simd }), tally);
  });
}

async function checkHnswlib(pool: Base[], m: HnswlibMutation, tally: FileTally): Promise<void> {
  const base = pool[m.base];
  const { bytes, described: edits } = mutateHnswlib(base.bytes, m);
  tally.mutations++;
  await described([base.name, ...edits], async () => {
    const index = await HnswIndex.fromHnswlib(bytes, { metric: base.metric, simd: m.simd }).catch((error: unknown) => expectRejection(error, bytes.length, tally));
    if (index === undefined) return;
    tally.accepted++;
    await expectUsable(index, bytes.length, { ...work, ids: hnswlibIds(bytes) }, (again) => HnswIndex.load(again, { simd: m.simd }), tally);
  });
}

describe('fuzz: structure-aware edits of valid files, re-sealed', () => {
  test('the valid files: relayout() reproduces each, and each survives the checks unedited', async () => {
    const { wann, hnswlib } = await bases;
    const tally = newTally();
    for (const base of wann) {
      expect(firstDifference(reseal(relayout(base.bytes)), base.bytes), base.name).toBeNull();
      await checkWann([base], { base: 0, edits: [], relayout: false, expectOriginal: true, simd: false }, tally);
    }
    for (const base of hnswlib) await checkHnswlib([base], { base: 0, edits: [], simd: true }, tally);
    expect(tally.accepted).toBe(wann.length + hnswlib.length);
  });

  // 16,000 re-sealed wann mutations and 5,000 hnswlib ones per run (about 20 s on 2 cores);
  // each property prints its counts.
  const properties: [name: string, files: 'wann' | 'hnswlib', pick: (b: Base) => boolean, runs: number, seed: number][] = [
    ['HnswIndex f32 / f16 files', 'wann', (b) => b.kind === 'hnsw' && /f32|f16/.test(b.name), 6000, 81],
    ['HnswIndex i8 / binary / pq files', 'wann', (b) => b.kind === 'hnsw' && /i8|binary|pq/.test(b.name), 5000, 82],
    ['FlatIndex files', 'wann', (b) => b.kind === 'flat', 5000, 83],
    ['IvfIndex files', 'wann', (b) => b.kind === 'ivf', 3000, 85],
    ['hnswlib files', 'hnswlib', () => true, 5000, 84],
  ];
  test.each(properties)('%s: rejected with a load code, or searchable, changeable and saveable (fast-check)', async (name, files, pick, numRuns, seed) => {
    const pool = (await bases)[files].filter(pick);
    const tally = newTally();
    try {
      if (files === 'wann') await fc.assert(fc.asyncProperty(wannMutation(pool.length), (m) => checkWann(pool, m, tally)), { numRuns, seed });
      else await fc.assert(fc.asyncProperty(hnswlibMutation(pool.length), (m) => checkHnswlib(pool, m, tally)), { numRuns, seed });
    } finally {
      console.log(summary(name, tally));
    }
    expect(tally.mutations).toBe(numRuns);
  }, 120_000);
});
