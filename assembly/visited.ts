// Epoch-tagged visited set: one u16 tag per slot; a slot is visited when its tag
// equals the current epoch, so starting a new search is one increment, not a clear
// (as hnswlib's VisitedList). Called by hnsw.ts; never allocates.
//
//   visitedPtr ─► ┌──────┬──────┬──────┬─  ─┐   one u16 per slot of capacity
//                 │ tag0 │ tag1 │ tag2 │ …  │
//                 └──────┴──────┴──────┴─  ─┘

import { visitedPtr, capacity } from './layout';

let epoch: u16 = 0;

/** Starts a new search: every slot becomes unvisited. */
export function beginVisit(): void {
  epoch++;
  if (epoch == 0) {
    // The tag wrapped: clear once every 65535 searches so no stale tag matches.
    memory.fill(visitedPtr, 0, <usize>capacity << 1);
    epoch = 1;
  }
}

/** Marks `slot` visited; returns whether it already was. */
// @ts-ignore: decorator
@inline export function visit(slot: u32): bool {
  let ptr = visitedPtr + (<usize>slot << 1);
  if (load<u16>(ptr) == epoch) return true;
  store<u16>(ptr, epoch);
  return false;
}
