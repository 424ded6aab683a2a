// Epoch-tagged visited set: one u16 tag per slot in the caller's context; a slot is
// visited when its tag equals the context's current epoch, so starting a new search is
// one increment, not a clear (as hnswlib's VisitedList). Called by hnsw.ts, update.ts
// and integrity.ts; never allocates.
//
//   ctx.visited ─► ┌──────┬──────┬──────┬─  ─┐   one u16 per slot of capacity
//                  │ tag0 │ tag1 │ tag2 │ …  │
//                  └──────┴──────┴──────┴─  ─┘

import { Context } from './context';
import { capacity } from './state';

/** Starts a new visit in `c`: every slot becomes unvisited. Returns the epoch to pass to visit(). */
export function beginVisit(c: Context): u32 {
  let epoch = c.epoch + 1;
  if (epoch > 0xffff) {
    // The tag wrapped: clear once every 65535 visits so no stale tag matches.
    memory.fill(c.visited, 0, <usize>capacity() << 1);
    epoch = 1;
  }
  c.epoch = epoch;
  return epoch;
}

/** Marks `slot` visited in the tags at `tags` for `epoch`; returns whether it already was. */
// @ts-ignore: decorator
@inline export function visit(tags: usize, epoch: u32, slot: u32): bool {
  let ptr = tags + (<usize>slot << 1);
  if (<u32>load<u16>(ptr) == epoch) return true;
  store<u16>(ptr, <u16>epoch);
  return false;
}
