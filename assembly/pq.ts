// Product quantization ('pq', Jégou, Douze & Schmid 2011): a row is cut into m
// consecutive slices of subDims values (the last slices zero-padded when m does not
// divide dim), and each slice is stored as the number of its nearest centroid among
// K = 2^bits trained by k-means (kmeans.ts). A query is compared with a code through a
// table of its distances to every centroid (asymmetric distance computation, ADC): one
// lookup and one add per subspace. Both builds sum in the same order, bit for bit.
// 4-bit codes of a FlatIndex are laid out in blocks of 32 slots for the SIMD scan in
// fastscan.ts; every other code is one slot's m bytes (8 bits) or m/2 bytes (4 bits,
// two subspaces a byte, low nibble first). Called by storage.ts, training.ts and fastscan.ts.
//
//   QUANTIZER ─► codebooks: m × subStride × K f32; subspace j's centroids transposed
//                (value t of centroid k at [j][t][k]); values t >= subDims are 0. After
//                the saved part (and an IVF's coarse centroids), a centroid-major copy for
//                decoding (deriveCentroidRows)
//   TRAINING  ─► sample: m × rows × subStride f32 (subspace-major), then kmeans.ts's work
//   prepared  ─► ┌─────────────┬────────────┬──────────────┬──────────────┬───────────┬─────────┬───────────┐
//   (context)    │ table: m × K│ sliced: pd │ decodedA: pd │ decodedB: pd │ code: m B │ dist: K │ fastscan  │
//                └─────────────┴────────────┴──────────────┴──────────────┴───────────┴─────────┴───────────┘
//                table: squared distances (l2) or -dot (ip, cosine) of the query's slices to
//                every centroid; pd = m × subStride f32; fastscan: fastscan.ts's lookup table

import { Kind, Metric, State } from '../src/abi';
import { dim, metric } from './params';
import { stateWord } from './state';
import { dot, l2 } from './distance';
import { adcTables } from './adctable';
import { argmin, distancesToCentroids, dotsWithCentroids, kmeansIterate, kmeansSeed, kmeansWorkBytes } from './kmeans';

export let pqM: i32 = 0;
export let pqBits: i32 = 0;
/** Centroids per subspace: 2^bits. */
export let centroids: i32 = 0;
/** Row values per subspace: ceil(dim / m). */
export let subDims: i32 = 0;
/** subDims rounded up to a multiple of 4 (one v128): the stride of a slice. */
export let subStride: i32 = 0;
/** Values of a sliced row: m × subStride. */
export let slicedDims: i32 = 0;
/** Bytes of one slot's code in the per-slot layout. */
export let codeBytesPq: usize = 0;
/** Whether codes lie in fastscan.ts's blocks of 32 (4-bit codes of a FlatIndex). */
export let blocked: bool = false;
/** Slots per block of the blocked layout. */
export const BLOCK: u32 = 32;

/** Sets the shape from the state record. Called by storage.ts deriveStorage(). */
export function derivePq(): void {
  pqM = stateWord(State.PQ_M);
  pqBits = stateWord(State.PQ_BITS);
  centroids = 1 << pqBits;
  subDims = (dim + pqM - 1) / pqM;
  subStride = (subDims + 3) & ~3;
  slicedDims = pqM * subStride;
  codeBytesPq = pqBits == 8 ? <usize>pqM : <usize>(pqM + 1) >> 1;
  blocked = pqBits == 4 && stateWord(State.KIND) == Kind.FLAT;
}

/** Bytes the codes of `slots` slots take. */
export function codesBytesPq(slots: u64): u64 {
  if (blocked) return (slots + BLOCK - 1) / BLOCK * (<u64>pqM << 4);
  return slots * <u64>codeBytesPq;
}

/** Bytes of the codebooks (the saved QUANTIZER region). */
export function quantizerBytesPq(): usize {
  return <usize>slicedDims * <usize>centroids << 2;
}

