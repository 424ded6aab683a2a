// The ABI of the WASM core: every export, one doc line each, numbers only, no logic.
// Results >= 0 are counts or slots; results < 0 are a Status (src/abi.ts). Records
// (the state, the regions) are read and written by src/ through the names in src/abi.ts.
// Called by src/wasm.ts and the index classes in src/. One instance = one index.

import { Kernel, Region, Status } from '../src/abi';
import * as resize from './resize';
import * as mutation from './mutation';
import { search as searchIndex } from './search';
import { counterSum, ctx, resetCounters as resetContextCounters, useContext } from './context';
import * as batch from './batch';
import { deriveParameters, keepVectors } from './params';
import { regionStart } from './layout';
import { usedBytes } from './regions';
import { stateRecord, count, deletedCount } from './state';
import * as storage from './storage';
import * as training from './training';
import { findSlot, labelsAreSlotNumbers } from './idmap';
import { checkIntegrity as check } from './integrity';
import { reorderSlots } from './reorder';
import { restoreState as restore } from './restore';
import * as checksum from './checksum';
import { dot, l2 } from './distance';
import { dotHalf, l2Half } from './f16';
import { dotI8, l2I8 } from './int8';
import { hamming } from './binary';
import { kmeansAssign as assignToCentroids } from './kmeans';

/** Bytes of the staging block: holds a file header and its region table (src/format.ts). */
const STAGING_BYTES = 1024;
const staging = memory.data(STAGING_BYTES, 16);

/** Sets the parameters and sizes the regions for `capacity` items. May grow memory. Called once by src/ create(). */
export function init(
  kind: i32, metric: i32, storage: i32, dim: i32, M: i32, efConstruction: i32,
  seedLo: u32, seedHi: u32, capacity: u32, keepVectors: i32, pqM: i32, pqBits: i32, nlist: i32,
): i32 {
  return resize.init(kind, metric, storage, dim, M, efConstruction, (<u64>seedHi << 32) | seedLo, capacity, keepVectors, pqM, pqBits, nlist);
}

/** Makes room for at least `capacity` slots. May grow memory. Called by src/ before adding. */
export function reserve(capacity: u32): i32 { return resize.reserveSlots(capacity); }

/** Makes the working memory hold searches with ef (or k, or rerank) up to `ef`. May grow memory. */
export function reserveEf(ef: i32): i32 { return resize.reserveEf(ef); }

/** Makes room for `contexts` threads to work at once (one context each, the caller's included) and their locks. May grow memory; before init() or a load it only notes them. */
export function reserveContexts(contexts: u32): i32 { return resize.reserveContexts(contexts); }

/**
 * Makes this instance (a worker's, over the memory of the index's own instance) use
 * context `index`, reading the parameters and the layout as they are now. Called at the
 * start of every call of a worker, and by the index's own instance after one.
 */
export function attach(index: u32): void {
  deriveParameters();
  storage.deriveStorage();
  useContext(regionStart(Region.CONTEXT), index);
}

/** Makes the BATCH region hold `rows` rows with `k` results each (src/abi.ts BatchPart). May grow memory. */
export function reserveBatch(rows: u32, k: u32): i32 { return resize.reserveBatch(rows, k); }
/** Makes the FILTER region (src/filter.ts writes a filtered search's allow-list there). May grow memory, once. */
export function reserveFilter(): i32 { return resize.reserveFilter(); }
/** Before decoding many rows by slot (knnGraph): an IvfIndex without f32 rows keeps a map from slot to code. */
export function reserveDecodes(): i32 { return keepVectors ? Status.OK : resize.reservePositions(); }
/** Where part `part` (src/abi.ts BatchPart) of the BATCH region starts. */
export function batchPartPtr(part: i32): usize { return batch.batchPart(part); }
/** Readies shared memory for searches from several threads (derived tables, IVF lists). May not grow memory. */
export function readyForSearches(): void { storage.readyForSearches(); }
/** Readies the index to be saved: an IvfIndex's lists grouped, nothing appended aside. May not grow memory. */
export function readyForFile(): void { storage.readyForFile(); }
/** Searches the batch's rows (or, with `ofSlots`, the stored rows whose slots it holds), shared with other threads; see assembly/batch.ts. */
export function searchRange(found: i32, ef: i32, filtered: i32, rerank: i32, exact: i32, probes: i32, ofSlots: i32): u32 {
  return batch.searchRange(found, ef, filtered, rerank, exact, probes, ofSlots != 0);
}
/** Adds the batch's rows in order from row NEXT, leaving new graph rows for linkRange() when `defer`. May grow memory. */
export function storeRange(defer: i32): u32 { return batch.storeRange(defer != 0); }
/** Links the rows storeRange() left pending, shared with other threads. Never grows memory. */
export function linkRange(): u32 { return batch.linkRange(); }

