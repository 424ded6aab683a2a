// HNSW graph: insertion, greedy descent, ef-bounded beam search and the neighbour
// selection heuristic (Malkov & Yashunin, Alg. 1, 2, 4, 5), following hnswlib's
// hnswalg.h. Called by index.ts search(), mutation.ts and update.ts. Works in place
// over the regions of layout.ts; only insertion can grow memory (the upper-level arena).

import { Admit, Metric, Status } from '../src/abi';
import { l2, dot, normalize } from './distance';
import {
  metric, stride, rowBytes, M, M0, efConstruction, links0Bytes, upperWords,
  vectorsPtr, links0Ptr, labelsPtr, levelsPtr, upperOffPtr, arenaPtr, arenaWords,
  capacity, efMax, relayout, deletedPtr, filterPtr,
  candDistPtr, candSlotPtr, candCap, resDistPtr, resSlotPtr,
  selDistPtr, selSlotPtr, pruneDistPtr, pruneSlotPtr, resultIdsPtr, resultDistsPtr, neighboursPtr,
} from './layout';
import {
  count, entrySlot, maxLevel, arenaUsed, deletedCount, setCount, setEntry, setArenaUsed,
  countDistance, countHop,
} from './state';
import { maxHeapPush, maxHeapPop, minHeapPush, minHeapPop, minHeapKeepBelow } from './heap';
import { beginVisit, visit } from './visited';
import { randomLevel } from './rng';
import { insertSlot } from './idmap';

// @ts-ignore: decorator
@inline export function rowPtr(slot: u32): usize {
  return vectorsPtr + <usize>slot * rowBytes;
}

/** The list [count, slots …] of `slot` on `level`. */
// @ts-ignore: decorator
@inline export function linksPtr(slot: u32, level: i32): usize {
  if (level == 0) return links0Ptr + <usize>slot * links0Bytes;
  let first = load<u32>(upperOffPtr + (<usize>slot << 2));
  return arenaPtr + ((<usize>first + <usize>(level - 1) * upperWords) << 2);
}

// @ts-ignore: decorator
@inline export function levelOf(slot: u32): i32 {
  return load<u8>(levelsPtr + slot);
}

/** The distance the index reports between two rows. */
// @ts-ignore: decorator
@inline export function distance(a: usize, b: usize): f32 {
  countDistance();
  if (metric == Metric.L2) return l2(a, b, stride);
  return 1 - dot(a, b, stride); // ip, and cosine over normalised rows
}

/** Whether a search in mode `admit` (src/abi.ts Admit) may return `slot`. */
// @ts-ignore: decorator
@inline export function admits(slot: u32, admit: i32): bool {
  if (admit == Admit.ALL) return true;
  if (admit == Admit.LIVE) return load<u8>(deletedPtr + slot) == 0;
  return (load<u32>(filterPtr + (<usize>(slot >> 5) << 2)) & (1 << (slot & 31))) != 0;
}

// The loads of the touch loop end here, so the optimiser cannot drop them.
let touched: u32 = 0;

// Result of greedyDescent(), as globals: AS functions return one value.
let bestSlot: u32 = 0;
let bestDist: f32 = 0;

/** Walks from (slot, dist) to a local minimum on each level from `top` down to `bottom`. */
function greedyDescent(q: usize, slot: u32, dist: f32, top: i32, bottom: i32): void {
  for (let level = top; level >= bottom; level--) {
    let changed = true;
    while (changed) {
      changed = false;
      countHop();
      let links = linksPtr(slot, level);
      let n = load<u32>(links);
      for (let i: u32 = 0; i < n; i++) {
        let next = load<u32>(links + 4 + (<usize>i << 2));
        let d = distance(q, rowPtr(next));
        if (d < dist) {
          dist = d;
          slot = next;
          changed = true;
        }
      }
    }
  }
  bestSlot = slot;
  bestDist = dist;
}

/**
 * Beam search on one level from one entry (Alg. 2): the candidates C are a min-heap,
 * the results W a max-heap of at most ef. Returns |W|; W is left in resDist/resSlot.
 * Every slot is traversed, but only those `admit` allows enter W; while W holds fewer
 * than ef the search goes on past the bound (hnswlib's rule with deletions or a filter),
 * which is what widens a filtered search.
 */
