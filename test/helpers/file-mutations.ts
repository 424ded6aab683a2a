// Structure-aware mutations of index files for fuzz-files.test.ts: edits of header and
// state words, region table entries and the records of each region (a link, a list
// offset, a label, a row lane, a quantizer parameter …) of a wann file, and of the header,
// records and upper link lists of an hnswlib file. Values are chosen from what the file
// holds (a count ± 1, another record's word, a big power of two, a non-finite float), so
// they are plausible but wrong. Wann files are re-sealed after the edit (wann-file.ts),
// so the edit reaches the structural checks, not the checksum. Each applied edit is
// described in words, for the report of a failing case.

import fc from 'fast-check';
import { Header, Region, State, Storage } from '../../src/abi.ts';
import { codeBytes, regionTable, relayout, reseal, stateAt, word } from './wann-file.ts';

/** Quantities of a file a value can be near. */
const NEAR = ['current', 'zero', 'count', 'capacity', 'M', 'M0', 'upperWords', 'arenaUsed', 'maxLevel', 'dim'] as const;
type Near = (typeof NEAR)[number];
/** Floats a row lane or a parameter can take: non-finite, subnormal, signed zero, plausible. */
const FLOATS = [NaN, Infinity, -Infinity, 1.5, -0, 1e-40, 0] as const;

/** What an edit writes. */
export type Value =
  | { near: Near; delta: -1 | 0 | 1 }
  /** The same field of another record (two lists at one offset, a label twice …) or another field of the same record (a link twice). */
  | { copy: 'record' | 'field'; other: number }
  | { pow2: number }
  | { float: number };

export const value: fc.Arbitrary<Value> = fc.oneof(
  fc.record({ near: fc.constantFrom(...NEAR), delta: fc.constantFrom(0, 1, -1) as fc.Arbitrary<-1 | 0 | 1> }),
  fc.record({ copy: fc.constantFrom('record', 'field') as fc.Arbitrary<'record' | 'field'>, other: fc.nat() }),
  fc.record({ pow2: fc.integer({ min: 10, max: 32 }) }),
  fc.record({ float: fc.constantFrom(...FLOATS) }),
);

/** Where a value is written: the bytes, the field's offset and width, and what `copy` reads. */
interface Slot {
  view: DataView;
  at: number;
  /** Bytes of the field: 1, 2, 4 or 8. */
  width: number;
  /** Offsets of the same field in another record, of another field in the same record (given `other`). */
  otherRecord(other: number): number;
  otherField(other: number): number;
}

/** The file's quantities by name. */
type Quantities = Record<Exclude<Near, 'current'>, number>;

function read(view: DataView, at: number, width: number): number {
  if (at < 0 || at + width > view.byteLength) return 0;
  if (width === 1) return view.getUint8(at);
  if (width === 2) return view.getUint16(at, true);
  if (width === 4) return view.getUint32(at, true);
  return Number(view.getBigUint64(at, true));
}

/** Half-precision bits of the FLOATS (Node 20 has no setFloat16). */
function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  if (x === Infinity) return 0x7c00;
  if (x === -Infinity) return 0xfc00;
  if (Object.is(x, -0)) return 0x8000;
  return x === 1.5 ? 0x3e00 : x === 0 ? 0 : 0x0001;
}

