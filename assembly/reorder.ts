// Renumbering the slots of a graph index so that neighbours sit near each other in
// memory (Coleman et al., "Graph Reordering for Cache-Efficient Near Neighbor Search",
// NeurIPS 2022). A search reads the rows of one node's neighbours together; after a
// build in insertion order they lie anywhere in the CODES region, and past the caches
// each costs a miss on its own page. In breadth-first order from the entry point a
// node's neighbours take the numbers right after each other, so their rows share pages
// and prefetch streams. Ids do not change: only slots, which nothing outside sees.
//
// The order lives in the TRAINING region (a scratch region, not saved), sized by
// State.REORDER_SLOTS:
//
//   TRAINING ─► ┌───────────────┬───────────────┬────────────────────┬──────────┬────────────┐
//               │ order         │ rank          │ upper lists, in    │ one      │ done: a    │
//               │ new → old u32 │ old → new u32 │ the new slot order │ record   │ bit a slot │
//               └───────────────┴───────────────┴────────────────────┴──────────┴────────────┘
//
// Each per-slot region is permuted in place by following the permutation's cycles
// (the done bits mark the slots moved), then every slot number
// held in links, the free stack and the entry point is renamed, and the id table is
// rebuilt. Called by index.ts reorder().

import { Region, State, Status } from '../src/abi';
import { regionStart } from './layout';
import { graph, keepVectors, links0Bytes, rowBytes, upperWords } from './params';
import { count, deletedCount, entrySlot, maxLevel, setEntry, setStateWord, stateWord } from './state';
import { codeBytes } from './storage';
import { levelOf, linksPtr } from './graph';
import { rebuildIdTable } from './idmap';
import { reserveLabels, reserveReorder } from './resize';

const UNPLACED: u32 = 0xffffffff;

/** Bytes of the one-record buffer: the largest per-slot record permuted, word-aligned. */
// @ts-ignore: decorator
@inline function recordBytes(): usize {
  return (max<usize>(max<usize>(codeBytes, rowBytes), links0Bytes) + 3) & ~3;
}

/** Bytes of scratch a reorder of `slots` slots and `arenaWords` upper-list words needs. */
export function reorderBytes(slots: u32, arenaWords: u32): u64 {
  if (slots == 0) return 0;
  return (<u64>slots << 3) + (<u64>arenaWords << 2) + <u64>recordBytes() + (<u64>((slots + 31) >> 5) << 2);
}

// @ts-ignore: decorator
@inline function orderPtr(): usize { return regionStart(Region.TRAINING); }
// @ts-ignore: decorator
@inline function rankPtr(): usize { return orderPtr() + (<usize>count() << 2); }
// @ts-ignore: decorator
@inline function arenaCopyPtr(): usize { return rankPtr() + (<usize>count() << 2); }
// @ts-ignore: decorator
@inline function recordPtr(): usize { return arenaCopyPtr() + (<usize>stateWord(State.ARENA_USED) << 2); }
// @ts-ignore: decorator
@inline function donePtr(): usize { return recordPtr() + recordBytes(); }

// @ts-ignore: decorator
@inline function rankOf(slot: u32): u32 {
  return load<u32>(rankPtr() + (<usize>slot << 2));
}

/**
 * Renumbers the used slots in breadth-first order over level 0 from the entry point;
 * slots the walk cannot reach keep their relative order after it. Deterministic: the
 * same graph always gets the same numbers. Returns Status.OK, or OUT_OF_MEMORY /
 * TOO_LARGE for the scratch (nothing changed).
 */
export function reorderSlots(): i32 {
  let n = count();
  if (!graph || n < 2) return Status.OK;
  let status = reserveLabels(); // slots change numbers: ids can no longer be them
  if (status == Status.OK) status = reserveReorder(n);
  if (status != Status.OK) return status;
  placeBreadthFirst(n);
  permute(Region.CODES, codeBytes, n);
  if (keepVectors) permute(Region.RAW, rowBytes, n);
  permute(Region.LINKS0, links0Bytes, n);
  permute(Region.LABELS, 4, n);
  permute(Region.LEVELS, 1, n);
  if (deletedCount() > 0) permute(Region.DELETED, 1, n); // else all 0, and maybe not there
  renameLinks0(n);
  rebuildArena(n);
  let free = regionStart(Region.FREE);
  for (let i: u32 = 0, d = deletedCount(); i < d; i++) {
    let at = free + (<usize>i << 2);
    store<u32>(at, rankOf(load<u32>(at)));
  }
  setEntry(rankOf(entrySlot()), maxLevel());
  rebuildIdTable();
  setStateWord(State.REORDER_SLOTS, 0); // the region keeps its size: regions never shrink
  return Status.OK;
}

