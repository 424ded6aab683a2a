// The wann file format: serialize() writes an index's header (fixed fields and the saved
// words of the state record), a tagged region table and the used part of each region,
// with XXH64 checksums; loadCore() checks every byte it relies on, then copies the
// regions straight into a new instance's memory. Which regions exist and how many bytes
// each holds is the core's own knowledge (regionUsedBytes), so an optional region (codes,
// raw rows, a quantizer) is one more table entry, not a new layout. Version 1 files
// (f32 only, fixed region order) still load. Used by the index classes' serialize() and
// load(), and by load-index.ts; the checksums run in WASM (assembly/checksum.ts).
//
//   offset 0                        108                 108 + 24·n
//   ┌────────────────────────────────┬───────────────────┬─────────┬─  ─┬─────────┬─────┐
//   │ header: Header words 0 … 10,   │ region table:     │ region  │ …  │ region  │ sum │
//   │ then State words 0 … 15        │ n × (tag u32, 0,  │ 16-byte │    │ aligned │ u64 │
//   │ (src/abi.ts Header, State)     │ offset u64, u64)  │ aligned │    │         │     │
//   └────────────────────────────────┴───────────────────┴─────────┴─  ─┴─────────┴─────┘
//   Header.CHECKSUM holds the low 32 bits of the XXH64 of the header and table without that
//   word; the trailer is the XXH64 of every byte before it. Regions appear in tag order,
//   only those holding data, each with its used part only (count rows, not capacity).

import { Header, Kind, Metric, Region, State, Status, Storage } from './abi.js';
import { Core } from './core.js';
import { integrityProblem, WannError } from './errors.js';
import { pqShapeValid, resolveLoadOptions } from './options.js';
import { loadCore as loadInstance, type ThreadsOption, type WasmOption } from './wasm.js';

export const MAGIC = 0x4e4e4157; // 'WANN' read as a little-endian u32
export const FORMAT_VERSION = 4;
const HEADER_FIXED_BYTES = Header.WORDS * 4;
/** Version 2 headers: 16 state words from word 11 (no STATE_WORDS word). */
const VERSION2_STATE = 11;
const VERSION2_STATE_WORDS = 16;
const TABLE_ENTRY_BYTES = 24;
/** Largest header the WASM staging block holds (assembly/index.ts STAGING_BYTES). */
export const MAX_HEADER_BYTES = 1024;
export const TRAILER_BYTES = 8;
/** Bytes copied then checksummed at a time by load(): fits in L2, so the checksum reads from cache. */
export const LOAD_CHUNK = 256 * 1024;
const MAX_CAPACITY = 2 ** 30;
const NO_RERANK = 0xffffffff;
const KIND_NAMES = ['HnswIndex', 'FlatIndex', 'IvfIndex'];

/** Header fields beyond the state record: what the TypeScript classes keep. */
export interface FileExtras {
  seed: number;
  ef: number;
  /** The index's default rerank; undefined for its storage's default. */
  rerank?: number;
}

/** What a loaded file says: the state record's saved words and the extras. */
export interface LoadedFile extends FileExtras {
  state: Uint32Array;
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
  /** Threads batch calls run on; as create(). Default 'auto'. */
  threads?: ThreadsOption;
}

/** One entry of a region table: a region of src/abi.ts Region at an offset of the file. */
export interface RegionEntry {
  tag: number;
  offset: number;
  bytes: number;
}

/** A header read and checksummed, before any of it is trusted. */
export interface ParsedHeader extends LoadedFile {
  headerBytes: number;
  fileBytes: number;
  regions: RegionEntry[];
}

export const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** A file's header (fixed words, state, region table, header checksum) and where each region goes. */
export interface FileLayout {
  header: Uint8Array;
  regions: RegionEntry[];
  fileBytes: number;
}

/**
 * The header of the file an index is now, and its layout. Called by serializeCore() and
 * src/persist.ts writeIndex(), which then write the regions and the trailer.
 */
