// The wann file format: serialize() writes an index's header, region table and used
// regions with XXH64 checksums; loadCore() checks every byte it relies on, then copies
// the regions straight into a new instance's memory. Used by the index classes'
// serialize() and load(), and by load-index.ts. The checksums run in WASM
// (assembly/checksum.ts).
//
//   offset 0                                           224
//   ┌──────────────────────────────┬────────────────────┬─────────┬─  ─┬─────────┬─────┐
//   │ header (HEADER_WORDS u32)    │ region table       │ region0 │ …  │ region7 │ sum │
//   │ magic 'WANN', version, …     │ 8 × (offset, bytes)│ 16-byte │    │ aligned │ u64 │
//   └──────────────────────────────┴────────────────────┴─────────┴─  ─┴─────────┴─────┘
//   header words (little-endian u32):
//    0 magic  1 version  2 kind  3 metric  4 dim  5 stride  6 M  7 efConstruction
//    8 count  9 capacity  10 deletedCount  11 entrySlot  12 maxLevel (i32)  13 arenaUsed
//   14 arenaWords  15 rng lo  16 rng hi  17 seed lo  18 seed hi  19 ef  20 regionCount
//   21 fileBytes lo  22 fileBytes hi  23 header checksum (low 32 bits of the XXH64 of
//   bytes 0 … 91 then 96 … 223)
//   region table: u64 offset, u64 bytes per region, in FILE_REGIONS order. Each region
//   holds its used part only (count rows, not capacity). The trailer is the XXH64 of
//   every byte before it (u64, little-endian).

import { Kind, Metric, Region } from './abi.js';
import { integrityProblem, WannError } from './errors.js';
import { instantiate, compileBuild, chooseBuild, type WannExports, type WasmOption } from './wasm.js';

export const MAGIC = 0x4e4e4157; // 'WANN' read as a little-endian u32
export const FORMAT_VERSION = 1;
const HEADER_WORDS = 24;
const CHECKSUM_WORD = 23;
const FILE_REGIONS = [
  Region.VECTORS, Region.LINKS0, Region.LABELS, Region.LEVELS, Region.UPPER_OFF,
  Region.DELETED, Region.FREE, Region.ARENA,
] as const;
export const HEADER_BYTES = HEADER_WORDS * 4 + FILE_REGIONS.length * 16; // 224: fits the WASM staging block
const TRAILER_BYTES = 8;
/** Bytes copied then checksummed at a time by load(): fits in L2, so the checksum reads from cache. */
const LOAD_CHUNK = 256 * 1024;
const MAX_CAPACITY = 2 ** 30;
const MAX_MEMORY = 2 ** 32;
/** Words of the state record of assembly/restore.ts. */
export const STATE_WORDS = 14;

/** Everything the header says, after checking. */
export interface FileHeader {
  kind: Kind;
  metric: Metric;
  dim: number;
  stride: number;
  M: number;
  efConstruction: number;
  count: number;
  capacity: number;
  deletedCount: number;
  entrySlot: number;
  maxLevel: number;
  arenaUsed: number;
  arenaWords: number;
  rngLo: number;
  rngHi: number;
  seed: number;
  ef: number;
}

