// Row formats: the only code that knows how a row is stored. It encodes a row on
// insert, prepares a query (normalise, quantise), gives the distance from a prepared
// query to a slot and between two slots, decodes a row for get(), touches a row before
// it is read, and re-scores exactly from kept f32 rows (training is training.ts). The graph
// and the scans deal in slots only. The kernels and codecs live in their own files
// (distance.ts f32, f16.ts, int8.ts, binary.ts, pq.ts + fastscan.ts + groupscan.ts). Called by hnsw.ts, flat.ts, update.ts,
// results.ts, mutation.ts, search.ts, regions.ts and resize.ts.
//
//   CODES ─► ┌───────────┬───────────┬─  ─┐   codeBytes per slot: f32 stride × 4,
//            │ slot 0    │ slot 1    │ …  │   f16 stride × 2, i8 dim (each rounded
//            └───────────┴───────────┴─  ─┘   up to 16), binary bits + factors (binary.ts),
//                                              pq m or m/2 bytes, or blocks of 32 (pq.ts)
//   RAW   ─► capacity × stride f32: the rows as given (normalised for cosine), with keepVectors
//   QUANTIZER ─► the trained parameters of 'i8' (int8.ts), 'binary' (binary.ts), 'pq' (pq.ts)
//   TRAINING  ─► 'pq' only: the sample and k-means' arrays, in a scratch instance

import { Integrity, Kind, Metric, Region, Status, Storage, State } from '../src/abi';
import { Context, ctx } from './context';
import { regionStart } from './layout';
import { dim, graph, keepVectors, kind, metric, rowBytes, stride } from './params';
import { setStateWord, stateWord } from './state';
import { dot, l2, normalize } from './distance';
import { decodeHalves, dotHalf, encodeHalves, halvesSound, l2Half } from './f16';
import { codeBytesI8, dequantizeI8, dotI8, l2I8, quantizeI8, quantizerBytesI8, quantizerValidI8, scaleI8 } from './int8';
import {
  binarySound, codeBytesBinary, decodeBinary, encodeBinary, pairDistanceBinary, prepareBinary, preparedBytesBinary,
  quantizerBytesBinary, quantizerValidBinary, queryDistanceBinary,
} from './binary';
import {
  adcPq, blocked, centroidRowsBytes, codeSoundPq, deriveCentroidRows, codeBytesPq, codesBytesPq, decodeCodePq, decodePq, derivePq, encodePq, lutAt,
  ownCodeAt, pairDistancePq, pqBits, pqM, preparePq, preparedBytesPq, quantizerBytesPq, quantizerValidPq, sampleBytesPq, storeCodePq, workBytesPq,
} from './pq';
import { lutBytes, quantiseTable, scanCodes8, searchFastScan } from './fastscan';
import { addGroupQuery, groupBytes as groupBytesPq, scanGroup } from './groupscan';
import {
  addCentroid, coarseBytes, coarseValid, codePositionIvf, deriveIvf, groupLists, listsValid,
  preparedBytesIvf, rowsBytesIvf, searchIvf, storeRowIvf, workBytesIvf,
} from './ivf';
import { markRowRemoved } from './ivf-lists';

/**
 * The kernel queryDistance() and pairDistance() run: storage × metric over the codes,
 * or, while the graph is built with f32 rows kept, the exact kernels over those rows.
 */
const F32_L2 = 0, F32_DOT = 1, F16_L2 = 2, F16_DOT = 3, I8_L2 = 4, I8_DOT = 5, BINARY_L2 = 6, BINARY_DOT = 7, PQ_ADC = 8;
const EXACT_L2 = 9, EXACT_DOT = 10;

export let storage: i32 = Storage.F32;
/** Whether rows are kept in inverted lists (ivf.ts): 'pq' codes of residuals. */
export let ivf: bool = false;
/** Bytes of one slot's code. */
export let codeBytes: usize = 0;
let codeKernel: i32 = F32_L2;
let kernel: i32 = F32_L2;

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize {
  return (bytes + 15) & ~15;
}

/** Sets the format's sizes from the parameters (params.ts). Called by resize.ts. */
export function deriveStorage(): void {
  storage = stateWord(State.STORAGE);
  let dotProduct = metric != Metric.L2;
  if (storage == Storage.F16) {
    codeBytes = align16(<usize>stride << 1);
    codeKernel = dotProduct ? F16_DOT : F16_L2;
  } else if (storage == Storage.I8) {
    codeBytes = codeBytesI8(dim);
    codeKernel = dotProduct ? I8_DOT : I8_L2;
  } else if (storage == Storage.BINARY) {
    codeBytes = codeBytesBinary(dim);
    codeKernel = dotProduct ? BINARY_DOT : BINARY_L2;
  } else if (storage == Storage.PQ) {
    derivePq();
    ivf = kind == Kind.IVF;
    if (ivf) deriveIvf();
    codeBytes = codeBytesPq;
    codeKernel = PQ_ADC;
  } else {
    codeBytes = rowBytes;
    codeKernel = dotProduct ? F32_DOT : F32_L2;
  }
  kernel = codeKernel;
}

