// Memory layout of one index: parameters, the region table, strides and alignment.
// The only caller of memory.grow. Called by index.ts (init, reserve) and hnsw.ts
// (the upper-level arena). One WASM instance holds one index.
//
//  __heap_base                                                                           memory end
//  ┌─────────┬─────────┬────────┬────────┬────────┬──────────┬─────────┬─────────┬─────────┬──────┬────────┬───────┐
//  │ scratch │ vectors │ links0 │ labels │ levels │ upperOff │ visited │ idTable │ deleted │ free │ filter │ arena │
//  └─────────┴─────────┴────────┴────────┴────────┴──────────┴─────────┴─────────┴─────────┴──────┴────────┴───────┘
//  Every region starts 16-byte aligned. Sizes depend on `capacity` (slots), `efMax`
//  (scratch) and `arenaWords` (arena). Growing any of them moves the regions after it
//  up; regions never shrink, so moving from the last region to the first never
//  overwrites data that is still to be moved.
//
//  scratch   query row | result ids, dists (efMax) | candidates (min-heap) |
//            results W (max-heap) | selection | pruning | unvisited neighbours |
//            update candidates — per-call working memory
//  vectors   capacity × stride f32 (a row is zero-padded from dim to stride)
//  links0    capacity × (1 + M0) u32: [count, neighbour slots …] on level 0
//  labels    capacity × u32: the user's id of each slot
//  levels    capacity × u8: the top level of each slot
//  upperOff  capacity × u32: where the slot's level 1.. lists start in the arena (words)
//  visited   capacity × u16: epoch tags (visited.ts)
//  idTable   tableSize × u32: open-addressing map id → slot of live items (idmap.ts)
//  deleted   capacity × u8: 1 when the slot's item was removed (its slot awaits reuse)
//  free      capacity × u32: stack of deleted slots, reused last-removed first
//  filter    ⌈capacity / 32⌉ × u32: bit per slot, the allow-list of a filtered search
//  arena     arenaWords × u32: for each slot with level L > 0, L lists of [count, M slots]

import { Kind, Region } from '../src/abi';
import { rebuildIdTable } from './idmap';

const ALIGN: usize = 16;
const PAGE_BYTES: usize = 65536;
const MAX_PAGES: usize = 65536; // wasm32: 4 GiB

// Parameters, fixed by init().
export let kind: i32 = Kind.HNSW;
export let metric: i32 = 0;
export let dim: i32 = 0;
/** Row length in f32: dim rounded up to a multiple of 4 (one v128). */
export let stride: i32 = 0;
export let rowBytes: usize = 0;
export let M: i32 = 0;
export let M0: i32 = 0;
export let efConstruction: i32 = 0;
/** Bytes of one level-0 record: [count, M0 slots]. */
export let links0Bytes: usize = 0;
/** Words of one upper-level list: [count, M slots]. */
export let upperWords: u32 = 0;

// Sizes that grow.
export let capacity: u32 = 0;
export let efMax: i32 = 0;
export let tableSize: u32 = 0;
export let arenaWords: u32 = 0;

// Region pointers, recomputed by relayout().
export let queryPtr: usize = 0;
export let resultIdsPtr: usize = 0;
export let resultDistsPtr: usize = 0;
export let candDistPtr: usize = 0;
export let candSlotPtr: usize = 0;
export let candCap: i32 = 0;
export let resDistPtr: usize = 0;
export let resSlotPtr: usize = 0;
export let selDistPtr: usize = 0;
export let selSlotPtr: usize = 0;
export let neighboursPtr: usize = 0;
export let pruneDistPtr: usize = 0;
export let pruneSlotPtr: usize = 0;
export let vectorsPtr: usize = 0;
export let links0Ptr: usize = 0;
export let labelsPtr: usize = 0;
export let levelsPtr: usize = 0;
export let upperOffPtr: usize = 0;
export let visitedPtr: usize = 0;
export let idTablePtr: usize = 0;
export let deletedPtr: usize = 0;
export let freePtr: usize = 0;
export let filterPtr: usize = 0;
export let arenaPtr: usize = 0;
export let updateSlotPtr: usize = 0;

/** Fixes the parameters. Regions are sized by the first relayout(). */
export function setParameters(
  indexKind: i32, indexMetric: i32, dimension: i32, m: i32, efC: i32,
): void {
  kind = indexKind;
  metric = indexMetric;
  dim = dimension;
  stride = (dimension + 3) & ~3;
  rowBytes = <usize>stride << 2;
  let graph = indexKind == Kind.HNSW;
  M = graph ? m : 0;
  M0 = 2 * M;
  efConstruction = graph ? max(efC, m) : 0; // as hnswlib: ef_construction_ = max(efC, M)
  links0Bytes = graph ? <usize>(1 + M0) << 2 : 0;
  upperWords = graph ? <u32>(1 + M) : 0;
}