export function fileLayout(core: Core, extras: FileExtras): FileLayout {
  core.x.readyForFile(); // an IvfIndex's codes grouped by list, the order its file keeps (State.LIST_ORDER)
  const state = core.savedState();
  // Ids 0, 1, 2, … as added need no LABELS region, in the file or in the loaded index.
  state[State.LABELS_ARE_SLOTS] = core.x.labelsAreSlots();
  const regions: RegionEntry[] = [];
  for (let tag = 0; tag < Region.COUNT; tag++) {
    const bytes = tag === Region.LABELS && state[State.LABELS_ARE_SLOTS] ? 0 : core.regionUsedBytes(tag);
    if (bytes > 0) regions.push({ tag, offset: 0, bytes });
  }
  const headerBytes = HEADER_FIXED_BYTES + regions.length * TABLE_ENTRY_BYTES;
  let at = headerBytes;
  for (const region of regions) {
    region.offset = at;
    at = align16(at + region.bytes);
  }
  const fileBytes = at + TRAILER_BYTES;
  const header = new Uint8Array(headerBytes);
  const view = new DataView(header.buffer);
  const words = new Uint32Array(Header.STATE);
  words[Header.STATE_WORDS] = State.PERSISTED;
  words[Header.MAGIC] = MAGIC;
  words[Header.VERSION] = FORMAT_VERSION;
  words[Header.HEADER_BYTES] = headerBytes;
  words[Header.REGION_COUNT] = regions.length;
  words[Header.FILE_BYTES_LO] = fileBytes % 2 ** 32;
  words[Header.FILE_BYTES_HI] = Math.floor(fileBytes / 2 ** 32);
  words[Header.SEED_LO] = extras.seed % 2 ** 32;
  words[Header.SEED_HI] = Math.floor(extras.seed / 2 ** 32);
  words[Header.EF] = extras.ef;
  words[Header.RERANK] = extras.rerank ?? NO_RERANK;
  [...words, ...state].forEach((word, i) => view.setUint32(i * 4, word, true));
  regions.forEach((region, i) => {
    const entry = HEADER_FIXED_BYTES + i * TABLE_ENTRY_BYTES;
    view.setUint32(entry, region.tag, true);
    setU64(view, entry + 8, region.offset);
    setU64(view, entry + 16, region.bytes);
  });
  view.setUint32(Header.CHECKSUM * 4, headerChecksum(core, header, headerBytes, Header.CHECKSUM), true);
  return { header, regions, fileBytes };
}

/** The bytes of an index: header, region table, regions, checksum. Called by BaseIndex.serialize(). */
export function serializeCore(core: Core, extras: FileExtras): Uint8Array {
  const { header, regions, fileBytes } = fileLayout(core, extras);
  const out = new Uint8Array(fileBytes);
  const view = new DataView(out.buffer);
  out.set(header);
  core.x.checksumReset();
  stagedUpdate(core, header);
  for (const region of regions) {
    const ptr = core.regionPtr(region.tag);
    out.set(core.u8.subarray(ptr, ptr + region.bytes), region.offset);
    core.x.checksumUpdate(ptr, region.bytes);
    const end = region.offset + region.bytes;
    stagedUpdate(core, out.subarray(end, align16(end))); // zero padding
  }
  core.x.checksumFinish();
  view.setUint32(fileBytes - TRAILER_BYTES, core.x.checksumLow(), true);
  view.setUint32(fileBytes - TRAILER_BYTES + 4, core.x.checksumHigh(), true);
  return out;
}

/**
 * A new instance holding the index in `bytes`, after checking magic, version, header
 * checksum, parameters, length, region table, file checksum and the structure, in that
 * order. Nothing from the file sizes memory before the header's own checksum has
 * matched. Called by HnswIndex.load(), FlatIndex.load() and loadIndex().
 */