/**
 * Makes distances between stored rows exact while the graph is built, when the f32
 * rows are kept: the graph is then as good as an f32 one, and only searches traverse
 * the codes (then re-rank). Called by mutation.ts around every insertion and update.
 */
export function beginConstruction(): void {
  if (canRerank()) kernel = metric == Metric.L2 ? EXACT_L2 : EXACT_DOT;
}

/** Back to distances over the codes, for searches. */
export function endConstruction(): void {
  kernel = codeKernel;
}

/** The query a new row is inserted with: its f32 row while construction is exact, else its prepared form. */
// @ts-ignore: decorator
@inline export function constructionQuery(c: Context): usize {
  return kernel >= EXACT_L2 ? c.query : preparedPtr(c);
}

/** Bytes of a prepared query beyond the f32 query row. */
export function preparedBytes(): usize {
  if (storage == Storage.I8) return codeBytes;
  if (storage == Storage.PQ) return preparedBytesPq() + (blocked ? lutBytes(pqM) : 0) + (ivf ? preparedBytesIvf() : 0);
  return storage == Storage.BINARY ? preparedBytesBinary(dim) : 0;
}

/** Bytes the codes of `slots` slots take (the CODES region). */
export function codesBytes(slots: u64): u64 {
  return storage == Storage.PQ ? codesBytesPq(slots) : slots * <u64>codeBytes;
}

/** Bytes of the QUANTIZER region: the trained parameters, plus training's accumulators when `working`. */
export function quantizerBytes(working: bool): usize {
  if (storage == Storage.I8) return quantizerBytesI8(stride, working);
  if (storage == Storage.PQ) return quantizerBytesPq() + (ivf ? coarseBytes() : 0) + (working && graph ? centroidRowsBytes() : 0);
  return storage == Storage.BINARY ? quantizerBytesBinary(stride, working) : 0;
}

/** Bytes of the TRAINING region for the sample rows the state record announces ('pq'). */
export function trainingBytes(): u64 {
  let rows = stateWord(State.TRAIN_ROWS);
  if (storage != Storage.PQ || rows == 0) return 0;
  if (!ivf) return sampleBytesPq(rows) + workBytesPq(rows);
  return rowsBytesIvf(rows) + sampleBytesPq(rows) + max(workBytesIvf(rows), workBytesPq(rows));
}

/** Whether rows of `format` can only be encoded after training (train*()). */
export function needsTraining(format: i32): bool {
  return format == Storage.I8 || format == Storage.BINARY || format == Storage.PQ;
}

/** Whether rows can be encoded: trained, or a format that needs no training. */
export function isTrained(): bool {
  return stateWord(State.TRAINED) != 0;
}

/** Whether search() can re-score exactly: compressed codes with the f32 rows kept. */
export function canRerank(): bool {
  return keepVectors && storage != Storage.F32;
}

// @ts-ignore: decorator
@inline export function codePtr(slot: u32): usize {
  return regionStart(Region.CODES) + <usize>slot * codeBytes;
}

// @ts-ignore: decorator
@inline function rawPtr(slot: u32): usize {
  return regionStart(Region.RAW) + <usize>slot * rowBytes;
}

/** Where the trained parameters are (the QUANTIZER region). */
// @ts-ignore: decorator
@inline export function quantizer(): usize {
  return regionStart(Region.QUANTIZER);
}

/** Where the prepared query of `c` is: the f32 query row itself, or its codes. */
// @ts-ignore: decorator
@inline export function preparedPtr(c: Context): usize {
  return storage == Storage.F32 || storage == Storage.F16 ? c.query : c.prepared;
}

/** Copies the input row of `c` to its query row, normalised for cosine: the one place a row is normalised. */
export function normaliseInput(c: Context): void {
  if (metric == Metric.COSINE) normalize(c.input, c.query, stride);
  else memory.copy(c.query, c.input, rowBytes);
}

/** 'pq': the centroid-major copy of the codebooks, after the saved part of QUANTIZER; 0 where only graphs keep one (pair distances). */
// @ts-ignore: decorator
@inline function centroidRows(): usize {
  return graph ? quantizer() + quantizerBytes(false) : 0;
}