// @ts-ignore: decorator
@inline function align(bytes: usize): usize {
  return (bytes + ALIGN - 1) & ~(ALIGN - 1);
}

// Sizes are computed in u64: a request too large for wasm32 must fail, not wrap around.
// @ts-ignore: decorator
@inline function align64(bytes: u64): u64 {
  return (bytes + <u64>ALIGN - 1) & ~(<u64>ALIGN - 1);
}

/** Largest slot count or ef a relayout considers; anything above cannot fit in 4 GiB. */
const MAX_COUNT: u64 = 1 << 30;

/** The id table is a power of two at least 4/3 of capacity (load factor <= 0.75). */
function tableSizeFor(slots: u64): u64 {
  let size: u64 = 16;
  while (size * 3 < slots * 4) size <<= 1;
  return size;
}

// Region table in static memory: start and size in bytes of each region, in order.
// The regions src/ touches take their index from the Region enum of src/abi.ts.
const REGION_COUNT = 12;
const SCRATCH = 0, VISITED = 6, ID_TABLE = 7;
const VECTORS = Region.VECTORS, LINKS0 = Region.LINKS0, LABELS = Region.LABELS, LEVELS = Region.LEVELS,
  UPPER_OFF = Region.UPPER_OFF, DELETED = Region.DELETED, FREE = Region.FREE, FILTER = Region.FILTER,
  ARENA = Region.ARENA;
const regionStarts = memory.data(REGION_COUNT * 4);
const regionBytes = memory.data(REGION_COUNT * 4);
const wantedBytes = memory.data(REGION_COUNT * 8);
const newStarts = memory.data(REGION_COUNT * 4);
const newBytes = memory.data(REGION_COUNT * 4);

// @ts-ignore: decorator
@inline function startOf(region: i32): usize {
  return load<u32>(regionStarts + (<usize>region << 2));
}

// @ts-ignore: decorator
@inline function bytesOf(region: i32): usize {
  return load<u32>(regionBytes + (<usize>region << 2));
}

// @ts-ignore: decorator
@inline function want(region: i32, bytes: u64): void {
  store<u64>(wantedBytes + (<usize>region << 3), bytes);
}

/** Start of region `region` (a Region of src/abi.ts), for src/ to copy from and to. */
export function regionStart(region: i32): usize {
  return region > SCRATCH && region < REGION_COUNT ? startOf(region) : 0;
}

/** Candidates an update collects (hnswlib's 1- and 2-hop set), bounded for large M. */
export function updateCap(): i32 {
  return <i32>min<u64>(1 + <u64>M0 + <u64>M0 * <u64>M0, max<u64>(8192, 1 + <u64>M0));
}

/**
 * Resizes the regions to hold `newCapacity` slots, searches with ef up to `newEfMax`
 * and `newArenaWords` words of upper links, moving existing data into place and
 * zeroing what is new. Returns false, changing nothing, when memory cannot grow.
 * Sizes never shrink: callers pass the max of old and wanted. The id table is
 * rebuilt when its size changes.
 */
