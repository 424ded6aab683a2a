// 8-bit scalar quantisation ('i8'): value j of a row ≈ offset[j] + scale · code[j], one
// scale for the whole index and one offset per dimension, trained by min / max per
// dimension over a sample. For l2, codes use all 256 steps (-128 … 127) from each
// dimension's minimum, and the offset cancels in every difference. A sample of integers
// spanning at most 256 values (pixels, SIFT descriptors) gets scale 1 and integer offsets,
// so such data is stored exactly (FAISS's QT_8bit_direct, found by training). For ip and cosine the offset is
// 0 and codes are symmetric (-127 … 127), so a dot product of codes is the rows' dot
// product over scale². Queries are quantised the same way, and distances are exact
// integer sums of codes, so the SIMD and scalar builds agree bit for bit. Called by
// storage.ts, training.ts and the kernel export.
//
//   a row ─► ┌────┬────┬─  ─┬────┬──────────┐   codeBytes = dim rounded up to 16
//            │ c0 │ c1 │ …  │ cN │ 0 padding│   (i8 each)
//            └────┴────┴─  ─┴────┴──────────┘
//   QUANTIZER ─► ┌───────┬──────┬──────────┬─────┬─────────────────────┬───────────────────────────────┐
//                │ scale │ rows │ fraction │ pad │ offsets: stride f32 │ training: min, max: stride f32│
//                └───────┴──────┴──────────┴─────┴─────────────────────┴───────────────────────────────┘
//                 saved: the first 16 + stride × 4 bytes; rows counts the training sample,
//                 fraction is 1 once a value with a fractional part was seen

const HEADER_BYTES: usize = 16;
const MAX_CODE: f32 = 127;
/** The lowest code: -128 where offsets are trained (l2), -127 where codes must be symmetric (dot products). */
const MIN_CODE_CENTRED: f32 = -128;

/** Bytes of an i8 row of `dim` values: whole v128s. */
export function codeBytesI8(dim: i32): usize {
  return (<usize>dim + 15) & ~15;
}

/** Bytes of the saved parameters (`working`: with training's min and max). */
export function quantizerBytesI8(stride: i32, working: bool): usize {
  return HEADER_BYTES + (<usize>stride << 2) * (working ? 3 : 1);
}

/** The index's scale. */
// @ts-ignore: decorator
@inline export function scaleI8(quantizer: usize): f32 {
  return load<f32>(quantizer);
}

/** Σ (a[j] - b[j])² over `bytes` codes (a multiple of 16): at most 65536 × 255², below 2^32. */
export function l2I8(a: usize, b: usize, bytes: usize): u32 {
  let end = a + bytes;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; a < end; a += 16, b += 16) {
      let va = v128.load(a), vb = v128.load(b);
      let lo = i16x8.sub(i16x8.extend_low_i8x16_s(va), i16x8.extend_low_i8x16_s(vb));
      let hi = i16x8.sub(i16x8.extend_high_i8x16_s(va), i16x8.extend_high_i8x16_s(vb));
      acc = i32x4.add(acc, i32x4.add(i32x4.dot_i16x8_s(lo, lo), i32x4.dot_i16x8_s(hi, hi)));
    }
    // Each lane stays below 2^31 (4096 blocks × 2 × 2 × 255² at most); their sum needs 32 unsigned bits.
    return <u32>i32x4.extract_lane(acc, 0) + <u32>i32x4.extract_lane(acc, 1)
      + <u32>i32x4.extract_lane(acc, 2) + <u32>i32x4.extract_lane(acc, 3);
  }
  let sum: u32 = 0;
  for (; a < end; a += 4, b += 4) {
    let d0 = <i32>load<i8>(a) - <i32>load<i8>(b), d1 = <i32>load<i8>(a, 1) - <i32>load<i8>(b, 1);
    let d2 = <i32>load<i8>(a, 2) - <i32>load<i8>(b, 2), d3 = <i32>load<i8>(a, 3) - <i32>load<i8>(b, 3);
    sum += <u32>(d0 * d0 + d1 * d1) + <u32>(d2 * d2 + d3 * d3);
  }
  return sum;
}

/** Σ a[j] · b[j] over `bytes` codes (a multiple of 16): |sum| < 2^31 for any dim up to 65536. */
export function dotI8(a: usize, b: usize, bytes: usize): i32 {
  let end = a + bytes;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; a < end; a += 16, b += 16) {
      let va = v128.load(a), vb = v128.load(b);
      let lo = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(va), i16x8.extend_low_i8x16_s(vb));
      let hi = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(va), i16x8.extend_high_i8x16_s(vb));
      acc = i32x4.add(acc, i32x4.add(lo, hi));
    }
    return i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  let sum: i32 = 0;
  for (; a < end; a += 4, b += 4) {
    sum += <i32>load<i8>(a) * <i32>load<i8>(b) + <i32>load<i8>(a, 1) * <i32>load<i8>(b, 1)
      + <i32>load<i8>(a, 2) * <i32>load<i8>(b, 2) + <i32>load<i8>(a, 3) * <i32>load<i8>(b, 3);
  }
  return sum;
}