function searchLayer(q: usize, entry: u32, entryDist: f32, ef: i32, level: i32, admit: i32): i32 {
  beginVisit();
  visit(entry);
  minHeapPush(candDistPtr, candSlotPtr, 0, entryDist, entry);
  let candidates = 1, results = 0;
  let bound: f32 = Infinity; // distance of the worst result kept
  if (admits(entry, admit)) {
    maxHeapPush(resDistPtr, resSlotPtr, 0, entryDist, entry);
    results = 1;
    bound = entryDist;
  }
  while (candidates > 0) {
    let dist = load<f32>(candDistPtr);
    if (dist > bound && (admit == Admit.ALL || results >= ef)) break; // C cannot improve W
    let slot = load<u32>(candSlotPtr);
    minHeapPop(candDistPtr, candSlotPtr, candidates--);
    countHop();
    // First mark the unvisited neighbours and touch every cache line of their rows:
    // WASM has no prefetch instruction, but loads that nothing waits on let the CPU
    // fetch all rows at once instead of one row per distance (hnswlib prefetches).
    // 1.12x queries/s on SIFT-128, 1.28x on MNIST-784 (A/B in one process).
    let links = linksPtr(slot, level);
    let n = load<u32>(links);
    let pending = 0;
    let sink = touched;
    for (let i: u32 = 0; i < n; i++) {
      let next = load<u32>(links + 4 + (<usize>i << 2));
      if (visit(next)) continue;
      store<u32>(neighboursPtr + (<usize>pending << 2), next);
      pending++;
      let row = rowPtr(next);
      for (let off: usize = 0; off < rowBytes; off += 64) sink ^= load<u32>(row + off);
    }
    touched = sink;
    for (let i = 0; i < pending; i++) {
      let next = load<u32>(neighboursPtr + (<usize>i << 2));
      let d = distance(q, rowPtr(next));
      if (results < ef || d < bound) {
        if (candidates == candCap) {
          candidates = minHeapKeepBelow(candDistPtr, candSlotPtr, candidates, bound);
          if (candidates == candCap) continue; // W not full yet (filtered): drop, C stays bounded
        }
        minHeapPush(candDistPtr, candSlotPtr, candidates++, d, next);
        if (!admits(next, admit)) continue;
        maxHeapPush(resDistPtr, resSlotPtr, results++, d, next);
        if (results > ef) maxHeapPop(resDistPtr, resSlotPtr, results--);
        bound = load<f32>(resDistPtr);
      }
    }
  }
  return results;
}

/** Empties W (|W| = `results`) into distPtr/slotPtr, nearest first. */
export function drainAscending(results: i32, distPtr: usize, slotPtr: usize): void {
  for (let i = results - 1; i >= 0; i--) {
    store<f32>(distPtr + (<usize>i << 2), load<f32>(resDistPtr));
    store<u32>(slotPtr + (<usize>i << 2), load<u32>(resSlotPtr));
    maxHeapPop(resDistPtr, resSlotPtr, i + 1);
  }
}

/**
 * Neighbour selection heuristic (Alg. 4, as hnswlib's getNeighborsByHeuristic2):
 * over `n` candidates sorted nearest first, keep one only if it is closer to the
 * base than to every neighbour kept so far. Compacts the kept ones to the front,
 * still sorted, and returns how many (at most `limit`).
 */
export function selectNeighbours(distPtr: usize, slotPtr: usize, n: i32, limit: i32): i32 {
  if (n < limit) return n;
  let kept = 0;
  for (let i = 0; i < n && kept < limit; i++) {
    let d = load<f32>(distPtr + (<usize>i << 2));
    let slot = load<u32>(slotPtr + (<usize>i << 2));
    let row = rowPtr(slot);
    let diverse = true;
    for (let j = 0; j < kept; j++) {
      if (distance(row, rowPtr(load<u32>(slotPtr + (<usize>j << 2)))) < d) {
        diverse = false;
        break;
      }
    }
    if (diverse) {
      store<f32>(distPtr + (<usize>kept << 2), d);
      store<u32>(slotPtr + (<usize>kept << 2), slot);
      kept++;
    }
  }
  return kept;
}

