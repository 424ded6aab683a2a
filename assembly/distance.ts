// Distance kernels over rows of `stride` f32 (stride is a multiple of 4, rows are
// zero-padded). One source, two builds: ASC_FEATURE_SIMD picks the v128 body at
// compile time; the scalar twin keeps one running sum per SIMD lane, so both builds
// add the same numbers in the same order and agree bit for bit.
// Called by hnsw.ts, flat.ts and the kernel exports in index.ts.

/** Squared Euclidean distance between rows `a` and `b`. */
export function l2(a: usize, b: usize, stride: i32): f32 {
  let end = a + (<usize>stride << 2);
  let end8 = a + (<usize>(stride & ~7) << 2);
  if (ASC_FEATURE_SIMD) {
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    while (a < end8) {
      let d0 = f32x4.sub(v128.load(a), v128.load(b));
      let d1 = f32x4.sub(v128.load(a, 16), v128.load(b, 16));
      acc0 = f32x4.add(acc0, f32x4.mul(d0, d0)); // no fused multiply-add: builds must agree
      acc1 = f32x4.add(acc1, f32x4.mul(d1, d1));
      a += 32;
      b += 32;
    }
    if (a < end) {
      let d0 = f32x4.sub(v128.load(a), v128.load(b));
      acc0 = f32x4.add(acc0, f32x4.mul(d0, d0));
    }
    return sumLanes(f32x4.add(acc0, acc1));
  }
  // Eight running sums: lanes 0-3 mirror acc0, lanes 4-7 mirror acc1.
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  while (a < end8) {
    let d0 = load<f32>(a) - load<f32>(b), d1 = load<f32>(a, 4) - load<f32>(b, 4);
    let d2 = load<f32>(a, 8) - load<f32>(b, 8), d3 = load<f32>(a, 12) - load<f32>(b, 12);
    let d4 = load<f32>(a, 16) - load<f32>(b, 16), d5 = load<f32>(a, 20) - load<f32>(b, 20);
    let d6 = load<f32>(a, 24) - load<f32>(b, 24), d7 = load<f32>(a, 28) - load<f32>(b, 28);
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7;
    a += 32;
    b += 32;
  }
  if (a < end) {
    let d0 = load<f32>(a) - load<f32>(b), d1 = load<f32>(a, 4) - load<f32>(b, 4);
    let d2 = load<f32>(a, 8) - load<f32>(b, 8), d3 = load<f32>(a, 12) - load<f32>(b, 12);
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  return sum4(s0 + s4, s1 + s5, s2 + s6, s3 + s7);
}

/** Dot product of rows `a` and `b`. */
export function dot(a: usize, b: usize, stride: i32): f32 {
  let end = a + (<usize>stride << 2);
  let end8 = a + (<usize>(stride & ~7) << 2);
  if (ASC_FEATURE_SIMD) {
    let acc0 = f32x4.splat(0);
    let acc1 = f32x4.splat(0);
    while (a < end8) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a), v128.load(b)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
      a += 32;
      b += 32;
    }
    if (a < end) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a), v128.load(b)));
    }
    return sumLanes(f32x4.add(acc0, acc1));
  }
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  while (a < end8) {
    s0 += load<f32>(a) * load<f32>(b);
    s1 += load<f32>(a, 4) * load<f32>(b, 4);
    s2 += load<f32>(a, 8) * load<f32>(b, 8);
    s3 += load<f32>(a, 12) * load<f32>(b, 12);
    s4 += load<f32>(a, 16) * load<f32>(b, 16);
    s5 += load<f32>(a, 20) * load<f32>(b, 20);
    s6 += load<f32>(a, 24) * load<f32>(b, 24);
    s7 += load<f32>(a, 28) * load<f32>(b, 28);
    a += 32;
    b += 32;
  }
  if (a < end) {
    s0 += load<f32>(a) * load<f32>(b);
    s1 += load<f32>(a, 4) * load<f32>(b, 4);
    s2 += load<f32>(a, 8) * load<f32>(b, 8);
    s3 += load<f32>(a, 12) * load<f32>(b, 12);
  }
  return sum4(s0 + s4, s1 + s5, s2 + s6, s3 + s7);
}

/**
 * Scales row `a` to unit length in place, as hnswlib's normalize_vector:
 * a zero row stays zero (its cosine distance to anything is then 1).
 */
export function normalize(a: usize, stride: i32): void {
  let inv: f32 = 1 / (Mathf.sqrt(dot(a, a, stride)) + <f32>1e-30);
  let end = a + (<usize>stride << 2);
  if (ASC_FEATURE_SIMD) {
    let scale = f32x4.splat(inv);
    for (; a < end; a += 16) v128.store(a, f32x4.mul(v128.load(a), scale));
    return;
  }
  for (; a < end; a += 16) {
    store<f32>(a, load<f32>(a) * inv);
    store<f32>(a, load<f32>(a, 4) * inv, 4);
    store<f32>(a, load<f32>(a, 8) * inv, 8);
    store<f32>(a, load<f32>(a, 12) * inv, 12);
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
