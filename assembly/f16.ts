// Half-precision rows ('f16'): IEEE binary16 values, converted from f32 with round to
// nearest even on insert and back to f32 exactly when read, so distances are computed
// in f32 over the very values stored. The kernels follow distance.ts (16-value blocks
// summed as a tree, the scalar twin in the same order), so both builds agree bit for
// bit. Called by storage.ts and the kernel export in index.ts.
//
//   a row ─► ┌────┬────┬─  ─┬────┐   stride u16 (dim rounded up to 4, zero-padded)
//            │ h0 │ h1 │ …  │ hN │   sign 1 | exponent 5 | mantissa 10
//            └────┴────┴─  ─┴────┘

/** 2^112: moves a half's exponent (bias 15) to a float's (bias 127). */
const REBIAS: f32 = 5.192296858534828e33;

/** The half nearest to `x` (ties to even); beyond ±65504 saturates (src/ refuses such values). */
export function toHalf(x: f32): u16 {
  let bits = reinterpret<u32>(x);
  let sign = <u16>((bits >> 16) & 0x8000);
  let abs = bits & 0x7fffffff;
  if (abs < 0x38800000) {
    // Below 2^-14, a half is subnormal: a multiple of 2^-24. Scaling by 2^24 is exact.
    return sign | <u16>nearest<f32>(reinterpret<f32>(abs) * 16777216);
  }
  // Normal: drop 13 mantissa bits, rounding to nearest even, then rebias the exponent.
  let rounded = (abs + 0x0fff + ((abs >> 13) & 1)) >> 13;
  let half = rounded - (112 << 10);
  return sign | <u16>min<u32>(half, 0x7bff);
}

/**
 * Half bits sign-extended to 32 and shifted left by 13 put the exponent and mantissa in
 * a float's places and copies of the sign in bits 28 … 31: this mask keeps bit 31 and
 * clears 28 … 30. Four instructions per four lanes (measured 2.2x slower with a
 * separate mask and shift for the sign).
 */
const HALF_MASK: u32 = 0x8fffe000;

/** The f32 value of half `h` (exact). */
// @ts-ignore: decorator
@inline export function fromHalf(h: u32): f32 {
  return reinterpret<f32>((<u32><i32><i16>h << 13) & HALF_MASK) * REBIAS;
}

/** Four halves at `p` as four f32 lanes (exact). */
// @ts-ignore: decorator
@inline function fromHalf4(p: usize): v128 {
  let bits = v128.and(i32x4.shl(i32x4.extend_low_i16x8_s(v128.load64_zero(p)), 13), i32x4.splat(HALF_MASK));
  return f32x4.mul(bits, f32x4.splat(REBIAS));
}

/** Four lanes of a row of T (f32, or u16 halves) at `p`. */
// @ts-ignore: decorator
@inline function lanes<T>(p: usize): v128 {
  if (sizeof<T>() == 2) return fromHalf4(p);
  return v128.load(p);
}

/** One value of a row of T at `p`, as f32. */
// @ts-ignore: decorator
@inline function value<T>(p: usize): f32 {
  if (sizeof<T>() == 2) return fromHalf(load<u16>(p));
  return load<f32>(p);
}

/** Squared L2 between row `a` of A (f32 or u16 halves) and half row `h`, both `stride` long. */
export function l2Half<A>(a: usize, h: usize, stride: i32): f32 {
  const SA = sizeof<A>();
  let n16 = stride & ~15, i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i < n16; i += 16, a += 16 * SA, h += 32) {
      let d0 = f32x4.sub(lanes<A>(a), fromHalf4(h));
      let d1 = f32x4.sub(lanes<A>(a + 4 * SA), fromHalf4(h + 8));
      let d2 = f32x4.sub(lanes<A>(a + 8 * SA), fromHalf4(h + 16));
      let d3 = f32x4.sub(lanes<A>(a + 12 * SA), fromHalf4(h + 24));
      // No fused multiply-add: the builds must agree.
      acc = f32x4.add(acc, f32x4.add(f32x4.add(f32x4.mul(d0, d0), f32x4.mul(d1, d1)), f32x4.add(f32x4.mul(d2, d2), f32x4.mul(d3, d3))));
    }
    for (; i < stride; i += 4, a += 4 * SA, h += 8) {
      let d = f32x4.sub(lanes<A>(a), fromHalf4(h));
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    return sum4(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1), f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3));
  }
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (; i < n16; i += 16, a += 16 * SA, h += 32) {
    s0 += l2Lane<A>(a, h, 0);
    s1 += l2Lane<A>(a, h, 1);
    s2 += l2Lane<A>(a, h, 2);
    s3 += l2Lane<A>(a, h, 3);
  }
  for (; i < stride; i += 4, a += 4 * SA, h += 8) {
    let d0 = value<A>(a) - fromHalf(load<u16>(h)), d1 = value<A>(a + SA) - fromHalf(load<u16>(h, 2));
    let d2 = value<A>(a + 2 * SA) - fromHalf(load<u16>(h, 4)), d3 = value<A>(a + 3 * SA) - fromHalf(load<u16>(h, 6));
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  return sum4(s0, s1, s2, s3);
}