export async function loadCore(bytes: Uint8Array, options: LoadOptions, kind?: Kind): Promise<{ core: Core; file: LoadedFile }> {
  options = resolveLoadOptions(options);
  if (!(bytes instanceof Uint8Array)) {
    throw new WannError('INVALID_ARGUMENT', 'load() takes the Uint8Array that serialize() returned');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkMagic(view);
  const core = await newCore(options);
  const file = readHeader(core, view, options, kind);
  if (bytes.length < file.fileBytes) throw new WannError('TRUNCATED', `${bytes.length} bytes, the header says ${file.fileBytes}`);
  if (bytes.length > file.fileBytes) throw new WannError('BAD_HEADER', `${bytes.length} bytes, the header says ${file.fileBytes}: trailing bytes`);

  layOut(core, file);
  core.x.checksumReset();
  stagedUpdate(core, bytes.subarray(0, file.headerBytes));
  for (const { tag, offset, bytes: size } of file.regions) {
    const ptr = core.regionPtr(tag);
    // Copy and checksum a chunk at a time, so the checksum reads bytes still in cache.
    for (let done = 0; done < size; done += LOAD_CHUNK) {
      const now = Math.min(LOAD_CHUNK, size - done);
      core.u8.set(bytes.subarray(offset + done, offset + done + now), ptr + done);
      core.x.checksumUpdate(ptr + done, now);
    }
    stagedUpdate(core, bytes.subarray(offset + size, align16(offset + size)));
  }
  finishLoad(core, bytes.subarray(file.fileBytes - TRAILER_BYTES, file.fileBytes));
  return { core, file };
}

/** Sizes `core` for the checked header's state and checks its region table against it. */
export function layOut(core: Core, file: ParsedHeader): void {
  core.writeSavedState(file.state);
  const status = core.x.restoreLayout();
  if (status < 0) {
    const what = `load(capacity ${file.state[State.CAPACITY]}, dim ${file.state[State.DIM]})`;
    throw status === Status.TOO_LARGE ? new WannError('BAD_HEADER', `${what} exceeds wasm32 memory`) : WannError.fromStatus(status, what);
  }
  checkRegions(core, file);
}

/**
 * After every region went through the running checksum: the file checksum against the
 * 8-byte `trailer`, then the structure (CORRUPT_GRAPH). Called by loadCore() and readIndex().
 */
export function finishLoad(core: Core, trailer: Uint8Array): void {
  core.x.checksumFinish();
  const view = new DataView(trailer.buffer, trailer.byteOffset, TRAILER_BYTES);
  const [low, high] = [view.getUint32(0, true), view.getUint32(4, true)];
  const [actualLow, actualHigh] = [core.x.checksumLow() >>> 0, core.x.checksumHigh() >>> 0]; // u32 arrives as i32
  if (actualLow !== low || actualHigh !== high) {
    throw new WannError('CHECKSUM_MISMATCH',
      `file checksum (XXH64) is 0x${hex(actualHigh)}${hex(actualLow)}, the trailer says 0x${hex(high)}${hex(low)}`);
  }
  const problem = integrityProblem(core.x.restoreState());
  if (problem !== null) throw new WannError('CORRUPT_GRAPH', `the index fails its integrity check: ${problem}`);
}

/** TRUNCATED or BAD_MAGIC or UNSUPPORTED_VERSION unless `view` starts a wann file this release reads. */
export function checkMagic(view: DataView): void {
  if (view.byteLength < 8) throw new WannError('TRUNCATED', `${view.byteLength} bytes cannot hold a header`);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC) throw new WannError('BAD_MAGIC', `not a wann index: magic 0x${hex(magic)}, expected 0x${hex(MAGIC)} ('WANN')`);
  const version = view.getUint32(4, true);
  if (version < 1 || version > FORMAT_VERSION) {
    throw new WannError('UNSUPPORTED_VERSION', `format version ${version}; this release reads versions 1 to ${FORMAT_VERSION}`);
  }
}

/** The instance a load fills: the build `options` ask for. */
export async function newCore(options: LoadOptions): Promise<Core> {
  return new Core(await loadInstance(options.simd ?? 'auto', options.wasm, options.threads));
}

/**
 * The header at the start of `view` (after checkMagic), checksummed and checked against
 * the format and what the caller expects (`kind`, options.metric, options.dim). Called
 * by loadCore() and src/persist.ts readIndex().
 */
export function readHeader(core: Core, view: DataView, options: LoadOptions, kind?: Kind): ParsedHeader {
  const version = view.getUint32(4, true);
  const file = version === 1 ? parseVersion1(core, view) : parseHeader(core, view, version);
  checkState(file);
  if (kind !== undefined && file.state[State.KIND] !== kind) {
    throw new WannError('WRONG_KIND', `the file holds a ${KIND_NAMES[file.state[State.KIND]]}, expected a ${KIND_NAMES[kind]}`);
  }
  checkExpected(file.state, options);
  return file;
}

