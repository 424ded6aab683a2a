// Distance kernels over rows of `stride` f32 (stride is a multiple of 4, rows are
// zero-padded). One source, two builds: ASC_FEATURE_SIMD picks the v128 body at
// compile time; the scalar twin keeps one running sum per SIMD lane, so both builds
// add the same numbers in the same order and agree bit for bit.
// Four v128 accumulators (16 floats per step) hide the latency of f32x4.add: twice
// as fast as two on 128-d rows (bench/kernels.ts). Steps of 4 floats finish the row.
// Called by hnsw.ts, flat.ts and the kernel exports in index.ts.

/** Squared Euclidean distance between rows `a` and `b`. */
export function l2(a: usize, b: usize, stride: i32): f32 {
  let end = a + (<usize>stride << 2);
  let end16 = a + (<usize>(stride & ~15) << 2);
  if (ASC_FEATURE_SIMD) {
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
    for (; a < end16; a += 64, b += 64) {
      let d0 = f32x4.sub(v128.load(a), v128.load(b));
      let d1 = f32x4.sub(v128.load(a, 16), v128.load(b, 16));
      let d2 = f32x4.sub(v128.load(a, 32), v128.load(b, 32));
      let d3 = f32x4.sub(v128.load(a, 48), v128.load(b, 48));
      acc0 = f32x4.add(acc0, f32x4.mul(d0, d0)); // no fused multiply-add: builds must agree
      acc1 = f32x4.add(acc1, f32x4.mul(d1, d1));
      acc2 = f32x4.add(acc2, f32x4.mul(d2, d2));
      acc3 = f32x4.add(acc3, f32x4.mul(d3, d3));
    }
    for (; a < end; a += 16, b += 16) {
      let d0 = f32x4.sub(v128.load(a), v128.load(b));
      acc0 = f32x4.add(acc0, f32x4.mul(d0, d0));
    }
    return sumLanes(f32x4.add(f32x4.add(acc0, acc2), f32x4.add(acc1, acc3)));
  }
  // Sixteen running sums: s[4j + i] mirrors lane i of acc j.
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  let s8: f32 = 0, s9: f32 = 0, s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0, s14: f32 = 0, s15: f32 = 0;
  for (; a < end16; a += 64, b += 64) {
    let d0 = load<f32>(a) - load<f32>(b), d1 = load<f32>(a, 4) - load<f32>(b, 4);
    let d2 = load<f32>(a, 8) - load<f32>(b, 8), d3 = load<f32>(a, 12) - load<f32>(b, 12);
    let d4 = load<f32>(a, 16) - load<f32>(b, 16), d5 = load<f32>(a, 20) - load<f32>(b, 20);
    let d6 = load<f32>(a, 24) - load<f32>(b, 24), d7 = load<f32>(a, 28) - load<f32>(b, 28);
    let d8 = load<f32>(a, 32) - load<f32>(b, 32), d9 = load<f32>(a, 36) - load<f32>(b, 36);
    let d10 = load<f32>(a, 40) - load<f32>(b, 40), d11 = load<f32>(a, 44) - load<f32>(b, 44);
    let d12 = load<f32>(a, 48) - load<f32>(b, 48), d13 = load<f32>(a, 52) - load<f32>(b, 52);
    let d14 = load<f32>(a, 56) - load<f32>(b, 56), d15 = load<f32>(a, 60) - load<f32>(b, 60);
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7;
    s8 += d8 * d8; s9 += d9 * d9; s10 += d10 * d10; s11 += d11 * d11;
    s12 += d12 * d12; s13 += d13 * d13; s14 += d14 * d14; s15 += d15 * d15;
  }
  for (; a < end; a += 16, b += 16) {
    let d0 = load<f32>(a) - load<f32>(b), d1 = load<f32>(a, 4) - load<f32>(b, 4);
    let d2 = load<f32>(a, 8) - load<f32>(b, 8), d3 = load<f32>(a, 12) - load<f32>(b, 12);
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  return sum4(
    (s0 + s8) + (s4 + s12), (s1 + s9) + (s5 + s13),
    (s2 + s10) + (s6 + s14), (s3 + s11) + (s7 + s15),
  );
}

/** Dot product of rows `a` and `b`. */
export function dot(a: usize, b: usize, stride: i32): f32 {
  let end = a + (<usize>stride << 2);
  let end16 = a + (<usize>(stride & ~15) << 2);
  if (ASC_FEATURE_SIMD) {
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
    for (; a < end16; a += 64, b += 64) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a), v128.load(b)));
      acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
      acc2 = f32x4.add(acc2, f32x4.mul(v128.load(a, 32), v128.load(b, 32)));
      acc3 = f32x4.add(acc3, f32x4.mul(v128.load(a, 48), v128.load(b, 48)));
    }
    for (; a < end; a += 16, b += 16) {
      acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a), v128.load(b)));
    }
    return sumLanes(f32x4.add(f32x4.add(acc0, acc2), f32x4.add(acc1, acc3)));
  }
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0, s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
  let s8: f32 = 0, s9: f32 = 0, s10: f32 = 0, s11: f32 = 0, s12: f32 = 0, s13: f32 = 0, s14: f32 = 0, s15: f32 = 0;
  for (; a < end16; a += 64, b += 64) {
    s0 += load<f32>(a) * load<f32>(b); s1 += load<f32>(a, 4) * load<f32>(b, 4);
    s2 += load<f32>(a, 8) * load<f32>(b, 8); s3 += load<f32>(a, 12) * load<f32>(b, 12);
    s4 += load<f32>(a, 16) * load<f32>(b, 16); s5 += load<f32>(a, 20) * load<f32>(b, 20);
    s6 += load<f32>(a, 24) * load<f32>(b, 24); s7 += load<f32>(a, 28) * load<f32>(b, 28);
    s8 += load<f32>(a, 32) * load<f32>(b, 32); s9 += load<f32>(a, 36) * load<f32>(b, 36);
    s10 += load<f32>(a, 40) * load<f32>(b, 40); s11 += load<f32>(a, 44) * load<f32>(b, 44);
    s12 += load<f32>(a, 48) * load<f32>(b, 48); s13 += load<f32>(a, 52) * load<f32>(b, 52);
    s14 += load<f32>(a, 56) * load<f32>(b, 56); s15 += load<f32>(a, 60) * load<f32>(b, 60);
  }
  for (; a < end; a += 16, b += 16) {
    s0 += load<f32>(a) * load<f32>(b); s1 += load<f32>(a, 4) * load<f32>(b, 4);
    s2 += load<f32>(a, 8) * load<f32>(b, 8); s3 += load<f32>(a, 12) * load<f32>(b, 12);
  }
  return sum4(
    (s0 + s8) + (s4 + s12), (s1 + s9) + (s5 + s13),
    (s2 + s10) + (s6 + s14), (s3 + s11) + (s7 + s15),
  );
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
