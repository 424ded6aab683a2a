// The 4-bit fast scan of a FlatIndex for a group of GROUP4 queries at once (a batch's
// rows, batch.ts): each block's codes are read and split into nibbles once for two
// queries, each looked up in its own u8 table (blocksums.ts blockSums2), and each
// query keeps its own heap and bound, offered the same sums in the same slot order as
// the one-query scan (fastscan.ts searchFastScan), then re-scored the same way: its
// results are the same bit for bit, ties included. The scalar build scans for each query
// alone (fastscan.ts scanBlocksInto), over the same prepared tables. Called by storage.ts.
//
//   group (Context.group) ─►
//   ┌──────────────────────────────────────────┬───────────────┬──────────────────────────┬──────────┐
//   │ records: GROUP4 × (table | sliced | lut) │ queries: G ×  │ heaps: G × (dist, slot)  │ sizes: G │
//   │                                          │ stride f32    │ (efMax + 1) each         │ i32      │
//   └──────────────────────────────────────────┴───────────────┴──────────────────────────┴──────────┘
//   table: m × 16 f32 and sliced: pd f32, as pq.ts preparePq() writes them (the re-score's
//   table); lut: fastscan.ts's quantised table and lanes; queries: each query row
//   (normalised for cosine), for the re-rank; pd = pq.ts slicedDims

import { State } from '../src/abi';
import { Context } from './context';
import { rowBytes } from './params';
import { count, stateWord } from './state';
import { pqM, preparePq, slicedDims } from './pq';
import { blockSums, blockSums2 } from './blocksums';
import { boundOf, lanesAt, lutBytes, offerBlock, quantiseTable, rescore, scanBlocksInto } from './fastscan';

/** Queries a group holds. */
export const GROUP4: i32 = 8;

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize { return (bytes + 15) & ~15; }
// @ts-ignore: decorator
@inline function tableBytes(): usize { return <usize>pqM << 6; } // m × 16 entries × 4 bytes
// @ts-ignore: decorator
@inline function recordBytes(): usize { return tableBytes() + (<usize>slicedDims << 2) + align16(lutBytes(pqM)); }
// @ts-ignore: decorator
@inline function queryBytes(): usize { return align16(rowBytes); }
// @ts-ignore: decorator
@inline function heapBytes(efMax: i32): usize { return align16(<usize>(efMax + 1) << 2); }

/** Bytes of a context's group area for searches up to `efMax` wide. */
export function groupBytes4(efMax: i32): usize {
  return <usize>GROUP4 * (recordBytes() + queryBytes() + 2 * heapBytes(efMax) + 4);
}

// @ts-ignore: decorator
@inline function recordAt(group: usize, i: i32): usize { return group + <usize>i * recordBytes(); }
/** Query i's quantised table: after its f32 table and its slices. */
// @ts-ignore: decorator
@inline function lutOf(record: usize): usize { return record + tableBytes() + (<usize>slicedDims << 2); }
// @ts-ignore: decorator
@inline function queryAt(group: usize, i: i32): usize { return recordAt(group, GROUP4) + <usize>i * queryBytes(); }
/** Query i's heap: distances, then slots heapBytes() further on. */
// @ts-ignore: decorator
@inline function heapAt(group: usize, i: i32, efMax: i32): usize { return queryAt(group, GROUP4) + <usize>(2 * i) * heapBytes(efMax); }
// @ts-ignore: decorator
@inline function sizeAt(group: usize, i: i32, efMax: i32): usize { return heapAt(group, GROUP4, efMax) + (<usize>i << 2); }

/** Makes the query row of `c` (normalised by storage.ts) query `i` of its group: kept, and its tables built. */
export function addGroupQuery4(c: Context, quantizer: usize, i: i32): void {
  let record = recordAt(c.group, i);
  memory.copy(queryAt(c.group, i), c.query, rowBytes);
  preparePq(quantizer, c.query, record);
  quantiseTable(record, pqM, lutOf(record));
}

