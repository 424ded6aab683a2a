// ADC lookup tables (pq.ts): each query slice's squared distance (l2) or dot product
// (ip, cosine) to every centroid of its subspace, for one query or a group of them.
// A group's queries are computed centroid block by centroid block, so each block is
// fetched from the codebooks once for the group (MNIST at m 16 has 832 KiB of them, more
// than L2). In the SIMD build, interleaved tables (groupscan.ts) are built four queries
// at a time, each v128 load of a block shared by the four (block4): MNIST's tables
// measured 1.7× faster than one query at a time. Every table entry sums its values in order t = 0, 1, … (one lane or one
// scalar per centroid), as kmeans.ts distancesToCentroids and dotsWithCentroids do, so a
// group's tables equal one query's bit for bit, and both builds agree. Called by pq.ts
// (one query) and groupscan.ts (a group).
//
//   book j (codebooks, transposed) ─► subStride rows of K f32: value t of centroid k at [t][k]
//   out ─► entry (query q, subspace j, centroid k) at out + q·queryStride + (j·K + k)·entryStride

/**
 * Tables of `queries` sliced rows (`dims` f32 per subspace, query q's at `sliced` +
 * q·slicedStride) against `m` codebooks of `K` centroids at `quantizer` (book j after
 * j · dims · K f32), written to `out` as the header lays out; minus the dot products
 * when `negDot`, squared distances otherwise.
 */
export function adcTables(quantizer: usize, m: i32, dims: i32, K: i32, sliced: usize, slicedStride: usize, queries: i32,
  negDot: bool, out: usize, queryStride: usize, entryStride: usize): void {
  let rowStride = <usize>K << 2;
  let bookBytes = <usize>dims * rowStride;
  for (let j = 0; j < m; j++) {
    let book = quantizer + <usize>j * bookBytes;
    let x0 = sliced + (<usize>(j * dims) << 2);
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      for (; k + 8 <= K; k += 8) {
        let column = book + (<usize>k << 2), to = out + <usize>(j * K + k) * entryStride;
        let q = 0;
        if (queryStride == 4 && entryStride >= 16) { // interleaved (groupscan.ts): four queries at a time, then one by one
          for (; q + 4 <= queries; q += 4) block4(x0 + <usize>q * slicedStride, slicedStride, column, rowStride, dims, negDot, to + (<usize>q << 2), entryStride);
        }
        for (; q < queries; q++) block8(x0 + <usize>q * slicedStride, column, rowStride, dims, negDot, to + <usize>q * queryStride, entryStride);
      }
    }
    for (; k + 4 <= K; k += 4) { // the scalar build
      let column = book + (<usize>k << 2), to = out + <usize>(j * K + k) * entryStride;
      for (let q = 0; q < queries; q++) blockScalar4(x0 + <usize>q * slicedStride, column, rowStride, dims, negDot, to + <usize>q * queryStride, entryStride);
    }
    for (; k < K; k++) { // K is 2^bits, so never reached today; kept so no K is assumed
      for (let q = 0; q < queries; q++) {
        store<f32>(out + <usize>q * queryStride + <usize>(j * K + k) * entryStride, entry(x0 + <usize>q * slicedStride, book + (<usize>k << 2), rowStride, dims, negDot));
      }
    }
  }
}