/** What load() accepts besides the bytes. */
export interface LoadOptions {
  /** Which build runs the loaded index; as create(). Default 'auto'. */
  simd?: 'auto' | boolean;
  /** Where to load the code from; as create(). */
  wasm?: WasmOption;
  /** When given, the file's metric must be this one (else WRONG_METRIC). */
  metric?: 'l2' | 'ip' | 'cosine';
  /** When given, the file's dim must be this one (else DIMENSION_MISMATCH). */
  dim?: number;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Bytes of each file region, in FILE_REGIONS order, as the header implies. */
function regionSizes(h: FileHeader): number[] {
  const graph = h.kind === Kind.HNSW;
  return [
    h.count * h.stride * 4,
    graph ? h.count * (1 + 2 * h.M) * 4 : 0,
    h.count * 4,
    graph ? h.count : 0,
    graph ? h.count * 4 : 0,
    h.count,
    h.deletedCount * 4,
    h.arenaUsed * 4,
  ];
}

/** Offsets of each region and the total file length. */
function placeRegions(sizes: number[]): { offsets: number[]; fileBytes: number } {
  const offsets: number[] = [];
  let at = HEADER_BYTES;
  for (const bytes of sizes) {
    offsets.push(at);
    at = align16(at + bytes);
  }
  return { offsets, fileBytes: at + TRAILER_BYTES };
}

/** The bytes of an index: header, region table, regions, checksum. Called by BaseIndex.serialize(). */
export function serializeCore(x: WannExports, extra: { seed: number; ef: number }): Uint8Array {
  const record = new Uint32Array(x.memory.buffer, x.saveState(), STATE_WORDS).slice();
  const h: FileHeader = {
    kind: record[0], metric: record[1], dim: record[2], stride: x.stride(), M: record[3],
    efConstruction: record[4], capacity: record[5], count: record[6], deletedCount: record[7],
    entrySlot: record[8], maxLevel: record[9] | 0, arenaUsed: record[10], arenaWords: record[11],
    rngLo: record[12], rngHi: record[13], seed: extra.seed, ef: extra.ef,
  };
  const sizes = regionSizes(h);
  const { offsets, fileBytes } = placeRegions(sizes);
  const out = new Uint8Array(fileBytes);
  const view = new DataView(out.buffer);
  const words = [
    MAGIC, FORMAT_VERSION, h.kind, h.metric, h.dim, h.stride, h.M, h.efConstruction,
    h.count, h.capacity, h.deletedCount, h.entrySlot, h.maxLevel >>> 0, h.arenaUsed,
    h.arenaWords, h.rngLo, h.rngHi, h.seed % 2 ** 32, Math.floor(h.seed / 2 ** 32), h.ef,
    FILE_REGIONS.length, fileBytes % 2 ** 32, Math.floor(fileBytes / 2 ** 32), 0,
  ];
  words.forEach((word, i) => view.setUint32(i * 4, word, true));
  FILE_REGIONS.forEach((_, r) => {
    setU64(view, HEADER_WORDS * 4 + r * 16, offsets[r]);
    setU64(view, HEADER_WORDS * 4 + r * 16 + 8, sizes[r]);
  });
  view.setUint32(CHECKSUM_WORD * 4, headerChecksum(x, out), true);
  x.checksumReset();
  stagedUpdate(x, out.subarray(0, HEADER_BYTES));
  FILE_REGIONS.forEach((region, r) => {
    const ptr = x.regionPtr(region);
    out.set(new Uint8Array(x.memory.buffer, ptr, sizes[r]), offsets[r]);
    x.checksumUpdate(ptr, sizes[r]);
    const end = offsets[r] + sizes[r];
    stagedUpdate(x, out.subarray(end, align16(end))); // zero padding
  });
  x.checksumFinish();
  view.setUint32(fileBytes - TRAILER_BYTES, x.checksumLow(), true);
  view.setUint32(fileBytes - TRAILER_BYTES + 4, x.checksumHigh(), true);
  return out;
}

/**
 * A new instance holding the index in `bytes`, after checking magic, version, header
 * checksum, parameters, length, file checksum and the graph, in that order. Nothing
 * from the file sizes memory before the header's own checksum has matched. Called by
 * HnswIndex.load(), FlatIndex.load() and loadIndex().
 */
export async function loadCore(bytes: Uint8Array, options: LoadOptions, kind?: Kind): Promise<{ x: WannExports; header: FileHeader }> {
  if (!(bytes instanceof Uint8Array)) {
    throw new WannError('INVALID_ARGUMENT', 'load() takes the Uint8Array that serialize() returned');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new WannError('TRUNCATED', `${bytes.length} bytes cannot hold a header of ${HEADER_BYTES}`);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC) throw new WannError('BAD_MAGIC', `not a wann index: magic 0x${hex(magic)}, expected 0x${hex(MAGIC)} ('WANN')`);
  if (bytes.length < HEADER_BYTES) throw new WannError('TRUNCATED', `${bytes.length} bytes cannot hold a header of ${HEADER_BYTES}`);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) {
    throw new WannError('UNSUPPORTED_VERSION', `format version ${version}; this release reads version ${FORMAT_VERSION}`);
  }
  const x = await instantiate(await compileBuild(chooseBuild(options.simd ?? 'auto'), options.wasm));
  const expected = view.getUint32(CHECKSUM_WORD * 4, true);
  const actual = headerChecksum(x, bytes);
  if (actual !== expected) {
    throw new WannError('CHECKSUM_MISMATCH', `header checksum is 0x${hex(actual)}, the file says 0x${hex(expected)}`);
  }
  const header = checkHeader(view);
  if (kind !== undefined && header.kind !== kind) {
    const names = ['HnswIndex', 'FlatIndex'];
    throw new WannError('WRONG_KIND', `the file holds a ${names[header.kind]}, expected a ${names[kind]}`);
  }
  checkExpected(header, options);
  const sizes = regionSizes(header);
  const { offsets, fileBytes } = placeRegions(sizes);
  const declaredBytes = view.getUint32(21 * 4, true) + view.getUint32(22 * 4, true) * 2 ** 32;
  if (declaredBytes !== fileBytes) throw new WannError('BAD_HEADER', `the header says ${declaredBytes} bytes, its fields imply ${fileBytes}`);
  if (bytes.length < fileBytes) throw new WannError('TRUNCATED', `${bytes.length} bytes, the header says ${fileBytes}`);
  if (bytes.length > fileBytes) throw new WannError('BAD_HEADER', `${bytes.length} bytes, the header says ${fileBytes}: trailing bytes`);
  FILE_REGIONS.forEach((_, r) => {
    const offset = getU64(view, HEADER_WORDS * 4 + r * 16), size = getU64(view, HEADER_WORDS * 4 + r * 16 + 8);
    if (offset !== offsets[r] || size !== sizes[r]) {
      throw new WannError('BAD_HEADER', `region ${r} at ${offset} of ${size} bytes, expected ${offsets[r]} of ${sizes[r]}`);
    }
  });

