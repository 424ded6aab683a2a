// One bit per dimension ('binary'): bit j of a row is set when value j lies above the
// trained centre c (the mean of a sample). Distances are RaBitQ's estimator (Gao & Long,
// SIGMOD 2024) without its random rotation: with o = (x - c) / ‖x - c‖ and b̄ the row's
// bits as ±1/√d, ⟨x - c, u⟩ ≈ ‖x - c‖ · ⟨b̄, u⟩ / ⟨b̄, o⟩, where ⟨b̄, o⟩ = Σ|x_j - c_j| /
// (√d ‖x - c‖) corrects the bias plain sign bits have. The query u (q - c for l2, q for
// dot products) is quantised to 4 bits and split into bit planes, so ⟨bits, u⟩ is four
// AND + popcount passes; two stored rows compare by Hamming distance.
// Measured better than plain Hamming at every re-rank depth (README "binary"); a rotation
// gained little on the data we measured and would pad codes to a power of two. The
// popcounts are 64-bit in both builds and the factors are computed by the same scalar
// code, so the SIMD and scalar builds agree bit for bit. Called by storage.ts, training.ts and the kernel export.
//
//   a row ─► ┌──────────────────────────────┬──────┬──────┬──────┬─────┐
//            │ bits: bitBytes (dim → 16 B)  │ norm │ f    │ dotC │ pad │  f32 factors:
//            └──────────────────────────────┴──────┴──────┴──────┴─────┘  ‖x-c‖, ‖x-c‖/⟨b̄,o⟩, ⟨x,c⟩
//   prepared query ─► ┌─────────┬─────────┬─────────┬─────────┬────┬───┬─────┬───────┬──────┐
//                     │ plane 0 │ plane 1 │ plane 2 │ plane 3 │ lo │ Δ │ Σ u │ qTerm │ 1/√d │
//                     └─────────┴─────────┴─────────┴─────────┴────┴───┴─────┴───────┴──────┘
//                     u_j ≈ lo + Δ · (4-bit code j); qTerm = ‖q-c‖² (l2) or ⟨q,c⟩ (dot)
//   QUANTIZER ─► ┌──────┬───────┬─────┬─────┬───────────────────┬──────────────────────────┐
//                │ rows │ ‖c‖²  │ pad │ pad │ centre: stride f32│ training: sums, stride f64│
//                └──────┴───────┴─────┴─────┴───────────────────┴──────────────────────────┘
//                 saved: the first 16 + stride × 4 bytes

const HEADER_BYTES: usize = 16;
const FACTOR_BYTES: usize = 16;
const LEVELS: f32 = 15; // 4-bit query codes

/** Sets bit `j` of the bits at `bits` (bit j & 7 of byte j >> 3). */
// @ts-ignore: decorator
@inline function setBit(bits: usize, j: i32): void {
  let at = bits + (<usize>j >> 3);
  store<u8>(at, load<u8>(at) | (<u8>1 << <u8>(j & 7)));
}

/** Bytes of a row's bits: dim bits in whole v128s. */
export function bitBytes(dim: i32): usize {
  return ((<usize>dim + 127) & ~127) >> 3;
}

/** Bytes of a binary row: bits and factors. */
export function codeBytesBinary(dim: i32): usize {
  return bitBytes(dim) + FACTOR_BYTES;
}

/** Bytes of a prepared query: four planes and five f32 (padded to 32 bytes). */
export function preparedBytesBinary(dim: i32): usize {
  return 4 * bitBytes(dim) + 32;
}

/** Bytes of the saved parameters (`working`: with training's f64 sums). */
export function quantizerBytesBinary(stride: i32, working: bool): usize {
  return HEADER_BYTES + (<usize>stride << 2) + (working ? <usize>stride << 3 : 0);
}

/**
 * Bits that differ between the rows at `a` and `b` over `bytes` (a multiple of 8): the
 * Hamming distance. Both builds count 64 bits at a time: i8x16.popcnt and the widening
 * adds it needs measured 0.77-0.93x the speed of i64.popcnt here.
 */
export function hamming(a: usize, b: usize, bytes: usize): u32 {
  let end = a + bytes;
  let sum: u64 = 0;
  for (; a < end; a += 8, b += 8) sum += popcnt<u64>(load<u64>(a) ^ load<u64>(b));
  return <u32>sum;
}

/**
 * Σ over set bits of the row at `code` of the query's 4-bit codes (planes at `planes`,
 * each `bytes` long), in the high 32 bits; the row's popcount in the low 32. 64 bits at a
 * time in both builds (i8x16.popcnt measured 0.59-0.90x the speed of i64.popcnt).
 */