/**
 * Computes what a trained 'pq' quantizer implies and is not saved (the centroid-major
 * codebooks of a graph), once after training or a load. Every path that reads codes
 * passes here first (prepareQuery, decodes). An IVF index's norm terms are computed as
 * each row is stored, and on load (ivf.ts).
 */
function ensureDerived(): void {
  if (storage != Storage.PQ || !isTrained() || stateWord(State.DERIVED_READY) != 0) return;
  if (graph) deriveCentroidRows(quantizer(), centroidRows());
  setStateWord(State.DERIVED_READY, 1);
}

/**
 * Does what a search would do first to shared memory (the derived tables, an IVF's
 * regrouping), so that searches from several threads only read. Called by src/ before
 * a parallel search.
 */
export function readyForSearches(): void {
  ensureDerived();
  if (ivf) groupLists(quantizer(), ctx.prepared);
}

/** An IvfIndex's lists grouped with nothing appended or removed aside: the order a file keeps. Called by src/format.ts. */
export function readyForFile(): void {
  if (ivf) groupLists(quantizer(), ctx.prepared, true);
}

/** Turns the input row of `c` into its query row and its prepared query (a query, or a new row). */
export function prepareQuery(c: Context): void {
  ensureDerived();
  normaliseInput(c);
  if (storage == Storage.I8) quantizeI8(quantizer(), c.query, c.prepared, dim, metric == Metric.L2);
  else if (storage == Storage.BINARY) prepareBinary(quantizer(), c.query, c.prepared, dim, metric == Metric.L2);
  else if (storage == Storage.PQ && !ivf) { // ivf.ts builds a table per list it probes
    preparePq(quantizer(), c.query, c.prepared);
    if (blocked) quantiseTable(c.prepared, pqM, lutAt(c.prepared));
  }
}

/** ivf.ts's search over the `probes` nearest lists: the `width` nearest left in W; returns how many. */
export function searchLists(c: Context, width: i32, probes: i32, admit: i32): i32 {
  return searchIvf(c, quantizer(), width, probes, admit);
}

/** Whether a scan runs fastscan.ts ('pq' codes: ADC sums inlined, or 4-bit codes 32 at a time). */
export function scansCodes(): bool {
  return storage == Storage.PQ;
}

/** fastscan.ts's scan for the prepared query of `c`: the `width` nearest left in W; returns how many. */
export function scanCodes(c: Context, width: i32, admit: i32): i32 {
  let codes = regionStart(Region.CODES);
  if (blocked) return searchFastScan(c, codes, pqM, c.prepared, lutAt(c.prepared), width, admit);
  if (pqBits == 8) return scanCodes8(c, codes, pqM, c.prepared, width, admit);
  return -1;
}

/** Whether a batch's queries are searched in groups (groupscan.ts): a FlatIndex's 8-bit 'pq' codes. */
export function groupsQueries(): bool {
  return storage == Storage.PQ && kind == Kind.FLAT && pqBits == 8;
}

/** Bytes of a context's group area for searches up to `efMax` wide; 0 where groupsQueries() is false or no batch search asked for it yet (resize.ts reserveBatch). */
export function groupBytes(efMax: i32): usize {
  return groupsQueries() && stateWord(State.GROUP_ROOM) != 0 ? groupBytesPq(efMax) : 0;
}

/** prepareQuery() for query `i` of the group of `c`: normalised and sliced; its table is built with the group's. */
export function prepareGroupQuery(c: Context, i: i32): void {
  ensureDerived();
  normaliseInput(c);
  addGroupQuery(c, i);
}

/** groupscan.ts's scan for the group's first `queries` queries: each one's `width` nearest left in its heap. */
export function scanCodesGroup(c: Context, queries: i32, width: i32, admit: i32): void {
  scanGroup(c, quantizer(), regionStart(Region.CODES), queries, width, admit);
}

/** Called when `slot`'s item is removed: its row stays; an IVF list keeps it, skipped by searches, until regrouped. */
export function rowRemoved(): void {
  if (ivf) markRowRemoved();
}

/** Stores the query row of `c` (prepareQuery() done) as the row of `slot`. */
export function storeRow(c: Context, slot: u32): void {
  let code = codePtr(slot);
  if (storage == Storage.F16) encodeHalves(c.query, code, stride);
  else if (storage == Storage.I8) memory.copy(code, c.prepared, codeBytes); // the query's codes are the row's
  else if (storage == Storage.BINARY) encodeBinary(quantizer(), c.query, code, dim);
  else if (ivf) storeRowIvf(quantizer(), c, slot);
  else if (storage == Storage.PQ) storeCodePq(regionStart(Region.CODES), slot, encodePq(quantizer(), c.prepared));
  else memory.copy(code, c.query, rowBytes);
  if (keepVectors) memory.copy(rawPtr(slot), c.query, rowBytes);
}