// Offsets of the prepared query's parts (see the header).
// @ts-ignore: decorator
@inline function tableBytes(): usize { return <usize>pqM * <usize>centroids << 2; }
// @ts-ignore: decorator
@inline function slicedBytes(): usize { return <usize>slicedDims << 2; }
// @ts-ignore: decorator
@inline export function slicedAt(prepared: usize): usize { return prepared + tableBytes(); }
// @ts-ignore: decorator
@inline function decodedAAt(prepared: usize): usize { return slicedAt(prepared) + slicedBytes(); }
// @ts-ignore: decorator
@inline function decodedBAt(prepared: usize): usize { return decodedAAt(prepared) + slicedBytes(); }
/** The query's own code, per-slot layout: what a new row stores. */
// @ts-ignore: decorator
@inline export function ownCodeAt(prepared: usize): usize { return decodedBAt(prepared) + slicedBytes(); }
// @ts-ignore: decorator
@inline function distAt(prepared: usize): usize { return ownCodeAt(prepared) + ((<usize>pqM + 15) & ~15); }
/** A row of scratch (slicedDims f32, at least stride): decodePq()'s code, ivf.ts's residual. */
// @ts-ignore: decorator
@inline export function scratchRowAt(prepared: usize): usize { return decodedBAt(prepared); }
/** fastscan.ts's quantised lookup table. */
// @ts-ignore: decorator
@inline export function lutAt(prepared: usize): usize { return distAt(prepared) + (<usize>centroids << 2); }

/** Bytes of a prepared query up to lutAt() (storage.ts adds fastscan.ts's lutBytes for blocked codes). */
export function preparedBytesPq(): usize {
  return <usize>lutAt(0);
}

/** Real (unpadded) values of subspace j. */
// @ts-ignore: decorator
@inline function realDims(j: i32): i32 {
  return max(0, min(subDims, dim - j * subDims));
}

/** Copies a row of dim values at `row` into m zero-padded slices at `sliced`. */
export function slice(row: usize, sliced: usize): void {
  for (let j = 0; j < pqM; j++) {
    let to = sliced + (<usize>(j * subStride) << 2);
    let n = realDims(j);
    memory.copy(to, row + (<usize>(j * subDims) << 2), <usize>n << 2);
    memory.fill(to + (<usize>n << 2), 0, <usize>(subStride - n) << 2);
  }
}

/** Subspace j's codebook (subStride × K, transposed). */
// @ts-ignore: decorator
@inline function book(quantizer: usize, j: i32): usize {
  return quantizer + (<usize>j * <usize>subStride * <usize>centroids << 2);
}

/**
 * Prepares a query row (normalised for cosine): slices it and builds its ADC table
 * (squared distances for l2; minus dot products for ip and cosine, to which 1 is added
 * once).
 */
export function preparePq(quantizer: usize, query: usize, prepared: usize): void {
  let sliced = slicedAt(prepared);
  slice(query, sliced);
  adcTables(quantizer, pqM, subStride, centroids, sliced, 0, 1, metric != Metric.L2, prepared, 0, 4);
}

/** The dot products of `row`'s slices with every centroid into the table at `prepared` (`sliced`: scratch). */
export function dotTable(quantizer: usize, row: usize, sliced: usize, prepared: usize): void {
  slice(row, sliced);
  for (let j = 0; j < pqM; j++) {
    dotsWithCentroids(sliced + (<usize>(j * subStride) << 2), book(quantizer, j), subStride, centroids, prepared + (<usize>j * <usize>centroids << 2));
  }
}

/**
 * Encodes the prepared query (preparePq() done) as a code in the per-slot layout at
 * ownCodeAt(): each slice's nearest centroid (the l2 table's minimum; for the dot
 * metrics, distances computed afresh). Returns that address.
 */
export function encodePq(quantizer: usize, prepared: usize): usize {
  let sliced = slicedAt(prepared);
  let dist = distAt(prepared);
  let code = ownCodeAt(prepared);
  memory.fill(code, 0, codeBytesPq);
  for (let j = 0; j < pqM; j++) {
    let distances = prepared + (<usize>j * <usize>centroids << 2);
    if (metric != Metric.L2) {
      distancesToCentroids(sliced + (<usize>(j * subStride) << 2), book(quantizer, j), subStride, centroids, dist);
      distances = dist;
    }
    let nearest = argmin(distances, centroids);
    if (pqBits == 8) store<u8>(code + <usize>j, <u8>nearest);
    else store<u8>(code + (<usize>j >> 1), load<u8>(code + (<usize>j >> 1)) | <u8>(nearest << ((j & 1) << 2)));
  }
  return code;
}

