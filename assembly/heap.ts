// Binary heaps over parallel arrays (f32 distance, u32 slot) in linear memory.
// The direction is in the name: a min-heap for the candidates to expand, a max-heap
// for the best results so far (its top is the worst kept). The caller owns the size.
// Called by hnsw.ts and flat.ts; never allocates.
//
//   distPtr ─► ┌────┬────┬────┬─  ─┐   slotPtr ─► ┌────┬────┬────┬─  ─┐
//              │ d0 │ d1 │ d2 │ …  │              │ s0 │ s1 │ s2 │ …  │
//              └────┴────┴────┴─  ─┘              └────┴────┴────┴─  ─┘
//   entry i has children 2i+1 and 2i+2; entry 0 is the top.

// @ts-ignore: decorator
@inline function distAt(distPtr: usize, i: i32): f32 {
  return load<f32>(distPtr + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function put(distPtr: usize, slotPtr: usize, i: i32, dist: f32, slot: u32): void {
  store<f32>(distPtr + (<usize>i << 2), dist);
  store<u32>(slotPtr + (<usize>i << 2), slot);
}

// @ts-ignore: decorator
@inline function slotAt(slotPtr: usize, i: i32): u32 {
  return load<u32>(slotPtr + (<usize>i << 2));
}

/** Adds (dist, slot) to the max-heap of `size` entries; the heap then holds size + 1. */
export function maxHeapPush(distPtr: usize, slotPtr: usize, size: i32, dist: f32, slot: u32): void {
  let i = size;
  while (i > 0) {
    let parent = (i - 1) >> 1;
    let parentDist = distAt(distPtr, parent);
    if (parentDist >= dist) break;
    put(distPtr, slotPtr, i, parentDist, slotAt(slotPtr, parent));
    i = parent;
  }
  put(distPtr, slotPtr, i, dist, slot);
}

/** Removes the top (largest distance) of the max-heap of `size` > 0 entries. */
export function maxHeapPop(distPtr: usize, slotPtr: usize, size: i32): void {
  let last = size - 1;
  maxHeapSiftDown(distPtr, slotPtr, last, distAt(distPtr, last), slotAt(slotPtr, last));
}

/** Replaces the top of the max-heap of `size` entries by (dist, slot) and restores order. */
export function maxHeapSiftDown(distPtr: usize, slotPtr: usize, size: i32, dist: f32, slot: u32): void {
  let i = 0;
  let half = size >> 1;
  while (i < half) {
    let child = 2 * i + 1;
    let childDist = distAt(distPtr, child);
    if (child + 1 < size) {
      let rightDist = distAt(distPtr, child + 1);
      if (rightDist > childDist) {
        child++;
        childDist = rightDist;
      }
    }
    if (childDist <= dist) break;
    put(distPtr, slotPtr, i, childDist, slotAt(slotPtr, child));
    i = child;
  }
  put(distPtr, slotPtr, i, dist, slot);
}

/** Adds (dist, slot) to the min-heap of `size` entries; the heap then holds size + 1. */
export function minHeapPush(distPtr: usize, slotPtr: usize, size: i32, dist: f32, slot: u32): void {
  let i = size;
  while (i > 0) {
    let parent = (i - 1) >> 1;
    let parentDist = distAt(distPtr, parent);
    if (parentDist <= dist) break;
    put(distPtr, slotPtr, i, parentDist, slotAt(slotPtr, parent));
    i = parent;
  }
  put(distPtr, slotPtr, i, dist, slot);
}

/** Removes the top (smallest distance) of the min-heap of `size` > 0 entries. */
export function minHeapPop(distPtr: usize, slotPtr: usize, size: i32): void {
  let last = size - 1;
  let dist = distAt(distPtr, last);
  let slot = slotAt(slotPtr, last);
  let i = 0;
  let half = last >> 1;
  while (i < half) {
    let child = 2 * i + 1;
    let childDist = distAt(distPtr, child);
    if (child + 1 < last) {
      let rightDist = distAt(distPtr, child + 1);
      if (rightDist < childDist) {
        child++;
        childDist = rightDist;
      }
    }
    if (childDist >= dist) break;
    put(distPtr, slotPtr, i, childDist, slotAt(slotPtr, child));
    i = child;
  }
  put(distPtr, slotPtr, i, dist, slot);
}

/**
 * Keeps only the min-heap entries with distance below `bound` and re-heapifies;
 * returns the new size. Used when the candidate heap is full: an entry at or past
 * the worst kept result can never be expanded (Malkov & Yashunin, Alg. 2 stop rule).
 */
export function minHeapKeepBelow(distPtr: usize, slotPtr: usize, size: i32, bound: f32): i32 {
  let kept = 0;
  for (let i = 0; i < size; i++) {
    let dist = distAt(distPtr, i);
    if (dist < bound) {
      let slot = slotAt(slotPtr, i);
      minHeapPush(distPtr, slotPtr, kept++, dist, slot);
    }
  }
  return kept;
}