/** Fills order (new → old) and rank (old → new); the order array doubles as the walk's queue. */
function placeBreadthFirst(n: u32): void {
  let order = orderPtr(), rank = rankPtr();
  memory.fill(rank, 0xff, <usize>n << 2);
  let placed: u32 = 0, head: u32 = 0;
  let next: u32 = 0; // the lowest slot that may still be unplaced, for parts the walk does not reach
  let start = entrySlot();
  while (placed < n) {
    store<u32>(order + (<usize>placed << 2), start);
    store<u32>(rank + (<usize>start << 2), placed++);
    while (head < placed) {
      let slot = load<u32>(order + (<usize>head << 2));
      head++;
      let links = linksPtr(slot, 0);
      for (let i: u32 = 0, m = load<u32>(links); i < m; i++) {
        let neighbour = load<u32>(links + 4 + (<usize>i << 2));
        if (load<u32>(rank + (<usize>neighbour << 2)) != UNPLACED) continue;
        store<u32>(order + (<usize>placed << 2), neighbour);
        store<u32>(rank + (<usize>neighbour << 2), placed++);
      }
    }
    while (next < n && load<u32>(rank + (<usize>next << 2)) != UNPLACED) next++;
    start = next;
  }
}

/**
 * Moves record order[i] of `region` (records of `bytes`) to record i, for every i < n,
 * one cycle of the permutation at a time through a one-record buffer.
 */
function permute(region: Region, bytes: usize, n: u32): void {
  if (bytes == 0) return;
  let base = regionStart(region), order = orderPtr(), done = donePtr(), buffer = recordPtr();
  memory.fill(done, 0, <usize>((n + 31) >> 5) << 2);
  for (let start: u32 = 0; start < n; start++) {
    if (isDone(done, start)) continue;
    let to = start, from = load<u32>(order + (<usize>to << 2));
    if (from == start) {
      markDone(done, start);
      continue;
    }
    memory.copy(buffer, base + <usize>start * bytes, bytes);
    while (from != start) {
      memory.copy(base + <usize>to * bytes, base + <usize>from * bytes, bytes);
      markDone(done, to);
      to = from;
      from = load<u32>(order + (<usize>to << 2));
    }
    memory.copy(base + <usize>to * bytes, buffer, bytes);
    markDone(done, to);
  }
}

// @ts-ignore: decorator
@inline function isDone(bits: usize, slot: u32): bool {
  return (load<u32>(bits + (<usize>(slot >> 5) << 2)) & (1 << (slot & 31))) != 0;
}

// @ts-ignore: decorator
@inline function markDone(bits: usize, slot: u32): void {
  let at = bits + (<usize>(slot >> 5) << 2);
  store<u32>(at, load<u32>(at) | (1 << (slot & 31)));
}

/** Renames the neighbours in every (already permuted) level-0 list. */
function renameLinks0(n: u32): void {
  for (let slot: u32 = 0; slot < n; slot++) renameList(linksPtr(slot, 0));
}

// @ts-ignore: decorator
@inline function renameList(list: usize): void {
  for (let i: u32 = 0, m = load<u32>(list); i < m; i++) {
    let at = list + 4 + (<usize>i << 2);
    store<u32>(at, rankOf(load<u32>(at)));
  }
}

/**
 * Lays the upper lists out again in the new slot order (the arena keeps them one after
 * another in slot order, which integrity.ts checks), renaming their neighbours, and
 * permutes UPPER_OFF to match. LEVELS is already permuted.
 */
function rebuildArena(n: u32): void {
  let order = orderPtr(), copy = arenaCopyPtr(), arena = regionStart(Region.ARENA);
  let offsets = regionStart(Region.UPPER_OFF);
  let used: u32 = 0;
  for (let slot: u32 = 0; slot < n; slot++) {
    let level = levelOf(slot);
    if (level == 0) continue;
    let old = load<u32>(order + (<usize>slot << 2));
    let first = load<u32>(offsets + (<usize>old << 2)); // UPPER_OFF is still in the old order
    let words = <u32>level * upperWords;
    memory.copy(copy + (<usize>used << 2), arena + (<usize>first << 2), <usize>words << 2);
    used += words;
  }
  memory.copy(arena, copy, <usize>used << 2);
  used = 0;
  for (let slot: u32 = 0; slot < n; slot++) {
    let level = levelOf(slot);
    if (level == 0) continue;
    store<u32>(offsets + (<usize>slot << 2), used);
    for (let l = 1; l <= level; l++) renameList(linksPtr(slot, l));
    used += <u32>level * upperWords;
  }
  setStateWord(State.ARENA_USED, used);
}