/** Writes `v` into `slot`; returns how it reads in a report. */
function write(slot: Slot, v: Value, q: Quantities): string {
  const { view, at, width } = slot;
  if (at + width > view.byteLength) return 'nothing (beyond the file)';
  if ('float' in v) {
    if (width === 4) view.setFloat32(at, v.float, true);
    else if (width === 2) view.setUint16(at, halfBits(v.float), true);
    else if (width === 1) view.setUint8(at, halfBits(v.float) >> 8);
    else view.setFloat64(at, v.float, true);
    return `${Object.is(v.float, -0) ? '-0' : v.float} (float)`;
  }
  let n: number, how: string;
  if ('near' in v) {
    n = (v.near === 'current' ? read(view, at, width) : q[v.near]) + v.delta;
    how = `${v.near}${v.delta === 0 ? '' : v.delta > 0 ? ' + 1' : ' - 1'}`;
  } else if ('copy' in v) {
    const from = v.copy === 'record' ? slot.otherRecord(v.other) : slot.otherField(v.other);
    n = read(view, from, width);
    how = `copied from ${v.copy === 'record' ? 'another record' : 'another field'} at byte ${from}`;
  } else {
    n = 2 ** v.pow2 - (v.pow2 === 32 ? 1 : 0);
    how = `2^${v.pow2}${v.pow2 === 32 ? ' - 1' : ''}`;
  }
  const bits = BigInt.asUintN(width * 8, BigInt(n));
  if (width === 8) view.setBigUint64(at, bits, true);
  else if (width === 4) view.setUint32(at, Number(bits), true);
  else if (width === 2) view.setUint16(at, Number(bits), true);
  else view.setUint8(at, Number(bits));
  return `${bits} (${how})`;
}

/** A slot whose records are `recordBytes` apart from `start`, `count` of them, fields `width` wide. */
function recordSlot(view: DataView, start: number, count: number, recordBytes: number, width: number, record: number, field: number): Slot & { record: number; field: number } {
  const records = Math.max(count, 1), fields = Math.max(1, Math.floor(recordBytes / width));
  const r = record % records, f = field % fields;
  return {
    view, width, record: r, field: f, at: start + r * recordBytes + f * width,
    otherRecord: (other) => start + (other % records) * recordBytes + f * width,
    otherField: (other) => start + r * recordBytes + (other % fields) * width,
  };
}

// ---------------------------------------------------------------------------------------
// wann files

/** Words of the header (besides the state record) an edit may change. */
const HEADER_WORDS = [Header.EF, Header.RERANK, Header.SEED_LO, Header.SEED_HI, Header.REGION_COUNT, Header.HEADER_BYTES, Header.FILE_BYTES_LO];

export type WannEdit =
  | { at: 'state'; field: number; value: Value }
  | { at: 'header'; word: number; value: Value }
  | { at: 'table'; entry: number; field: number; value: Value }
  | { at: 'region'; region: number; record: number; field: number; value: Value };

export interface WannMutation {
  base: number;
  edits: WannEdit[];
  /** Rebuild the region table and regions for the edited state (wann-file.ts relayout) before the region edits. */
  relayout: boolean;
  /** Load with { metric, dim } of the original, so edits of those give WRONG_METRIC / DIMENSION_MISMATCH. */
  expectOriginal: boolean;
  simd: boolean;
}

const wannEdit: fc.Arbitrary<WannEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ at: fc.constant('state' as const), field: fc.integer({ min: 0, max: State.PERSISTED - 1 }), value }) },
  { weight: 1, arbitrary: fc.record({ at: fc.constant('header' as const), word: fc.constantFrom(...HEADER_WORDS), value }) },
  { weight: 1, arbitrary: fc.record({ at: fc.constant('table' as const), entry: fc.nat(), field: fc.constantFrom(0, 2, 4), value }) },
  { weight: 10, arbitrary: fc.record({ at: fc.constant('region' as const), region: fc.nat(), record: fc.nat(), field: fc.nat(), value }) },
);

/** Mutations of one of `bases` files: 1–3 edits, mostly inside regions. */
export function wannMutation(bases: number): fc.Arbitrary<WannMutation> {
  return fc.record({
    base: fc.nat({ max: bases - 1 }),
    edits: fc.array(wannEdit, { minLength: 1, maxLength: 3 }),
    relayout: fc.boolean(),
    expectOriginal: fc.boolean(),
    simd: fc.boolean(),
  });
}

