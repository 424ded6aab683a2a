// Flat (exact) index: a full scan with a bounded max-heap over the same rows and
// kernels as HNSW. The ground truth for tests and the right choice below ~10k items;
// also the exact search over a small filter of an HNSW index. Called by index.ts
// search() and mutation.ts add().

import { Metric } from '../src/abi';
import { metric, stride, labelsPtr, resDistPtr, resSlotPtr } from './layout';
import { count, setCount } from './state';
import { normalize } from './distance';
import { maxHeapPush, maxHeapSiftDown } from './heap';
import { insertSlot } from './idmap';
import { rowPtr, distance, writeResults, admits } from './hnsw';

/** Stores the row already written at rowPtr(count) under `id`; returns its slot. */
export function insertFlat(id: u32): i32 {
  let slot = count;
  if (metric == Metric.COSINE) normalize(rowPtr(slot), stride);
  store<u32>(labelsPtr + (<usize>slot << 2), id);
  setCount(slot + 1);
  insertSlot(slot);
  return <i32>slot;
}

/** Exact k nearest to the query row `q` among the slots `admit` allows; writes ids and distances nearest first. */
export function searchFlat(q: usize, k: i32, admit: i32): i32 {
  if (metric == Metric.COSINE) normalize(q, stride);
  let results = 0;
  let bound = Infinity;
  for (let slot: u32 = 0; slot < count; slot++) {
    if (!admits(slot, admit)) continue;
    let d = distance(q, rowPtr(slot));
    if (results < k) {
      maxHeapPush(resDistPtr, resSlotPtr, results++, d, slot);
      bound = load<f32>(resDistPtr);
    } else if (d < bound) {
      maxHeapSiftDown(resDistPtr, resSlotPtr, results, d, slot);
      bound = load<f32>(resDistPtr);
    }
  }
  writeResults(results);
  return results;
}
