// Adding, updating and removing items by id, and the one rule for which slot an add
// uses: the id's own slot (an update), else the last freed slot (hnswlib's
// replace-deleted), else the next new one. A removed item's slot is flagged deleted
// and pushed on the free stack; the graph keeps it as a waypoint (as hnswlib's
// markDelete) until a later add reuses it and repairs the graph around it.
// Called by index.ts add() and remove().
//
//   FREE ─► ┌───────┬───────┬─  ─┬───────┐   deletedCount entries; the top is the
//           │ slot  │ slot  │ …  │ slot  │   slot the next new id reuses
//           └───────┴───────┴─  ─┴───────┘

import { Region, Status } from '../src/abi';
import { ctx } from './context';
import { regionStart } from './layout';
import { graph, mL } from './params';
import { capacity, count, deletedCount, setCount, setDeletedCount } from './state';
import { beginConstruction, constructionQuery, endConstruction, isTrained, prepareQuery, rowRemoved, storeRow } from './storage';
import { findSlot, insertSlot, labelsImplicit, removeSlot } from './idmap';
import { reserveLabels, reservePositions, reserveRemovals } from './resize';
import { allocate } from './graph';
import { insertNode } from './hnsw';
import { updateNode } from './update';
import { randomLevel } from './rng';

/**
 * Stores the input row of the context under `id`: updates the item when the id is
 * present, else reuses the last freed slot, else appends. Returns the slot, or FULL
 * (the caller reserves and retries), NOT_TRAINED, OUT_OF_MEMORY or TOO_LARGE with
 * nothing changed. May relay memory out (the labels' regions, the graph's arena). With
 * `unlinked` (an appended row: batch.ts storeRange), the row is stored and its lists
 * allocated but the graph is not linked to it: hnsw.ts linkNode() does that.
 */
export function addItem(id: u32, unlinked: bool = false): i32 {
  if (!isTrained()) return Status.NOT_TRAINED;
  let slot = findSlot(id);
  let reused = slot < 0 && deletedCount() > 0;
  let appended = slot < 0 && !reused;
  if (reused) slot = <i32>load<u32>(regionStart(Region.FREE) + (<usize>(deletedCount() - 1) << 2));
  if (appended) {
    if (count() >= capacity()) return Status.FULL;
    slot = <i32>count();
  }
  if (!appended) { // an IvfIndex finds the slot's code by its position from now on
    let status = reservePositions();
    if (status != Status.OK) return status;
  }
  if (<u32>slot != id && labelsImplicit()) { // the first id that is not its slot's number: labels from now on
    let status = reserveLabels();
    if (status != Status.OK) return status;
  }
  let level = 0;
  if (appended && graph) {
    level = randomLevel(mL);
    let status = allocate(slot, level); // the only step that can fail: before any change
    if (status != Status.OK) return status;
  }
  let c = ctx;
  prepareQuery(c);
  storeRow(c, slot);
  if (reused) {
    setDeletedCount(deletedCount() - 1);
    store<u8>(regionStart(Region.DELETED) + slot, 0);
  }
  if (appended || reused) {
    if (!labelsImplicit()) store<u32>(regionStart(Region.LABELS) + (<usize>slot << 2), id);
    if (appended) setCount(slot + 1);
    insertSlot(slot);
  }
  if (graph && !unlinked) {
    beginConstruction();
    let q = constructionQuery(c);
    if (appended) insertNode(c, q, slot, level);
    else updateNode(c, q, slot); // an update, or a reused slot: relink around the new row
    endConstruction();
  }
  return slot;
}

/**
 * Removes `id`: 1 if it was present, 0 if not, or OUT_OF_MEMORY when the first removal
 * cannot have its regions (nothing changed). Its row and links stay until the slot is reused.
 */
export function removeItem(id: u32): i32 {
  let slot = findSlot(id);
  if (slot < 0) return 0;
  let status = reserveRemovals();
  if (status != Status.OK) return status;
  removeSlot(slot);
  store<u8>(regionStart(Region.DELETED) + slot, 1);
  store<u32>(regionStart(Region.FREE) + (<usize>deletedCount() << 2), slot);
  setDeletedCount(deletedCount() + 1);
  rowRemoved();
  return 1;
}