/**
 * A version 2 or 3 header: checksummed first, then read. Version 3 says how many state
 * words it holds; words a file from an older release lacks (version 2 has 16) are 0.
 */
function parseHeader(core: Core, view: DataView, version: number): ParsedHeader {
  const u = (word: number) => view.getUint32(word * 4, true);
  const stateAt = version === 2 ? VERSION2_STATE : Header.STATE;
  if (view.byteLength < stateAt * 4) throw new WannError('TRUNCATED', `${view.byteLength} bytes cannot hold a header`);
  const stateWords = version === 2 ? VERSION2_STATE_WORDS : u(Header.STATE_WORDS);
  if (stateWords < VERSION2_STATE_WORDS || stateWords > State.PERSISTED) {
    throw new WannError('BAD_HEADER', `${stateWords} state words; this release reads ${VERSION2_STATE_WORDS} to ${State.PERSISTED}`);
  }
  const fixedBytes = (stateAt + stateWords) * 4;
  const headerBytes = u(Header.HEADER_BYTES), count = u(Header.REGION_COUNT);
  if (headerBytes !== fixedBytes + count * TABLE_ENTRY_BYTES || headerBytes > MAX_HEADER_BYTES) {
    throw new WannError('BAD_HEADER', `a header of ${headerBytes} bytes with ${count} regions`);
  }
  if (view.byteLength < headerBytes) throw new WannError('TRUNCATED', `${view.byteLength} bytes cannot hold a header of ${headerBytes}`);
  checkHeaderChecksum(core, view, headerBytes, Header.CHECKSUM);
  const regions: RegionEntry[] = [];
  for (let i = 0; i < count; i++) {
    const entry = fixedBytes + i * TABLE_ENTRY_BYTES;
    regions.push({ tag: view.getUint32(entry, true), offset: getU64(view, entry + 8), bytes: getU64(view, entry + 16) });
  }
  const rerank = u(Header.RERANK);
  return {
    state: Uint32Array.from({ length: State.PERSISTED }, (_, i) => (i < stateWords ? u(stateAt + i) : 0)),
    seed: u(Header.SEED_LO) + u(Header.SEED_HI) * 2 ** 32, ef: u(Header.EF), rerank: rerank === NO_RERANK ? undefined : rerank,
    headerBytes, fileBytes: u(Header.FILE_BYTES_LO) + u(Header.FILE_BYTES_HI) * 2 ** 32, regions,
  };
}

/** Version 1 (f32 rows only): a 224-byte header of 24 words and 8 regions in a fixed order. */
function parseVersion1(core: Core, view: DataView): ParsedHeader {
  const headerBytes = 224;
  if (view.byteLength < headerBytes) throw new WannError('TRUNCATED', `${view.byteLength} bytes cannot hold a header of ${headerBytes}`);
  checkHeaderChecksum(core, view, headerBytes, 23);
  const u = (word: number) => view.getUint32(word * 4, true);
  const state = new Uint32Array(State.PERSISTED);
  const fields: [State, number][] = [
    [State.KIND, 2], [State.METRIC, 3], [State.DIM, 4], [State.M, 6], [State.EF_CONSTRUCTION, 7], [State.COUNT, 8],
    [State.CAPACITY, 9], [State.DELETED_COUNT, 10], [State.ENTRY_SLOT, 11], [State.MAX_LEVEL, 12],
    [State.ARENA_USED, 13], [State.RNG_LO, 15], [State.RNG_HI, 16], // word 14, the arena's size, is the loader's to choose now
  ];
  for (const [word, at] of fields) state[word] = u(at);
  state[State.STORAGE] = Storage.F32;
  state[State.TRAINED] = 1;
  if (u(5) !== ((u(4) + 3) & ~3)) throw new WannError('BAD_HEADER', `impossible header: dim ${u(4)} with stride ${u(5)}`);
  if (u(20) !== 8) throw new WannError('BAD_HEADER', `impossible header: ${u(20)} regions, expected 8`);
  const tags = [Region.CODES, Region.LINKS0, Region.LABELS, Region.LEVELS, Region.UPPER_OFF, Region.DELETED, Region.FREE, Region.ARENA];
  const regions = tags.map((tag, i) => ({ tag, offset: getU64(view, 96 + i * 16), bytes: getU64(view, 96 + i * 16 + 8) }));
  return {
    state, seed: u(17) + u(18) * 2 ** 32, ef: u(19), rerank: undefined,
    headerBytes, fileBytes: u(21) + u(22) * 2 ** 32, regions,
  };
}

