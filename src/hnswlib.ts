// hnswlib interoperability: reads the index files hnswlib's saveIndex writes on 64-bit
// hosts (hnswlib-node, Python hnswlib) into wann's regions, and writes wann's graph in
// that format. The two graphs have the same shape (M0 = 2M, one [count, slots] list per
// level), so links are copied as they are. Used by HnswIndex.fromHnswlib / toHnswlib.
//
//   hnswlib file (S = 8, all little-endian; HNSW_NOTES.md):
//   ┌────────────┬──────────────────────────────────────────────┬───────────────────────┐
//   │ header 96 B│ N level-0 records                            │ N upper link lists    │
//   │ (13 fields)│ u16 count | u8 flags | u8 | M0 × u32 | vector│ u32 bytes | L × [u32  │
//   │            │ (dim f32) | label u64                        │ count, M × u32]       │
//   └────────────┴──────────────────────────────────────────────┴───────────────────────┘
//   flags bit 0 = deleted. Not stored there: metric, dim (derived from the record size),
//   ef, the RNG state, the id map (rebuilt).

import { Kind, Region, State, Storage } from './abi.js';
import { Core } from './core.js';
import { integrityProblem, WannError } from './errors.js';
import type { LoadedFile } from './format.js';
import { METRICS, resolveHnswlibOptions, type MetricName } from './options.js';
import { MAX_ID } from './vectors.js';
import { loadCore as loadInstance, type ThreadsOption, type WasmOption } from './wasm.js';

const HEADER_BYTES = 96;
const DELETED_FLAG = 1;

/** What fromHnswlib() needs besides the bytes: hnswlib files do not say their metric. */
export interface HnswlibOptions {
  /** The space the index was built with: 'l2', 'ip' or 'cosine' (hnswlib-node's names). Required. */
  metric: MetricName;
  /** When given, the file's vectors must have this length (else DIMENSION_MISMATCH). */
  dim?: number;
  /** Default search width of the result (hnswlib does not save ef). Default 64. */
  ef?: number;
  /** Seed for the levels of items added later (hnswlib does not save its RNG). Default 100. */
  seed?: number;
  simd?: 'auto' | boolean;
  /** Threads batch calls run on; as create(). */
  threads?: ThreadsOption;
  wasm?: WasmOption;
}

