// Which id each slot holds and which live slot holds an id. While every label is its
// slot number (ids 0, 1, 2, … as added: State.LABELS_ARE_SLOTS) there is no LABELS or
// ID_TABLE region at all and both answers are arithmetic. Otherwise: open addressing
// with linear probing over a power-of-two table of slots; the key is read back from
// labels, so an entry costs 4 bytes. Removal shifts later entries back (no
// tombstones, so lookups never slow down with churn). Called by index.ts (lookups),
// mutation.ts (insert, remove), resize.ts (rebuild after resizing) and restore.ts.
//
//   ID_TABLE ─► ┌───────┬───────┬───────┬─  ─┐   EMPTY or a slot; the slot's id is
//               │ slot  │ EMPTY │ slot  │ …  │   labels[slot]
//               └───────┴───────┴───────┴─  ─┘

import { Region, State } from '../src/abi';
import { regionStart } from './layout';
import { count, deletedCount, stateWord } from './state';

const EMPTY: u32 = 0xffffffff;

/** Table entries for `slots` items: a power of two at least 4/3 of them (load factor <= 0.75). */
export function tableSizeFor(slots: u64): u64 {
  let size: u64 = 16;
  while (size * 3 < slots * 4) size <<= 1;
  return size;
}

// @ts-ignore: decorator
@inline function tableMask(): u32 {
  return stateWord(State.TABLE_SIZE) - 1;
}

/** murmur3's 32-bit finaliser: spreads sequential ids over the table. */
// @ts-ignore: decorator
@inline function mix(id: u32): u32 {
  id ^= id >> 16;
  id *= 0x85ebca6b;
  id ^= id >> 13;
  id *= 0xc2b2ae35;
  return id ^ (id >> 16);
}

// @ts-ignore: decorator
@inline function entryPtr(i: u32): usize {
  return regionStart(Region.ID_TABLE) + (<usize>i << 2);
}

/** Whether every slot's label is its slot number, with no LABELS or ID_TABLE region. */
// @ts-ignore: decorator
@inline export function labelsImplicit(): bool {
  return stateWord(State.LABELS_ARE_SLOTS) != 0;
}

// @ts-ignore: decorator
@inline export function labelOf(slot: u32): u32 {
  return labelsImplicit() ? slot : load<u32>(regionStart(Region.LABELS) + (<usize>slot << 2));
}

/** Whether `slot`'s item was removed (the DELETED region exists only once something was). */
// @ts-ignore: decorator
@inline export function isDeleted(slot: u32): bool {
  return deletedCount() != 0 && load<u8>(regionStart(Region.DELETED) + slot) != 0;
}

/** The slot holding `id`, or -1. */
export function findSlot(id: u32): i32 {
  if (labelsImplicit()) return id < count() && !isDeleted(id) ? <i32>id : -1;
  let bits = tableMask();
  let i = mix(id) & bits;
  while (true) {
    let slot = load<u32>(entryPtr(i));
    if (slot == EMPTY) return -1;
    if (labelOf(slot) == id) return <i32>slot;
    i = (i + 1) & bits;
  }
  return -1;
}

/** Records that `slot` holds labels[slot]; the id must not be present yet. */
export function insertSlot(slot: u32): void {
  if (labelsImplicit()) return;
  let bits = tableMask();
  let i = mix(labelOf(slot)) & bits;
  while (load<u32>(entryPtr(i)) != EMPTY) i = (i + 1) & bits;
  store<u32>(entryPtr(i), slot);
}

/**
 * Forgets `slot` (which must be in the table): the entries after it in its probe run
 * move back into the gap unless their home position lies cyclically in (gap, entry].
 */
export function removeSlot(slot: u32): void {
  if (labelsImplicit()) return;
  let bits = tableMask();
  let gap = mix(labelOf(slot)) & bits;
  while (load<u32>(entryPtr(gap)) != slot) gap = (gap + 1) & bits;
  let i = gap;
  while (true) {
    i = (i + 1) & bits;
    let entry = load<u32>(entryPtr(i));
    if (entry == EMPTY) break;
    let home = mix(labelOf(entry)) & bits;
    let stays = gap <= i ? gap < home && home <= i : gap < home || home <= i;
    if (stays) continue;
    store<u32>(entryPtr(gap), entry);
    gap = i;
  }
  store<u32>(entryPtr(gap), EMPTY);
}

/**
 * Refills the table from the labels of the live slots, after it was resized or
 * restored. Returns false when two live slots hold the same id (a corrupt file).
 */
export function rebuildIdTable(): bool {
  if (labelsImplicit()) return true;
  memory.fill(regionStart(Region.ID_TABLE), 0xff, <usize>stateWord(State.TABLE_SIZE) << 2);
  for (let slot: u32 = 0, n = count(); slot < n; slot++) {
    if (isDeleted(slot)) continue;
    if (findSlot(labelOf(slot)) >= 0) return false;
    insertSlot(slot);
  }
  return true;
}

/** Whether every used slot's label is its slot number (ids 0, 1, 2, … as added). */
export function labelsAreSlotNumbers(): bool {
  if (labelsImplicit()) return true;
  let labels = regionStart(Region.LABELS);
  for (let slot: u32 = 0, n = count(); slot < n; slot++) if (load<u32>(labels + (<usize>slot << 2)) != slot) return false;
  return true;
}