function checkHeaderChecksum(core: Core, view: DataView, headerBytes: number, checksumWord: number): void {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const expected = view.getUint32(checksumWord * 4, true);
  const actual = headerChecksum(core, bytes, headerBytes, checksumWord);
  if (actual !== expected) {
    throw new WannError('CHECKSUM_MISMATCH', `header checksum is 0x${hex(actual)}, the file says 0x${hex(expected)}`);
  }
}

/** The state record's fields, each checked against what the format allows (BAD_HEADER). */
function checkState(file: LoadedFile): void {
  const s = file.state;
  const bad = (what: string) => new WannError('BAD_HEADER', `impossible header: ${what}`);
  const [kind, storage, dim, M, efC, count, capacity] = [s[State.KIND], s[State.STORAGE], s[State.DIM], s[State.M], s[State.EF_CONSTRUCTION], s[State.COUNT], s[State.CAPACITY]];
  const maxLevel = s[State.MAX_LEVEL] | 0;
  if (kind !== Kind.HNSW && kind !== Kind.FLAT && kind !== Kind.IVF) throw bad(`kind ${kind}`);
  const nlist = s[State.NLIST];
  if (kind === Kind.IVF ? storage !== Storage.PQ || nlist < 1 || nlist > 65536 || file.ef < 1 || file.ef > 65536 : nlist !== 0) {
    throw bad(`kind ${kind} with storage ${storage}, nlist ${nlist}, nprobe ${file.ef}`);
  }
  if (s[State.LIST_ORDER] > (kind === Kind.IVF ? 2 : 0)) throw bad(`listOrder ${s[State.LIST_ORDER]} with kind ${kind}`);
  if (s[State.METRIC] > Metric.COSINE) throw bad(`metric ${s[State.METRIC]}`);
  if (storage > Storage.PQ) throw bad(`storage ${storage}`);
  if (dim < 1 || dim > 65536) throw bad(`dim ${dim}`);
  const [pqM, pqBits] = [s[State.PQ_M], s[State.PQ_BITS]];
  if (storage === Storage.PQ ? !pqShapeValid(dim, pqM, pqBits) : pqM !== 0 || pqBits !== 0) throw bad(`pq m ${pqM}, bits ${pqBits} with storage ${storage}, dim ${dim}`);
  if (s[State.KEEP_VECTORS] > 1 || (storage === Storage.F32 && s[State.KEEP_VECTORS] !== 0)) throw bad(`keepVectors ${s[State.KEEP_VECTORS]} with storage ${storage}`);
  const trainable = storage === Storage.I8 || storage === Storage.BINARY || storage === Storage.PQ;
  if (s[State.TRAINED] > 1 || (!trainable && s[State.TRAINED] !== 1) || (s[State.TRAINED] === 0 && count > 0)) {
    throw bad(`trained ${s[State.TRAINED]} with storage ${storage} and ${count} items`);
  }
  if (capacity < 1 || capacity > MAX_CAPACITY || count > capacity) throw bad(`count ${count} of capacity ${capacity}`);
  if (s[State.DELETED_COUNT] > count) throw bad(`${s[State.DELETED_COUNT]} deleted of ${count}`);
  if (s[State.LABELS_ARE_SLOTS] > 1) throw bad(`labelsAreSlots ${s[State.LABELS_ARE_SLOTS]}`);
  if (file.seed > Number.MAX_SAFE_INTEGER) throw bad(`seed ${file.seed}`);
  // A default re-rank needs the f32 rows, as create() insists: else every search would throw.
  const keeps = storage === Storage.F32 || s[State.KEEP_VECTORS] === 1;
  if (file.rerank !== undefined && (file.rerank > 0x7fffffff || (file.rerank > 0 && !keeps))) throw bad(`rerank ${file.rerank} with storage ${storage}, keepVectors ${s[State.KEEP_VECTORS]}`);
  if (kind === Kind.HNSW) {
    if (M < 2 || M > 10000 || efC < 1 || efC > 0x7fffffff) throw bad(`M ${M}, efConstruction ${efC}`);
    if (file.ef < 1 || file.ef > 0x7fffffff) throw bad(`ef ${file.ef}`);
    if (maxLevel < -1 || maxLevel > 255 || (count === 0) !== (maxLevel === -1)) throw bad(`maxLevel ${maxLevel} with ${count} items`);
  } else if (M !== 0 || efC !== 0 || s[State.ARENA_USED] !== 0 || maxLevel !== -1 || s[State.ENTRY_SLOT] !== 0) {
    throw bad(`graph fields set in a${kind === Kind.IVF ? 'n IvfIndex' : ' FlatIndex'}`);
  }
}

