// ADC lookup tables (pq.ts): each query slice's squared distance (l2) or dot product
// (ip, cosine) to every centroid of its subspace, for one query or a group of them.
// A group's queries are computed centroid block by centroid block, so the block read
// from the codebook for the first query is still in L1 for the others: one query's
// codebooks outgrow L2 (MNIST at m 16: 16 × 52 × 256 f32 = 832 KiB) and each query
// used to stream them again. Every table entry sums its values in order t = 0, 1, …
// (one lane or one scalar per centroid), as kmeans.ts distancesToCentroids and
// dotsWithCentroids do, so a group's tables equal one query's bit for bit, and both
// builds agree. Called by pq.ts (one query) and groupscan.ts (a group).
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
        let column = book + (<usize>k << 2);
        for (let q = 0; q < queries; q++) {
          let x = x0 + <usize>q * slicedStride;
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
          let to = out + <usize>q * queryStride + <usize>(j * K + k) * entryStride;
          if (entryStride == 4) {
            v128.store(to, acc0);
            v128.store(to, acc1, 16);
          } else {
            store8(to, entryStride, acc0, acc1);
          }
        }
      }
    }
    for (; k + 4 <= K; k += 4) { // the scalar build: four centroids a turn, one sum each, in the same order
      let column = book + (<usize>k << 2);
      for (let q = 0; q < queries; q++) {
        let x = x0 + <usize>q * slicedStride;
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
        let to = out + <usize>q * queryStride + <usize>(j * K + k) * entryStride;
        store<f32>(to, negDot ? -s0 : s0);
        store<f32>(to + entryStride, negDot ? -s1 : s1);
        store<f32>(to + 2 * entryStride, negDot ? -s2 : s2);
        store<f32>(to + 3 * entryStride, negDot ? -s3 : s3);
      }
    }
    for (; k < K; k++) { // K is 2^bits, so never reached today; kept so no K is assumed
      for (let q = 0; q < queries; q++) {
        let x = x0 + <usize>q * slicedStride;
        let s: f32 = 0;
        for (let t = 0; t < dims; t++) {
          let value = load<f32>(x + (<usize>t << 2)), c = load<f32>(book + <usize>t * rowStride + (<usize>k << 2));
          if (negDot) s += value * c;
          else {
            let d = value - c;
            s += d * d;
          }
        }
        store<f32>(out + <usize>q * queryStride + <usize>(j * K + k) * entryStride, negDot ? -s : s);
      }
    }
  }
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
