// The wann file format (version 2, src/format.ts) as tests read and edit it: header and
// state words, the region table, the used size of each region, and re-sealing both
// checksums after a deliberate edit so that only the edit is wrong. Written from the
// format's description, not from src/format.ts, so a test of the one checks the other.
// Used by persistence.test.ts and fuzz-files.test.ts.
//
//   ┌──────────────────────────────┬──────────────────────────┬────────┬─  ─┬─────┐
//   │ Header.WORDS u32: header,    │ REGION_COUNT × 24 bytes: │ region │ …  │ u64 │
//   │ State words from STATE on    │ tag u32, 0, offset u64,  │ 16-B   │    │ sum │
//   │                              │ bytes u64                │ aligned│    │     │
//   └──────────────────────────────┴──────────────────────────┴────────┴─  ─┴─────┘

import { Header, Kind, Region, State, Storage } from '../../src/abi.ts';
import { xxh64 } from './xxh64.ts';

export const TABLE_ENTRY_BYTES = 24;

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Word `i` (u32, little-endian) of a file. */
export const word = (bytes: Uint8Array, i: number) => view(bytes).getUint32(i * 4, true);

/** Byte offset of a state record word in a version 2 header. */
export const stateAt = (field: State) => (Header.STATE + field) * 4;

/** Recomputes both checksums after a deliberate edit, so only the edit is wrong. */
export function reseal(bytes: Uint8Array): Uint8Array {
  const header = bytes.slice(0, Math.min(word(bytes, Header.HEADER_BYTES), bytes.length - 8));
  const sumAt = Header.CHECKSUM * 4;
  const headerSum = xxh64(new Uint8Array([...header.subarray(0, sumAt), ...header.subarray(sumAt + 4)]));
  view(bytes).setUint32(sumAt, Number(headerSum & 0xffffffffn), true);
  view(bytes).setBigUint64(bytes.length - 8, xxh64(bytes.subarray(0, bytes.length - 8)), true);
  return bytes;
}

/** One entry of a file's region table; `entryAt` is the byte offset of the entry itself. */
export interface RegionEntry {
  tag: Region;
  offset: number;
  bytes: number;
  entryAt: number;
}

/** The region table of a version 2 file, as it says (not checked). */
export function regionTable(bytes: Uint8Array): RegionEntry[] {
  const count = Math.min(word(bytes, Header.REGION_COUNT), Math.floor((bytes.length - Header.WORDS * 4) / TABLE_ENTRY_BYTES));
  return Array.from({ length: count }, (_, i) => {
    const entryAt = Header.WORDS * 4 + i * TABLE_ENTRY_BYTES;
    const v = view(bytes);
    return { tag: v.getUint32(entryAt, true), offset: Number(v.getBigUint64(entryAt + 8, true)), bytes: Number(v.getBigUint64(entryAt + 16, true)), entryAt };
  });
}