export function relayout(newCapacity: u32, newEfMax: i32, newArenaWords: u32): bool {
  if (<u64>newCapacity > MAX_COUNT || newEfMax < 1 || <u64>newEfMax > MAX_COUNT) return false;
  let graph = kind == Kind.HNSW;
  let cap = <u64>newCapacity;
  let ef = <u64>newEfMax;
  let m0 = <u64>M0;
  let newTableSize = tableSizeFor(cap);

  want(SCRATCH, align64(<u64>rowBytes)
    + 2 * align64(ef << 2)                     // result ids, dists
    + 2 * align64((2 * ef + m0 + 2) << 2)      // candidate heap
    + 2 * align64((ef + 1) << 2)               // result heap W
    + 2 * align64(max(ef, m0 + 1) << 2)        // selection
    + 3 * align64((m0 + 1) << 2)               // pruning, unvisited neighbours
    + align64(<u64>updateCap() << 2));          // update candidates
  want(VECTORS, cap * <u64>rowBytes);
  want(LINKS0, cap * <u64>links0Bytes);
  want(LABELS, cap << 2);
  want(LEVELS, graph ? cap : 0);
  want(UPPER_OFF, graph ? cap << 2 : 0);
  want(VISITED, graph ? cap << 1 : 0);
  want(ID_TABLE, newTableSize << 2);
  want(DELETED, cap);
  want(FREE, cap << 2);
  want(FILTER, ((cap + 31) >> 5) << 2);
  want(ARENA, <u64>newArenaWords << 2);

  let end: u64 = <u64>align(__heap_base);
  for (let r = 0; r < REGION_COUNT; r++) {
    end += (load<u64>(wantedBytes + (<usize>r << 3)) + ALIGN - 1) & ~(<u64>ALIGN - 1);
  }
  if (end > <u64>MAX_PAGES * PAGE_BYTES) return false;
  let pagesNeeded = <i32>((end + PAGE_BYTES - 1) / PAGE_BYTES);
  let pagesNow = memory.size();
  if (pagesNeeded > pagesNow && memory.grow(pagesNeeded - pagesNow) < 0) return false;
  // Fresh pages from memory.grow are zero already: only bytes below the old end need
  // zeroing (a load sizes everything in one grow, and filling it again cost 60 ms per 100 MB).
  let oldEnd = <usize>pagesNow * PAGE_BYTES;

  // New starts, then move the kept regions from last to first (scratch is not kept).
  let start = align(__heap_base);
  for (let r = 0; r < REGION_COUNT; r++) {
    let bytes = <usize>load<u64>(wantedBytes + (<usize>r << 3));
    store<u32>(newStarts + (<usize>r << 2), <u32>start);
    store<u32>(newBytes + (<usize>r << 2), <u32>bytes);
    start += align(bytes);
  }
  for (let r = REGION_COUNT - 1; r > SCRATCH; r--) {
    let from = startOf(r), to = <usize>load<u32>(newStarts + (<usize>r << 2));
    let keep: usize = r == ID_TABLE ? 0 : bytesOf(r); // the id table is rebuilt below
    if (keep > 0 && from != to) memory.copy(to, from, keep);
  }
  for (let r = 0; r < REGION_COUNT; r++) {
    let to = <usize>load<u32>(newStarts + (<usize>r << 2));
    let bytes = <usize>load<u32>(newBytes + (<usize>r << 2));
    let keep: usize = r == SCRATCH || r == ID_TABLE ? 0 : bytesOf(r);
    let zeroEnd = min(to + bytes, oldEnd);
    if (to + keep < zeroEnd) memory.fill(to + keep, 0, zeroEnd - (to + keep));
    store<u32>(regionStarts + (<usize>r << 2), <u32>to);
    store<u32>(regionBytes + (<usize>r << 2), <u32>bytes);
  }

  capacity = newCapacity;
  efMax = newEfMax;
  candCap = 2 * newEfMax + M0 + 2;
  tableSize = <u32>newTableSize;
  arenaWords = newArenaWords;
  placeScratch(max(newEfMax, M0 + 1));
  vectorsPtr = startOf(VECTORS);
  links0Ptr = startOf(LINKS0);
  labelsPtr = startOf(LABELS);
  levelsPtr = startOf(LEVELS);
  upperOffPtr = startOf(UPPER_OFF);
  visitedPtr = startOf(VISITED);
  idTablePtr = startOf(ID_TABLE);
  deletedPtr = startOf(DELETED);
  freePtr = startOf(FREE);
  filterPtr = startOf(FILTER);
  arenaPtr = startOf(ARENA);
  rebuildIdTable();
  return true;
}

/** Carves the scratch region into its working arrays. */
function placeScratch(selCap: i32): void {
  let p = startOf(SCRATCH);
  queryPtr = p; p += align(rowBytes);
  resultIdsPtr = p; p += align(<usize>efMax << 2);
  resultDistsPtr = p; p += align(<usize>efMax << 2);
  candDistPtr = p; p += align(<usize>candCap << 2);
  candSlotPtr = p; p += align(<usize>candCap << 2);
  resDistPtr = p; p += align(<usize>(efMax + 1) << 2);
  resSlotPtr = p; p += align(<usize>(efMax + 1) << 2);
  selDistPtr = p; p += align(<usize>selCap << 2);
  selSlotPtr = p; p += align(<usize>selCap << 2);
  pruneDistPtr = p; p += align(<usize>(M0 + 1) << 2);
  pruneSlotPtr = p; p += align(<usize>(M0 + 1) << 2);
  neighboursPtr = p; p += align(<usize>(M0 + 1) << 2);
  updateSlotPtr = p;
}
