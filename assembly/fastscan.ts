// The PQ scans of a FlatIndex. 8-bit codes: one ADC sum per code (pq.ts adc8), inlined
// into the loop. 4-bit codes: 32 codes at a time (André, Kermarrec & Le Scouarnec,
// "Cache locality is not enough", VLDB 2015; FAISS's IndexPQFastScan). The query's ADC
// table is quantised to u8 (per subspace minus its minimum, one scale for all), so
// blocksums.ts looks up 16 codes with one `i8x16.swizzle`; sums fit u16. Candidates
// whose quantised sum beats the current k-th are kept, then re-scored with the f32 table
// (pq.ts adcPq). The scalar build computes the same integer sums one code at a time, so
// both builds keep the same candidates. Called by storage.ts.
//
//   CODES (blocked) ─► block b: m rows of 16 bytes; row j byte i = code_j of slot 32b + i
//                      (low nibble) and of slot 32b + 16 + i (high nibble)
//   lut ─► ┌──────────────────┬───────┬──────────────────┐
//          │ m × 16 u8 entries│ scale │ lanes: 32 u32 sums│
//          └──────────────────┴───────┴──────────────────┘

import { Context } from './context';
import { count } from './state';
import { admits, offerTo } from './results';
import { blockSums } from './blocksums';
import { maxHeapPop, maxHeapPush } from './heap';
import { adc8, adcPq } from './pq';
import { Admit, Metric } from '../src/abi';
import { metric } from './params';

/** Bytes of the quantised table for m subspaces. */
export function lutBytes(m: i32): usize {
  return ((<usize>m << 4) + 15 & ~15) + 16 + 128;
}

// @ts-ignore: decorator
@inline function scaleAt(lut: usize, m: i32): usize { return lut + ((<usize>m << 4) + 15 & ~15); }
// @ts-ignore: decorator
@inline function lanesAt(lut: usize, m: i32): usize { return scaleAt(lut, m) + 16; }

/**
 * Quantises the f32 ADC table (m × 16) into `lut`: entry = round((t - min_j) · scale),
 * with the scale that puts the widest subspace's range on 127 (less when m > 516, so a
 * u16 sum of m entries cannot wrap): two entries then sum in a byte, which halves the
 * scan's u16 work (measured 20% faster than 8-bit entries).
 */
export function quantiseTable(table: usize, m: i32, lut: usize): void {
  let widest: f32 = 0;
  for (let j = 0; j < m; j++) {
    // The row's least entry is kept where subspace j's bytes go, until they do.
    widest = max(widest, rowRange(table + (<usize>j << 6), lut + (<usize>j << 4)));
  }
  let top = <f32>min(127, 65535 / m); // 7 bits: two subspaces' entries add up in a byte (blocksums.ts)
  let scale: f32 = widest > 0 ? top / widest : 0;
  for (let j = 0; j < m; j++) {
    let row = table + (<usize>j << 6), to = lut + (<usize>j << 4);
    let lo = load<f32>(to);
    if (ASC_FEATURE_SIMD) { // the scalar loop's operations lane by lane, so the same bytes (the loop took 5 µs a query at m 32)
      let least = f32x4.splat(lo), times = f32x4.splat(scale), zero = f32x4.splat(0), most = f32x4.splat(top);
      let q0 = quantise4(v128.load(row), least, times, zero, most), q1 = quantise4(v128.load(row, 16), least, times, zero, most);
      let q2 = quantise4(v128.load(row, 32), least, times, zero, most), q3 = quantise4(v128.load(row, 48), least, times, zero, most);
      v128.store(to, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(q0, q1), i16x8.narrow_i32x4_u(q2, q3)));
      continue;
    }
    for (let k = 0; k < 16; k++) {
      let q: f32 = nearest<f32>((load<f32>(row + (<usize>k << 2)) - lo) * scale);
      store<u8>(to + <usize>k, <u8>min<f32>(max<f32>(q, 0), top));
    }
  }
  store<f32>(scaleAt(lut, m), scale);
}

/** Four entries of quantiseTable() as i32 lanes. */
// @ts-ignore: decorator
@inline function quantise4(values: v128, lo: v128, scale: v128, zero: v128, top: v128): v128 {
  let q = f32x4.nearest(f32x4.mul(f32x4.sub(values, lo), scale));
  return i32x4.trunc_sat_f32x4_u(f32x4.min(f32x4.max(q, zero), top));
}

/**
 * Stores the least of a subspace's 16 f32 entries at `lo` and returns the greatest minus
 * it (f32.min and f32.max, whose results do not depend on the order: both builds agree).
 */
function rowRange(row: usize, lo: usize): f32 {
  if (ASC_FEATURE_SIMD) {
    let a = v128.load(row), b = v128.load(row, 16), c = v128.load(row, 32), d = v128.load(row, 48);
    let least = f32x4.min(f32x4.min(a, b), f32x4.min(c, d)), most = f32x4.max(f32x4.max(a, b), f32x4.max(c, d));
    least = f32x4.min(least, i32x4.shuffle(least, least, 2, 3, 0, 1));
    most = f32x4.max(most, i32x4.shuffle(most, most, 2, 3, 0, 1));
    let l = f32x4.extract_lane(f32x4.min(least, i32x4.shuffle(least, least, 1, 0, 3, 2)), 0);
    store<f32>(lo, l);
    return f32x4.extract_lane(f32x4.max(most, i32x4.shuffle(most, most, 1, 0, 3, 2)), 0) - l;
  }
  let l = load<f32>(row), h = l;
  for (let k = 1; k < 16; k++) {
    let v = load<f32>(row + (<usize>k << 2));
    l = min(l, v);
    h = max(h, v);
  }
  store<f32>(lo, l);
  return h - l;
}