/** Where src/ writes a row (stride f32, padding left zero): a vector to add, a query, a sample; decodeRow() writes here too. */
export function inputPtr(): usize { return ctx.input; }

/** Stores the row at inputPtr() under `id`, replacing it when present; returns its slot, or FULL (reserve, then retry). May grow memory (HNSW arena). */
export function add(id: u32): i32 { return mutation.addItem(id); }

/** Removes `id`: 1 if it was present, 0 if not. Never grows memory. */
export function remove(id: u32): i32 { return mutation.removeItem(id); }
/** Renumbers a graph's slots so neighbours lie near each other in memory (ids keep their items): OK, OUT_OF_MEMORY or TOO_LARGE. */
export function reorder(): i32 { return reorderSlots(); }

/**
 * Searches for the k nearest to the row at inputPtr() among live items (only those with
 * their bit set in the FILTER region when `filtered`), by the graph with beam `ef`, by
 * the `probes` nearest inverted lists (IVF), or by a scan when `exact`; re-scores
 * `rerank` candidates exactly. Returns how many. Never grows memory.
 */
export function search(k: i32, ef: i32, filtered: i32, rerank: i32, exact: i32, probes: i32): i32 {
  return searchIndex(k, ef, filtered != 0, rerank, exact != 0, probes);
}

/** Starts training the quantizer on up to `rows` rows ('pq' holds them: may grow memory) with `iterations` Lloyd iterations after a `seeding` (src/abi.ts Seeding) ('pq'). */
export function trainBegin(rows: u32, iterations: u32, seeding: u32): i32 {
  let status = resize.reserveTraining(rows);
  if (status == 0) training.trainBegin(iterations, seeding);
  return status;
}
/** Feeds the row at inputPtr() to the training. */
export function trainAdd(): void { training.trainRow(ctx); }
/** One step of training: steps left (0: trained), or NO_TRAINING_ROWS. */
export function trainStep(): i32 { return training.trainStep(); }
/** Steps the training takes in all, once begun. */
export function trainSteps(): u32 { return training.trainSteps(); }
/** Marks the index trained with parameters src/ copied into the QUANTIZER region: OK or NOT_TRAINED. */
export function adoptQuantizer(): i32 { return storage.adoptQuantizer(); }
/** 'pq': encodes the row at inputPtr() and returns where its code is (per-slot layout: m or ceil(m/2) bytes). */
export function encodeInput(): usize { return storage.encodeInput(ctx); }
/** 'pq': decodes the code at encodeInput()'s address into a row at inputPtr(). */
export function decodeCode(): void { storage.decodeCode(ctx); }

/** Ids of the last search, nearest first (u32). */
export function resultIdsPtr(): usize { return ctx.resultIds; }
/** Distances of the last search, nearest first (f32). */
export function resultDistancesPtr(): usize { return ctx.resultDists; }

/** get() calls so far, of an index without kept f32 rows. */
let decodedGets: u32 = 0;
/** The get() that gives an IvfIndex its slot map: a few scan for their code, many should not. */
const GETS_BEFORE_MAP: u32 = 32;

/**
 * Writes the row of `slot` as f32 at inputPtr(): the kept f32 row, else the decoded code.
 * May grow memory once (an IvfIndex's slot map; on failure its code is found by a scan).
 */
