// Exact search: a full scan of the stored rows with a bounded max-heap. The whole of a
// FlatIndex's search, and the exact search over a small filter of an HNSW index.
// Called by search.ts.

import { Context } from './context';
import { count } from './state';
import { queryDistance, scanCodes, scansCodes } from './storage';
import { admits } from './results';
import { maxHeapPush, maxHeapSiftDown } from './heap';

/** The `width` nearest to the prepared query `q` among the slots `admit` allows, left in W; returns how many. */
export function searchFlat(c: Context, q: usize, width: i32, admit: i32): i32 {
  if (scansCodes()) {
    let found = scanCodes(c, width, admit); // 'pq': its own scans (fastscan.ts)
    if (found >= 0) return found;
  }
  let resDist = c.resDist, resSlot = c.resSlot;
  let results = 0, distances = 0;
  let bound = Infinity;
  for (let slot: u32 = 0, n = count(); slot < n; slot++) {
    if (!admits(slot, admit)) continue;
    let d = queryDistance(q, slot);
    distances++;
    if (results < width) {
      maxHeapPush(resDist, resSlot, results++, d, slot);
      bound = load<f32>(resDist);
    } else if (d < bound) {
      maxHeapSiftDown(resDist, resSlot, results, d, slot);
      bound = load<f32>(resDist);
    }
  }
  c.distances += distances;
  return results;
}
