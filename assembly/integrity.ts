// Integrity check of an index (after hnswlib's checkIntegrity), for tests and for
// loading: every link points to a used slot (< count) on a level it has, no self-links,
// degree bounds hold, upper lists lie inside the arena's used part, the entry point is
// on the top level, deleted flags and the free stack agree, the id table finds every
// live slot and no deleted one. Links may point to deleted slots: they stay in the
// graph as waypoints until reused (hnswlib's markDelete). Called by index.ts
// checkIntegrity() and restore.ts; never follows a link before checking it.

import { Kind } from '../src/abi';
import { kind, M, M0, upperWords, labelsPtr, upperOffPtr, deletedPtr, freePtr, idTablePtr, tableSize } from './layout';
import { count, entrySlot, maxLevel, arenaUsed, deletedCount } from './state';
import { levelOf, linksPtr } from './hnsw';
import { findSlot } from './idmap';
import { beginVisit, visit } from './visited';

export const INTEGRITY_OK = 0;
export const BAD_ENTRY = 1;
export const TOO_MANY_LINKS = 2;
export const LINK_OUT_OF_RANGE = 3;
export const SELF_LINK = 4;
export const LINK_BELOW_LEVEL = 5;
export const REPEATED_LINK = 6;
export const ID_TABLE_MISMATCH = 7;
export const LEVEL_ABOVE_TOP = 8;
export const BAD_UPPER_OFFSET = 9;
export const BAD_DELETED = 10;
export const BAD_FREE_LIST = 11;
export const DUPLICATE_ID = 12;

/**
 * 0 when the index is consistent, otherwise the first problem found. `deep` adds the
 * O(n·M0²) repeated-link check and the id table check (loading rebuilds the table).
 */
export function checkIntegrity(deep: bool): i32 {
  let problem = checkDeleted();
  if (problem != INTEGRITY_OK) return problem;
  if (kind == Kind.HNSW) {
    problem = checkGraph(deep);
    if (problem != INTEGRITY_OK) return problem;
  }
  return deep ? checkIdTable() : INTEGRITY_OK;
}

/** Flags are 0 or 1, the free stack lists each flagged slot exactly once. */
function checkDeleted(): i32 {
  if (deletedCount > count) return BAD_FREE_LIST;
  let flagged: u32 = 0;
  for (let slot: u32 = 0; slot < count; slot++) {
    let flag = load<u8>(deletedPtr + slot);
    if (flag > 1) return BAD_DELETED;
    flagged += flag;
  }
  if (flagged != deletedCount) return BAD_FREE_LIST;
  beginVisit();
  for (let i: u32 = 0; i < deletedCount; i++) {
    let slot = load<u32>(freePtr + (<usize>i << 2));
    if (slot >= count || load<u8>(deletedPtr + slot) != 1 || visit(slot)) return BAD_FREE_LIST;
  }
  return INTEGRITY_OK;
}

function checkGraph(deep: bool): i32 {
  if (count == 0) return maxLevel == -1 ? INTEGRITY_OK : BAD_ENTRY;
  if (entrySlot >= count || levelOf(entrySlot) != maxLevel) return BAD_ENTRY;
  for (let slot: u32 = 0; slot < count; slot++) {
    let top = levelOf(slot);
    if (top > maxLevel) return LEVEL_ABOVE_TOP;
    let first = <u64>load<u32>(upperOffPtr + (<usize>slot << 2));
    if (top > 0 && first + <u64>top * upperWords > <u64>arenaUsed) return BAD_UPPER_OFFSET;
    for (let level = 0; level <= top; level++) {
      let links = linksPtr(slot, level);
      let n = load<u32>(links);
      if (n > <u32>(level == 0 ? M0 : M)) return TOO_MANY_LINKS;
      for (let i: u32 = 0; i < n; i++) {
        let next = load<u32>(links + 4 + (<usize>i << 2));
        if (next >= count) return LINK_OUT_OF_RANGE;
        if (next == slot) return SELF_LINK;
        if (level > 0 && levelOf(next) < level) return LINK_BELOW_LEVEL; // every slot has level 0
        if (!deep) continue;
        for (let j: u32 = 0; j < i; j++) {
          if (load<u32>(links + 4 + (<usize>j << 2)) == next) return REPEATED_LINK;
        }
      }
    }
  }
  return INTEGRITY_OK;
}

/** Every live slot is found under its label, no deleted one is, and nothing else is in the table. */
function checkIdTable(): i32 {
  for (let slot: u32 = 0; slot < count; slot++) {
    let found = findSlot(load<u32>(labelsPtr + (<usize>slot << 2))) == <i32>slot;
    if (found == (load<u8>(deletedPtr + slot) != 0)) return ID_TABLE_MISMATCH;
  }
  let entries: u32 = 0;
  for (let i: u32 = 0; i < tableSize; i++) entries += load<u32>(idTablePtr + (<usize>i << 2)) != 0xffffffff ? 1 : 0;
  return entries == count - deletedCount ? INTEGRITY_OK : ID_TABLE_MISMATCH;
}
