// The 8-bit ADC scan of a FlatIndex for a group of GROUP queries at once (a batch's
// rows, batch.ts): their tables are built together (adctable.ts) and interleaved per
// (subspace, centroid), so each code byte of a row, read once for the group, finds the
// group's GROUP partial distances in two v128 (WASM has no gather: one query's scan
// spends its time on a byte load and address arithmetic per lookup). Eight queries, not
// four, measured 1.3-1.6× faster on 100k codes (half the code reads and byte loads per
// query) and the same at 10k; the tables then take m × 8 KiB per context. Each query keeps
// its own result heap, offered the same distances in the same slot order as the
// one-query scan (fastscan.ts scanCodes8, same sums as pq.ts adc8: subspace j into sum
// j % 4, the rest into sum 0), so its results are the same bit for bit, ties included.
// The scalar build keeps one contiguous table per query and scans for each query alone
// (scanCodes8Into): four scalar loads per interleaved entry saved nothing there, and
// the larger tables measured 10-20% slower. Called by storage.ts.
//
//   group (Context.group) ─►
//   ┌────────────────────────┬──────────────┬──────────────┬───────────────────────────┬────────┐
//   │ tables: m × 256 × GROUP│ sliced: G×pd │ queries: G × │ heaps: G × (dist, slot)   │ lanes  │
//   │ f32, entry (j, k, q)   │ f32          │ stride f32   │ (efMax + 1) each          │ 96 B   │
//   └────────────────────────┴──────────────┴──────────────┴───────────────────────────┴────────┘
//   entry (j, k, q) at ((j · 256 + k) · GROUP + q) · 4 (scalar build: (q · m · 256 + j · 256 + k) · 4);
//   pd = pq.ts slicedDims;
//   queries: each query row (normalised for cosine), for the re-rank;
//   lanes (32 B each): the GROUP heaps' bounds (f32), a row's GROUP distances, the heaps' sizes (i32)

import { Admit, Metric, State } from '../src/abi';
import { Context } from './context';
import { metric, rowBytes } from './params';
import { count, stateWord } from './state';
import { admits, offerTo } from './results';
import { scanCodes8Into } from './fastscan';
import { adcTables } from './adctable';
import { pqM, slice, slicedDims, subStride } from './pq';

/** Queries a group holds: one per f32 lane of two v128. */
export const GROUP: i32 = 8;

const LANE_BYTES: usize = 32;

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize { return (bytes + 15) & ~15; }
// @ts-ignore: decorator
@inline function tablesBytes(): usize { return <usize>pqM << 13; } // m × 256 entries × 8 lanes × 4 bytes
// @ts-ignore: decorator
@inline function slicedBytes(): usize { return <usize>slicedDims << 2; }
// @ts-ignore: decorator
@inline function queryBytes(): usize { return align16(rowBytes); }
// @ts-ignore: decorator
@inline function heapBytes(efMax: i32): usize { return align16(<usize>(efMax + 1) << 2); }

/** Bytes of a context's group area for searches up to `efMax` wide. */
export function groupBytes(efMax: i32): usize {
  return tablesBytes() + <usize>GROUP * (slicedBytes() + queryBytes() + 2 * heapBytes(efMax)) + 3 * LANE_BYTES;
}

// @ts-ignore: decorator
@inline function slicedAt(group: usize, i: i32): usize { return group + tablesBytes() + <usize>i * slicedBytes(); }
// @ts-ignore: decorator
@inline function queryAt(group: usize, i: i32): usize { return slicedAt(group, GROUP) + <usize>i * queryBytes(); }
/** Query i's heap: distances, then slots heapBytes() further on. */
// @ts-ignore: decorator
@inline function heapAt(group: usize, i: i32, efMax: i32): usize { return queryAt(group, GROUP) + <usize>(2 * i) * heapBytes(efMax); }
// @ts-ignore: decorator
@inline function lanesAt(group: usize, efMax: i32): usize { return heapAt(group, GROUP, efMax); }

/** Makes the query row of `c` (prepared by storage.ts) query `i` of its group: kept, and sliced. */
export function addGroupQuery(c: Context, i: i32): void {
  memory.copy(queryAt(c.group, i), c.query, rowBytes);
  slice(c.query, slicedAt(c.group, i));
}

/**
 * Builds the tables of the group's first `queries` queries and scans the 8-bit `codes`
 * once for all of them: each query's `width` nearest among the slots `admit` allows,
 * left in its heap for takeGroupResults().
 */