export function planesDot(planes: usize, code: usize, bytes: usize): u64 {
  let end = code + bytes;
  let total: u64 = 0, count: u64 = 0;
  for (; code < end; code += 8, planes += 8) {
    let x = load<u64>(code);
    total += popcnt<u64>(x & load<u64>(planes)) + (popcnt<u64>(x & load<u64>(planes + bytes)) << 1)
      + (popcnt<u64>(x & load<u64>(planes + 2 * bytes)) << 2) + (popcnt<u64>(x & load<u64>(planes + 3 * bytes)) << 3);
    count += popcnt<u64>(x);
  }
  return (total << 32) | count;
}

/** Writes the bits and factors of the f32 row at `src` at `dst`. */
export function encodeBinary(quantizer: usize, src: usize, dst: usize, dim: i32): void {
  let centre = quantizer + HEADER_BYTES, bytes = bitBytes(dim);
  memory.fill(dst, 0, bytes);
  let normSq: f32 = 0, absSum: f32 = 0, dotC: f32 = 0;
  for (let j = 0; j < dim; j++) {
    let at = <usize>j << 2, x = load<f32>(src + at), c = load<f32>(centre + at), r = x - c;
    if (r > 0) setBit(dst, j);
    normSq += r * r;
    absSum += Mathf.abs(r);
    dotC += x * c;
  }
  let norm = Mathf.sqrt(normSq);
  // f = ‖x - c‖ / ⟨b̄, o⟩ = ‖x - c‖² √d / Σ|x_j - c_j|; a row at the centre has f = 0.
  store<f32>(dst + bytes, norm);
  store<f32>(dst + bytes, absSum > 0 ? normSq * Mathf.sqrt(<f32>dim) / absSum : 0, 4);
  store<f32>(dst + bytes, dotC, 8);
  store<f32>(dst + bytes, 0, 12);
}

/** Writes the prepared form of the f32 query at `query` at `dst`; `residual` (l2) measures from the centre. */
export function prepareBinary(quantizer: usize, query: usize, dst: usize, dim: i32, residual: bool): void {
  let centre = quantizer + HEADER_BYTES, bytes = bitBytes(dim);
  let lo: f32 = Infinity, hi: f32 = -Infinity, qTerm: f32 = 0;
  for (let j = 0; j < dim; j++) {
    let at = <usize>j << 2, q = load<f32>(query + at), c = load<f32>(centre + at);
    let u = residual ? q - c : q;
    lo = Mathf.min(lo, u);
    hi = Mathf.max(hi, u);
    qTerm += residual ? u * u : q * c;
  }
  let delta = hi > lo ? (hi - lo) / LEVELS : 1;
  memory.fill(dst, 0, 4 * bytes);
  let codes: u32 = 0;
  for (let j = 0; j < dim; j++) {
    let at = <usize>j << 2, q = load<f32>(query + at);
    let u = residual ? q - load<f32>(centre + at) : q;
    let level = <u32>nearest<f32>((u - lo) / delta);
    codes += level;
    for (let b = 0; b < 4; b++) if ((level >> b) & 1) setBit(dst + <usize>b * bytes, j);
  }
  let tail = dst + 4 * bytes;
  store<f32>(tail, lo);
  store<f32>(tail, delta, 4);
  store<f32>(tail, <f32>dim * lo + delta * <f32>codes, 8); // Σ u over the quantised values
  store<f32>(tail, qTerm, 12);
  store<f32>(tail, 1 / Mathf.sqrt(<f32>dim), 16);
}

/** The estimated distance from a prepared query to the row at `code` (l2 when `residual`, else 1 - dot). */
export function queryDistanceBinary(prepared: usize, code: usize, dim: i32, residual: bool): f32 {
  let bytes = bitBytes(dim);
  let packed = planesDot(prepared, code, bytes);
  let tail = prepared + 4 * bytes, factors = code + bytes;
  let lo = load<f32>(tail), delta = load<f32>(tail, 4), sumU = load<f32>(tail, 8), qTerm = load<f32>(tail, 12);
  let onBits = lo * <f32>(<u32>packed) + delta * <f32>(<u32>(packed >> 32)); // Σ u_j over set bits
  let estimate = load<f32>(factors, 4) * (2 * onBits - sumU) * load<f32>(tail, 16); // ≈ ⟨x - c, u⟩
  if (residual) {
    let norm = load<f32>(factors);
    return norm * norm + qTerm - 2 * estimate;
  }
  return 1 - (qTerm + estimate);
}