/** Subspace j's centroid number in the code of `slot`. */
// @ts-ignore: decorator
@inline export function codeAt(codes: usize, slot: u32, j: i32): i32 {
  if (pqBits == 8) return load<u8>(codes + <usize>slot * codeBytesPq + <usize>j);
  if (!blocked) return (load<u8>(codes + <usize>slot * codeBytesPq + (<usize>j >> 1)) >> ((j & 1) << 2)) & 15;
  let byte = load<u8>(codes + (<usize>(slot / BLOCK) * <usize>pqM << 4) + (<usize>j << 4) + <usize>(slot & 15));
  return (slot & 16) == 0 ? byte & 15 : byte >> 4;
}

/** Stores the code at `code` (per-slot layout) as the code of `slot`. */
export function storeCodePq(codes: usize, slot: u32, code: usize): void {
  if (!blocked) {
    memory.copy(codes + <usize>slot * codeBytesPq, code, codeBytesPq);
    return;
  }
  let shift: u32 = (slot & 16) == 0 ? 0 : 4;
  let keep: u8 = shift == 0 ? 0xf0 : 0x0f;
  let at = codes + (<usize>(slot / BLOCK) * <usize>pqM << 4) + <usize>(slot & 15);
  for (let j = 0; j < pqM; j++) {
    let nibble = (<u32>load<u8>(code + (<usize>j >> 1)) >> <u32>((j & 1) << 2)) & 15;
    let byte = at + (<usize>j << 4);
    store<u8>(byte, (load<u8>(byte) & keep) | <u8>(nibble << shift));
  }
}

/** Writes the code of `slot` at `code` in the per-slot layout (codeBytesPq bytes). */
export function loadCodePq(codes: usize, slot: u32, code: usize): void {
  if (!blocked) {
    memory.copy(code, codes + <usize>slot * codeBytesPq, codeBytesPq);
    return;
  }
  memory.fill(code, 0, codeBytesPq);
  for (let j = 0; j < pqM; j++) {
    store<u8>(code + (<usize>j >> 1), load<u8>(code + (<usize>j >> 1)) | <u8>(codeAt(codes, slot, j) << ((j & 1) << 2)));
  }
}

/**
 * Σ_j table[j][code[j]] of an 8-bit code. Four running sums (subspace j into sum j % 4)
 * keep four lookups in flight; adcPq() and the 8-bit scan (fastscan.ts) share it, so
 * every path gives the same distance.
 */
// @ts-ignore: decorator
@inline export function adc8(table: usize, code: usize, m: i32): f32 {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    let row = table + (<usize>j << 10);
    s0 += load<f32>(row + (<usize>load<u8>(code + <usize>j) << 2)); // byte loads measured faster than one u32 split four ways
    s1 += load<f32>(row + (<usize>load<u8>(code + <usize>j, 1) << 2), 1024);
    s2 += load<f32>(row + (<usize>load<u8>(code + <usize>j, 2) << 2), 2048);
    s3 += load<f32>(row + (<usize>load<u8>(code + <usize>j, 3) << 2), 3072);
  }
  for (; j < m; j++) s0 += load<f32>(table + (<usize>j << 10) + (<usize>load<u8>(code + <usize>j) << 2));
  return (s0 + s1) + (s2 + s3);
}

/** ADC: Σ_j table[j][code_j] of `slot`, plus 1 for the dot metrics (the table holds minus dot products). */
export function adcPq(table: usize, codes: usize, slot: u32): f32 {
  let sum = adcSum(table, codes, slot);
  return metric == Metric.L2 ? sum : 1 + sum;
}

/** Σ_j table[j][code_j] of `slot` alone: ivf.ts adds its list's own constant instead. */
export function adcSum(table: usize, codes: usize, slot: u32): f32 {
  let sum: f32;
  if (pqBits == 8) {
    sum = adc8(table, codes + <usize>slot * codeBytesPq, pqM);
  } else if (blocked) {
    sum = adcBlocked(table, codes, slot, pqM);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let m = pqM;
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      s0 += load<f32>(table + ((<usize>j * 16 + <usize>codeAt(codes, slot, j)) << 2));
      s1 += load<f32>(table + ((<usize>(j + 1) * 16 + <usize>codeAt(codes, slot, j + 1)) << 2));
      s2 += load<f32>(table + ((<usize>(j + 2) * 16 + <usize>codeAt(codes, slot, j + 2)) << 2));
      s3 += load<f32>(table + ((<usize>(j + 3) * 16 + <usize>codeAt(codes, slot, j + 3)) << 2));
    }
    for (; j < m; j++) s0 += load<f32>(table + ((<usize>j * 16 + <usize>codeAt(codes, slot, j)) << 2));
    sum = (s0 + s1) + (s2 + s3);
  }
  return sum;
}