/** Bytes of one record of `region` and the width of its fields, given the file's state word reader. */
function wannRecord(region: Region, s: (field: State) => number): [recordBytes: number, width: number] {
  const storage = s(State.STORAGE), dim = s(State.DIM), stride = (dim + 3) & ~3;
  switch (region) {
    case Region.CODES:
      if (storage === Storage.PQ) return [Math.max(1, s(State.PQ_M)), 1]; // a code's centroid numbers: bytes or nibbles
      return [codeBytes(storage, dim), storage === Storage.F16 ? 2 : storage === Storage.I8 ? 1 : 4];
    case Region.RAW: return [stride * 4, 4];
    case Region.LINKS0: return [(1 + 2 * s(State.M)) * 4, 4];
    case Region.ARENA: return [(1 + s(State.M)) * 4, 4];
    case Region.LEVELS: case Region.DELETED: return [1, 1];
    case Region.QUANTIZER: return storage === Storage.PQ ? [16, 4] : [16 + stride * 4, 4];
    default: return [4, 4];
  }
}

/** The mutated, re-sealed file, and the edits in words. */
export function mutateWann(original: Uint8Array, m: WannMutation): { bytes: Uint8Array; described: string[] } {
  let bytes: Uint8Array = original.slice();
  const described: string[] = [];
  const s = (field: State) => word(bytes, Header.STATE + field);
  const quantities = (): Quantities => ({
    zero: 0, count: s(State.COUNT), capacity: s(State.CAPACITY), M: s(State.M), M0: 2 * s(State.M), upperWords: 1 + s(State.M),
    arenaUsed: s(State.ARENA_USED), maxLevel: s(State.MAX_LEVEL) | 0, dim: s(State.DIM),
  });
  const headerSlot = (at: number): Slot => ({ view: new DataView(bytes.buffer), at, width: 4, otherRecord: (o) => (o % Header.WORDS) * 4, otherField: (o) => (o % Header.WORDS) * 4 });
  for (const edit of m.edits) {
    if (edit.at === 'state') described.push(`state ${State[edit.field]} := ${write(headerSlot(stateAt(edit.field)), edit.value, quantities())}`);
  }
  if (m.relayout) {
    bytes = relayout(bytes);
    described.push('region table rebuilt for the state');
  }
  // Region and table edits find the regions where they really are: before any header word changed the table's size.
  const table = regionTable(bytes);
  const view = new DataView(bytes.buffer);
  for (const edit of m.edits) {
    if (edit.at === 'header') described.push(`header ${Header[edit.word]} := ${write(headerSlot(edit.word * 4), edit.value, quantities())}`);
  }
  for (const edit of m.edits) {
    if (edit.at !== 'region' || table.length === 0) continue;
    const entry = table[edit.region % table.length];
    const [recordBytes, width] = wannRecord(entry.tag, s);
    const records = Math.floor(entry.bytes / recordBytes);
    if (records === 0) continue;
    const slot = recordSlot(view, entry.offset, records, recordBytes, width, edit.record, edit.field);
    described.push(`${Region[entry.tag]}[${slot.record}] field ${slot.field} := ${write(slot, edit.value, quantities())}`);
  }
  for (const edit of m.edits) {
    if (edit.at !== 'table' || table.length === 0) continue;
    const entry = table[edit.entry % table.length];
    const slot: Slot = { view, at: entry.entryAt + edit.field * 4, width: edit.field === 0 ? 4 : 8, otherRecord: (o) => table[o % table.length].entryAt + edit.field * 4, otherField: (o) => entry.entryAt + (o % 3) * 8 };
    described.push(`table entry of ${Region[entry.tag]}: ${['tag', '', 'offset', '', 'bytes'][edit.field]} := ${write(slot, edit.value, quantities())}`);
  }
  return { bytes: reseal(bytes), described };
}

// ---------------------------------------------------------------------------------------
// hnswlib files (src/hnswlib.ts): a 96-byte header of u64 sizes, records of
// [u16 count, u8 flags, u8, 2M × u32 links, dim × f32, u64 label], then per element a
// u32 byte count and its upper lists of [count, M × u32].

/** Header fields: byte offset and width (48: maxLevel i32, 52: entry u32, 80: mult f64). */
const HNSWLIB_HEADER: [at: number, width: number, name: string][] = [
  [0, 8, 'offsetLevel0'], [8, 8, 'maxElements'], [16, 8, 'count'], [24, 8, 'recordBytes'], [32, 8, 'labelOffset'],
  [40, 8, 'dataOffset'], [48, 4, 'maxLevel'], [52, 4, 'entry'], [56, 8, 'maxM'], [64, 8, 'maxM0'], [72, 8, 'M'],
  [80, 8, 'mult'], [88, 8, 'efConstruction'],
];

