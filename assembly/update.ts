// Repair of the graph around a node whose row changed (an update of its id, or a
// deleted slot reused for a new id), as hnswlib's updatePoint with
// updateNeighborProbability 1. Called by mutation.ts; never grows memory.
//
//   ctx.updateSlots ─► ┌──────┬────────────────┬────────────────────────┐   the candidate set,
//                      │ slot │ its neighbours │ their neighbours …     │   each slot once,
//                      └──────┴────────────────┴────────────────────────┘   at most updateCap()

import { Context, updateCap } from './context';
import { M, M0, efConstruction } from './params';
import { count, entrySlot, maxLevel } from './state';
import { pairDistance } from './storage';
import { levelOf, linksPtr } from './graph';
import { connect, selectNeighbours } from './hnsw';
import { drainAscending } from './results';
import { maxHeapPush, maxHeapSiftDown } from './heap';
import { beginVisit, visit } from './visited';

/**
 * After the row of `slot` changed (`q`: the new row as a prepared query): recomputes
 * the lists of its neighbours from its 1- and 2-hop neighbourhood with the heuristic,
 * then relinks the node itself by a fresh descent (hnswlib's
 * repairConnectionsForUpdate). The slot keeps its level.
 */
export function updateNode(c: Context, q: usize, slot: u32): void {
  if (count() == 1) return;
  let top = levelOf(slot);
  for (let level = 0; level <= top; level++) repairNeighbours(c, slot, level);
  connect(c, q, slot, top, entrySlot(), maxLevel());
}

/** Re-selects, on `level`, the list of every neighbour of `slot` from their shared neighbourhood. */
function repairNeighbours(c: Context, slot: u32, level: i32): void {
  let links = linksPtr(slot, level);
  let n = load<u32>(links);
  if (n == 0) return;
  // The candidate set: slot, its neighbours and theirs, each once (visited tags dedupe).
  let candidates = c.updateSlots, tags = c.visited, epoch = beginVisit(c);
  let size = 0, cap = updateCap();
  visit(tags, epoch, slot);
  store<u32>(candidates, slot);
  size = 1;
  for (let i: u32 = 0; i < n && size < cap; i++) {
    let hop = load<u32>(links + 4 + (<usize>i << 2));
    if (!visit(tags, epoch, hop)) store<u32>(candidates + (<usize>(size++) << 2), hop);
  }
  for (let i: u32 = 0; i < n && size < cap; i++) {
    let hopLinks = linksPtr(load<u32>(links + 4 + (<usize>i << 2)), level);
    let m = load<u32>(hopLinks);
    for (let j: u32 = 0; j < m && size < cap; j++) {
      let next = load<u32>(hopLinks + 4 + (<usize>j << 2));
      if (!visit(tags, epoch, next)) store<u32>(candidates + (<usize>(size++) << 2), next);
    }
  }
  let limit = level == 0 ? M0 : M;
  let resDist = c.resDist, resSlot = c.resSlot;
  for (let i: u32 = 0; i < n; i++) {
    let owner = load<u32>(links + 4 + (<usize>i << 2));
    let keep = min(efConstruction, size - 1);
    let results = 0;
    for (let k = 0; k < size; k++) {
      let candidate = load<u32>(candidates + (<usize>k << 2));
      if (candidate == owner) continue;
      let d = pairDistance(owner, candidate);
      if (results < keep) {
        maxHeapPush(resDist, resSlot, results++, d, candidate);
      } else if (d < load<f32>(resDist)) {
        maxHeapSiftDown(resDist, resSlot, results, d, candidate);
      }
    }
    drainAscending(c, results, c.selDist, c.selSlot);
    let kept = selectNeighbours(c.selDist, c.selSlot, results, limit);
    let ownerLinks = linksPtr(owner, level);
    memory.copy(ownerLinks + 4, c.selSlot, <usize>kept << 2);
    store<u32>(ownerLinks, kept);
  }
}