/** Distance from a prepared query (preparedPtr()) to `slot`. f32 inline: the other kernels pay one call. */
// @ts-ignore: decorator
@inline export function queryDistance(prepared: usize, slot: u32): f32 {
  if (kernel == F32_L2) return l2(prepared, codePtr(slot), stride);
  if (kernel == F32_DOT) return 1 - dot(prepared, codePtr(slot), stride); // ip, and cosine over normalised rows
  return queryDistanceOther(prepared, slot);
}

function queryDistanceOther(prepared: usize, slot: u32): f32 {
  let code = codePtr(slot);
  switch (kernel) {
    case EXACT_L2:
    case EXACT_DOT: return exactDistance(prepared, slot);
    case F16_L2: return l2Half<f32>(prepared, code, stride);
    case F16_DOT: return 1 - dotHalf<f32>(prepared, code, stride);
    case I8_L2: return i8Squared() * <f32>l2I8(prepared, code, codeBytes);
    case I8_DOT: return 1 - i8Squared() * <f32>dotI8(prepared, code, codeBytes);
    case PQ_ADC: return adcPq(prepared, regionStart(Region.CODES), slot);
    default: return queryDistanceBinary(prepared, code, dim, kernel == BINARY_L2);
  }
}

/** Distance between the stored rows of two slots: insertion and the neighbour heuristic. */
// @ts-ignore: decorator
@inline export function pairDistance(a: u32, b: u32): f32 {
  if (kernel == F32_L2) return l2(codePtr(a), codePtr(b), stride);
  if (kernel == F32_DOT) return 1 - dot(codePtr(a), codePtr(b), stride);
  return pairDistanceOther(a, b);
}

function pairDistanceOther(a: u32, b: u32): f32 {
  let codeA = codePtr(a), codeB = codePtr(b);
  switch (kernel) {
    case EXACT_L2: return l2(rawPtr(a), rawPtr(b), stride);
    case EXACT_DOT: return 1 - dot(rawPtr(a), rawPtr(b), stride);
    case F16_L2: return l2Half<u16>(codeA, codeB, stride);
    case F16_DOT: return 1 - dotHalf<u16>(codeA, codeB, stride);
    case I8_L2: return i8Squared() * <f32>l2I8(codeA, codeB, codeBytes);
    case I8_DOT: return 1 - i8Squared() * <f32>dotI8(codeA, codeB, codeBytes);
    case PQ_ADC: return pairDistancePq(centroidRows(), regionStart(Region.CODES), a, b);
    default: return pairDistanceBinary(quantizer(), codeA, codeB, dim, kernel == BINARY_L2);
  }
}

/** scale² of 'i8': turns a sum over codes into a distance. */
// @ts-ignore: decorator
@inline function i8Squared(): f32 {
  let scale = scaleI8(quantizer());
  return scale * scale;
}

/** Exact distance from the query row to the kept f32 row of `slot` (canRerank()). */
export function exactDistance(query: usize, slot: u32): f32 {
  if (metric == Metric.L2) return l2(query, rawPtr(slot), stride);
  return 1 - dot(query, rawPtr(slot), stride);
}

/** Writes the row of `slot` as f32 (stride values) at `dst`: the kept f32 row, else the decoded code. */
export function decodeRow(slot: u32, dst: usize): void {
  if (keepVectors) memory.copy(dst, rawPtr(slot), rowBytes);
  else if (storage == Storage.F16) decodeHalves(codePtr(slot), dst, stride);
  else if (storage == Storage.I8) dequantizeI8(quantizer(), codePtr(slot), dst, dim, stride);
  else if (storage == Storage.BINARY) decodeBinary(quantizer(), codePtr(slot), dst, dim, stride);
  else if (storage == Storage.PQ) {
    ensureDerived();
    let position = ivf ? codePositionIvf(slot) : slot;
    decodePq(quantizer(), centroidRows(), regionStart(Region.CODES), position, dst, stride, ctx.prepared);
    if (ivf) addCentroid(quantizer(), position, dst);
  }
  else memory.copy(dst, codePtr(slot), rowBytes);
}

/**
 * Loads one word of every cache line of the code of `slot` and returns their xor.
 * WASM has no prefetch instruction, but loads that nothing waits on let the CPU fetch
 * all rows of a hop at once instead of one row per distance (hnswlib prefetches).
 */