/**
 * The region table against what the restored state implies (the core's regionUsedBytes):
 * each region holding data listed once with its exact size, offsets consecutive from the
 * header, 16-byte aligned, and the file length their sum. Empty entries may appear (version 1).
 */
function checkRegions(core: Core, file: ParsedHeader): void {
  const seen = new Set<number>();
  let at = file.headerBytes;
  for (const { tag, offset, bytes } of file.regions) {
    const expected = tag < Region.COUNT ? core.regionUsedBytes(tag) : -1;
    if (seen.has(tag) || offset !== at || bytes !== expected) {
      throw new WannError('BAD_HEADER', `region ${tag} at ${offset} of ${bytes} bytes, expected ${at} of ${expected}${seen.has(tag) ? ' (listed twice)' : ''}`);
    }
    seen.add(tag);
    at = align16(at + bytes);
  }
  for (let tag = 0; tag < Region.COUNT; tag++) {
    if (!seen.has(tag) && core.regionUsedBytes(tag) > 0) throw new WannError('BAD_HEADER', `region ${tag} (${core.regionUsedBytes(tag)} bytes) is missing`);
  }
  if (at + TRAILER_BYTES !== file.fileBytes) throw new WannError('BAD_HEADER', `the header says ${file.fileBytes} bytes, its regions imply ${at + TRAILER_BYTES}`);
}

const METRIC_NAMES = ['l2', 'ip', 'cosine'] as const;

function checkExpected(state: Uint32Array, options: LoadOptions): void {
  const metric = METRIC_NAMES[state[State.METRIC]];
  if (options.metric !== undefined && metric !== options.metric) {
    throw new WannError('WRONG_METRIC', `the file's metric is '${metric}', expected '${options.metric}'`);
  }
  if (options.dim !== undefined && state[State.DIM] !== options.dim) {
    throw new WannError('DIMENSION_MISMATCH', `the file's dim is ${state[State.DIM]}, expected ${options.dim}`);
  }
}

export function metricName(metric: Metric): 'l2' | 'ip' | 'cosine' {
  return METRIC_NAMES[metric];
}

/** Low 32 bits of the XXH64 of the header's first `headerBytes` bytes, skipping the word that stores it. */
function headerChecksum(core: Core, bytes: Uint8Array, headerBytes: number, checksumWord: number): number {
  const staging = core.stagingPtr();
  core.u8.set(bytes.subarray(0, headerBytes), staging);
  core.x.checksumReset();
  core.x.checksumUpdate(staging, checksumWord * 4);
  core.x.checksumUpdate(staging + checksumWord * 4 + 4, headerBytes - checksumWord * 4 - 4);
  core.x.checksumFinish();
  return core.x.checksumLow() >>> 0; // u32 arrives as i32
}

/** Feeds small `bytes` (at most MAX_HEADER_BYTES) to the running checksum through WASM staging memory. */
export function stagedUpdate(core: Core, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  core.u8.set(bytes, core.stagingPtr());
  core.x.checksumUpdate(core.stagingPtr(), bytes.length);
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
