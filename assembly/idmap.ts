// Map from the user's u32 id to the internal slot of a live item: open addressing
// with linear probing over a power-of-two table of slots; the key is read back from
// labels, so an entry costs 4 bytes. Removal shifts later entries back (no
// tombstones, so lookups never slow down with churn). Called by index.ts (lookups),
// hnsw.ts / flat.ts / mutation.ts (insert, remove), layout.ts and restore.ts (rebuild).
//
//   idTablePtr ─► ┌───────┬───────┬───────┬─  ─┐   EMPTY or a slot; the slot's id is
//                 │ slot  │ EMPTY │ slot  │ …  │   labels[slot]
//                 └───────┴───────┴───────┴─  ─┘

import { idTablePtr, tableSize, labelsPtr, deletedPtr } from './layout';
import { count } from './state';

const EMPTY: u32 = 0xffffffff;

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
  return idTablePtr + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline function labelOf(slot: u32): u32 {
  return load<u32>(labelsPtr + (<usize>slot << 2));
}

/** The slot holding `id`, or -1. */
export function findSlot(id: u32): i32 {
  let mask = tableSize - 1;
  let i = mix(id) & mask;
  while (true) {
    let slot = load<u32>(entryPtr(i));
    if (slot == EMPTY) return -1;
    if (labelOf(slot) == id) return <i32>slot;
    i = (i + 1) & mask;
  }
  return -1;
}

/** Records that `slot` holds labels[slot]; the id must not be present yet. */
export function insertSlot(slot: u32): void {
  let mask = tableSize - 1;
  let i = mix(labelOf(slot)) & mask;
  while (load<u32>(entryPtr(i)) != EMPTY) i = (i + 1) & mask;
  store<u32>(entryPtr(i), slot);
}

/**
 * Forgets `slot` (which must be in the table): the entries after it in its probe run
 * move back into the gap unless their home position lies cyclically in (gap, entry].
 */
export function removeSlot(slot: u32): void {
  let mask = tableSize - 1;
  let gap = mix(labelOf(slot)) & mask;
  while (load<u32>(entryPtr(gap)) != slot) gap = (gap + 1) & mask;
  let i = gap;
  while (true) {
    i = (i + 1) & mask;
    let entry = load<u32>(entryPtr(i));
    if (entry == EMPTY) break;
    let home = mix(labelOf(entry)) & mask;
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
  memory.fill(idTablePtr, 0xff, <usize>tableSize << 2);
  for (let slot: u32 = 0; slot < count; slot++) {
    if (load<u8>(deletedPtr + slot) != 0) continue;
    if (findSlot(labelOf(slot)) >= 0) return false;
    insertSlot(slot);
  }
  return true;
}
