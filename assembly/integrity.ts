// Integrity check of an index (after hnswlib's checkIntegrity), for tests and for every
// load, so that a file whose checksum was recomputed over lies cannot make later code
// read or write out of place: every link points to a used slot (< count) on a level it
// has, no self-links and no repeated links, degree bounds hold, the upper lists lie one
// after another in slot order and fill the arena's used part exactly (so no two share a
// word), the entry point is on the top level, deleted flags and the free stack agree,
// live labels are ids (not NO_ID), every stored row is finite with zero padding
// (storage.ts rowProblem), and the id table finds every live slot and no deleted one.
// Links may point to deleted slots: they stay in the graph as waypoints until reused
// (hnswlib's markDelete). Problems are src/abi.ts Integrity codes. Called by index.ts
// checkIntegrity() and restore.ts; never follows a link before checking it.

import { Integrity, Region, State } from '../src/abi';
import { ctx } from './context';
import { regionBytes, regionStart } from './layout';
import { graph, M, M0, upperWords } from './params';
import { codesSound, rowSound } from './storage';
import { count, deletedCount, entrySlot, maxLevel, stateWord } from './state';
import { levelOf, linksPtr } from './graph';
import { findSlot, isDeleted, labelOf, labelsImplicit } from './idmap';
import { beginVisit, visit } from './visited';

/** The largest id; 2^32 - 1 is NO_ID (src/vectors.ts). */
const MAX_ID: u32 = 0xfffffffe;

/**
 * Integrity.OK when the index is consistent, otherwise the first problem found. `deep`
 * adds the id table check (loading rebuilds the table instead).
 */
export function checkIntegrity(deep: bool): i32 {
  let problem = checkDeleted();
  if (problem == Integrity.OK) problem = checkRows();
  if (problem == Integrity.OK && graph) problem = checkGraph();
  if (problem == Integrity.OK && deep) problem = checkIdTable();
  return problem;
}

/** Every stored row is one the format can hold (an IvfIndex's lists too); every live label is an id. */
function checkRows(): i32 {
  if (!codesSound()) return Integrity.BAD_ROW;
  for (let slot: u32 = 0, n = count(); slot < n; slot++) {
    if (!rowSound(slot)) return Integrity.BAD_ROW;
    if (!isDeleted(slot) && labelOf(slot) > MAX_ID) return Integrity.BAD_LABEL;
  }
  return Integrity.OK;
}

/** Flags are 0 or 1, the free stack lists each flagged slot exactly once. */
function checkDeleted(): i32 {
  let n = count(), deleted = deletedCount();
  if (deleted > n) return Integrity.BAD_FREE_LIST;
  if (regionBytes(Region.DELETED) == 0) return deleted == 0 ? Integrity.OK : Integrity.BAD_FREE_LIST;
  let flags = regionStart(Region.DELETED), free = regionStart(Region.FREE);
  let flagged: u32 = 0;
  for (let slot: u32 = 0; slot < n; slot++) {
    let flag = load<u8>(flags + slot);
    if (flag > 1) return Integrity.BAD_DELETED;
    flagged += flag;
  }
  if (flagged != deleted) return Integrity.BAD_FREE_LIST;
  // Each entry must find its slot's flag at 1 and leaves it at 2, so a second entry for
  // the slot fails; then the 1s are put back.
  let problem = Integrity.OK, marked: u32 = 0;
  for (; marked < deleted; marked++) {
    let slot = load<u32>(free + (<usize>marked << 2));
    if (slot >= n || load<u8>(flags + slot) != 1) {
      problem = Integrity.BAD_FREE_LIST;
      break;
    }
    store<u8>(flags + slot, 2);
  }
  for (let i: u32 = 0; i < marked; i++) store<u8>(flags + load<u32>(free + (<usize>i << 2)), 1);
  return problem;
}

function checkGraph(): i32 {
  let n = count(), top = maxLevel();
  if (n == 0) return top == -1 && stateWord(State.ARENA_USED) == 0 ? Integrity.OK : Integrity.BAD_ENTRY;
  if (entrySlot() >= n || levelOf(entrySlot()) != top) return Integrity.BAD_ENTRY;
  let upperOff = regionStart(Region.UPPER_OFF);
  // Upper lists are allocated as slots are appended: in slot order, back to back.
  let nextList: u64 = 0;
  for (let slot: u32 = 0; slot < n; slot++) {
    let levels = levelOf(slot);
    if (levels > top) return Integrity.LEVEL_ABOVE_TOP;
    if (levels > 0) {
      if (<u64>load<u32>(upperOff + (<usize>slot << 2)) != nextList) return Integrity.BAD_UPPER_OFFSET;
      nextList += <u64>levels * upperWords;
      if (nextList > <u64>stateWord(State.ARENA_USED)) return Integrity.BAD_UPPER_OFFSET;
    }
    for (let level = 0; level <= levels; level++) {
      let problem = checkList(slot, level);
      if (problem != Integrity.OK) return problem;
    }
  }
  return nextList == <u64>stateWord(State.ARENA_USED) ? Integrity.OK : Integrity.BAD_UPPER_OFFSET;
}

/** One link list: degree bound, every link in range, not to itself, on a level it has, and each once. */
function checkList(slot: u32, level: i32): i32 {
  let links = linksPtr(slot, level);
  let degree = load<u32>(links);
  if (degree > <u32>(level == 0 ? M0 : M)) return Integrity.TOO_MANY_LINKS;
  let n = count(), tags = ctx.visited, epoch = beginVisit(ctx);
  for (let i: u32 = 0; i < degree; i++) {
    let next = load<u32>(links + 4 + (<usize>i << 2));
    if (next >= n) return Integrity.LINK_OUT_OF_RANGE;
    if (next == slot) return Integrity.SELF_LINK;
    if (level > 0 && levelOf(next) < level) return Integrity.LINK_BELOW_LEVEL; // every slot has level 0
    if (visit(tags, epoch, next)) return Integrity.REPEATED_LINK;
  }
  return Integrity.OK;
}

/** Every live slot is found under its label, no deleted one is, and nothing else is in the table. */
function checkIdTable(): i32 {
  if (labelsImplicit()) return Integrity.OK; // no table: findSlot() is arithmetic
  let n = count();
  for (let slot: u32 = 0; slot < n; slot++) {
    let found = findSlot(labelOf(slot)) == <i32>slot;
    if (found == isDeleted(slot)) return Integrity.ID_TABLE_MISMATCH;
  }
  let table = regionStart(Region.ID_TABLE), size = stateWord(State.TABLE_SIZE);
  let entries: u32 = 0;
  for (let i: u32 = 0; i < size; i++) entries += load<u32>(table + (<usize>i << 2)) != 0xffffffff ? 1 : 0;
  return entries == n - deletedCount() ? Integrity.OK : Integrity.ID_TABLE_MISMATCH;
}