export function getRow(slot: u32): void {
  if (!keepVectors && ++decodedGets == GETS_BEFORE_MAP) resize.reservePositions();
  storage.decodeRow(slot, ctx.input);
}

/** The state record (src/abi.ts State words). src/format.ts reads it to save and writes it before restoreLayout(). */
export function stateRecordPtr(): usize { return stateRecord; }
/** Sizes the regions exactly from the state record. May grow memory (once). Called by src/format.ts and src/hnswlib.ts load. */
export function restoreLayout(): i32 { return resize.restoreLayout(); }
/** Checks everything after the regions were copied in and rebuilds the id table; 0 or an Integrity problem. */
export function restoreState(): i32 { return restore(); }
/** Start of a region (src/abi.ts Region). */
export function regionPtr(region: i32): usize { return regionStart(region); }
/** 1 when every slot's label is its slot number: a file can leave LABELS out (State.LABELS_ARE_SLOTS). */
export function labelsAreSlots(): i32 { return labelsAreSlotNumbers() ? 1 : 0; }
/** Bytes of a region a saved index stores (0: not saved or empty). */
export function regionUsedBytes(region: i32): usize { return usedBytes(region); }

/** A static block of STAGING_BYTES where src/ stages small data (a file header) to checksum it. */
export function stagingPtr(): usize { return staging; }
/** Starts an XXH64 checksum (assembly/checksum.ts). Called by src/format.ts. */
export function checksumReset(): void { checksum.checksumReset(); }
/** Feeds `len` bytes at `ptr` to the checksum. Never grows memory. */
export function checksumUpdate(ptr: usize, len: usize): void { checksum.checksumUpdate(ptr, len); }
/** Finishes the checksum; read it with checksumLow() and checksumHigh(). */
export function checksumFinish(): void { checksum.checksumFinish(); }
/** Low 32 bits of the finished checksum. */
export function checksumLow(): u32 { return checksum.checksumLow(); }
/** High 32 bits of the finished checksum. */
export function checksumHigh(): u32 { return checksum.checksumHigh(); }

/** Live items in the index (removed ones not counted). */
export function size(): u32 { return count() - deletedCount(); }
/** The slot holding `id`, or -1. */
export function slotOf(id: u32): i32 { return findSlot(id); }
/** 0 when the graph and id table are consistent, else an Integrity problem. */
export function checkIntegrity(): i32 { return check(true); }
/** Distance evaluations of searches since resetCounters(), on every thread. */
export function distanceCount(): f64 { return counterSum(0); }
/** Nodes expanded since resetCounters(), on every thread. */
export function hopCount(): f64 { return counterSum(1); }
/** Zeroes the benchmark counters. */
export function resetCounters(): void { resetContextCounters(); }
/** 1 in the SIMD build, 0 in the scalar one: src/ reports what really runs. */
export function simdBuild(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }

/** Kernel `which` (src/abi.ts Kernel) over rows at `a` and `b` of `len` values, for tests and benchmarks. */
export function kernel(which: i32, a: usize, b: usize, len: i32): f32 {
  switch (which) {
    case Kernel.L2_F32: return l2(a, b, len);
    case Kernel.DOT_F32: return dot(a, b, len);
    case Kernel.L2_F16: return l2Half<f32>(a, b, len);
    case Kernel.DOT_F16: return dotHalf<f32>(a, b, len);
    case Kernel.L2_HALVES: return l2Half<u16>(a, b, len);
    case Kernel.DOT_HALVES: return dotHalf<u16>(a, b, len);
    case Kernel.L2_I8: return <f32>l2I8(a, b, len);
    case Kernel.DOT_I8: return <f32>dotI8(a, b, len);
    case Kernel.HAMMING: return <f32>hamming(a, b, len);
    default: return NaN;
  }
}

/** k-means' assignment of n rows at `data` to the K centroids of `book` (dims × K), results at `work` (kmeans.ts kmeansAssign), for tests. */
export function kmeansAssign(data: usize, n: u32, dims: i32, K: i32, book: usize, work: usize): void { assignToCentroids(data, n, dims, K, book, work); }
