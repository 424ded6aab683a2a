// Integrity check of an index (after hnswlib's checkIntegrity), for tests and for
// loading: every link points to a used slot (< count) on a level it has, no self-links,
// degree bounds hold, upper lists lie inside the arena's used part, the entry point is
// on the top level, deleted flags and the free stack agree, the id table finds every
// live slot and no deleted one. Links may point to deleted slots: they stay in the
// graph as waypoints until reused (hnswlib's markDelete). Problems are src/abi.ts
// Integrity codes. Called by index.ts checkIntegrity() and restore.ts; never follows a
// link before checking it.

import { Integrity, Region, State } from '../src/abi';
import { ctx } from './context';
import { regionStart } from './layout';
import { graph, M, M0, upperWords } from './params';
import { count, deletedCount, entrySlot, maxLevel, stateWord } from './state';
import { levelOf, linksPtr } from './graph';
import { findSlot, labelOf } from './idmap';
import { beginVisit, visit } from './visited';

/**
 * Integrity.OK when the index is consistent, otherwise the first problem found. `deep`
 * adds the O(n·M0²) repeated-link check and the id table check (loading rebuilds the table).
 */
export function checkIntegrity(deep: bool): i32 {
  let problem = checkDeleted();
  if (problem != Integrity.OK) return problem;
  if (graph) {
    problem = checkGraph(deep);
    if (problem != Integrity.OK) return problem;
  }
  return deep ? checkIdTable() : Integrity.OK;
}

/** Flags are 0 or 1, the free stack lists each flagged slot exactly once. */
function checkDeleted(): i32 {
  let n = count(), deleted = deletedCount();
  if (deleted > n) return Integrity.BAD_FREE_LIST;
  let flags = regionStart(Region.DELETED), free = regionStart(Region.FREE);
  let flagged: u32 = 0;
  for (let slot: u32 = 0; slot < n; slot++) {
    let flag = load<u8>(flags + slot);
    if (flag > 1) return Integrity.BAD_DELETED;
    flagged += flag;
  }
  if (flagged != deleted) return Integrity.BAD_FREE_LIST;
  let tags = ctx.visited, epoch = beginVisit(ctx);
  for (let i: u32 = 0; i < deleted; i++) {
    let slot = load<u32>(free + (<usize>i << 2));
    if (slot >= n || load<u8>(flags + slot) != 1 || visit(tags, epoch, slot)) return Integrity.BAD_FREE_LIST;
  }
  return Integrity.OK;
}

function checkGraph(deep: bool): i32 {
  let n = count(), top = maxLevel();
  if (n == 0) return top == -1 ? Integrity.OK : Integrity.BAD_ENTRY;
  if (entrySlot() >= n || levelOf(entrySlot()) != top) return Integrity.BAD_ENTRY;
  let upperOff = regionStart(Region.UPPER_OFF), arenaUsed = <u64>stateWord(State.ARENA_USED);
  for (let slot: u32 = 0; slot < n; slot++) {
    let levels = levelOf(slot);
    if (levels > top) return Integrity.LEVEL_ABOVE_TOP;
    let first = <u64>load<u32>(upperOff + (<usize>slot << 2));
    if (levels > 0 && first + <u64>levels * upperWords > arenaUsed) return Integrity.BAD_UPPER_OFFSET;
    for (let level = 0; level <= levels; level++) {
      let links = linksPtr(slot, level);
      let degree = load<u32>(links);
      if (degree > <u32>(level == 0 ? M0 : M)) return Integrity.TOO_MANY_LINKS;
      for (let i: u32 = 0; i < degree; i++) {
        let next = load<u32>(links + 4 + (<usize>i << 2));
        if (next >= n) return Integrity.LINK_OUT_OF_RANGE;
        if (next == slot) return Integrity.SELF_LINK;
        if (level > 0 && levelOf(next) < level) return Integrity.LINK_BELOW_LEVEL; // every slot has level 0
        if (!deep) continue;
        for (let j: u32 = 0; j < i; j++) {
          if (load<u32>(links + 4 + (<usize>j << 2)) == next) return Integrity.REPEATED_LINK;
        }
      }
    }
  }
  return Integrity.OK;
}

/** Every live slot is found under its label, no deleted one is, and nothing else is in the table. */
function checkIdTable(): i32 {
  let n = count(), flags = regionStart(Region.DELETED);
  for (let slot: u32 = 0; slot < n; slot++) {
    let found = findSlot(labelOf(slot)) == <i32>slot;
    if (found == (load<u8>(flags + slot) != 0)) return Integrity.ID_TABLE_MISMATCH;
  }
  let table = regionStart(Region.ID_TABLE), size = stateWord(State.TABLE_SIZE);
  let entries: u32 = 0;
  for (let i: u32 = 0; i < size; i++) entries += load<u32>(table + (<usize>i << 2)) != 0xffffffff ? 1 : 0;
  return entries == n - deletedCount() ? Integrity.OK : Integrity.ID_TABLE_MISMATCH;
}