/** One lane of a 16-value block of l2Half: the tree the SIMD body builds in that lane. */
// @ts-ignore: decorator
@inline function l2Lane<A>(a: usize, h: usize, lane: usize): f32 {
  const SA = sizeof<A>();
  let d0 = value<A>(a + lane * SA) - fromHalf(load<u16>(h + (lane << 1)));
  let d1 = value<A>(a + (lane + 4) * SA) - fromHalf(load<u16>(h + ((lane + 4) << 1)));
  let d2 = value<A>(a + (lane + 8) * SA) - fromHalf(load<u16>(h + ((lane + 8) << 1)));
  let d3 = value<A>(a + (lane + 12) * SA) - fromHalf(load<u16>(h + ((lane + 12) << 1)));
  return (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
}

/** Dot product of row `a` of A (f32 or u16 halves) and half row `h`, both `stride` long. */
export function dotHalf<A>(a: usize, h: usize, stride: i32): f32 {
  const SA = sizeof<A>();
  let n16 = stride & ~15, i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; i < n16; i += 16, a += 16 * SA, h += 32) {
      let block = f32x4.add(
        f32x4.add(f32x4.mul(lanes<A>(a), fromHalf4(h)), f32x4.mul(lanes<A>(a + 4 * SA), fromHalf4(h + 8))),
        f32x4.add(f32x4.mul(lanes<A>(a + 8 * SA), fromHalf4(h + 16)), f32x4.mul(lanes<A>(a + 12 * SA), fromHalf4(h + 24))),
      );
      acc = f32x4.add(acc, block);
    }
    for (; i < stride; i += 4, a += 4 * SA, h += 8) acc = f32x4.add(acc, f32x4.mul(lanes<A>(a), fromHalf4(h)));
    return sum4(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1), f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3));
  }
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (; i < n16; i += 16, a += 16 * SA, h += 32) {
    s0 += dotLane<A>(a, h, 0);
    s1 += dotLane<A>(a, h, 1);
    s2 += dotLane<A>(a, h, 2);
    s3 += dotLane<A>(a, h, 3);
  }
  for (; i < stride; i += 4, a += 4 * SA, h += 8) {
    s0 += value<A>(a) * fromHalf(load<u16>(h));
    s1 += value<A>(a + SA) * fromHalf(load<u16>(h, 2));
    s2 += value<A>(a + 2 * SA) * fromHalf(load<u16>(h, 4));
    s3 += value<A>(a + 3 * SA) * fromHalf(load<u16>(h, 6));
  }
  return sum4(s0, s1, s2, s3);
}

/** One lane of a 16-value block of dotHalf: the tree the SIMD body builds in that lane. */
// @ts-ignore: decorator
@inline function dotLane<A>(a: usize, h: usize, lane: usize): f32 {
  const SA = sizeof<A>();
  return (value<A>(a + lane * SA) * fromHalf(load<u16>(h + (lane << 1)))
      + value<A>(a + (lane + 4) * SA) * fromHalf(load<u16>(h + ((lane + 4) << 1))))
    + (value<A>(a + (lane + 8) * SA) * fromHalf(load<u16>(h + ((lane + 8) << 1)))
      + value<A>(a + (lane + 12) * SA) * fromHalf(load<u16>(h + ((lane + 12) << 1))));
}

/** Whether the `stride` halves at `row` are finite for the first `dim` and zero after. */
export function halvesSound(row: usize, dim: i32, stride: i32): bool {
  for (let j = 0; j < stride; j++) {
    let h = <u32>load<u16>(row + (<usize>j << 1));
    if (j < dim ? (h & 0x7c00) == 0x7c00 : h != 0) return false; // exponent 31: Infinity or NaN
  }
  return true;
}

/** Writes `stride` f32 at `src` as halves at `dst`. */
export function encodeHalves(src: usize, dst: usize, stride: i32): void {
  for (let i = 0; i < stride; i++) store<u16>(dst + (<usize>i << 1), toHalf(load<f32>(src + (<usize>i << 2))));
}

/** Writes `stride` halves at `src` as f32 at `dst`. */
export function decodeHalves(src: usize, dst: usize, stride: i32): void {
  for (let i = 0; i < stride; i++) store<f32>(dst + (<usize>i << 2), fromHalf(load<u16>(src + (<usize>i << 1))));
}

/** The lane reduction order of distance.ts. */
// @ts-ignore: decorator
@inline function sum4(x0: f32, x1: f32, x2: f32, x3: f32): f32 {
  return (x0 + x2) + (x1 + x3);
}