/** Adds the edge owner → added on `level` if missing, re-pruning owner's list when it is full. */
function linkBack(owner: u32, added: u32, addedDist: f32, level: i32): void {
  let links = linksPtr(owner, level);
  let n = <i32>load<u32>(links);
  for (let i = 0; i < n; i++) {
    if (load<u32>(links + 4 + (<usize>i << 2)) == added) return; // an updated node may be linked already
  }
  let limit = level == 0 ? M0 : M;
  if (n < limit) {
    store<u32>(links + 4 + (<usize>n << 2), added);
    store<u32>(links, n + 1);
    return;
  }
  // Full: candidates are the old neighbours plus the new one, by distance to owner.
  let ownerRow = rowPtr(owner);
  let size = 0;
  for (let i = 0; i <= n; i++) {
    let slot = i < n ? load<u32>(links + 4 + (<usize>i << 2)) : added;
    let d = i < n ? distance(ownerRow, rowPtr(slot)) : addedDist;
    // Insertion sort: at most M0 + 1 entries.
    let j = size++;
    while (j > 0 && load<f32>(pruneDistPtr + (<usize>(j - 1) << 2)) > d) {
      store<f32>(pruneDistPtr + (<usize>j << 2), load<f32>(pruneDistPtr + (<usize>(j - 1) << 2)));
      store<u32>(pruneSlotPtr + (<usize>j << 2), load<u32>(pruneSlotPtr + (<usize>(j - 1) << 2)));
      j--;
    }
    store<f32>(pruneDistPtr + (<usize>j << 2), d);
    store<u32>(pruneSlotPtr + (<usize>j << 2), slot);
  }
  let kept = selectNeighbours(pruneDistPtr, pruneSlotPtr, size, limit);
  memory.copy(links + 4, pruneSlotPtr, <usize>kept << 2);
  store<u32>(links, kept);
}

/**
 * Links `slot` (row already in place) into every level up to `level` (Alg. 1), or
 * relinks it after its row changed (hnswlib's repairConnectionsForUpdate). Deleted
 * slots are traversed but not chosen as neighbours, as in hnswlib.
 */
export function connect(slot: u32, level: i32): void {
  let q = rowPtr(slot);
  let admit = deletedCount > 0 ? Admit.LIVE : Admit.ALL;
  let cur = entrySlot;
  let curDist = distance(q, rowPtr(cur));
  if (maxLevel > level) {
    greedyDescent(q, cur, curDist, maxLevel, level + 1);
    cur = bestSlot;
    curDist = bestDist;
  }
  for (let l = min(level, maxLevel); l >= 0; l--) {
    let found = searchLayer(q, cur, curDist, efConstruction, l, admit);
    drainAscending(found, selDistPtr, selSlotPtr);
    found = dropSlot(selDistPtr, selSlotPtr, found, slot); // an updated node finds itself
    if (found == 0) {
      if (cur == slot) continue;
      // Everything reachable is deleted: link to the entry so the node stays reachable.
      store<f32>(selDistPtr, curDist);
      store<u32>(selSlotPtr, cur);
      found = 1;
    }
    let kept = selectNeighbours(selDistPtr, selSlotPtr, found, M);
    let links = linksPtr(slot, l);
    memory.copy(links + 4, selSlotPtr, <usize>kept << 2);
    store<u32>(links, kept);
    for (let i = 0; i < kept; i++) {
      linkBack(
        load<u32>(selSlotPtr + (<usize>i << 2)), slot,
        load<f32>(selDistPtr + (<usize>i << 2)), l,
      );
    }
    cur = load<u32>(selSlotPtr); // the nearest found enters the next level down
    curDist = load<f32>(selDistPtr);
  }
}