/**
 * The estimated distance between the rows at `a` and `b`, from their Hamming distance:
 * the storage contract's slot-to-slot distance. No index calls it today: an HnswIndex
 * over bits keeps its f32 rows and builds from them (src/options.ts says why).
 */
export function pairDistanceBinary(quantizer: usize, a: usize, b: usize, dim: i32, residual: bool): f32 {
  let bytes = bitBytes(dim);
  let agreement: f32 = 1 - 2 * <f32>hamming(a, b, bytes) / <f32>dim; // ⟨b̄_a, b̄_b⟩
  let estimate = agreement * load<f32>(a + bytes, 4) * load<f32>(b + bytes, 4); // ≈ ⟨a - c, b - c⟩
  if (residual) {
    let normA = load<f32>(a + bytes), normB = load<f32>(b + bytes);
    return normA * normA + normB * normB - 2 * estimate;
  }
  return 1 - (estimate + load<f32>(a + bytes, 8) + load<f32>(b + bytes, 8) - load<f32>(quantizer, 4));
}

/** The row at `code` as f32 at `dst` (stride values): c ± ‖x - c‖ / √d per bit, the nearest the bits allow. */
export function decodeBinary(quantizer: usize, code: usize, dst: usize, dim: i32, stride: i32): void {
  let centre = quantizer + HEADER_BYTES, step = load<f32>(code + bitBytes(dim)) / Mathf.sqrt(<f32>dim);
  for (let j = 0; j < dim; j++) {
    let bit = (load<u8>(code + (j >> 3)) >> <u8>(j & 7)) & 1;
    store<f32>(dst + (<usize>j << 2), load<f32>(centre + (<usize>j << 2)) + (bit ? step : -step));
  }
  memory.fill(dst + (<usize>dim << 2), 0, <usize>(stride - dim) << 2);
}

/** Whether the row at `code` is one encodeBinary() could write: no bits past dim, finite factors. */
export function binarySound(code: usize, dim: i32): bool {
  let bytes = bitBytes(dim);
  for (let j = dim; j < <i32>(bytes << 3); j++) if ((load<u8>(code + (<usize>j >> 3)) >> <u8>(j & 7)) & 1) return false;
  let factors = code + bytes, norm = load<f32>(factors), f = load<f32>(factors, 4);
  return norm >= 0 && norm < Infinity && f >= 0 && f < Infinity && isFinite<f32>(load<f32>(factors, 8)) && load<u32>(factors, 12) == 0;
}

/** Starts training: zero sums, no rows. */
export function trainBeginBinary(quantizer: usize, stride: i32): void {
  store<u32>(quantizer, 0);
  memory.fill(quantizer + HEADER_BYTES + (<usize>stride << 2), 0, <usize>stride << 3);
}

/** Adds the f32 row at `row` to the sums. */
export function trainRowBinary(quantizer: usize, row: usize, stride: i32): void {
  store<u32>(quantizer, load<u32>(quantizer) + 1);
  let sums = quantizer + HEADER_BYTES + (<usize>stride << 2);
  for (let j = 0; j < stride; j++) {
    let at = sums + (<usize>j << 3);
    store<f64>(at, load<f64>(at) + <f64>load<f32>(row + (<usize>j << 2)));
  }
}

/** Sets the centre to the mean of the rows seen; false when none was. */
export function trainEndBinary(quantizer: usize, stride: i32): bool {
  let rows = load<u32>(quantizer);
  if (rows == 0) return false;
  let centre = quantizer + HEADER_BYTES, sums = centre + (<usize>stride << 2);
  let normSq: f32 = 0;
  for (let j = 0; j < stride; j++) {
    let c = <f32>(load<f64>(sums + (<usize>j << 3)) / <f64>rows);
    store<f32>(centre + (<usize>j << 2), c);
    normSq += c * c;
  }
  store<f32>(quantizer, normSq, 4);
  return true;
}

/** Whether loaded parameters are usable: a finite centre and ‖c‖². */
export function quantizerValidBinary(quantizer: usize, stride: i32): bool {
  if (!isFinite<f32>(load<f32>(quantizer, 4))) return false;
  for (let j = 0; j < stride; j++) {
    if (!isFinite<f32>(load<f32>(quantizer + HEADER_BYTES + (<usize>j << 2)))) return false;
  }
  return true;
}