/**
 * adcSum() of a 4-bit code in fastscan.ts's blocks (the re-score of the fast scan): the
 * slot's byte of subspace j is 16 bytes after that of j - 1, its nibble the same for
 * every j, so the address is worked out once; the same sums in the same order as the
 * per-slot loop (measured 2% of a siftsmall search through codeAt()).
 */
// @ts-ignore: decorator
@inline function adcBlocked(table: usize, codes: usize, slot: u32, m: i32): f32 {
  let row = codes + (<usize>(slot / BLOCK) * <usize>m << 4) + <usize>(slot & 15);
  let shift = (slot & 16) >> 2; // slots 16-31 of a block: the high nibble
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    let at = row + (<usize>j << 4), entries = table + (<usize>j << 6);
    s0 += load<f32>(entries + (<usize>((<u32>load<u8>(at) >> shift) & 15) << 2));
    s1 += load<f32>(entries + (<usize>((<u32>load<u8>(at, 16) >> shift) & 15) << 2), 64);
    s2 += load<f32>(entries + (<usize>((<u32>load<u8>(at, 32) >> shift) & 15) << 2), 128);
    s3 += load<f32>(entries + (<usize>((<u32>load<u8>(at, 48) >> shift) & 15) << 2), 192);
  }
  for (; j < m; j++) s0 += load<f32>(table + (<usize>j << 6) + (<usize>((<u32>load<u8>(row + (<usize>j << 4)) >> shift) & 15) << 2));
  return (s0 + s1) + (s2 + s3);
}

/** Subspace j's centroid number in a code in the per-slot layout. */
// @ts-ignore: decorator
@inline function codeValue(code: usize, j: i32): i32 {
  return pqBits == 8 ? <i32>load<u8>(code + <usize>j) : (load<u8>(code + (<usize>j >> 1)) >> ((j & 1) << 2)) & 15;
}

/** Bytes of the centroid-major copy of the codebooks (derived, not saved). */
export function centroidRowsBytes(): usize {
  return quantizerBytesPq();
}

/**
 * Writes the codebooks centroid-major at `rows` (subspace j's centroid k: subStride
 * values at (j · K + k) · subStride), so a decode or a distance between two codes reads
 * each centroid's values in one run instead of one cache line per value.
 */
export function deriveCentroidRows(quantizer: usize, rows: usize): void {
  let K = <usize>centroids;
  for (let j = 0; j < pqM; j++) {
    let b = book(quantizer, j);
    for (let k: usize = 0; k < K; k++) {
      let to = centroidRow(rows, j, <i32>k);
      for (let t = 0; t < subStride; t++) store<f32>(to + (<usize>t << 2), load<f32>(b + ((<usize>t * K + k) << 2)));
    }
  }
}

// @ts-ignore: decorator
@inline function centroidRow(rows: usize, j: i32, k: i32): usize {
  return rows + ((<usize>j * <usize>centroids + <usize>k) * <usize>subStride << 2);
}

/**
 * The centroids a code (per-slot layout) names, sliced (m × subStride values) at
 * `sliced`: runs from the centroid-major copy at `rows`, or, where an index keeps none
 * (rows 0: only graphs need fast pair distances), gathered from the codebooks.
 */
function reconstruct(quantizer: usize, rows: usize, code: usize, sliced: usize): void {
  let bytes = <usize>subStride << 2;
  let K = <usize>centroids;
  for (let j = 0; j < pqM; j++) {
    let to = sliced + <usize>j * bytes;
    if (rows != 0) {
      memory.copy(to, centroidRow(rows, j, codeValue(code, j)), bytes);
      continue;
    }
    let column = book(quantizer, j) + (<usize>codeValue(code, j) << 2);
    for (let t = 0; t < subStride; t++) store<f32>(to + (<usize>t << 2), load<f32>(column + (<usize>t * K << 2)));
  }
}

/**
 * Distance between the reconstructions of two slots' codes (the graph's neighbour
 * selection without kept rows; never blocked): per subspace, between the two centroids.
 */
export function pairDistancePq(rows: usize, codes: usize, a: u32, b: u32): f32 {
  let codeA = codes + <usize>a * codeBytesPq, codeB = codes + <usize>b * codeBytesPq;
  let sum: f32 = 0;
  for (let j = 0; j < pqM; j++) {
    let x = centroidRow(rows, j, codeValue(codeA, j)), y = centroidRow(rows, j, codeValue(codeB, j));
    sum += metric == Metric.L2 ? l2(x, y, subStride) : dot(x, y, subStride);
  }
  return metric == Metric.L2 ? sum : 1 - sum;
}