export type HnswlibEdit =
  | { at: 'header'; field: number; value: Value }
  | { at: 'record'; part: 'count' | 'flags' | 'word'; record: number; field: number; value: Value }
  | { at: 'upper'; element: number; field: number; value: Value };

export interface HnswlibMutation {
  base: number;
  edits: HnswlibEdit[];
  simd: boolean;
}

const hnswlibEdit: fc.Arbitrary<HnswlibEdit> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ at: fc.constant('header' as const), field: fc.nat({ max: HNSWLIB_HEADER.length - 1 }), value }) },
  { weight: 6, arbitrary: fc.record({ at: fc.constant('record' as const), part: fc.constantFrom('word', 'count', 'flags') as fc.Arbitrary<'word' | 'count' | 'flags'>, record: fc.nat(), field: fc.nat(), value }) },
  { weight: 3, arbitrary: fc.record({ at: fc.constant('upper' as const), element: fc.nat(), field: fc.nat(), value }) },
);

export function hnswlibMutation(bases: number): fc.Arbitrary<HnswlibMutation> {
  return fc.record({ base: fc.nat({ max: bases - 1 }), edits: fc.array(hnswlibEdit, { minLength: 1, maxLength: 3 }), simd: fc.boolean() });
}

/** The mutated hnswlib file (no checksum to reseal), and the edits in words. */
export function mutateHnswlib(original: Uint8Array, m: HnswlibMutation): { bytes: Uint8Array; described: string[] } {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const size = (at: number) => Number(view.getBigUint64(at, true));
  // Read the layout before any edit: later edits still land where the original put things.
  const count = size(16), recordBytes = size(24), M = size(72), maxLevel = view.getInt32(48, true);
  const upperStart = 96 + count * recordBytes;
  const upper: number[] = [];
  for (let i = 0, at = upperStart; i < count; i++) {
    upper.push(at);
    at += 4 + view.getUint32(at, true);
  }
  const q: Quantities = {
    zero: 0, count, capacity: size(8), M, M0: 2 * M, upperWords: 1 + M, arenaUsed: (bytes.length - upperStart) / 4, maxLevel, dim: (recordBytes - 12 - 8 * M) / 4,
  };
  const described: string[] = [];
  for (const edit of m.edits) {
    if (edit.at === 'header') {
      const [at, width, name] = HNSWLIB_HEADER[edit.field];
      const slot: Slot = { view, at, width, otherRecord: (o) => HNSWLIB_HEADER[o % HNSWLIB_HEADER.length][0], otherField: (o) => HNSWLIB_HEADER[o % HNSWLIB_HEADER.length][0] };
      described.push(`header ${name} := ${write(slot, edit.value, q)}`);
    } else if (edit.at === 'record' && count > 0) {
      const [offset, width] = edit.part === 'count' ? [0, 2] : edit.part === 'flags' ? [2, 1] : [4, 4];
      const slot = recordSlot(view, 96 + offset, count, recordBytes, width, edit.record, edit.part === 'word' ? edit.field % ((recordBytes - 4) / 4) : 0);
      described.push(`record ${slot.record} ${edit.part === 'word' ? `word ${1 + slot.field}` : edit.part} := ${write(slot, edit.value, q)}`);
    } else if (edit.at === 'upper' && count > 0) {
      const element = edit.element % count, start = upper[element];
      const words = 1 + Math.floor(view.getUint32(start, true) / 4);
      const field = edit.field % words;
      const slot: Slot = { view, at: start + field * 4, width: 4, otherRecord: (o) => upper[o % count] + field * 4, otherField: (o) => start + (o % words) * 4 };
      described.push(`upper lists of element ${element} ${field === 0 ? 'byte count' : `word ${field - 1}`} := ${write(slot, edit.value, q)}`);
    }
  }
  return { bytes, described };
}