/** A restored instance from an hnswlib file, and what describes it (as a wann file would). */
export async function readHnswlib(bytes: Uint8Array, options: HnswlibOptions): Promise<{ core: Core; file: LoadedFile }> {
  if (!(bytes instanceof Uint8Array)) throw new WannError('INVALID_ARGUMENT', 'fromHnswlib() takes the bytes of an hnswlib index file');
  options = resolveHnswlibOptions(options);
  if (bytes.length < HEADER_BYTES) throw new WannError('TRUNCATED', `${bytes.length} bytes cannot hold hnswlib's ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  const offsetLevel0 = size(0), count = size(16), recordBytes = size(24), labelOffset = size(32), dataOffset = size(40);
  const maxLevel = view.getInt32(48, true), entry = view.getUint32(52, true);
  const maxM = size(56), maxM0 = size(64), M = size(72), efConstruction = size(88);
  const bad = (what: string) => new WannError('BAD_HEADER', `not an hnswlib index wann can read: ${what}`);
  if (offsetLevel0 !== 0) throw new WannError('BAD_MAGIC', `not an hnswlib index (offsetLevel0 ${offsetLevel0}, always 0; a 32-bit hnswlib-wasm file?)`);
  if (M < 2 || M > 10000 || maxM !== M || maxM0 !== 2 * M) throw bad(`M ${M}, maxM ${maxM}, maxM0 ${maxM0} (wann needs maxM = M, maxM0 = 2M)`);
  if (dataOffset !== 4 + 4 * maxM0 || labelOffset <= dataOffset || recordBytes !== labelOffset + 8) {
    throw bad(`record of ${recordBytes} bytes with data at ${dataOffset} and label at ${labelOffset}`);
  }
  const dataBytes = labelOffset - dataOffset;
  const dim = dataBytes / 4;
  if (!Number.isInteger(dim) || dim < 1 || dim > 65536) throw bad(`vectors of ${dataBytes} bytes (float32 spaces only)`);
  if (options.dim !== undefined && options.dim !== dim) throw new WannError('DIMENSION_MISMATCH', `the file's dim is ${dim}, expected ${options.dim}`);
  if (count > 2 ** 30 || efConstruction < M || efConstruction > 0x7fffffff) throw bad(`${count} elements, efConstruction ${efConstruction}`);
  if (maxLevel < -1 || maxLevel > 255 || (count === 0) !== (maxLevel === -1)) throw bad(`maxlevel ${maxLevel} with ${count} elements`);
  const upperStart = HEADER_BYTES + count * recordBytes;
  if (bytes.length < upperStart) throw new WannError('TRUNCATED', `${bytes.length} bytes, the level-0 block alone needs ${upperStart}`);

  // Walk the upper lists once: their sizes give the levels and the arena.
  const listBytes = 4 + 4 * maxM;
  const levels = new Uint8Array(count);
  let at = upperStart, arenaWords = 0, deleted = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw new WannError('TRUNCATED', `the file ends in the link list of element ${i}`);
    const linkBytes = view.getUint32(at, true);
    const level = linkBytes / listBytes;
    if (!Number.isInteger(level) || level > 255) throw new WannError('CORRUPT_GRAPH', `element ${i} has ${linkBytes} bytes of upper links`);
    levels[i] = level;
    arenaWords += linkBytes / 4;
    at += 4 + linkBytes;
    if (view.getUint8(HEADER_BYTES + i * recordBytes + 2) & DELETED_FLAG) deleted++;
  }
  if (at > bytes.length) throw new WannError('TRUNCATED', `${bytes.length} bytes, the link lists end at ${at}`);
  if (at < bytes.length) throw bad(`${bytes.length - at} bytes after the last link list`);

  const seed = options.seed ?? 100;
  const state = new Uint32Array(State.PERSISTED);
  state[State.KIND] = Kind.HNSW;
  state[State.METRIC] = METRICS[options.metric];
  state[State.STORAGE] = Storage.F32;
  state[State.DIM] = dim;
  state[State.M] = M;
  state[State.EF_CONSTRUCTION] = efConstruction;
  state[State.TRAINED] = 1;
  state[State.CAPACITY] = Math.max(count, 1);
  state[State.COUNT] = count;
  state[State.DELETED_COUNT] = deleted;
  state[State.ENTRY_SLOT] = count === 0 ? 0 : entry;
  state[State.MAX_LEVEL] = maxLevel;
  state[State.ARENA_USED] = arenaWords;
  state[State.RNG_LO] = seed % 2 ** 32; // assembly/rng.ts: the generator starts at the seed
  state[State.RNG_HI] = Math.floor(seed / 2 ** 32);
  const core = new Core(await loadInstance(options.simd ?? 'auto', options.wasm, options.threads));
  core.writeSavedState(state);
  const status = core.x.restoreLayout();
  if (status < 0) throw WannError.fromStatus(status, `fromHnswlib(${count} elements, dim ${dim})`);
  fillRegions(core, bytes, { count, dim, M }, levels, recordBytes, dataOffset, labelOffset, upperStart);
  const problem = integrityProblem(core.x.restoreState());
  if (problem !== null) throw new WannError('CORRUPT_GRAPH', `the hnswlib index fails wann's integrity check: ${problem}`);
  return { core, file: { state, seed, ef: options.ef ?? 64 } };
}

/** Copies records and link lists from the file into wann's regions. */
function fillRegions(
  core: Core, bytes: Uint8Array, h: { count: number; dim: number; M: number }, levels: Uint8Array,
  recordBytes: number, dataOffset: number, labelOffset: number, upperStart: number,
): void {
  const { u32, f32, u8 } = core;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = 1 + 2 * h.M, stride = (h.dim + 3) & ~3;
  const vectors = core.regionPtr(Region.CODES) >>> 2, links0 = core.regionPtr(Region.LINKS0) >>> 2;
  const labels = core.regionPtr(Region.LABELS) >>> 2, levelsAt = core.regionPtr(Region.LEVELS);
  const upperOff = core.regionPtr(Region.UPPER_OFF) >>> 2, deletedAt = core.regionPtr(Region.DELETED);
  const free = core.regionPtr(Region.FREE) >>> 2, arena = core.regionPtr(Region.ARENA) >>> 2;
  let freeCount = 0, arenaAt = 0, at = upperStart;
  for (let i = 0; i < h.count; i++) {
    const record = HEADER_BYTES + i * recordBytes;
    u32[links0 + i * words] = view.getUint16(record, true); // the flags byte is not part of the count
    for (let j = 1; j < words; j++) u32[links0 + i * words + j] = view.getUint32(record + 4 * j, true);
    for (let j = 0; j < h.dim; j++) f32[vectors + i * stride + j] = view.getFloat32(record + dataOffset + 4 * j, true);
    const label = view.getUint32(record + labelOffset, true) + view.getUint32(record + labelOffset + 4, true) * 2 ** 32;
    if (label > MAX_ID) throw new WannError('CORRUPT_GRAPH', `element ${i} has label ${label}, above wann's largest id ${MAX_ID}`);
    u32[labels + i] = label;
    u8[levelsAt + i] = levels[i];
    if (view.getUint8(record + 2) & DELETED_FLAG) {
      u8[deletedAt + i] = 1;
      u32[free + freeCount++] = i;
    }
    const linkBytes = view.getUint32(at, true);
    u32[upperOff + i] = arenaAt;
    for (let j = 0; j < linkBytes / 4; j++) u32[arena + arenaAt + j] = view.getUint32(at + 4 + 4 * j, true) & (j % (1 + h.M) === 0 ? 0xffff : 0xffffffff);
    arenaAt += linkBytes / 4;
    at += 4 + linkBytes;
  }
}