/**
 * Scans the 4-bit `codes` once for the group's first `queries` queries: each one's
 * `width` nearest by the quantised sums among the slots `admit` allows, left in its heap
 * for takeGroupResults4().
 */
export function scanGroup4(c: Context, codes: usize, queries: i32, width: i32, admit: i32): void {
  let group = c.group, efMax = <i32>stateWord(State.EF_MAX), m = pqM;
  let heapStride = heapBytes(efMax);
  c.distances += <f64>count() * <f64>queries;
  if (!ASC_FEATURE_SIMD) {
    for (let q = 0; q < queries; q++) {
      let lut = lutOf(recordAt(group, q)), dist = heapAt(group, q, efMax);
      store<i32>(sizeAt(group, q, efMax), scanBlocksInto(codes, m, lut, lanesAt(lut, m), width, admit, dist, dist + heapStride));
    }
    return;
  }
  for (let q = 0; q < queries; q++) store<i32>(sizeAt(group, q, efMax), 0);
  let blockBytes = <usize>m << 4;
  let n = count();
  for (let first: u32 = 0; first < n; first += 32) {
    let block = codes + <usize>(first >> 5) * blockBytes;
    let q = 0;
    for (; q + 2 <= queries; q += 2) scanPair(block, first, group, q, efMax, m, width, admit);
    if (q < queries) {
      let lut = lutOf(recordAt(group, q)), dist = heapAt(group, q, efMax), at = sizeAt(group, q, efMax);
      let size = load<i32>(at);
      let mask = blockSums(block, lut, m, lanesAt(lut, m), boundOf(dist, width, size));
      if (mask != 0) store<i32>(at, offerBlock(mask, lanesAt(lut, m), first, admit, width, dist, dist + heapStride, size));
    }
  }
}

/** Queries q and q + 1 of the group over the block at `block` (slots from `first`): their sums, then each one's offers. */
// @ts-ignore: decorator
@inline function scanPair(block: usize, first: u32, group: usize, q: i32, efMax: i32, m: i32, width: i32, admit: i32): void {
  let heapStride = heapBytes(efMax);
  let lutA = lutOf(recordAt(group, q)), lutB = lutOf(recordAt(group, q + 1));
  let lanesA = lanesAt(lutA, m), lanesB = lanesAt(lutB, m);
  let distA = heapAt(group, q, efMax), distB = heapAt(group, q + 1, efMax);
  let atA = sizeAt(group, q, efMax), atB = atA + 4;
  let sizeA = load<i32>(atA), sizeB = load<i32>(atB);
  let masks = blockSums2(block, lutA, lutB, m, lanesA, lanesB, boundOf(distA, width, sizeA), boundOf(distB, width, sizeB));
  if (masks == 0) return;
  let maskA = <u32>masks, maskB = <u32>(masks >> 32);
  if (maskA != 0) store<i32>(atA, offerBlock(maskA, lanesA, first, admit, width, distA, distA + heapStride, sizeA));
  if (maskB != 0) store<i32>(atB, offerBlock(maskB, lanesB, first, admit, width, distB, distB + heapStride, sizeB));
}

/**
 * Puts query `i`'s candidates in W of `c`, re-scored with its f32 table as searchFastScan()
 * does, and its row in the query row (for the re-rank); returns how many W holds.
 */
export function takeGroupResults4(c: Context, codes: usize, i: i32): i32 {
  let efMax = <i32>stateWord(State.EF_MAX);
  let size = load<i32>(sizeAt(c.group, i, efMax));
  let dist = heapAt(c.group, i, efMax);
  memory.copy(c.resDist, dist, <usize>size << 2);
  memory.copy(c.resSlot, dist + heapBytes(efMax), <usize>size << 2);
  memory.copy(c.query, queryAt(c.group, i), rowBytes);
  return rescore(c, codes, recordAt(c.group, i), size);
}
