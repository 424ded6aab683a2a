// Distance kernels over rows of `stride` f32 (stride is a multiple of 4, rows are
// zero-padded). One source, two builds: ASC_FEATURE_SIMD picks the v128 body at
// compile time; the scalar twin adds the same numbers in the same order (one running
// sum per SIMD lane), so both builds agree bit for bit.
// Each 16-float block is summed as a tree, (p0 + p1) + (p2 + p3), before it enters the
// accumulator: the dependency chain is one add per block (as fast as four v128
// accumulators), and the scalar twin needs four running sums, not sixteen, which
// V8 would spill (bench/kernels.ts measured both). Blocks of 4 finish the row.
// Called by storage.ts and the kernel export in index.ts.

/** Squared Euclidean distance between rows `a` and `b`. */
export function l2(a: usize, b: usize, stride: i32): f32 {
  let end = a + (<usize>stride << 2);
  let end16 = a + (<usize>(stride & ~15) << 2);
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; a < end16; a += 64, b += 64) {
      let d0 = f32x4.sub(v128.load(a), v128.load(b));
      let d1 = f32x4.sub(v128.load(a, 16), v128.load(b, 16));
      let d2 = f32x4.sub(v128.load(a, 32), v128.load(b, 32));
      let d3 = f32x4.sub(v128.load(a, 48), v128.load(b, 48));
      // No fused multiply-add: the builds must agree.
      let block = f32x4.add(
        f32x4.add(f32x4.mul(d0, d0), f32x4.mul(d1, d1)),
        f32x4.add(f32x4.mul(d2, d2), f32x4.mul(d3, d3)),
      );
      acc = f32x4.add(acc, block);
    }
    for (; a < end; a += 16, b += 16) {
      let d = f32x4.sub(v128.load(a), v128.load(b));
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    return sumLanes(acc);
  }
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (; a < end16; a += 64, b += 64) {
    s0 += l2Lane(a, b, 0);
    s1 += l2Lane(a, b, 4);
    s2 += l2Lane(a, b, 8);
    s3 += l2Lane(a, b, 12);
  }
  for (; a < end; a += 16, b += 16) {
    let d0 = load<f32>(a) - load<f32>(b), d1 = load<f32>(a, 4) - load<f32>(b, 4);
    let d2 = load<f32>(a, 8) - load<f32>(b, 8), d3 = load<f32>(a, 12) - load<f32>(b, 12);
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  return sum4(s0, s1, s2, s3);
}

/** One lane of a 16-float block of l2: the tree the SIMD body builds in that lane. */
// @ts-ignore: decorator
@inline function l2Lane(a: usize, b: usize, lane: usize): f32 {
  let d0 = load<f32>(a + lane) - load<f32>(b + lane);
  let d1 = load<f32>(a + lane + 16) - load<f32>(b + lane + 16);
  let d2 = load<f32>(a + lane + 32) - load<f32>(b + lane + 32);
  let d3 = load<f32>(a + lane + 48) - load<f32>(b + lane + 48);
  return (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
}

/** Dot product of rows `a` and `b`. */
export function dot(a: usize, b: usize, stride: i32): f32 {
  let end = a + (<usize>stride << 2);
  let end16 = a + (<usize>(stride & ~15) << 2);
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; a < end16; a += 64, b += 64) {
      let block = f32x4.add(
        f32x4.add(f32x4.mul(v128.load(a), v128.load(b)), f32x4.mul(v128.load(a, 16), v128.load(b, 16))),
        f32x4.add(f32x4.mul(v128.load(a, 32), v128.load(b, 32)), f32x4.mul(v128.load(a, 48), v128.load(b, 48))),
      );
      acc = f32x4.add(acc, block);
    }
    for (; a < end; a += 16, b += 16) acc = f32x4.add(acc, f32x4.mul(v128.load(a), v128.load(b)));
    return sumLanes(acc);
  }
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (; a < end16; a += 64, b += 64) {
    s0 += dotLane(a, b, 0);
    s1 += dotLane(a, b, 4);
    s2 += dotLane(a, b, 8);
    s3 += dotLane(a, b, 12);
  }
  for (; a < end; a += 16, b += 16) {
    s0 += load<f32>(a) * load<f32>(b);
    s1 += load<f32>(a, 4) * load<f32>(b, 4);
    s2 += load<f32>(a, 8) * load<f32>(b, 8);
    s3 += load<f32>(a, 12) * load<f32>(b, 12);
  }
  return sum4(s0, s1, s2, s3);
}

/** One lane of a 16-float block of dot: the tree the SIMD body builds in that lane. */
// @ts-ignore: decorator
@inline function dotLane(a: usize, b: usize, lane: usize): f32 {
  return (load<f32>(a + lane) * load<f32>(b + lane) + load<f32>(a + lane + 16) * load<f32>(b + lane + 16))
    + (load<f32>(a + lane + 32) * load<f32>(b + lane + 32) + load<f32>(a + lane + 48) * load<f32>(b + lane + 48));
}

/**
 * Writes row `src` scaled to unit length into `dst` (which may be `src`), as hnswlib's
 * normalize_vector: a zero row stays zero (its cosine distance to anything is then 1).
 */
export function normalize(src: usize, dst: usize, stride: i32): void {
  let inv: f32 = 1 / (Mathf.sqrt(dot(src, src, stride)) + <f32>1e-30);
  let end = src + (<usize>stride << 2);
  if (ASC_FEATURE_SIMD) {
    let scale = f32x4.splat(inv);
    for (; src < end; src += 16, dst += 16) v128.store(dst, f32x4.mul(v128.load(src), scale));
    return;
  }
  for (; src < end; src += 16, dst += 16) {
    store<f32>(dst, load<f32>(src) * inv);
    store<f32>(dst, load<f32>(src, 4) * inv, 4);
    store<f32>(dst, load<f32>(src, 8) * inv, 8);
    store<f32>(dst, load<f32>(src, 12) * inv, 12);
  }
}

// @ts-ignore: decorator
@inline function sumLanes(v: v128): f32 {
  return sum4(
    f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1),
    f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3),
  );
}

/** The single place the lane reduction order is fixed. */
// @ts-ignore: decorator
@inline function sum4(x0: f32, x1: f32, x2: f32, x3: f32): f32 {
  return (x0 + x2) + (x1 + x3);
}