/**
 * Writes the codes of the f32 row at `src` (dim values) at `dst`, padding with 0; values
 * beyond the trained range clamp. `centred` as trainEndI8.
 */
export function quantizeI8(quantizer: usize, src: usize, dst: usize, dim: i32, centred: bool): void {
  let inverse: f32 = 1 / scaleI8(quantizer);
  let offsets = quantizer + HEADER_BYTES;
  let lowest = centred ? MIN_CODE_CENTRED : -MAX_CODE;
  for (let j = 0; j < dim; j++) {
    let at = <usize>j << 2;
    let code = nearest<f32>((load<f32>(src + at) - load<f32>(offsets + at)) * inverse);
    store<i8>(dst + j, <i8>max(lowest, min(MAX_CODE, code)));
  }
  memory.fill(dst + dim, 0, codeBytesI8(dim) - <usize>dim);
}

/** Writes the f32 values the codes at `src` stand for at `dst` (stride values; padding 0). */
export function dequantizeI8(quantizer: usize, src: usize, dst: usize, dim: i32, stride: i32): void {
  let scale = scaleI8(quantizer);
  let offsets = quantizer + HEADER_BYTES;
  for (let j = 0; j < dim; j++) {
    let at = <usize>j << 2;
    store<f32>(dst + at, load<f32>(offsets + at) + scale * <f32>load<i8>(src + j));
  }
  memory.fill(dst + (<usize>dim << 2), 0, <usize>(stride - dim) << 2);
}

/** Starts training: no rows seen. */
export function trainBeginI8(quantizer: usize, stride: i32): void {
  store<u32>(quantizer, 0, 4);
  store<u32>(quantizer, 0, 8);
  let min = quantizer + HEADER_BYTES + (<usize>stride << 2), max = min + (<usize>stride << 2);
  for (let j = 0; j < stride; j++) {
    store<f32>(min + (<usize>j << 2), Infinity);
    store<f32>(max + (<usize>j << 2), -Infinity);
  }
}

/** Widens each dimension's range to the f32 row at `row`. */
export function trainRowI8(quantizer: usize, row: usize, stride: i32): void {
  store<u32>(quantizer, load<u32>(quantizer, 4) + 1, 4);
  let min = quantizer + HEADER_BYTES + (<usize>stride << 2), max = min + (<usize>stride << 2);
  let fraction = false;
  for (let j = 0; j < stride; j++) {
    let at = <usize>j << 2, v = load<f32>(row + at);
    store<f32>(min + at, Mathf.min(load<f32>(min + at), v));
    store<f32>(max + at, Mathf.max(load<f32>(max + at), v));
    fraction = fraction || Mathf.trunc(v) != v;
  }
  if (fraction) store<u32>(quantizer, 1, 8);
}

/**
 * Sets scale and offsets from the ranges seen. `centred` (l2): the scale is the widest
 * range / 255 and each offset its minimum + 128 steps, so the range maps onto -128 … 127.
 * Otherwise offsets are 0 and the scale is the largest magnitude / 127. Integers that fit
 * get scale 1. False when no row was seen.
 */
export function trainEndI8(quantizer: usize, stride: i32, centred: bool): bool {
  if (load<u32>(quantizer, 4) == 0) return false;
  let offsets = quantizer + HEADER_BYTES, min = offsets + (<usize>stride << 2), max = min + (<usize>stride << 2);
  let reach: f32 = 0;
  for (let j = 0; j < stride; j++) {
    let at = <usize>j << 2, lo = load<f32>(min + at), hi = load<f32>(max + at);
    reach = Mathf.max(reach, centred ? hi - lo : Mathf.max(hi, -lo));
  }
  let steps = centred ? MAX_CODE - MIN_CODE_CENTRED : MAX_CODE;
  let scale = reach / steps;
  // Every row equal (or zero): any scale reproduces them; 1 keeps the inverse finite.
  // Integers that fit in the steps: scale 1 stores them exactly.
  let integers = load<u32>(quantizer, 8) == 0;
  if (!(scale > 1e-30 && scale < Infinity) || (integers && reach <= steps)) scale = 1;
  store<f32>(quantizer, scale);
  for (let j = 0; j < stride; j++) {
    let at = <usize>j << 2;
    store<f32>(offsets + at, centred ? load<f32>(min + at) - MIN_CODE_CENTRED * scale : 0);
  }
  return true;
}

/** Whether loaded parameters are usable: a finite positive scale and finite offsets. */
export function quantizerValidI8(quantizer: usize, stride: i32): bool {
  let scale = scaleI8(quantizer);
  if (!(scale > 1e-30 && scale < Infinity)) return false;
  for (let j = 0; j < stride; j++) {
    if (!isFinite<f32>(load<f32>(quantizer + HEADER_BYTES + (<usize>j << 2)))) return false;
  }
  return true;
}
