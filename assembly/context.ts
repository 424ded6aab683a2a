// Per-call working memory, one record per caller: the input row src/ writes, the
// query rows, the candidate and result heaps, the selection and pruning lists, the
// update candidates, the result arrays and the visited tags. Everything a search or an
// insertion writes besides the index itself is here, so several threads run on one
// index at once, one context each: the CONTEXT region holds State.CONTEXTS of them, a
// stride apart; the instance src/ calls uses context 0, each worker's instance its own
// (attach()). Placed by resize.ts after every relayout; read by hnsw.ts, flat.ts,
// update.ts, results.ts.
//
//   CONTEXT region ─► ┌────────┬───────┬───────┬──────────┬─────────┬───────────┬─  ─┬─────────┬───────┐
//                     │ record │ input │ query │ prepared │ results │ candidates│ …  │ visited │ group │
//                     └────────┴───────┴───────┴──────────┴─────────┴───────────┴─  ─┴─────────┴───────┘
//   input     stride f32: the raw row src/ writes (a query, a vector to add, a sample)
//   query     stride f32: input normalised for cosine; what exact distances use
//   prepared  the query in the storage's form (storage.ts preparedBytes)
//   results   ids, distances of the last search (efMax each)
//   then the candidate min-heap C, the result max-heap W, the selection, pruning and
//   unvisited-neighbour lists, the update candidates, and one u16 visited tag per slot (graphs);
//   group     a batch's queries searched together (groupscan.ts), where the storage has such a
//             scan, from the first batch search on (State.GROUP_ROOM)

import { State } from '../src/abi';
import { graph, M0, rowBytes } from './params';
import { setStateWord, stateWord } from './state';

@unmanaged export class Context {
  input: usize;
  query: usize;
  prepared: usize;
  resultIds: usize;
  resultDists: usize;
  candDist: usize;
  candSlot: usize;
  candCap: i32;
  resDist: usize;
  resSlot: usize;
  selDist: usize;
  selSlot: usize;
  pruneDist: usize;
  pruneSlot: usize;
  neighbours: usize;
  updateSlots: usize;
  visited: usize;
  /** groupscan.ts's area; 0 where the storage scans no groups. */
  group: usize;
  epoch: u32;
  /** Result of hnsw.ts greedyDescent(): AS functions return one value. */
  bestSlot: u32;
  bestDist: f32;
  /** The loads of the touch loop end here, so the optimiser cannot drop them. */
  touched: u32;
  /** Distance evaluations and expanded nodes since resetCounters(), for benchmarks. */
  distances: f64;
  hops: f64;
}

const RECORD_BYTES: u64 = 128;

/** The context of this instance. */
export let ctx: Context = changetype<Context>(0);
/** Which of the region's contexts this instance uses: 0, or a worker's own (attach()). */
let contextIndex: u32 = 0;

/** Candidates an update collects (hnswlib's 1- and 2-hop set), bounded for large M. */
export function updateCap(): i32 {
  return <i32>min<u64>(1 + <u64>M0 + <u64>M0 * <u64>M0, max<u64>(8192, 1 + <u64>M0));
}

// @ts-ignore: decorator
@inline function align(bytes: u64): u64 {
  return (bytes + 15) & ~15;
}

/** Bytes of the candidate heap: W's bound admits at most ef + 2M0 entries between trims. */
// @ts-ignore: decorator
@inline function candidateCap(efMax: i32): i32 {
  return 2 * efMax + M0 + 2;
}

/** Bytes of the visited tags: a u16 per slot for graph walks; the scans of the other kinds visit nothing twice. */
// @ts-ignore: decorator
@inline function visitedBytes(capacity: u32): u64 {
  return graph ? <u64>capacity << 1 : 0;
}

/** Bytes one context needs for searches up to `efMax` over `capacity` slots (`groupBytes`: the storage's group area). */
export function contextBytes(efMax: i32, capacity: u32, preparedBytes: usize, groupBytes: usize): u64 {
  let ef = <u64>efMax, m0 = <u64>M0;
  return RECORD_BYTES + 2 * align(<u64>rowBytes) + align(<u64>preparedBytes)
    + 2 * align(ef << 2)                          // result ids, distances
    + 2 * align(<u64>candidateCap(efMax) << 2)    // candidates C
    + 2 * align((ef + 1) << 2)                    // results W
    + 2 * align(max(ef, m0 + 1) << 2)             // selection
    + 3 * align((m0 + 1) << 2)                    // pruning, unvisited neighbours
    + align(<u64>updateCap() << 2)                // update candidates
    + align(visitedBytes(capacity))               // visited tags
    + align(<u64>groupBytes);                     // group area
}

