// The ABI of the WASM core: every export, one doc line each, numbers only.
// Results >= 0 are counts or slots; results < 0 are a Status (src/abi.ts).
// Called by src/wasm.ts and the index classes in src/. One instance = one index.

import { Admit, Kind, Status } from '../src/abi';
import * as layout from './layout';
import * as state from './state';
import { seedRandom } from './rng';
import { l2 as l2Kernel, dot as dotKernel } from './distance';
import { searchGraph, rowPtr } from './hnsw';
import { searchFlat } from './flat';
import { findSlot } from './idmap';
import { checkIntegrity as check } from './integrity';
import { addItem, removeItem, slotForAdd as slotFor } from './mutation';
import * as restore from './restore';
import * as checksum from './checksum';

const MIN_EF_MAX = 64;
/** Bytes of the staging block: holds a file header (src/format.ts HEADER_BYTES). */
const STAGING_BYTES = 256;
const staging = memory.data(STAGING_BYTES, 16);
let mL: f64 = 0;

/** Sets parameters and sizes the regions for `capacity` items. May grow memory. Called once by src/ create(). */
export function init(
  kind: i32, metric: i32, dim: i32, M: i32, efConstruction: i32,
  seedLo: u32, seedHi: u32, capacity: u32,
): i32 {
  if (layout.stride != 0) return Status.ALREADY_INITIALIZED; // regions hold another index's rows
  layout.setParameters(kind, metric, dim, M, efConstruction);
  seedRandom((<u64>seedHi << 32) | seedLo);
  mL = kind == Kind.HNSW ? 1 / Math.log(<f64>M) : 0;
  let arena = kind == Kind.HNSW ? expectedArenaWords(capacity) : 0;
  let ok = layout.relayout(capacity, max(layout.efConstruction, MIN_EF_MAX), arena);
  return ok ? Status.OK : Status.OUT_OF_MEMORY;
}

/** Expected upper-level words for n items: P(level >= 1) = 1/M, geometric above. */
function expectedArenaWords(n: u32): u32 {
  return <u32>(<f64>n / <f64>(layout.M - 1) * layout.upperWords) + 1024;
}

/** Makes room for at least `capacity` slots. May grow memory. Called by src/ before writing rows. */
export function reserve(capacity: u32): i32 {
  if (capacity <= layout.capacity) return Status.OK;
  let arena = max(layout.arenaWords, layout.kind == Kind.HNSW ? expectedArenaWords(capacity) : 0);
  return layout.relayout(capacity, layout.efMax, arena) ? Status.OK : Status.OUT_OF_MEMORY;
}

/** Makes the scratch hold searches with ef (or k) up to `ef`. May grow memory. Called by src/ search. */
export function reserveEf(ef: i32): i32 {
  if (ef <= layout.efMax) return Status.OK;
  return layout.relayout(layout.capacity, ef, layout.arenaWords) ? Status.OK : Status.OUT_OF_MEMORY;
}

/** Where src/ writes the row for add(id): the id's slot, a freed slot or the next one; FULL if none. */
export function slotForAdd(id: u32): i32 { return slotFor(id); }

/** Stores the row written at vectorPtr(slotForAdd(id)) under `id`, updating a present id; returns its slot. May grow memory (HNSW arena). */
export function add(id: u32): i32 { return addItem(id, mL); }

/** Removes `id`: 1 if it was present, 0 if not. Never grows memory. Called by src/ remove(). */
export function remove(id: u32): i32 { return removeItem(id); }

/**
 * Searches for the k nearest to the row at queryPtr() among live items, or only those
 * whose bit is set in the filter region when `filtered` is 1; returns how many were
 * found. Never grows memory.
 */
export function search(k: i32, ef: i32, filtered: i32): i32 {
  let q = layout.queryPtr;
  let admit = filtered != 0 ? Admit.FILTERED : state.deletedCount > 0 ? Admit.LIVE : Admit.ALL;
  return layout.kind == Kind.HNSW ? searchGraph(q, k, ef, admit) : searchFlat(q, k, admit);
}

/** Exact search (a scan) like search(), whatever the kind: for small filters. Never grows memory. */
export function searchExact(k: i32, filtered: i32): i32 {
  return searchFlat(layout.queryPtr, k, filtered != 0 ? Admit.FILTERED : Admit.LIVE);
}

/** Fills the state record (assembly/restore.ts) and returns where it is. Called by src/format.ts serialize. */
export function saveState(): usize { return restore.saveState(); }
/** Where src/format.ts writes the state record before restoreLayout(). */
export function stateRecordPtr(): usize { return restore.stateRecord; }
/** Sizes the regions exactly from the state record. May grow memory (once). Called by src/format.ts load. */
export function restoreLayout(): i32 {
  let status = restore.restoreLayout(MIN_EF_MAX);
  mL = layout.kind == Kind.HNSW ? 1 / Math.log(<f64>layout.M) : 0;
  return status;
}
/** Takes the counters from the record after the regions were copied in and checks everything; 0 or an integrity problem. */
export function restoreState(): i32 { return restore.restoreState(); }
/** Start of a region (src/abi.ts Region), for serialize, load and filters. */
export function regionPtr(region: i32): usize { return layout.regionStart(region); }
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

/** Where src/ writes the row of slot `slot` (rows are stride f32, zero-padded). */
export function vectorPtr(slot: u32): usize { return rowPtr(slot); }
/** Where src/ writes a query (stride f32; padding stays zero). */
export function queryPtr(): usize { return layout.queryPtr; }
/** Ids of the last search, nearest first (u32). */
export function resultIdsPtr(): usize { return layout.resultIdsPtr; }
/** Distances of the last search, nearest first (f32). */
export function resultDistancesPtr(): usize { return layout.resultDistsPtr; }
/** Live items in the index (removed ones not counted). */
export function size(): u32 { return state.count - state.deletedCount; }
/** Used slots, live or deleted: rows 0 … slotCount()-1 hold data. */
export function slotCount(): u32 { return state.count; }
/** Slots available before reserve() must grow memory. */
export function capacity(): u32 { return layout.capacity; }
/** Row length in f32 (dim rounded up to a multiple of 4). */
export function stride(): i32 { return layout.stride; }
/** The slot holding `id`, or -1. */
export function slotOf(id: u32): i32 { return findSlot(id); }
/** Top level of the graph (-1 when empty). */
export function maxLevel(): i32 { return state.maxLevel; }
/** 0 when the graph and id table are consistent, else the first problem (assembly/integrity.ts). */
export function checkIntegrity(): i32 { return check(true); }
/** Distance evaluations since resetCounters(). */
export function distanceCount(): f64 { return state.distanceCount; }
/** Nodes expanded since resetCounters(). */
export function hopCount(): f64 { return state.hopCount; }
/** 1 in the SIMD build, 0 in the scalar one: src/ reports what really runs. */
export function simdBuild(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }
/** Zeroes the benchmark counters. */
export function resetCounters(): void { state.resetCounters(); }

/** Kernel for tests and benchmarks: squared L2 between rows at `a` and `b`. */
export function l2(a: usize, b: usize, stride: i32): f32 { return l2Kernel(a, b, stride); }
/** Kernel for tests and benchmarks: dot product of rows at `a` and `b`. */
export function dot(a: usize, b: usize, stride: i32): f32 { return dotKernel(a, b, stride); }