/** One query's entries for eight centroids (SIMD build): two lanes of four, each summing its centroid in order. */
// @ts-ignore: decorator
@inline function block8(x: usize, column: usize, rowStride: usize, dims: i32, negDot: bool, to: usize, entryStride: usize): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  if (negDot) {
    for (let t = 0; t < dims; t++) {
      let value = f32x4.splat(load<f32>(x + (<usize>t << 2)));
      let at = column + <usize>t * rowStride;
      acc0 = f32x4.add(acc0, f32x4.mul(value, v128.load(at)));
      acc1 = f32x4.add(acc1, f32x4.mul(value, v128.load(at, 16)));
    }
    acc0 = f32x4.neg(acc0);
    acc1 = f32x4.neg(acc1);
  } else {
    for (let t = 0; t < dims; t++) {
      let value = f32x4.splat(load<f32>(x + (<usize>t << 2)));
      let at = column + <usize>t * rowStride;
      let d0 = f32x4.sub(value, v128.load(at)), d1 = f32x4.sub(value, v128.load(at, 16));
      acc0 = f32x4.add(acc0, f32x4.mul(d0, d0));
      acc1 = f32x4.add(acc1, f32x4.mul(d1, d1));
    }
  }
  if (entryStride == 4) {
    v128.store(to, acc0);
    v128.store(to, acc1, 16);
  } else {
    store8(to, entryStride, acc0, acc1);
  }
}

/** One query's entries for four centroids (scalar build): one sum each, in the same order as a lane. */
// @ts-ignore: decorator
@inline function blockScalar4(x: usize, column: usize, rowStride: usize, dims: i32, negDot: bool, to: usize, entryStride: usize): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  if (negDot) {
    for (let t = 0; t < dims; t++) {
      let value = load<f32>(x + (<usize>t << 2));
      let at = column + <usize>t * rowStride;
      s0 += value * load<f32>(at); s1 += value * load<f32>(at, 4);
      s2 += value * load<f32>(at, 8); s3 += value * load<f32>(at, 12);
    }
  } else {
    for (let t = 0; t < dims; t++) {
      let value = load<f32>(x + (<usize>t << 2));
      let at = column + <usize>t * rowStride;
      let d0 = value - load<f32>(at), d1 = value - load<f32>(at, 4);
      let d2 = value - load<f32>(at, 8), d3 = value - load<f32>(at, 12);
      s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
  }
  store<f32>(to, negDot ? -s0 : s0);
  store<f32>(to + entryStride, negDot ? -s1 : s1);
  store<f32>(to + 2 * entryStride, negDot ? -s2 : s2);
  store<f32>(to + 3 * entryStride, negDot ? -s3 : s3);
}

/** One entry: the centroid whose value t is at `column` + t · rowStride. */
function entry(x: usize, column: usize, rowStride: usize, dims: i32, negDot: bool): f32 {
  let s: f32 = 0;
  for (let t = 0; t < dims; t++) {
    let value = load<f32>(x + (<usize>t << 2)), c = load<f32>(column + <usize>t * rowStride);
    if (negDot) s += value * c;
    else {
      let d = value - c;
      s += d * d;
    }
  }
  return negDot ? -s : s;
}

/** Stores the eight lanes of two vectors `stride` bytes apart. */
// @ts-ignore: decorator
@inline function store8(to: usize, stride: usize, a: v128, b: v128): void {
  store<f32>(to, f32x4.extract_lane(a, 0));
  store<f32>(to + stride, f32x4.extract_lane(a, 1));
  store<f32>(to + 2 * stride, f32x4.extract_lane(a, 2));
  store<f32>(to + 3 * stride, f32x4.extract_lane(a, 3));
  store<f32>(to + 4 * stride, f32x4.extract_lane(b, 0));
  store<f32>(to + 5 * stride, f32x4.extract_lane(b, 1));
  store<f32>(to + 6 * stride, f32x4.extract_lane(b, 2));
  store<f32>(to + 7 * stride, f32x4.extract_lane(b, 3));
}

/**
 * Eight centroids' table entries for four queries at once (rows `xStride` apart), written
 * interleaved at `to` (entry k's four lanes at to + k · stride): each centroid block is
 * loaded once per value for the four, and each lane sums as the one-query loop does, so
 * the entries are the same bit for bit.
 */