/** Bytes from one context to the next. */
export function contextStride(efMax: i32, capacity: u32, preparedBytes: usize, groupBytes: usize): u64 {
  return (contextBytes(efMax, capacity, preparedBytes, groupBytes) + 63) & ~63;
}

/**
 * Carves `contexts` contexts, a stride apart from `base`, for searches up to `efMax`
 * over `capacity` slots, and points ctx at this instance's. A relayout keeps the
 * region's bytes at the old stride: each context's head (the record, the input row and
 * the query row, at the same offsets whatever the sizes) moves to the new stride, last
 * first, so a row src/ wrote and the counters survive growth; the visited tags start
 * afresh. Contexts new to the region start with zero counters.
 */
export function placeContexts(base: usize, efMax: i32, capacity: u32, preparedBytes: usize, groupBytes: usize, contexts: u32): void {
  let stride = <usize>contextStride(efMax, capacity, preparedBytes, groupBytes);
  let oldStride = <usize>stateWord(State.CONTEXT_STRIDE), placed = stateWord(State.CONTEXTS);
  let head = <usize>RECORD_BYTES + 2 * <usize>align(<u64>rowBytes);
  for (let i = <i32>min(placed, contexts) - 1; i >= 1; i--) {
    memory.copy(base + <usize>i * stride, base + <usize>i * oldStride, head);
  }
  for (let i: u32 = 0; i < contexts; i++) {
    let at = base + <usize>i * stride;
    if (i >= placed) memory.fill(at, 0, <usize>RECORD_BYTES);
    placeContext(at, efMax, capacity, preparedBytes, groupBytes);
  }
  setStateWord(State.CONTEXTS, contexts);
  setStateWord(State.CONTEXT_STRIDE, <u32>stride);
  regionContextBase = base;
  ctx = contextAt(contextIndex);
}

/** Context `index` of the region (placeContexts() done). */
function contextAt(index: u32): Context {
  return changetype<Context>(regionContextBase + <usize>index * <usize>stateWord(State.CONTEXT_STRIDE));
}

/** Start of the CONTEXT region, as placeContexts() last saw it (per instance: attach() refreshes it). */
let regionContextBase: usize = 0;

/** Makes this instance use context `index` of the region at `base` (a worker's, or 0). */
export function useContext(base: usize, index: u32): void {
  contextIndex = index;
  regionContextBase = base;
  ctx = contextAt(index);
}

/** Counter `which` (0: distances, 1: hops) summed over every context. */
export function counterSum(which: i32): f64 {
  let sum: f64 = 0;
  for (let i: u32 = 0, n = stateWord(State.CONTEXTS); i < n; i++) {
    let c = contextAt(i);
    sum += which == 0 ? c.distances : c.hops;
  }
  return sum;
}

/** Carves the context at `base` into its arrays for searches up to `efMax` over `capacity` slots. */
function placeContext(base: usize, efMax: i32, capacity: u32, preparedBytes: usize, groupBytes: usize): void {
  let c = changetype<Context>(base);
  let p = base + <usize>RECORD_BYTES;
  let rows = <usize>align(<u64>rowBytes);
  let efBytes = <usize>align(<u64>efMax << 2);
  c.input = p; p += rows;
  c.query = p; p += rows;
  c.prepared = p; p += <usize>align(<u64>preparedBytes);
  c.resultIds = p; p += efBytes;
  c.resultDists = p; p += efBytes;
  c.candCap = candidateCap(efMax);
  c.candDist = p; p += <usize>align(<u64>c.candCap << 2);
  c.candSlot = p; p += <usize>align(<u64>c.candCap << 2);
  c.resDist = p; p += <usize>align(<u64>(efMax + 1) << 2);
  c.resSlot = p; p += <usize>align(<u64>(efMax + 1) << 2);
  let selBytes = <usize>align(<u64>max(efMax, M0 + 1) << 2);
  c.selDist = p; p += selBytes;
  c.selSlot = p; p += selBytes;
  let pruneBytes = <usize>align(<u64>(M0 + 1) << 2);
  c.pruneDist = p; p += pruneBytes;
  c.pruneSlot = p; p += pruneBytes;
  c.neighbours = p; p += pruneBytes;
  c.updateSlots = p; p += <usize>align(<u64>updateCap() << 2);
  let visitedAt = p; p += <usize>align(visitedBytes(capacity));
  c.visited = graph ? visitedAt : 0;
  c.group = groupBytes > 0 ? p : 0;
  memory.fill(visitedAt, 0, <usize>visitedBytes(capacity));
  c.epoch = 0; // every tag is 0: the first visit's epoch is 1
}

/** Zeroes the benchmark counters of every context. */
export function resetCounters(): void {
  for (let i: u32 = 0, n = stateWord(State.CONTEXTS); i < n; i++) {
    let c = contextAt(i);
    c.distances = 0;
    c.hops = 0;
  }
}
