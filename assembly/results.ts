// Which slots a search may return, and how the result heap W becomes the caller's
// results: trimmed to k, after an exact re-rank of the best candidates when asked,
// then written as ids nearest first with ties in id order. Called by hnsw.ts,
// flat.ts and update.ts.

import { Admit, Region } from '../src/abi';
import { Context } from './context';
import { regionStart } from './layout';
import { canRerank, exactDistance, touchExactRow } from './storage';
import { isDeleted, labelOf } from './idmap';
import { maxHeapPop, maxHeapPush, maxHeapSiftDown } from './heap';

/** Whether a search in mode `admit` (src/abi.ts Admit) may return `slot`. */
// @ts-ignore: decorator
@inline export function admits(slot: u32, admit: i32): bool {
  if (admit == Admit.ALL) return true;
  if (admit == Admit.LIVE) return !isDeleted(slot);
  return (load<u32>(regionStart(Region.FILTER) + (<usize>(slot >> 5) << 2)) & (1 << (slot & 31))) != 0;
}

/**
 * Puts (d, slot) in W of `c`, which holds `results` of at most `width`, replacing its
 * farthest when full (the caller has checked d against it); returns how many W holds.
 */
// @ts-ignore: decorator
@inline export function offer(c: Context, width: i32, results: i32, d: f32, slot: u32): i32 {
  return offerTo(c.resDist, c.resSlot, width, results, d, slot);
}

/** offer() into the max-heap at `dist`, `slots` (a group's per-query heaps: groupscan.ts). */
// @ts-ignore: decorator
@inline export function offerTo(dist: usize, slots: usize, width: i32, results: i32, d: f32, slot: u32): i32 {
  if (results < width) {
    maxHeapPush(dist, slots, results, d, slot);
    return results + 1;
  }
  maxHeapSiftDown(dist, slots, results, d, slot);
  return results;
}

/** Empties W of `c` (|W| = `results`) into distPtr/slotPtr, nearest first. */
export function drainAscending(c: Context, results: i32, distPtr: usize, slotPtr: usize): void {
  let resDist = c.resDist, resSlot = c.resSlot;
  for (let i = results - 1; i >= 0; i--) {
    store<f32>(distPtr + (<usize>i << 2), load<f32>(resDist));
    store<u32>(slotPtr + (<usize>i << 2), load<u32>(resSlot));
    maxHeapPop(resDist, resSlot, i + 1);
  }
}

/**
 * Turns W (|W| = `results`) into the k results of `c`. With `rerank` > 0 and f32 rows
 * kept, the `rerank` nearest by the stored codes are re-scored exactly first (two-stage
 * search), so the distances returned are exact. Returns how many results.
 */
export function finishSearch(c: Context, results: i32, k: i32, rerank: i32): i32 {
  let resDist = c.resDist, resSlot = c.resSlot;
  if (rerank > 0 && canRerank()) {
    while (results > rerank) maxHeapPop(resDist, resSlot, results--);
    let n = results;
    drainAscending(c, n, c.selDist, c.selSlot);
    // Touch every kept row first, so their cache misses overlap (as the graph's touch loop does).
    let sink = c.touched;
    for (let i = 0; i < n; i++) sink ^= touchExactRow(load<u32>(c.selSlot + (<usize>i << 2)));
    c.touched = sink;
    results = 0;
    for (let i = 0; i < n; i++) {
      let slot = load<u32>(c.selSlot + (<usize>i << 2));
      let d = exactDistance(c.query, slot);
      if (results < k) maxHeapPush(resDist, resSlot, results++, d, slot);
      else if (d < load<f32>(resDist)) maxHeapSiftDown(resDist, resSlot, results, d, slot);
    }
  }
  while (results > k) maxHeapPop(resDist, resSlot, results--);
  writeResults(c, results);
  return results;
}

/**
 * Empties W into the result arrays as (id, distance), nearest first; equal distances
 * in increasing id order, as exact ground-truth files list them.
 */
function writeResults(c: Context, results: i32): void {
  let ids = c.resultIds, dists = c.resultDists;
  for (let i = results - 1; i >= 0; i--) {
    let slot = load<u32>(c.resSlot);
    store<u32>(ids + (<usize>i << 2), labelOf(slot));
    store<f32>(dists + (<usize>i << 2), load<f32>(c.resDist));
    maxHeapPop(c.resDist, c.resSlot, i + 1);
  }
  // Ties are rare and short: an insertion sort on (distance, id) touches little else.
  for (let i = 1; i < results; i++) {
    let d = load<f32>(dists + (<usize>i << 2));
    let id = load<u32>(ids + (<usize>i << 2));
    let j = i;
    while (j > 0 && load<f32>(dists + (<usize>(j - 1) << 2)) == d && load<u32>(ids + (<usize>(j - 1) << 2)) > id) {
      store<u32>(ids + (<usize>j << 2), load<u32>(ids + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u32>(ids + (<usize>j << 2), id);
  }
}