/** Where region `tag` starts in a version 2 file. */
export function regionOffset(bytes: Uint8Array, tag: Region): number {
  const entry = regionTable(bytes).find((e) => e.tag === tag);
  if (entry === undefined) throw new Error(`region ${Region[tag]} is not in the file`);
  return entry.offset;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Bytes of one stored row of each storage (assembly/storage.ts, int8.ts, binary.ts). */
export function codeBytes(storage: Storage, dim: number): number {
  const stride = (dim + 3) & ~3;
  switch (storage) {
    case Storage.F32: return stride * 4;
    case Storage.F16: return align16(stride * 2);
    case Storage.I8: return align16(dim);
    default: return ((dim + 127) & ~127) / 8 + 16; // bits, then four f32 factors
  }
}

/**
 * 'pq' (assembly/pq.ts): codes of m bytes (8 bits) or ceil(m / 2) (4 bits), or for a
 * FlatIndex's 4-bit codes blocks of 32 slots of m × 16 bytes; codebooks of m subspaces ×
 * subDims rounded up to 4 × 2^bits f32 (an IvfIndex's coarse centroids follow).
 */
function pqBytes(n: number, dim: number, m: number, bits: number, perSlot: boolean): { codes: number; codebooks: number } {
  if (m === 0) return { codes: 0, codebooks: 0 };
  const subStride = (Math.ceil(dim / m) + 3) & ~3;
  const codes = bits === 8 ? n * m : perSlot ? n * Math.ceil(m / 2) : Math.ceil(n / 32) * m * 16;
  return { codes, codebooks: m * subStride * 2 ** bits * 4 };
}

/** Bytes each region holding data takes in a file whose state words are `s` (0 where absent). */
export function usedRegionBytes(s: (field: State) => number): Map<Region, number> {
  const n = s(State.COUNT), dim = s(State.DIM), storage = s(State.STORAGE), graph = s(State.KIND) === Kind.HNSW;
  const stride = (dim + 3) & ~3;
  const trainable = storage === Storage.I8 || storage === Storage.BINARY;
  const ivf = s(State.KIND) === Kind.IVF;
  const pq = pqBytes(n, dim, s(State.PQ_M), s(State.PQ_BITS), s(State.KIND) !== Kind.FLAT);
  return new Map<Region, number>([
    [Region.CODES, storage === Storage.PQ ? pq.codes : n * codeBytes(storage, dim)],
    [Region.RAW, s(State.KEEP_VECTORS) ? n * stride * 4 : 0],
    [Region.QUANTIZER, storage === Storage.PQ ? pq.codebooks + (ivf ? stride * s(State.NLIST) * 4 : 0) : trainable ? 16 + stride * 4 : 0],
    [Region.LINKS0, graph ? n * (1 + 2 * s(State.M)) * 4 : 0],
    [Region.LABELS, s(State.LABELS_ARE_SLOTS) ? 0 : n * 4],
    [Region.LEVELS, graph ? n : 0],
    [Region.UPPER_OFF, graph ? n * 4 : 0],
    [Region.DELETED, s(State.DELETED_COUNT) === 0 ? 0 : n],
    [Region.FREE, s(State.DELETED_COUNT) * 4],
    [Region.ARENA, s(State.ARENA_USED) * 4],
    [Region.LIST_OF, ivf && s(State.LIST_ORDER) < 2 ? n * 4 : 0], // format 3
    [Region.LISTS, ivf && s(State.LIST_ORDER) === 2 ? (s(State.NLIST) + 2 + n) * 4 : 0], // the starts and each position's slot
  ]);
}

/**
 * The file with its region table and regions rebuilt for the sizes its state words
 * imply: each region keeps what fits of its old bytes and is zero beyond. An edit of
 * COUNT, M, STORAGE … then reaches the checks after the table's. Not resealed.
 */
export function relayout(bytes: Uint8Array): Uint8Array {
  const old = new Map(regionTable(bytes).map((e) => [e.tag, e]));
  const sizes = [...usedRegionBytes((field) => word(bytes, Header.STATE + field))].filter(([, size]) => size > 0);
  const headerBytes = Header.WORDS * 4 + sizes.length * TABLE_ENTRY_BYTES;
  let at = headerBytes;
  const placed = sizes.map(([tag, size]) => {
    const offset = at;
    at = align16(at + size);
    return { tag, offset, size };
  });
  if (at + 8 > 2 ** 18) return bytes; // larger than any test file should grow (and slow to re-seal): leave the file as it was
  const out = new Uint8Array(at + 8);
  out.set(bytes.subarray(0, Header.WORDS * 4));
  const v = view(out);
  v.setUint32(Header.HEADER_BYTES * 4, headerBytes, true);
  v.setUint32(Header.REGION_COUNT * 4, placed.length, true);
  v.setUint32(Header.FILE_BYTES_LO * 4, out.length, true);
  v.setUint32(Header.FILE_BYTES_HI * 4, 0, true);
  placed.forEach(({ tag, offset, size }, i) => {
    const entryAt = Header.WORDS * 4 + i * TABLE_ENTRY_BYTES;
    v.setUint32(entryAt, tag, true);
    v.setBigUint64(entryAt + 8, BigInt(offset), true);
    v.setBigUint64(entryAt + 16, BigInt(size), true);
    const from = old.get(tag);
    if (from) out.set(bytes.subarray(from.offset, from.offset + Math.min(from.bytes, size)), offset);
  });
  return out;
}
