// The PQ scans of a FlatIndex. 8-bit codes: one ADC sum per code (pq.ts adc8), inlined
// into the loop. 4-bit codes: 32 codes at a time (André, Kermarrec & Le Scouarnec,
// "Cache locality is not enough", VLDB 2015; FAISS's IndexPQFastScan). The query's ADC
// table is quantised to u8 (per subspace minus its minimum, one scale for all), so a
// subspace's 16 entries fill one v128 and `i8x16.swizzle` looks up 16 codes at once;
// sums fit u16. Candidates whose quantised sum beats the current k-th are
// kept, then re-scored with the f32 table (pq.ts adcPq). The scalar build computes the
// same integer sums one code at a time, so both builds keep the same candidates.
// Called by flat.ts.
//
//   CODES (blocked) ─► block b: m rows of 16 bytes; row j byte i = code_j of slot 32b + i
//                      (low nibble) and of slot 32b + 16 + i (high nibble)
//   lut ─► ┌──────────────────┬───────┬──────────────────┐
//          │ m × 16 u8 entries│ scale │ lanes: 32 u32 sums│
//          └──────────────────┴───────┴──────────────────┘

import { Context } from './context';
import { count } from './state';
import { admits, offer } from './results';
import { maxHeapPop, maxHeapPush, maxHeapSiftDown } from './heap';
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
 * widening work of the scan (measured 20% faster than 8-bit entries).
 */
export function quantiseTable(table: usize, m: i32, lut: usize): void {
  let widest: f32 = 0;
  for (let j = 0; j < m; j++) {
    let row = table + (<usize>j << 6);
    let lo = load<f32>(row), hi = lo;
    for (let k = 1; k < 16; k++) {
      let v = load<f32>(row + (<usize>k << 2));
      lo = min(lo, v);
      hi = max(hi, v);
    }
    widest = max(widest, hi - lo);
  }
  let top = <f32>min(127, 65535 / m); // 7 bits: two subspaces' entries add up in a byte (blockSums)
  let scale: f32 = widest > 0 ? top / widest : 0;
  for (let j = 0; j < m; j++) {
    let row = table + (<usize>j << 6);
    let lo = load<f32>(row);
    for (let k = 1; k < 16; k++) lo = min(lo, load<f32>(row + (<usize>k << 2)));
    for (let k = 0; k < 16; k++) {
      let q: f32 = nearest<f32>((load<f32>(row + (<usize>k << 2)) - lo) * scale);
      store<u8>(lut + (<usize>j << 4) + <usize>k, <u8>min<f32>(max<f32>(q, 0), top));
    }
  }
  store<f32>(scaleAt(lut, m), scale);
}

/**
 * Sums of the 32 codes of the block at `block` into the lanes (u32 each), and a mask of
 * the lanes whose sum is below `bound` (bit i: lane i), so a block with no candidate
 * costs no scalar work.
 */
function blockSums(block: usize, lut: usize, m: i32, lanes: usize, bound: u32): u32 {
  if (ASC_FEATURE_SIMD) {
    // A byte of `first` (rows 0-15) or `second` (rows 16-31) sums two subspaces' entries
    // (at most 254). It is added to a*, read as u16 (even row + 256 × odd row), and its
    // odd rows to b* (u16 >> 8): three ops a vector and no byte widening, which costs
    // shuffles (as FAISS's fast scan accumulates); even rows are a - (b << 8) at the end.
    let a0 = i16x8.splat(0), b0 = i16x8.splat(0), a1 = i16x8.splat(0), b1 = i16x8.splat(0);
    let low = i8x16.splat(15);
    let j = 0;
    for (; j + 2 <= m; j += 2) {
      let codes0 = v128.load(block + (<usize>j << 4)), codes1 = v128.load(block + (<usize>j << 4), 16);
      let table0 = v128.load(lut + (<usize>j << 4)), table1 = v128.load(lut + (<usize>j << 4), 16);
      let first = i8x16.add(i8x16.swizzle(table0, v128.and(codes0, low)), i8x16.swizzle(table1, v128.and(codes1, low)));
      let second = i8x16.add(i8x16.swizzle(table0, highNibbles(codes0, low)), i8x16.swizzle(table1, highNibbles(codes1, low)));
      a0 = i16x8.add(a0, first); b0 = i16x8.add(b0, i16x8.shr_u(first, 8));
      a1 = i16x8.add(a1, second); b1 = i16x8.add(b1, i16x8.shr_u(second, 8));
    }
    if (j < m) {
      let codes = v128.load(block + (<usize>j << 4));
      let table = v128.load(lut + (<usize>j << 4));
      let first = i8x16.swizzle(table, v128.and(codes, low));
      let second = i8x16.swizzle(table, highNibbles(codes, low));
      a0 = i16x8.add(a0, first); b0 = i16x8.add(b0, i16x8.shr_u(first, 8));
      a1 = i16x8.add(a1, second); b1 = i16x8.add(b1, i16x8.shr_u(second, 8));
    }
    return candidateLanes(i16x8.sub(a0, i16x8.shl(b0, 8)), b0, i16x8.sub(a1, i16x8.shl(b1, 8)), b1, lanes, bound);
  }
  memory.fill(lanes, 0, 128);
  for (let j = 0; j < m; j++) {
    let row = block + (<usize>j << 4), table = lut + (<usize>j << 4);
    for (let i: usize = 0; i < 16; i++) {
      let byte = load<u8>(row + i);
      let first = lanes + (i << 2), second = lanes + ((i + 16) << 2);
      store<u32>(first, load<u32>(first) + load<u8>(table + <usize>(byte & 15)));
      store<u32>(second, load<u32>(second) + load<u8>(table + <usize>(byte >> 4)));
    }
  }
  let mask: u32 = 0;
  for (let i: u32 = 0; i < 32; i++) if (load<u32>(lanes + (<usize>i << 2)) < bound) mask |= 1 << i;
  return mask;
}