function block4(x: usize, xStride: usize, column: usize, rowStride: usize, dims: i32, negDot: bool, to: usize, stride: usize): void {
  let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
  let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
  let x1 = x + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
  if (negDot) {
    for (let t = 0; t < dims; t++) {
      let at = column + <usize>t * rowStride, off = <usize>t << 2;
      let c0 = v128.load(at), c1 = v128.load(at, 16);
      let v = f32x4.splat(load<f32>(x + off));
      a0 = f32x4.add(a0, f32x4.mul(v, c0)); b0 = f32x4.add(b0, f32x4.mul(v, c1));
      v = f32x4.splat(load<f32>(x1 + off));
      a1 = f32x4.add(a1, f32x4.mul(v, c0)); b1 = f32x4.add(b1, f32x4.mul(v, c1));
      v = f32x4.splat(load<f32>(x2 + off));
      a2 = f32x4.add(a2, f32x4.mul(v, c0)); b2 = f32x4.add(b2, f32x4.mul(v, c1));
      v = f32x4.splat(load<f32>(x3 + off));
      a3 = f32x4.add(a3, f32x4.mul(v, c0)); b3 = f32x4.add(b3, f32x4.mul(v, c1));
    }
    a0 = f32x4.neg(a0); b0 = f32x4.neg(b0); a1 = f32x4.neg(a1); b1 = f32x4.neg(b1);
    a2 = f32x4.neg(a2); b2 = f32x4.neg(b2); a3 = f32x4.neg(a3); b3 = f32x4.neg(b3);
  } else {
    for (let t = 0; t < dims; t++) {
      let at = column + <usize>t * rowStride, off = <usize>t << 2;
      let c0 = v128.load(at), c1 = v128.load(at, 16);
      let v = f32x4.splat(load<f32>(x + off));
      let d0 = f32x4.sub(v, c0), d1 = f32x4.sub(v, c1);
      a0 = f32x4.add(a0, f32x4.mul(d0, d0)); b0 = f32x4.add(b0, f32x4.mul(d1, d1));
      v = f32x4.splat(load<f32>(x1 + off));
      d0 = f32x4.sub(v, c0); d1 = f32x4.sub(v, c1);
      a1 = f32x4.add(a1, f32x4.mul(d0, d0)); b1 = f32x4.add(b1, f32x4.mul(d1, d1));
      v = f32x4.splat(load<f32>(x2 + off));
      d0 = f32x4.sub(v, c0); d1 = f32x4.sub(v, c1);
      a2 = f32x4.add(a2, f32x4.mul(d0, d0)); b2 = f32x4.add(b2, f32x4.mul(d1, d1));
      v = f32x4.splat(load<f32>(x3 + off));
      d0 = f32x4.sub(v, c0); d1 = f32x4.sub(v, c1);
      a3 = f32x4.add(a3, f32x4.mul(d0, d0)); b3 = f32x4.add(b3, f32x4.mul(d1, d1));
    }
  }
  store4x4(to, stride, a0, a1, a2, a3); // each 4 × 4 block of (query, centroid) transposed
  store4x4(to + 4 * stride, stride, b0, b1, b2, b3);
}

/** Stores rows q0 … q3 (one per query, four centroids each) as four centroid entries of four lanes, `stride` apart. */
// @ts-ignore: decorator
@inline function store4x4(to: usize, stride: usize, q0: v128, q1: v128, q2: v128, q3: v128): void {
  let lo01 = i32x4.shuffle(q0, q1, 0, 4, 1, 5), hi01 = i32x4.shuffle(q0, q1, 2, 6, 3, 7);
  let lo23 = i32x4.shuffle(q2, q3, 0, 4, 1, 5), hi23 = i32x4.shuffle(q2, q3, 2, 6, 3, 7);
  v128.store(to, i64x2.shuffle(lo01, lo23, 0, 2));
  v128.store(to + stride, i64x2.shuffle(lo01, lo23, 1, 3));
  v128.store(to + 2 * stride, i64x2.shuffle(hi01, hi23, 0, 2));
  v128.store(to + 3 * stride, i64x2.shuffle(hi01, hi23, 1, 3));
}