export function scanGroup(c: Context, quantizer: usize, codes: usize, queries: i32, width: i32, admit: i32): void {
  let group = c.group, efMax = <i32>stateWord(State.EF_MAX);
  let tables = group, heaps = heapAt(group, 0, efMax), heapStride = heapBytes(efMax);
  let lanes = lanesAt(group, efMax);
  let negDot = metric != Metric.L2;
  c.distances += <f64>count() * <f64>queries;
  if (!ASC_FEATURE_SIMD) {
    // Each query alone over its own table (see the header), the tables built together.
    let tableBytes = <usize>pqM << 10;
    adcTables(quantizer, pqM, subStride, 256, slicedAt(group, 0), slicedBytes(), queries, negDot, tables, tableBytes, 4);
    for (let q = 0; q < queries; q++) {
      let dist = heaps + (<usize>(2 * q)) * heapStride;
      let size = scanCodes8Into(codes, pqM, tables + <usize>q * tableBytes, width, admit, dist, dist + heapStride);
      store<i32>(lanes + 2 * LANE_BYTES + (<usize>q << 2), size);
    }
    return;
  }
  adcTables(quantizer, pqM, subStride, 256, slicedAt(group, 0), slicedBytes(), queries, negDot, tables, 4, <usize>GROUP << 2);
  if (queries < GROUP) { // the lanes of absent queries: zeros, not stale values (a denormal would slow every add)
    for (let e: usize = 0, n = <usize>pqM << 8; e < n; e++) {
      for (let q = queries; q < GROUP; q++) store<f32>(tables + ((e * <usize>GROUP + <usize>q) << 2), 0);
    }
  }
  for (let q = 0; q < GROUP; q++) {
    store<f32>(lanes + (<usize>q << 2), q < queries ? Infinity : -Infinity); // an absent query admits nothing
    store<i32>(lanes + 2 * LANE_BYTES + (<usize>q << 2), 0);
  }
  scanLanes(codes, tables, pqM, width, admit, heaps, heapStride, lanes);
}

/**
 * The SIMD scan of scanGroup(): per row, the GROUP sums, then each query whose bound the
 * row beats (and whom the row is admitted to) is offered it, as scanCodes8 does.
 */
function scanLanes(codes: usize, tables: usize, m: i32, width: i32, admit: i32, heaps: usize, heapStride: usize, lanes: usize): void {
  let n = count();
  let all = admit == Admit.ALL;
  let distances = lanes + LANE_BYTES;
  let bounds = v128.load(lanes), bounds2 = v128.load(lanes, 16);
  let shift = f32x4.splat(metric == Metric.L2 ? 0 : 1);
  let code = codes;
  for (let slot: u32 = 0; slot < n; slot++, code += <usize>m) {
    // Sum r of queries 0-3 in a<r>, of queries 4-7 in e<r>: adc8's four sums, per lane.
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0), e2 = f32x4.splat(0), e3 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      let row = tables + (<usize>j << 13);
      let p0 = row + (<usize>load<u8>(code + <usize>j) << 5), p1 = row + (<usize>load<u8>(code + <usize>j, 1) << 5);
      let p2 = row + (<usize>load<u8>(code + <usize>j, 2) << 5), p3 = row + (<usize>load<u8>(code + <usize>j, 3) << 5);
      a0 = f32x4.add(a0, v128.load(p0)); e0 = f32x4.add(e0, v128.load(p0, 16));
      a1 = f32x4.add(a1, v128.load(p1, 8192)); e1 = f32x4.add(e1, v128.load(p1, 8208));
      a2 = f32x4.add(a2, v128.load(p2, 16384)); e2 = f32x4.add(e2, v128.load(p2, 16400));
      a3 = f32x4.add(a3, v128.load(p3, 24576)); e3 = f32x4.add(e3, v128.load(p3, 24592));
    }
    for (; j < m; j++) {
      let p = tables + (<usize>j << 13) + (<usize>load<u8>(code + <usize>j) << 5);
      a0 = f32x4.add(a0, v128.load(p)); e0 = f32x4.add(e0, v128.load(p, 16));
    }
    let d = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), shift);
    let d2 = f32x4.add(f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3)), shift);
    let mask = <u32>i32x4.bitmask(f32x4.lt(d, bounds)) | (<u32>i32x4.bitmask(f32x4.lt(d2, bounds2)) << 4);
    if (mask == 0 || (!all && !admits(slot, admit))) continue;
    v128.store(distances, d);
    v128.store(distances, d2, 16);
    offerLanes(mask, slot, width, heaps, heapStride, lanes);
    bounds = v128.load(lanes);
    bounds2 = v128.load(lanes, 16);
  }
}

/** Offers `slot` at its lane's distance to the heap of each query in `mask`, updating its size and, once full, its bound. */
function offerLanes(mask: u32, slot: u32, width: i32, heaps: usize, heapStride: usize, lanes: usize): void {
  let distances = lanes + LANE_BYTES, sizes = lanes + 2 * LANE_BYTES;
  while (mask != 0) {
    let q = <usize>ctz(mask);
    mask &= mask - 1;
    let dist = heaps + (q << 1) * heapStride, slots = dist + heapStride;
    let size = offerTo(dist, slots, width, load<i32>(sizes + (q << 2)), load<f32>(distances + (q << 2)), slot);
    store<i32>(sizes + (q << 2), size);
    if (size == width) store<f32>(lanes + (q << 2), load<f32>(dist));
  }
}

/** Puts query `i`'s heap in W of `c` and its row in the query row (for the re-rank); returns how many W holds. */
export function takeGroupResults(c: Context, i: i32): i32 {
  let efMax = <i32>stateWord(State.EF_MAX);
  let lanes = lanesAt(c.group, efMax);
  let size = load<i32>(lanes + 2 * LANE_BYTES + (<usize>i << 2));
  let dist = heapAt(c.group, i, efMax);
  memory.copy(c.resDist, dist, <usize>size << 2);
  memory.copy(c.resSlot, dist + heapBytes(efMax), <usize>size << 2);
  memory.copy(c.query, queryAt(c.group, i), rowBytes);
  return size;
}
