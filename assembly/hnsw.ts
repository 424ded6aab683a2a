// HNSW graph: insertion, greedy descent, ef-bounded beam search and the neighbour
// selection heuristic (Malkov & Yashunin, Alg. 1, 2, 4, 5), following hnswlib's
// hnswalg.h. Deals in slots only: distances come from storage.ts (a prepared query to a
// slot, or two slots), links from graph.ts, working memory from the caller's context.
// Called by search.ts, mutation.ts and update.ts; never grows memory.

import { Admit } from '../src/abi';
import { Context } from './context';
import { M, M0, efConstruction } from './params';
import { count, deletedCount, entrySlot, maxLevel, setEntry } from './state';
import { pairDistance, queryDistance, touchRow } from './storage';
import { linksPtr } from './graph';
import { admits, drainAscending } from './results';
import { maxHeapPush, maxHeapSiftDown, minHeapKeepBelow, minHeapPop, minHeapPush } from './heap';
import { beginVisit, visit } from './visited';
import { isLinking, lockGraph, lockSlot, unlockGraph, unlockSlot } from './locks';

/**
 * Walks from (slot, dist) to a local minimum on each level from `top` down to
 * `bottom`; leaves the result in c.bestSlot / c.bestDist.
 */
function greedyDescent(c: Context, q: usize, slot: u32, dist: f32, top: i32, bottom: i32): void {
  let hops = 0, distances = 0;
  for (let level = top; level >= bottom; level--) {
    let changed = true;
    while (changed) {
      changed = false;
      hops++;
      let links = linksPtr(slot, level);
      let n = load<u32>(links);
      distances += n;
      for (let i: u32 = 0; i < n; i++) {
        let next = load<u32>(links + 4 + (<usize>i << 2));
        let d = queryDistance(q, next);
        if (d < dist) {
          dist = d;
          slot = next;
          changed = true;
        }
      }
    }
  }
  c.bestSlot = slot;
  c.bestDist = dist;
  c.hops += hops;
  c.distances += distances;
}

/**
 * Beam search on one level from one entry (Alg. 2): the candidates C are a min-heap,
 * the results W a max-heap of at most ef. Returns |W|; W is left in c.resDist/resSlot.
 * Every slot is traversed, but only those `admit` allows enter W; while W holds fewer
 * than ef the search goes on past the bound (hnswlib's rule with deletions or a filter),
 * which is what widens a filtered search.
 */
