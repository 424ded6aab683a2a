// k-means' assignment kernel (kmeans.ts): squared distances from a tile of rows to every
// centroid as ||x||² + ||c||² − 2·x·c, and each row's nearest and second-nearest centroid.
// The dot products are register-blocked, as a BLAS sgemm blocks them (FAISS's k-means
// assigns through exhaustive_L2sqr_blas): TILE_ROWS rows × 8 centroids accumulate in 8
// v128 at once, so each centroid vector loaded serves TILE_ROWS rows and each splat of a
// row value serves 8 centroids, and no accumulator waits on another's add. The
// centroids are transposed (dims × K), so a lane is one centroid and every dot product is
// summed over t in order, in both builds: the scalar twin gives the same f32 bit for bit.

/** Rows per tile. Four rows × two centroid vectors: 8 accumulators + 2 centroid vectors + splats fit x64's 16 registers. */
export const TILE_ROWS = 4;

/**
 * Squared distances from the TILE_ROWS rows numbered at `ids` (u32 each; rows of `dims`
 * values at `data`, their squared norms at `rowNorms`) to the K centroids of `book`
 * (dims × K, their squared norms at `bookNorms`) into `out`: TILE_ROWS × K f32, tile row
 * r at out + r·K. Clamped at 0: the expanded form can round below it.
 */
export function tileDistances(data: usize, rowNorms: usize, ids: usize, dims: i32, K: i32, book: usize, bookNorms: usize, out: usize): void {
  let rowBytes = <usize>dims << 2, rowStride = <usize>K << 2, dimsBytes = <usize>dims << 2;
  let id0 = <usize>load<u32>(ids), id1 = <usize>load<u32>(ids, 4), id2 = <usize>load<u32>(ids, 8), id3 = <usize>load<u32>(ids, 12);
  let x0 = data + id0 * rowBytes, x1 = data + id1 * rowBytes, x2 = data + id2 * rowBytes, x3 = data + id3 * rowBytes;
  let n0 = load<f32>(rowNorms + (id0 << 2)), n1 = load<f32>(rowNorms + (id1 << 2));
  let n2 = load<f32>(rowNorms + (id2 << 2)), n3 = load<f32>(rowNorms + (id3 << 2));
  let out1 = out + rowStride, out2 = out1 + rowStride, out3 = out2 + rowStride;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 8 <= K; k += 8) {
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
      let at = book + (<usize>k << 2);
      for (let t: usize = 0; t < dimsBytes; t += 4, at += rowStride) {
        let c0 = v128.load(at), c1 = v128.load(at, 16);
        let v = v128.load32_splat(x0 + t);
        a00 = f32x4.add(a00, f32x4.mul(v, c0)); a01 = f32x4.add(a01, f32x4.mul(v, c1));
        v = v128.load32_splat(x1 + t);
        a10 = f32x4.add(a10, f32x4.mul(v, c0)); a11 = f32x4.add(a11, f32x4.mul(v, c1));
        v = v128.load32_splat(x2 + t);
        a20 = f32x4.add(a20, f32x4.mul(v, c0)); a21 = f32x4.add(a21, f32x4.mul(v, c1));
        v = v128.load32_splat(x3 + t);
        a30 = f32x4.add(a30, f32x4.mul(v, c0)); a31 = f32x4.add(a31, f32x4.mul(v, c1));
      }
      let kOff = <usize>k << 2;
      let c0 = v128.load(bookNorms + kOff), c1 = v128.load(bookNorms + kOff, 16);
      storeFour(out + kOff, n0, c0, a00); storeFour(out + kOff + 16, n0, c1, a01);
      storeFour(out1 + kOff, n1, c0, a10); storeFour(out1 + kOff + 16, n1, c1, a11);
      storeFour(out2 + kOff, n2, c0, a20); storeFour(out2 + kOff + 16, n2, c1, a21);
      storeFour(out3 + kOff, n3, c0, a30); storeFour(out3 + kOff + 16, n3, c1, a31);
    }
    for (; k + 4 <= K; k += 4) { // IVF's nlist need not be a multiple of 8
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let at = book + (<usize>k << 2);
      for (let t: usize = 0; t < dimsBytes; t += 4, at += rowStride) {
        let c = v128.load(at);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x0 + t), c));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(x1 + t), c));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(x2 + t), c));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(x3 + t), c));
      }
      let kOff = <usize>k << 2;
      let c = v128.load(bookNorms + kOff);
      storeFour(out + kOff, n0, c, a0);
      storeFour(out1 + kOff, n1, c, a1);
      storeFour(out2 + kOff, n2, c, a2);
      storeFour(out3 + kOff, n3, c, a3);
    }
  }
  for (; k < K; k++) { // the scalar build, and the last K % 4 of the SIMD one: the same sums per (row, centroid)
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let at = book + (<usize>k << 2);
    for (let t: usize = 0; t < dimsBytes; t += 4, at += rowStride) {
      let c = load<f32>(at);
      s0 += load<f32>(x0 + t) * c;
      s1 += load<f32>(x1 + t) * c;
      s2 += load<f32>(x2 + t) * c;
      s3 += load<f32>(x3 + t) * c;
    }
    let kOff = <usize>k << 2, c = load<f32>(bookNorms + kOff);
    store<f32>(out + kOff, expanded(n0, c, s0));
    store<f32>(out1 + kOff, expanded(n1, c, s1));
    store<f32>(out2 + kOff, expanded(n2, c, s2));
    store<f32>(out3 + kOff, expanded(n3, c, s3));
  }
}