  writeRecord(x, header);
  const status = x.restoreLayout();
  if (status < 0) throw WannError.fromStatus(status, `load(capacity ${header.capacity}, dim ${header.dim})`);
  x.checksumReset();
  stagedUpdate(x, bytes.subarray(0, HEADER_BYTES));
  const memory = new Uint8Array(x.memory.buffer);
  FILE_REGIONS.forEach((region, r) => {
    const ptr = x.regionPtr(region);
    // Copy and checksum a chunk at a time, so the checksum reads bytes still in cache.
    for (let done = 0; done < sizes[r]; done += LOAD_CHUNK) {
      const bytesNow = Math.min(LOAD_CHUNK, sizes[r] - done);
      memory.set(bytes.subarray(offsets[r] + done, offsets[r] + done + bytesNow), ptr + done);
      x.checksumUpdate(ptr + done, bytesNow);
    }
    const end = offsets[r] + sizes[r];
    stagedUpdate(x, bytes.subarray(end, align16(end)));
  });
  x.checksumFinish();
  const [low, high] = [view.getUint32(fileBytes - TRAILER_BYTES, true), view.getUint32(fileBytes - TRAILER_BYTES + 4, true)];
  const [actualLow, actualHigh] = [x.checksumLow() >>> 0, x.checksumHigh() >>> 0]; // u32 arrives as i32
  if (actualLow !== low || actualHigh !== high) {
    throw new WannError('CHECKSUM_MISMATCH',
      `file checksum (XXH64) is 0x${hex(actualHigh)}${hex(actualLow)}, the trailer says 0x${hex(high)}${hex(low)}`);
  }
  const problem = integrityProblem(x.restoreState());
  if (problem !== null) throw new WannError('CORRUPT_GRAPH', `the index fails its integrity check: ${problem}`);
  return { x, header };
}