/**
 * The `width` nearest of the slots `admit` allows by the quantised sums, then
 * re-scored with the f32 `table` (pq.ts adcPq); left in W with their ADC distances. Returns how many.
 */
export function searchFastScan(c: Context, codes: usize, m: i32, table: usize, lut: usize, width: i32, admit: i32): i32 {
  c.distances += <f64>count();
  return rescore(c, codes, table, scanBlocksInto(codes, m, lut, lanesAt(lut, m), width, admit, c.resDist, c.resSlot));
}

/** The scan of searchFastScan() into the max-heap at `dist`, `slots` (quantised sums, as f32). Returns how many it holds. */
function scanBlocksInto(codes: usize, m: i32, lut: usize, lanes: usize, width: i32, admit: i32, dist: usize, slots: usize): i32 {
  let n = count();
  let size = 0, bound: u32 = 0xffffffff; // boundOf(): read again only when the heap changes
  let block = codes, blockBytes = <usize>m << 4;
  for (let first: u32 = 0; first < n; first += 32, block += blockBytes) {
    let mask = blockSums(block, lut, m, lanes, bound);
    if (mask == 0) continue;
    size = offerBlock(mask, lanes, first, admit, width, dist, slots, size);
    bound = boundOf(dist, width, size);
  }
  return size;
}

/** What a block's sum must be below to enter the heap at `dist` holding `size` of `width`: its farthest once full. */
// @ts-ignore: decorator
@inline function boundOf(dist: usize, width: i32, size: i32): u32 {
  return size == width ? <u32>load<f32>(dist) : 0xffffffff;
}

/**
 * Offers the slots of the block from `first` whose lanes are in `mask` (sums in
 * `lanes`, blocksums.ts) to the heap at `dist`, `slots` holding `size` of `width`, in
 * slot order, each checked against the bound as it drops. Returns the heap's size.
 */
function offerBlock(mask: u32, lanes: usize, first: u32, admit: i32, width: i32, dist: usize, slots: usize, size: i32): i32 {
  let n = count();
  let bound = boundOf(dist, width, size);
  while (mask != 0) {
    let i = <u32>ctz(mask);
    mask &= mask - 1;
    let sum = load<u32>(lanes + (<usize>i << 2));
    if (sum >= bound) continue; // the bound may have dropped since the mask was taken (offerTo() relies on this check)
    let slot = first + i;
    if (slot >= n || !admits(slot, admit)) continue;
    size = offerTo(dist, slots, width, size, <f32>sum, slot);
    if (size == width) bound = <u32>load<f32>(dist);
  }
  return size;
}

/**
 * Re-scores the `found` survivors of a scan in W with the f32 `table`: their quantised
 * order is only approximate. Returns how many W holds (all of them).
 */
function rescore(c: Context, codes: usize, table: usize, found: i32): i32 {
  let resDist = c.resDist, resSlot = c.resSlot;
  for (let i = found - 1; i >= 0; i--) {
    store<u32>(c.selSlot + (<usize>i << 2), load<u32>(resSlot));
    maxHeapPop(resDist, resSlot, i + 1);
  }
  for (let i = 0; i < found; i++) {
    let slot = load<u32>(c.selSlot + (<usize>i << 2));
    maxHeapPush(resDist, resSlot, i, adcPq(table, codes, slot), slot);
  }
  return found;
}

/** The `width` nearest of the slots `admit` allows by 8-bit ADC against `table`, left in W. Returns how many. */
export function scanCodes8(c: Context, codes: usize, m: i32, table: usize, width: i32, admit: i32): i32 {
  c.distances += <f64>count();
  return scanCodes8Into(codes, m, table, width, admit, c.resDist, c.resSlot);
}

/**
 * scanCodes8() into the max-heap at `dist`, `slots` (W, or a query's heap of a group in
 * the scalar build: groupscan.ts). Returns how many it holds.
 */
export function scanCodes8Into(codes: usize, m: i32, table: usize, width: i32, admit: i32, dist: usize, slots: usize): i32 {
  let n = count();
  let offset: f32 = metric == Metric.L2 ? 0 : 1;
  let all = admit == Admit.ALL;
  let results = 0;
  let bound: f32 = Infinity; // the heap's farthest once it is full
  let slot: u32 = 0;
  // Two codes a turn: their lookups are independent, so twice as many loads are in flight (10% faster).
  for (; slot + 2 <= n; slot += 2) {
    let code = codes + <usize>slot * <usize>m;
    let d0 = adc8(table, code, m) + offset, d1 = adc8(table, code + <usize>m, m) + offset;
    if (d0 < bound && (all || admits(slot, admit))) {
      results = offerTo(dist, slots, width, results, d0, slot);
      if (results == width) bound = load<f32>(dist);
    }
    if (d1 < bound && (all || admits(slot + 1, admit))) {
      results = offerTo(dist, slots, width, results, d1, slot + 1);
      if (results == width) bound = load<f32>(dist);
    }
  }
  let d = slot < n ? adc8(table, codes + <usize>slot * <usize>m, m) + offset : Infinity;
  if (d < bound && (all || admits(slot, admit))) results = offerTo(dist, slots, width, results, d, slot);
  return results;
}