function searchLayer(c: Context, q: usize, entry: u32, entryDist: f32, ef: i32, level: i32, admit: i32): i32 {
  let candDist = c.candDist, candSlot = c.candSlot, candCap = c.candCap;
  let resDist = c.resDist, resSlot = c.resSlot, pendingPtr = c.neighbours;
  let tags = c.visited, epoch = beginVisit(c);
  visit(tags, epoch, entry);
  minHeapPush(candDist, candSlot, 0, entryDist, entry);
  let candidates = 1, results = 0, hops = 0, distances = 0;
  let bound: f32 = Infinity; // distance of the worst result kept
  if (admits(entry, admit)) {
    maxHeapPush(resDist, resSlot, 0, entryDist, entry);
    results = 1;
    bound = entryDist;
  }
  let sink = c.touched;
  while (candidates > 0) {
    let dist = load<f32>(candDist);
    if (dist > bound && (admit == Admit.ALL || results >= ef)) break; // C cannot improve W
    let slot = load<u32>(candSlot);
    minHeapPop(candDist, candSlot, candidates--);
    hops++;
    // First mark the unvisited neighbours and touch their rows, so the CPU fetches
    // them all at once (storage.ts touchRow): 1.12x queries/s on SIFT-128, 1.28x on
    // MNIST-784 (A/B in one process). Touch the link list of the candidate likely
    // expanded next too, as hnswlib prefetches it: its miss then overlaps this
    // node's distances (1.10x at ef 64 and 256 on hard:100000:128).
    let links = linksPtr(slot, level);
    if (candidates > 0) sink ^= load<u32>(linksPtr(load<u32>(candSlot), level));
    let n = load<u32>(links);
    let pending = 0;
    for (let i: u32 = 0; i < n; i++) {
      let next = load<u32>(links + 4 + (<usize>i << 2));
      if (visit(tags, epoch, next)) continue;
      store<u32>(pendingPtr + (<usize>pending << 2), next);
      pending++;
      sink ^= touchRow(next);
    }
    distances += pending;
    for (let i = 0; i < pending; i++) {
      let next = load<u32>(pendingPtr + (<usize>i << 2));
      let d = queryDistance(q, next);
      if (results < ef || d < bound) {
        if (candidates == candCap) {
          candidates = minHeapKeepBelow(candDist, candSlot, candidates, bound);
          if (candidates == candCap) continue; // W not full yet (filtered): drop, C stays bounded
        }
        minHeapPush(candDist, candSlot, candidates++, d, next);
        if (!admits(next, admit)) continue;
        // W full: the new result takes the worst one's place in one sift-down, instead of
        // a push and a pop (the same set; 1.02x queries/s at ef 64 and 256, within noise).
        if (results < ef) maxHeapPush(resDist, resSlot, results++, d, next);
        else maxHeapSiftDown(resDist, resSlot, results, d, next);
        bound = load<f32>(resDist);
      }
    }
  }
  c.touched = sink;
  c.hops += hops;
  c.distances += distances;
  return results;
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
    let diverse = true;
    for (let j = 0; j < kept; j++) {
      if (pairDistance(slot, load<u32>(slotPtr + (<usize>j << 2))) < d) {
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

/** Adds the edge owner → added on `level` if missing, re-pruning owner's list when it is full; under owner's lock. */
function linkBack(c: Context, owner: u32, added: u32, addedDist: f32, level: i32): void {
  lockSlot(owner);
  addLink(c, owner, added, addedDist, level);
  unlockSlot(owner);
}

function addLink(c: Context, owner: u32, added: u32, addedDist: f32, level: i32): void {
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
  let pruneDist = c.pruneDist, pruneSlot = c.pruneSlot;
  let size = 0;
  for (let i = 0; i <= n; i++) {
    let slot = i < n ? load<u32>(links + 4 + (<usize>i << 2)) : added;
    let d = i < n ? pairDistance(owner, slot) : addedDist;
    insertSorted(pruneDist, pruneSlot, size++, d, slot); // at most M0 + 1 entries
  }
  let kept = selectNeighbours(pruneDist, pruneSlot, size, limit);
  memory.copy(links + 4, pruneSlot, <usize>kept << 2);
  store<u32>(links, kept);
}

/**
 * Links `slot` into every level up to `level` (Alg. 1), or relinks it after its row
 * changed (hnswlib's repairConnectionsForUpdate), descending from `entry` on level
 * `top`. `q` is the slot's own row as a prepared query. Deleted slots are traversed but
 * not chosen as neighbours, as in hnswlib.
 */
export function connect(c: Context, q: usize, slot: u32, level: i32, entry: u32, top: i32): void {
  let admit = deletedCount() > 0 ? Admit.LIVE : Admit.ALL;
  let cur = entry;
  let curDist = queryDistance(q, cur);
  c.distances += 1;
  if (top > level) {
    greedyDescent(c, q, cur, curDist, top, level + 1);
    cur = c.bestSlot;
    curDist = c.bestDist;
  }
  let selDist = c.selDist, selSlot = c.selSlot;
  for (let l = min(level, top); l >= 0; l--) {
    let found = searchLayer(c, q, cur, curDist, efConstruction, l, admit);
    drainAscending(c, found, selDist, selSlot);
    found = dropSlot(selDist, selSlot, found, slot); // an updated node finds itself
    if (found == 0) {
      if (cur == slot) continue;
      // Everything reachable is deleted: link to the entry so the node stays reachable.
      store<f32>(selDist, curDist);
      store<u32>(selSlot, cur);
      found = 1;
    }
    let kept = selectNeighbours(selDist, selSlot, found, M);
    let links = linksPtr(slot, l);
    lockSlot(slot);
    let present = isLinking() ? <i32>load<u32>(links) : 0;
    if (present > 0) {
      store<u32>(links, mergeLinks(c, slot, links, present, kept, l == 0 ? M0 : M));
    } else {
      memory.copy(links + 4, selSlot, <usize>kept << 2);
      store<u32>(links, kept);
    }
    unlockSlot(slot);
    for (let i = 0; i < kept; i++) {
      linkBack(c, load<u32>(selSlot + (<usize>i << 2)), slot, load<f32>(selDist + (<usize>i << 2)), l);
    }
    cur = load<u32>(selSlot); // the nearest found enters the next level down
    curDist = load<f32>(selDist);
  }
}

/**
 * Writes `slot`'s list on a level where other threads linked to it already (it was
 * reached through its upper levels before this level was linked): the `kept`
 * selection and the `present` links together, nearest first (at most M0 + 1), pruned by
 * the heuristic to `limit`. Overwriting would drop their links, and a row whose only
 * link in was dropped could never be found. Returns the list's length.
 */
function mergeLinks(c: Context, slot: u32, links: usize, present: i32, kept: i32, limit: i32): i32 {
  let selDist = c.selDist, selSlot = c.selSlot, pruneDist = c.pruneDist, pruneSlot = c.pruneSlot;
  let size = 0, cap = M0 + 1;
  for (let i = 0; i < kept + present; i++) {
    let other: u32, d: f32;
    if (i < kept) {
      other = load<u32>(selSlot + (<usize>i << 2));
      d = load<f32>(selDist + (<usize>i << 2));
    } else {
      other = load<u32>(links + 4 + (<usize>(i - kept) << 2));
      let known = false;
      for (let j = 0; j < kept && !known; j++) known = load<u32>(selSlot + (<usize>j << 2)) == other;
      if (known) continue;
      d = pairDistance(slot, other);
    }
    if (size == cap && d >= load<f32>(pruneDist + (<usize>(cap - 1) << 2))) continue;
    insertSorted(pruneDist, pruneSlot, size < cap ? size++ : cap - 1, d, other); // the farthest dropped when full
  }
  let n = selectNeighbours(pruneDist, pruneSlot, size, limit);
  memory.copy(links + 4, pruneSlot, <usize>n << 2);
  return n;
}

/**
 * One step of an insertion sort: puts (d, slot) into the pairs sorted by distance at
 * distPtr / slotPtr, moving those before position `at` that are farther one place up
 * (the pair at `at` is overwritten).
 */
// @ts-ignore: decorator
@inline function insertSorted(distPtr: usize, slotPtr: usize, at: i32, d: f32, slot: u32): void {
  let j = at;
  while (j > 0 && load<f32>(distPtr + (<usize>(j - 1) << 2)) > d) {
    store<f32>(distPtr + (<usize>j << 2), load<f32>(distPtr + (<usize>(j - 1) << 2)));
    store<u32>(slotPtr + (<usize>j << 2), load<u32>(slotPtr + (<usize>(j - 1) << 2)));
    j--;
  }
  store<f32>(distPtr + (<usize>j << 2), d);
  store<u32>(slotPtr + (<usize>j << 2), slot);
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
 * Links the new `slot` (row stored, lists allocated on levels 0 … `level`) into the
 * graph; `q` is its row as a prepared query. The first slot becomes the entry point.
 */
export function insertNode(c: Context, q: usize, slot: u32, level: i32): void {
  if (count() == 1) {
    setEntry(slot, level);
    return;
  }
  connect(c, q, slot, level, entrySlot(), maxLevel());
  if (level > maxLevel()) setEntry(slot, level);
}

/**
 * insertNode() beside other threads (batch.ts linkRange): the entry point is read, and
 * when `slot` rises above the top level changed, under the graph lock, which a rising
 * slot holds while it links so that no other can rise meanwhile (as hnswlib's).
 */
export function linkNode(c: Context, q: usize, slot: u32, level: i32): void {
  lockGraph();
  let top = maxLevel(), entry = entrySlot();
  if (level <= top) unlockGraph();
  connect(c, q, slot, level, entry, top);
  if (level > top) {
    setEntry(slot, level);
    unlockGraph();
  }
}

/**
 * The ef nearest to the prepared query `q` among the slots `admit` allows (Alg. 5):
 * greedy descent to level 1, then a beam of width ef on level 0. Leaves them in W;
 * returns how many.
 */
export function searchGraph(c: Context, q: usize, ef: i32, admit: i32): i32 {
  if (count() == 0) return 0;
  let entry = entrySlot();
  let dist = queryDistance(q, entry);
  c.distances += 1;
  greedyDescent(c, q, entry, dist, maxLevel(), 1);
  return searchLayer(c, q, c.bestSlot, c.bestDist, ef, 0, admit);
}