// @ts-ignore: decorator
@inline export function touchRow(slot: u32): u32 {
  return kernel >= EXACT_L2 ? touch(rawPtr(slot), rowBytes) : touch(codePtr(slot), codeBytes); // never blocked: the graph's codes are per slot
}

/** touchRow() for the kept f32 row of `slot`, before an exact re-rank reads it. */
export function touchExactRow(slot: u32): u32 {
  return touch(rawPtr(slot), rowBytes);
}

/** One load per cache line of `bytes` at `row`, xor-ed. */
// @ts-ignore: decorator
@inline function touch(row: usize, bytes: usize): u32 {
  let sink: u32 = 0;
  for (let off: usize = 0; off < bytes; off += 64) sink ^= load<u32>(row + off);
  return sink;
}

/** 'pq': prepares the input row of `c` and returns where its code is (per-slot layout). */
export function encodeInput(c: Context): usize {
  prepareQuery(c);
  return encodePq(quantizer(), c.prepared);
}

/** 'pq': decodes the code at encodeInput()'s address into the input row of `c`. */
export function decodeCode(c: Context): void {
  ensureDerived();
  decodeCodePq(quantizer(), centroidRows(), ownCodeAt(c.prepared), c.input, stride, c.prepared);
}

/**
 * Marks the index trained with the parameters src/ copied into QUANTIZER from a scratch
 * instance's training: Status.OK, or NOT_TRAINED when they are not usable.
 */
export function adoptQuantizer(): i32 {
  if (quantizerProblem(true) != Integrity.OK) return Status.NOT_TRAINED;
  setStateWord(State.DERIVED_READY, 0);
  setStateWord(State.TRAINED, 1);
  return Status.OK;
}

/** Whether an IvfIndex's lists and codes are sound (ivf.ts listsValid); true for the other kinds, whose codes rowSound() checks. Called by integrity.ts. */
export function codesSound(): bool {
  return !ivf || listsValid();
}

/**
 * Whether the stored row of `slot` (and its kept f32 row) is one the format can hold:
 * finite values and zero padding. A loaded file could say otherwise, and NaN rows or
 * padding lanes would enter every distance. Called by integrity.ts.
 */
export function rowSound(slot: u32): bool {
  if (keepVectors && !finiteRow(rawPtr(slot))) return false;
  let code = codePtr(slot);
  if (storage == Storage.F16) return halvesSound(code, dim, stride) && zeroBytes(code + (<usize>stride << 1), codeBytes - (<usize>stride << 1));
  if (storage == Storage.I8) return zeroBytes(code + <usize>dim, codeBytes - <usize>dim);
  if (storage == Storage.BINARY) return binarySound(code, dim);
  if (storage == Storage.PQ) return ivf || codeSoundPq(regionStart(Region.CODES), slot); // an IvfIndex's codes: codesSound()
  return finiteRow(code);
}

/** An f32 row of `dim` finite values and zero padding to `stride` (an exponent of all ones is NaN or Infinity). */
function finiteRow(row: usize): bool {
  let end = row + rowBytes;
  if (ASC_FEATURE_SIMD) {
    let exponent = i32x4.splat(0x7f800000), bad = i32x4.splat(0);
    for (let p = row; p < end; p += 16) bad = v128.or(bad, i32x4.eq(v128.and(v128.load(p), exponent), exponent));
    if (v128.any_true(bad)) return false;
  } else {
    for (let p = row; p < end; p += 4) if ((load<u32>(p) & 0x7f800000) == 0x7f800000) return false;
  }
  return zeroBytes(row + (<usize>dim << 2), <usize>(stride - dim) << 2);
}

/** Whether `bytes` at `ptr` are all zero. */
export function zeroBytes(ptr: usize, bytes: usize): bool {
  for (let i: usize = 0; i < bytes; i++) if (load<u8>(ptr + i) != 0) return false;
  return true;
}

/** Integrity.OK when the trained parameters of a loaded index are usable, else BAD_QUANTIZER. */
export function quantizerProblem(evenUntrained: bool = false): i32 {
  if (!isTrained() && !evenUntrained) return Integrity.OK;
  if (storage == Storage.PQ && !(quantizerValidPq(quantizer()) && (!ivf || coarseValid(quantizer())))) return Integrity.BAD_QUANTIZER;
  if (storage == Storage.I8 && !quantizerValidI8(quantizer(), stride)) return Integrity.BAD_QUANTIZER;
  if (storage == Storage.BINARY && !quantizerValidBinary(quantizer(), stride)) return Integrity.BAD_QUANTIZER;
  return Integrity.OK;
}