/** Removes `slot` from the sorted list of `n` (dist, slot) pairs; returns the new length. */
function dropSlot(distPtr: usize, slotPtr: usize, n: i32, slot: u32): i32 {
  for (let i = 0; i < n; i++) {
    if (load<u32>(slotPtr + (<usize>i << 2)) != slot) continue;
    let rest = <usize>(n - i - 1) << 2;
    memory.copy(distPtr + (<usize>i << 2), distPtr + (<usize>(i + 1) << 2), rest);
    memory.copy(slotPtr + (<usize>i << 2), slotPtr + (<usize>(i + 1) << 2), rest);
    return n - 1;
  }
  return n;
}

/**
 * Inserts the row already written at rowPtr(count) under `id`. Returns the slot,
 * or Status.OUT_OF_MEMORY when the arena cannot grow (nothing is changed then).
 * The caller has checked capacity and that `id` is new.
 */
export function insert(id: u32, mL: f64): i32 {
  let slot = count;
  let level = randomLevel(mL);
  if (level > 0) {
    let words = <u32>level * upperWords;
    if (arenaUsed + words > arenaWords) {
      let wanted = max(arenaUsed + words, arenaWords + (arenaWords >> 1) + 1024);
      if (!relayout(capacity, efMax, wanted)) return Status.OUT_OF_MEMORY;
    }
    store<u32>(upperOffPtr + (<usize>slot << 2), arenaUsed);
    memory.fill(arenaPtr + (<usize>arenaUsed << 2), 0, <usize>words << 2);
    setArenaUsed(arenaUsed + words);
  }
  let row = rowPtr(slot);
  if (metric == Metric.COSINE) normalize(row, stride);
  store<u32>(labelsPtr + (<usize>slot << 2), id);
  store<u8>(levelsPtr + slot, <u8>level);
  store<u32>(links0Ptr + <usize>slot * links0Bytes, 0);
  setCount(slot + 1);
  insertSlot(slot);
  if (slot == 0) {
    setEntry(slot, level);
    return <i32>slot;
  }
  connect(slot, level);
  if (level > maxLevel) setEntry(slot, level);
  return <i32>slot;
}

/**
 * k nearest to the query row `q` among the slots `admit` allows (Alg. 5): greedy
 * descent to level 1, then a beam of width ef on level 0. Writes ids and distances,
 * nearest first; returns how many.
 */
export function searchGraph(q: usize, k: i32, ef: i32, admit: i32): i32 {
  if (count == 0) return 0;
  if (metric == Metric.COSINE) normalize(q, stride);
  let dist = distance(q, rowPtr(entrySlot));
  greedyDescent(q, entrySlot, dist, maxLevel, 1);
  let results = searchLayer(q, bestSlot, bestDist, max(ef, k), 0, admit);
  while (results > k) maxHeapPop(resDistPtr, resSlotPtr, results--);
  writeResults(results);
  return results;
}

/**
 * Empties W into the result arrays as (id, distance), nearest first; equal distances
 * in increasing id order, as exact ground-truth files list them.
 */
export function writeResults(results: i32): void {
  for (let i = results - 1; i >= 0; i--) {
    let slot = load<u32>(resSlotPtr);
    store<u32>(resultIdsPtr + (<usize>i << 2), load<u32>(labelsPtr + (<usize>slot << 2)));
    store<f32>(resultDistsPtr + (<usize>i << 2), load<f32>(resDistPtr));
    maxHeapPop(resDistPtr, resSlotPtr, i + 1);
  }
  // Ties are rare and short: an insertion sort on (distance, id) touches little else.
  for (let i = 1; i < results; i++) {
    let d = load<f32>(resultDistsPtr + (<usize>i << 2));
    let id = load<u32>(resultIdsPtr + (<usize>i << 2));
    let j = i;
    while (j > 0 && load<f32>(resultDistsPtr + (<usize>(j - 1) << 2)) == d
      && load<u32>(resultIdsPtr + (<usize>(j - 1) << 2)) > id) {
      store<u32>(resultIdsPtr + (<usize>j << 2), load<u32>(resultIdsPtr + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u32>(resultIdsPtr + (<usize>j << 2), id);
  }
}