/** The header fields, each checked against what the format allows (BAD_HEADER). */
function checkHeader(view: DataView): FileHeader {
  const u = (i: number) => view.getUint32(i * 4, true);
  const h: FileHeader = {
    kind: u(2), metric: u(3), dim: u(4), stride: u(5), M: u(6), efConstruction: u(7), count: u(8),
    capacity: u(9), deletedCount: u(10), entrySlot: u(11), maxLevel: u(12) | 0, arenaUsed: u(13),
    arenaWords: u(14), rngLo: u(15), rngHi: u(16), seed: u(17) + u(18) * 2 ** 32, ef: u(19),
  };
  const bad = (what: string) => new WannError('BAD_HEADER', `impossible header: ${what}`);
  if (h.kind !== Kind.HNSW && h.kind !== Kind.FLAT) throw bad(`kind ${h.kind}`);
  if (h.metric > Metric.COSINE) throw bad(`metric ${h.metric}`);
  if (h.dim < 1 || h.dim > 65536 || h.stride !== ((h.dim + 3) & ~3)) throw bad(`dim ${h.dim} with stride ${h.stride}`);
  if (u(20) !== FILE_REGIONS.length) throw bad(`${u(20)} regions, expected ${FILE_REGIONS.length}`);
  if (h.capacity < 1 || h.capacity > MAX_CAPACITY || h.count > h.capacity) throw bad(`count ${h.count} of capacity ${h.capacity}`);
  if (h.deletedCount > h.count) throw bad(`${h.deletedCount} deleted of ${h.count}`);
  if (h.seed > Number.MAX_SAFE_INTEGER) throw bad(`seed ${h.seed}`);
  if (h.kind === Kind.HNSW) {
    if (h.M < 2 || h.M > 10000 || h.efConstruction < h.M || h.efConstruction > 0x7fffffff) {
      throw bad(`M ${h.M}, efConstruction ${h.efConstruction}`);
    }
    if (h.ef < 1 || h.ef > 0x7fffffff) throw bad(`ef ${h.ef}`);
    if (h.maxLevel < -1 || h.maxLevel > 255 || (h.count === 0) !== (h.maxLevel === -1)) throw bad(`maxLevel ${h.maxLevel} with ${h.count} items`);
    if (h.arenaUsed > h.arenaWords) throw bad(`arena of ${h.arenaWords} words with ${h.arenaUsed} used`);
  } else if (h.M !== 0 || h.efConstruction !== 0 || h.arenaUsed !== 0 || h.arenaWords !== 0 || h.maxLevel !== -1 || h.entrySlot !== 0) {
    throw bad('graph fields set in a FlatIndex');
  }
  // Roughly what restoreLayout() will allocate: refuse what wasm32 cannot hold.
  const perSlot = h.stride * 4 + (1 + 2 * h.M) * 4 + 4 + 1 + 4 + 2 + 1 + 4 + 1 + 8 / 3;
  if (h.capacity * perSlot + h.arenaWords * 4 > MAX_MEMORY) throw bad(`capacity ${h.capacity} × dim ${h.dim} exceeds wasm32 memory`);
  return h;
}

const METRIC_NAMES = ['l2', 'ip', 'cosine'] as const;

function checkExpected(h: FileHeader, options: LoadOptions): void {
  if (options.metric !== undefined && METRIC_NAMES[h.metric] !== options.metric) {
    throw new WannError('WRONG_METRIC', `the file's metric is '${METRIC_NAMES[h.metric]}', expected '${options.metric}'`);
  }
  if (options.dim !== undefined && h.dim !== options.dim) {
    throw new WannError('DIMENSION_MISMATCH', `the file's dim is ${h.dim}, expected ${options.dim}`);
  }
}

export function metricName(metric: Metric): 'l2' | 'ip' | 'cosine' {
  return METRIC_NAMES[metric];
}

/** Writes the state record of assembly/restore.ts from the header. Also used by hnswlib.ts. */
export function writeRecord(x: WannExports, h: FileHeader): void {
  new Uint32Array(x.memory.buffer, x.stateRecordPtr(), STATE_WORDS).set([
    h.kind, h.metric, h.dim, h.M, h.efConstruction, h.capacity, h.count, h.deletedCount,
    h.entrySlot, h.maxLevel >>> 0, h.arenaUsed, h.arenaWords, h.rngLo, h.rngHi,
  ]);
}

/** Low 32 bits of the XXH64 of the header and region table, skipping the word that stores it. */
function headerChecksum(x: WannExports, bytes: Uint8Array): number {
  const staging = x.stagingPtr();
  new Uint8Array(x.memory.buffer, staging, HEADER_BYTES).set(bytes.subarray(0, HEADER_BYTES));
  x.checksumReset();
  x.checksumUpdate(staging, CHECKSUM_WORD * 4);
  x.checksumUpdate(staging + CHECKSUM_WORD * 4 + 4, HEADER_BYTES - CHECKSUM_WORD * 4 - 4);
  x.checksumFinish();
  return x.checksumLow() >>> 0; // u32 arrives as i32
}

/** Feeds small `bytes` (at most HEADER_BYTES) to the running checksum through WASM staging memory. */
function stagedUpdate(x: WannExports, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  new Uint8Array(x.memory.buffer, x.stagingPtr(), bytes.length).set(bytes);
  x.checksumUpdate(x.stagingPtr(), bytes.length);
}

function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function getU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