/** The high nibble of each byte: a u16 shift and a mask (a byte shift costs V8 a constant built each time). */
// @ts-ignore: decorator
@inline function highNibbles(codes: v128, low: v128): v128 {
  return v128.and(i16x8.shr_u(codes, 4), low);
}

/**
 * blockSums()'s lanes and mask from the u16 sums of the even and odd rows of each half
 * (rows 2i, 2i + 1 of the first half in lane i of `even0`, `odd0`). One compare of the
 * block's minimum against `bound` first: most blocks hold no candidate.
 */
// @ts-ignore: decorator
@inline function candidateLanes(even0: v128, odd0: v128, even1: v128, odd1: v128, lanes: usize, bound: u32): u32 {
  let limit = i16x8.splat(<i16>min<u32>(bound, 0xffff));
  if (bound <= 0xffff) {
    let least = i16x8.min_u(i16x8.min_u(even0, odd0), i16x8.min_u(even1, odd1));
    if (!v128.any_true(i16x8.lt_u(least, limit))) return 0;
  }
  let r0 = i16x8.shuffle(even0, odd0, 0, 8, 1, 9, 2, 10, 3, 11), r1 = i16x8.shuffle(even0, odd0, 4, 12, 5, 13, 6, 14, 7, 15);
  let r2 = i16x8.shuffle(even1, odd1, 0, 8, 1, 9, 2, 10, 3, 11), r3 = i16x8.shuffle(even1, odd1, 4, 12, 5, 13, 6, 14, 7, 15);
  let mask = <u32>i16x8.bitmask(i16x8.lt_u(r0, limit)) | (<u32>i16x8.bitmask(i16x8.lt_u(r1, limit)) << 8)
    | (<u32>i16x8.bitmask(i16x8.lt_u(r2, limit)) << 16) | (<u32>i16x8.bitmask(i16x8.lt_u(r3, limit)) << 24);
  if (bound > 0xffff) mask = 0xffffffff; // W not full yet: every lane
  if (mask == 0) return 0;
  v128.store(lanes, i32x4.extend_low_i16x8_u(r0));
  v128.store(lanes, i32x4.extend_high_i16x8_u(r0), 16);
  v128.store(lanes, i32x4.extend_low_i16x8_u(r1), 32);
  v128.store(lanes, i32x4.extend_high_i16x8_u(r1), 48);
  v128.store(lanes, i32x4.extend_low_i16x8_u(r2), 64);
  v128.store(lanes, i32x4.extend_high_i16x8_u(r2), 80);
  v128.store(lanes, i32x4.extend_low_i16x8_u(r3), 96);
  v128.store(lanes, i32x4.extend_high_i16x8_u(r3), 112);
  return mask;
}

/**
 * The `width` nearest of the slots `admit` allows by the quantised sums, then
 * re-scored with the f32 `table` (pq.ts adcPq); left in W with their ADC distances. Returns how many.
 */
export function searchFastScan(c: Context, codes: usize, m: i32, table: usize, lut: usize, width: i32, admit: i32): i32 {
  let resDist = c.resDist, resSlot = c.resSlot;
  let lanes = lanesAt(lut, m);
  let n = count();
  let results = 0;
  let bound: u32 = 0xffffffff;
  let blockBytes = <usize>m << 4;
  for (let first: u32 = 0; first < n; first += 32) {
    let mask = blockSums(codes + <usize>(first >> 5) * blockBytes, lut, m, lanes, bound);
    while (mask != 0) {
      let i = <u32>ctz(mask);
      mask &= mask - 1;
      let sum = load<u32>(lanes + (<usize>i << 2));
      if (sum >= bound) continue; // the bound may have dropped since the mask was taken (offer() relies on this check)
      let slot = first + i;
      if (slot >= n || !admits(slot, admit)) continue;
      results = offer(c, width, results, <f32>sum, slot);
      if (results == width) bound = <u32>load<f32>(resDist);
    }
  }
  c.distances += <f64>n;
  // Re-score the survivors with the f32 table: their quantised order is only approximate.
  let found = results;
  for (let i = found - 1; i >= 0; i--) {
    store<u32>(c.selSlot + (<usize>i << 2), load<u32>(resSlot));
    maxHeapPop(resDist, resSlot, i + 1);
  }
  results = 0;
  for (let i = 0; i < found; i++) {
    let slot = load<u32>(c.selSlot + (<usize>i << 2));
    maxHeapPush(resDist, resSlot, results++, adcPq(table, codes, slot), slot);
  }
  return results;
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

/** results.ts offer() into the max-heap at `dist`, `slots`. */
// @ts-ignore: decorator
@inline export function offerTo(dist: usize, slots: usize, width: i32, results: i32, d: f32, slot: u32): i32 {
  if (results < width) {
    maxHeapPush(dist, slots, results, d, slot);
    return results + 1;
  }
  maxHeapSiftDown(dist, slots, results, d, slot);
  return results;
}
