// Repair of the graph around a node whose row changed (an update of its id, or a
// deleted slot reused for a new id), as hnswlib's updatePoint with
// updateNeighborProbability 1. Called by mutation.ts; never grows memory.
//
//   updateSlotPtr ─► ┌──────┬────────────────┬────────────────────────┐   the candidate set,
//                    │ slot │ its neighbours │ their neighbours …     │   each slot once,
//                    └──────┴────────────────┴────────────────────────┘   at most updateCap()

import {
  M, M0, efConstruction, resDistPtr, resSlotPtr, selDistPtr, selSlotPtr, updateSlotPtr, updateCap,
} from './layout';
import { count } from './state';
import { maxHeapPush, maxHeapSiftDown } from './heap';
import { beginVisit, visit } from './visited';
import { connect, distance, drainAscending, levelOf, linksPtr, rowPtr, selectNeighbours } from './hnsw';

/**
 * After the row of `slot` changed: recomputes the lists of its neighbours from its
 * 1- and 2-hop neighbourhood with the heuristic, then relinks the node itself by a
 * fresh descent (hnswlib's repairConnectionsForUpdate). The slot keeps its level.
 */
export function updateNode(slot: u32): void {
  if (count == 1) return;
  let top = levelOf(slot);
  for (let level = 0; level <= top; level++) repairNeighbours(slot, level);
  connect(slot, top);
}

/** Re-selects, on `level`, the list of every neighbour of `slot` from their shared neighbourhood. */
function repairNeighbours(slot: u32, level: i32): void {
  let links = linksPtr(slot, level);
  let n = load<u32>(links);
  if (n == 0) return;
  // The candidate set: slot, its neighbours and theirs, each once (visited tags dedupe).
  beginVisit();
  let size = 0, cap = updateCap();
  visit(slot);
  store<u32>(updateSlotPtr, slot);
  size = 1;
  for (let i: u32 = 0; i < n && size < cap; i++) {
    let hop = load<u32>(links + 4 + (<usize>i << 2));
    if (!visit(hop)) store<u32>(updateSlotPtr + (<usize>(size++) << 2), hop);
  }
  for (let i: u32 = 0; i < n && size < cap; i++) {
    let hopLinks = linksPtr(load<u32>(links + 4 + (<usize>i << 2)), level);
    let m = load<u32>(hopLinks);
    for (let j: u32 = 0; j < m && size < cap; j++) {
      let next = load<u32>(hopLinks + 4 + (<usize>j << 2));
      if (!visit(next)) store<u32>(updateSlotPtr + (<usize>(size++) << 2), next);
    }
  }
  let limit = level == 0 ? M0 : M;
  for (let i: u32 = 0; i < n; i++) {
    let owner = load<u32>(links + 4 + (<usize>i << 2));
    let ownerRow = rowPtr(owner);
    let keep = min(efConstruction, size - 1);
    let results = 0;
    for (let c = 0; c < size; c++) {
      let cand = load<u32>(updateSlotPtr + (<usize>c << 2));
      if (cand == owner) continue;
      let d = distance(ownerRow, rowPtr(cand));
      if (results < keep) {
        maxHeapPush(resDistPtr, resSlotPtr, results++, d, cand);
      } else if (d < load<f32>(resDistPtr)) {
        maxHeapSiftDown(resDistPtr, resSlotPtr, results, d, cand);
      }
    }
    drainAscending(results, selDistPtr, selSlotPtr);
    let kept = selectNeighbours(selDistPtr, selSlotPtr, results, limit);
    let ownerLinks = linksPtr(owner, level);
    memory.copy(ownerLinks + 4, selSlotPtr, <usize>kept << 2);
    store<u32>(ownerLinks, kept);
  }
}