/** ||x||² + ||c||² − 2·x·c, clamped at 0 (pmax: a NaN stays); the one order both builds round in. Never −0: the norms are sums of squares. */
// @ts-ignore: decorator
@inline function expanded(rowNorm: f32, centroidNorm: f32, dot: f32): f32 {
  return greater((rowNorm + centroidNorm) - (dot + dot), 0);
}

/** expanded() over four centroids: their norms `c`, their dot products `dots`. */
// @ts-ignore: decorator
@inline function storeFour(at: usize, rowNorm: f32, c: v128, dots: v128): void {
  v128.store(at, f32x4.pmax(f32x4.sub(f32x4.add(f32x4.splat(rowNorm), c), f32x4.add(dots, dots)), f32x4.splat(0)));
}

/**
 * The nearest of the K distances at `values` (the first on ties), with the smallest of
 * the others stored at `secondAt`. The two smallest come from min and max alone (the
 * pair (best, second) absorbs v as (min(best, v), min(second, max(best, v))), exact in
 * any order), four lanes at a time in the SIMD build; then the first position holding
 * the best. Both builds compute the same function of the values, so they agree exactly.
 * The values are expanded()'s: never −0; NaN only from rows so large their norms overflow.
 */
export function nearestTwo(values: usize, K: i32, secondAt: usize): i32 {
  let best: f32 = Infinity, second: f32 = Infinity;
  let k = 0;
  if (ASC_FEATURE_SIMD) {
    if (K >= 4) {
      let b = f32x4.splat(Infinity), s = b;
      for (; k + 4 <= K; k += 4) {
        let v = v128.load(values + (<usize>k << 2));
        s = f32x4.pmin(s, f32x4.pmax(b, v));
        b = f32x4.pmin(b, v);
      }
      for (let l = 0; l < 4; l++) {
        let v = laneF(b, l);
        second = lesser(second, greater(best, v));
        best = lesser(best, v);
        second = lesser(second, laneF(s, l)); // a lane's second is never below its best
      }
    }
  }
  for (let t = k; t < K; t++) {
    let v = load<f32>(values + (<usize>t << 2));
    second = lesser(second, greater(best, v));
    best = lesser(best, v);
  }
  store<f32>(secondAt, second);
  let at = 0;
  if (ASC_FEATURE_SIMD) {
    let target = f32x4.splat(best);
    for (; at + 4 <= K; at += 4) {
      let mask = i32x4.bitmask(f32x4.eq(v128.load(values + (<usize>at << 2)), target));
      if (mask != 0) return at + ctz(mask);
    }
  }
  while (at < K - 1 && load<f32>(values + (<usize>at << 2)) != best) at++; // bounded: a NaN (from overflowing rows) matches nothing
  return at;
}

/** f32x4.pmin's rule (b < a ? b : a), one instruction on x64 where min's NaN and −0 rules take several; the same for the values here. */
// @ts-ignore: decorator
@inline function lesser(a: f32, b: f32): f32 { return b < a ? b : a; }

/** f32x4.pmax's rule (a < b ? b : a). */
// @ts-ignore: decorator
@inline function greater(a: f32, b: f32): f32 { return a < b ? b : a; }

// @ts-ignore: decorator
@inline function laneF(v: v128, l: i32): f32 {
  return l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}
