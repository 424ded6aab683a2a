// The kernel of the 4-bit fast scan (fastscan.ts): the quantised sums of one block's 32
// codes against a query's table, and the mask of the lanes below its bound. In the SIMD
// build a subspace's 16 u8 entries fill one v128 and `i8x16.swizzle` looks up 16 codes
// at once; the scalar build computes the same integer sums one code at a time, so both
// find the same candidates.
//
//   block ─► m rows of 16 bytes; row j byte i = code_j of slot i (low nibble) and of
//            slot 16 + i (high nibble)
//   lut   ─► m × 16 u8 entries (fastscan.ts quantiseTable)
//   lanes ─► 32 u32: the block's sums, slot order, written when the mask is not 0

/**
 * Subspaces summed between two looks at a block's least partial sum. Entries are at
 * least 0, so a partial sum is a lower bound of the whole: once every lane's is at the
 * bound, the block holds no candidate and the rest of it is skipped. On the clustered
 * synthetic 100k × 128 (m 32) a block stops after 13 subspaces on average and the scan
 * is 1.4× faster; siftsmall's stop after 27 of 32, MNIST's after 22 of 28: about even.
 * Looking every 4, 6 or 12 measured the same; visiting each query's heaviest pairs of
 * subspaces first stopped blocks sooner (25 of 32, 19 of 28) but its index loads cost more.
 */
const ABANDON = 8;

/**
 * Sums of the 32 codes of `block` against `lut` into `lanes` and the mask of the lanes
 * below `bound` (bit i: lane i), 0 when none is (lanes then unwritten).
 */
export function blockSums(block: usize, lut: usize, m: i32, lanes: usize, bound: u32): u32 {
  if (ASC_FEATURE_SIMD) {
    // A byte of `first` (rows 0-15) or `second` (rows 16-31) sums two subspaces' entries
    // (at most 254); it is added to a*, read as u16 (even row + 256 × odd row), and its odd
    // rows to b* (u16 >> 8). Three ops a vector and no byte widening, which costs V8
    // shuffles (FAISS's fast scan accumulates so); even rows are a - (b << 8) at the end.
    let a0 = i16x8.splat(0), b0 = i16x8.splat(0), a1 = i16x8.splat(0), b1 = i16x8.splat(0);
    let low = i8x16.splat(15), limit = limitOf(bound);
    let j = 0, stop = bound <= 0xffff ? min(ABANDON, m) : m;
    for (;;) {
      for (; j + 2 <= stop; j += 2) { // unrolled further, V8 spills accumulators: measured slower
        let codes0 = v128.load(block + (<usize>j << 4)), codes1 = v128.load(block + (<usize>j << 4), 16);
        let table0 = v128.load(lut + (<usize>j << 4)), table1 = v128.load(lut + (<usize>j << 4), 16);
        let first = i8x16.add(i8x16.swizzle(table0, v128.and(codes0, low)), i8x16.swizzle(table1, v128.and(codes1, low)));
        let second = i8x16.add(i8x16.swizzle(table0, highNibbles(codes0, low)), i8x16.swizzle(table1, highNibbles(codes1, low)));
        a0 = i16x8.add(a0, first); b0 = i16x8.add(b0, i16x8.shr_u(first, 8));
        a1 = i16x8.add(a1, second); b1 = i16x8.add(b1, i16x8.shr_u(second, 8));
      }
      if (stop >= m) break;
      if (reached(a0, b0, a1, b1, limit)) return 0;
      stop = min(stop + ABANDON, m);
    }
    if (j < m) {
      let codes = v128.load(block + (<usize>j << 4));
      let table = v128.load(lut + (<usize>j << 4));
      let first = i8x16.swizzle(table, v128.and(codes, low));
      let second = i8x16.swizzle(table, highNibbles(codes, low));
      a0 = i16x8.add(a0, first); b0 = i16x8.add(b0, i16x8.shr_u(first, 8));
      a1 = i16x8.add(a1, second); b1 = i16x8.add(b1, i16x8.shr_u(second, 8));
    }
    return candidateLanes(a0, b0, a1, b1, lanes, bound);
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

/** `bound` in every u16 lane, 0xffff while the heap is not full (bound above u16). */
// @ts-ignore: decorator
@inline function limitOf(bound: u32): v128 {
  return i16x8.splat(<i16>min<u32>(bound, 0xffff));
}

/** Whether every lane's sum (a - (b << 8) for even rows, b for odd: blockSums()) is at least `limit`. */
// @ts-ignore: decorator
@inline function reached(a0: v128, b0: v128, a1: v128, b1: v128, limit: v128): bool {
  let least = i16x8.min_u(i16x8.min_u(i16x8.sub(a0, i16x8.shl(b0, 8)), b0), i16x8.min_u(i16x8.sub(a1, i16x8.shl(b1, 8)), b1));
  return !v128.any_true(i16x8.sub_sat_u(limit, least)); // limit - least saturates to 0 where least >= limit
}

/**
 * The mask of the lanes below `bound`, from the sums of blockSums() (even rows of each
 * half a - (b << 8), odd rows b); when not 0, the sums are stored to `lanes` in slot
 * order. One compare of the block's least sum first: most blocks hold no candidate.
 */
// @ts-ignore: decorator
@inline function candidateLanes(a0: v128, b0: v128, a1: v128, b1: v128, lanes: usize, bound: u32): u32 {
  let limit = limitOf(bound);
  if (bound <= 0xffff && reached(a0, b0, a1, b1, limit)) return 0;
  let even0 = i16x8.sub(a0, i16x8.shl(b0, 8)), even1 = i16x8.sub(a1, i16x8.shl(b1, 8));
  let r0 = i16x8.shuffle(even0, b0, 0, 8, 1, 9, 2, 10, 3, 11), r1 = i16x8.shuffle(even0, b0, 4, 12, 5, 13, 6, 14, 7, 15);
  let r2 = i16x8.shuffle(even1, b1, 0, 8, 1, 9, 2, 10, 3, 11), r3 = i16x8.shuffle(even1, b1, 4, 12, 5, 13, 6, 14, 7, 15);
  let mask = <u32>i16x8.bitmask(i16x8.lt_u(r0, limit)) | (<u32>i16x8.bitmask(i16x8.lt_u(r1, limit)) << 8)
    | (<u32>i16x8.bitmask(i16x8.lt_u(r2, limit)) << 16) | (<u32>i16x8.bitmask(i16x8.lt_u(r3, limit)) << 24);
  if (bound > 0xffff) mask = 0xffffffff; // the heap is not full yet: every lane
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
