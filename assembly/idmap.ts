// Map from the user's u32 id to the internal slot: open addressing with linear
// probing over a power-of-two table of slots; the key is read back from labels, so
// an entry costs 4 bytes. Called by index.ts (add, lookups) and layout.ts (rebuild).
//
//   idTablePtr ─► ┌───────┬───────┬───────┬─  ─┐   EMPTY or a slot; the slot's id is
//                 │ slot  │ EMPTY │ slot  │ …  │   labels[slot]
//                 └───────┴───────┴───────┴─  ─┘

import { idTablePtr, tableSize, labelsPtr } from './layout';
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

/** Refills the table from labels of the used slots, after it was resized. */
export function rebuildIdTable(): void {
  memory.fill(idTablePtr, 0xff, <usize>tableSize << 2);
  for (let slot: u32 = 0; slot < count; slot++) insertSlot(slot);
}