/** The graph of an f32 index as an hnswlib file (64-bit layout). Called by HnswIndex.toHnswlib(). */
export function writeHnswlib(core: Core, dim: number, M: number, efConstruction: number): Uint8Array {
  if (core.state(State.STORAGE) !== Storage.F32) {
    throw new WannError('INVALID_ARGUMENT', "hnswlib files hold f32 rows: toHnswlib() needs an index with storage 'f32'");
  }
  const { u32, f32, u8 } = core;
  const count = core.state(State.COUNT), stride = (dim + 3) & ~3, words = 1 + 2 * M, upperWords = 1 + M;
  const maxLevel = core.state(State.MAX_LEVEL) | 0, entry = core.state(State.ENTRY_SLOT);
  const dataOffset = 4 + 8 * M, labelOffset = dataOffset + 4 * dim, recordBytes = labelOffset + 8;
  const levelsAt = core.regionPtr(Region.LEVELS), deleted = core.deletedFlags(), labels = core.labels();
  const vectors = core.regionPtr(Region.CODES) >>> 2, links0 = core.regionPtr(Region.LINKS0) >>> 2;
  const upperOff = core.regionPtr(Region.UPPER_OFF) >>> 2;
  const arena = core.regionPtr(Region.ARENA) >>> 2;
  let upperBytes = 0;
  for (let i = 0; i < count; i++) upperBytes += 4 + 4 * upperWords * u8[levelsAt + i];
  const out = new Uint8Array(HEADER_BYTES + count * recordBytes + upperBytes);
  const view = new DataView(out.buffer);
  const setSize = (at: number, value: number) => {
    view.setUint32(at, value % 2 ** 32, true);
    view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
  };
  setSize(0, 0);
  setSize(8, Math.max(count, 1));
  setSize(16, count);
  setSize(24, recordBytes);
  setSize(32, labelOffset);
  setSize(40, dataOffset);
  view.setInt32(48, count === 0 ? -1 : maxLevel, true);
  view.setUint32(52, count === 0 ? 0xffffffff : entry, true);
  setSize(56, M);
  setSize(64, 2 * M);
  setSize(72, M);
  view.setFloat64(80, 1 / Math.log(M), true);
  setSize(88, efConstruction);
  let at = HEADER_BYTES + count * recordBytes;
  for (let i = 0; i < count; i++) {
    const base = HEADER_BYTES + i * recordBytes;
    view.setUint16(base, u32[links0 + i * words], true);
    view.setUint8(base + 2, deleted !== null && deleted[i] !== 0 ? DELETED_FLAG : 0);
    for (let j = 1; j < words; j++) view.setUint32(base + 4 * j, u32[links0 + i * words + j], true);
    for (let j = 0; j < dim; j++) view.setFloat32(base + dataOffset + 4 * j, f32[vectors + i * stride + j], true);
    setSize(base + labelOffset, labels === null ? i : labels[i]);
    const listWords = upperWords * u8[levelsAt + i];
    view.setUint32(at, listWords * 4, true);
    for (let j = 0; j < listWords; j++) view.setUint32(at + 4 + 4 * j, u32[arena + u32[upperOff + i] + j], true);
    at += 4 + listWords * 4;
  }
  return out;
}