/** Writes the reconstruction of `code` (per-slot layout) at `dst` as a row of `stride` f32 (padding zero). */
export function decodeCodePq(quantizer: usize, rows: usize, code: usize, dst: usize, stride: i32, prepared: usize): void {
  let sliced = decodedAAt(prepared);
  reconstruct(quantizer, rows, code, sliced);
  memory.fill(dst, 0, <usize>stride << 2);
  for (let j = 0; j < pqM; j++) memory.copy(dst + (<usize>(j * subDims) << 2), sliced + (<usize>(j * subStride) << 2), <usize>realDims(j) << 2);
}

/** decodeCodePq() of the code of `slot`. */
export function decodePq(quantizer: usize, rows: usize, codes: usize, slot: u32, dst: usize, stride: i32, prepared: usize): void {
  let code = decodedBAt(prepared); // m × subStride f32: room for any code
  loadCodePq(codes, slot, code);
  decodeCodePq(quantizer, rows, code, dst, stride, prepared);
}

/** Whether the codebooks are usable: finite, padding values zero. */
export function quantizerValidPq(quantizer: usize): bool {
  let K = <usize>centroids;
  for (let j = 0; j < pqM; j++) {
    let b = book(quantizer, j), real = realDims(j);
    for (let t = 0; t < subStride; t++) {
      for (let k: usize = 0; k < K; k++) {
        let v = load<u32>(b + ((<usize>t * K + k) << 2));
        if (t >= real ? v != 0 : (v & 0x7f800000) == 0x7f800000) return false;
      }
    }
  }
  return true;
}

/** Whether a stored code is canonical: in the per-slot 4-bit layout with m odd, the last high nibble is 0. */
export function codeSoundPq(codes: usize, slot: u32): bool {
  if (pqBits == 8 || blocked || (pqM & 1) == 0) return true;
  return (load<u8>(codes + <usize>slot * codeBytesPq + codeBytesPq - 1) >> 4) == 0;
}

// Training, in a scratch instance src/ throws away afterwards (src/pq-training.ts): the
// sample and k-means' arrays would otherwise stay in the index's memory for good.

/** Bytes of the subspace-major sample of `rows` rows, and k-means' work over it. */
export function sampleBytesPq(rows: u32): u64 {
  return <u64>rows * <u64>slicedDims * 4;
}

/** Bytes of k-means' working arrays for one subspace of `rows` rows. */
export function workBytesPq(rows: u32): u64 {
  return kmeansWorkBytes(rows, subStride, centroids);
}

/** Subspace j's sample: rows × subStride f32. */
// @ts-ignore: decorator
@inline function sampleOf(sample: usize, rows: u32, j: i32): usize {
  return sample + (<usize>j * <usize>rows * <usize>subStride << 2);
}

/** Stores `row` (normalised for cosine) as sample row `index` of `rows`, slice by slice (`sliced`: scratch). */
export function addSampleRow(sample: usize, rows: u32, index: u32, row: usize, sliced: usize): void {
  slice(row, sliced);
  for (let j = 0; j < pqM; j++) {
    memory.copy(sampleOf(sample, rows, j) + (<usize>index * <usize>subStride << 2), sliced + (<usize>(j * subStride) << 2), <usize>subStride << 2);
  }
}

/** Steps of the codebooks' training: per subspace, a seeding and the Lloyd iterations. */
export function trainingStepsPq(iterations: u32): u32 {
  return <u32>pqM * (iterations + 1);
}

/**
 * Step `step` of the codebooks' training over the `fed` rows of a sample sized for
 * `rows`: seeds subspace j's centroids, or runs one Lloyd iteration on them.
 */
export function trainStepPq(quantizer: usize, sample: usize, rows: u32, fed: u32, work: usize, step: u32, iterations: u32, seed: u64, plusPlus: bool): void {
  let j = <i32>(step / (iterations + 1));
  let data = sampleOf(sample, rows, j);
  if (step % (iterations + 1) == 0) kmeansSeed(data, fed, subStride, centroids, book(quantizer, j), work, seed + <u64>j * 0x632be59bd9b4e019, plusPlus);
  else kmeansIterate(data, fed, subStride, centroids, book(quantizer, j), work, step % (iterations + 1) == 1);
}
