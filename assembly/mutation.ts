// Adding, updating and removing items by id. A removed item's slot is flagged
// deleted and pushed on the free stack; the graph keeps it as a waypoint (as
// hnswlib's markDelete) until a later add reuses the slot (hnswlib's replace-deleted)
// and repairs the graph around it. Called by index.ts add(), slotForAdd(), remove().
//
//   freePtr ─► ┌───────┬───────┬─  ─┬───────┐   deletedCount entries; the top is the
//              │ slot  │ slot  │ …  │ slot  │   slot the next new id reuses
//              └───────┴───────┴─  ─┴───────┘

import { Kind, Metric, Status } from '../src/abi';
import { kind, metric, stride, capacity, labelsPtr, deletedPtr, freePtr } from './layout';
import { count, deletedCount, setDeletedCount } from './state';
import { normalize } from './distance';
import { findSlot, insertSlot, removeSlot } from './idmap';
import { insert, rowPtr } from './hnsw';
import { updateNode } from './update';
import { insertFlat } from './flat';

/** The slot add(id) will write: the id's own (an update), a free slot, or a new one; Status.FULL if none. */
export function slotForAdd(id: u32): i32 {
  let slot = findSlot(id);
  if (slot >= 0) return slot;
  if (deletedCount > 0) return <i32>load<u32>(freePtr + (<usize>(deletedCount - 1) << 2));
  return count < capacity ? <i32>count : Status.FULL;
}

/**
 * Stores the row written at rowPtr(slotForAdd(id)) under `id`: updates the item when
 * the id is present, else reuses the last freed slot, else appends. Returns the slot.
 */
export function addItem(id: u32, mL: f64): i32 {
  let slot = findSlot(id);
  if (slot < 0 && deletedCount > 0) {
    slot = <i32>load<u32>(freePtr + (<usize>(deletedCount - 1) << 2));
    setDeletedCount(deletedCount - 1);
    store<u8>(deletedPtr + slot, 0);
    store<u32>(labelsPtr + (<usize>slot << 2), id);
    insertSlot(slot);
  }
  if (slot < 0) {
    if (count >= capacity) return Status.FULL;
    return kind == Kind.HNSW ? insert(id, mL) : insertFlat(id);
  }
  if (metric == Metric.COSINE) normalize(rowPtr(slot), stride);
  if (kind == Kind.HNSW) updateNode(slot);
  return slot;
}

/** Removes `id`: 1 if it was present, 0 if not. Its row and links stay until the slot is reused. */
export function removeItem(id: u32): i32 {
  let slot = findSlot(id);
  if (slot < 0) return 0;
  removeSlot(slot);
  store<u8>(deletedPtr + slot, 1);
  store<u32>(freePtr + (<usize>deletedCount << 2), slot);
  setDeletedCount(deletedCount + 1);
  return 1;
}
