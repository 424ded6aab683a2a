// The inverted-file index (IVF-PQ, Jégou, Douze & Schmid 2011; FAISS's IndexIVFPQ): NLIST
// coarse centroids trained by k-means cut the space into lists; a row joins the list of
// its nearest centroid and is stored as the 'pq' code of its residual (row - centroid),
// which is smaller than the row and so better coded. A search ranks the lists by their
// centroid, then scans the nprobe best with a table built for each: the residual query
// against the codebooks (l2), or the query's own table plus its dot product with the
// centroid (ip, cosine). For l2 the per-list table comes from terms precomputed once per
// index (FAISS's precomputed tables): ||q - c - r||² = ||q - c||² + Σ_j (||r_j||² + 2 c_j·r_j)
// - 2 q_j·r_j, so a list costs m × K adds instead of m × K distances. Lists are grouped lazily: adds and removals only mark them stale,
// and the next search regroups the live slots by list (a counting sort) and copies their
// codes into list order, so every scan reads codes sequentially. Called by storage.ts
// (encoding, training), search.ts, regions.ts and integrity.ts.
//
//   QUANTIZER ─► pq.ts's codebooks, then the coarse centroids: stride × NLIST f32, transposed
//   LIST_OF   ─► capacity × u32: each slot's list (saved)
//   LISTS     ─► ┌────────────────────────┬─────────────────┬─────────────────────────┬──────────────────────────────┐
//                │ terms: NLIST × m × K   │ starts: NLIST+1 │ slots by list: capacity │ codes in that order: capacity │
//                └────────────────────────┴─────────────────┴─────────────────────────┴──────────────────────────────┘
//                terms (l2 only): ||c_jk||² + 2 c_lj · c_jk for list l, subspace j, centroid k

import { Admit, Metric, Region, State } from '../src/abi';
import { Context } from './context';
import { regionStart } from './layout';
import { dim, metric, stride } from './params';
import { count, setStateWord, stateWord } from './state';
import { argmin, distancesToCentroids, dotsWithCentroids, kmeansIterate, kmeansSeed, kmeansWorkBytes } from './kmeans';
import {
  adcSum, adc8, centroids, codeBytesPq, dotTable, encodePq, pqBits, pqM, preparedBytesPq, preparePq, quantizerBytesPq, scratchRowAt,
  slicedAt, storeCodePq,
} from './pq';
import { admits, offer } from './results';

/** Lists of this index (0 unless IVF). */
export let nlist: i32 = 0;

export function deriveIvf(): void {
  nlist = stateWord(State.NLIST);
}

/** Bytes of the coarse centroids, after the codebooks in QUANTIZER. */
export function coarseBytes(): usize {
  return <usize>stride * <usize>nlist << 2;
}

// @ts-ignore: decorator
@inline function coarse(quantizer: usize): usize {
  return quantizer + quantizerBytesPq();
}

/** Floats of one list's terms (m × K), and of every list's (l2 only). */
// @ts-ignore: decorator
@inline function tableFloats(): usize { return <usize>pqM * <usize>centroids; }
// @ts-ignore: decorator
@inline function termsBytes(): usize { return metric == Metric.L2 ? <usize>nlist * tableFloats() << 2 : 0; }

/** Bytes of the LISTS region for `capacity` slots. */
export function listsBytes(capacity: u64): u64 {
  return <u64>termsBytes() + ((<u64>nlist + 1) << 2) + (capacity << 2) + capacity * <u64>codeBytesPq;
}

// @ts-ignore: decorator
@inline function startsAt(): usize {
  return regionStart(Region.LISTS) + termsBytes();
}

// @ts-ignore: decorator
@inline function listStart(list: i32): u32 {
  return load<u32>(startsAt() + (<usize>list << 2));
}

// @ts-ignore: decorator
@inline function orderAt(): usize {
  return startsAt() + (<usize>(nlist + 1) << 2);
}

// @ts-ignore: decorator
@inline function listCodesAt(): usize {
  return orderAt() + (<usize>stateWord(State.CAPACITY) << 2);
}

/** Bytes a prepared query needs beyond pq.ts's: a score per list, and the query's part of every list's table (l2). */
export function preparedBytesIvf(): usize {
  return (<usize>nlist << 2) + (tableFloats() << 2);
}

/** The query's part of the tables (l2): -2 q_j · c_jk. */
// @ts-ignore: decorator
@inline function queryTermsAt(prepared: usize): usize {
  return scoresAt(prepared) + (<usize>nlist << 2);
}

/** The list scores of a prepared query: after pq.ts's parts (an IVF index's codes are never blocked). */
// @ts-ignore: decorator
@inline function scoresAt(prepared: usize): usize {
  return prepared + preparedBytesPq();
}

/** The list nearest (l2) to the row at `row`. */
function nearestList(quantizer: usize, row: usize, scores: usize): i32 {
  distancesToCentroids(row, coarse(quantizer), stride, nlist, scores);
  return argmin(scores, nlist);
}

/** `row` minus centroid `list`, at `out` (stride values). */
function residual(quantizer: usize, row: usize, list: i32, out: usize): void {
  let centroids = coarse(quantizer);
  let n = <usize>nlist;
  for (let t = 0; t < stride; t++) {
    store<f32>(out + (<usize>t << 2), load<f32>(row + (<usize>t << 2)) - load<f32>(centroids + ((<usize>t * n + <usize>list) << 2)));
  }
}

/** Stores the query row of `c` as the row of `slot`: its list, and the code of its residual. */
export function storeRowIvf(quantizer: usize, c: Context, slot: u32): void {
  let list = nearestList(quantizer, c.query, scoresAt(c.prepared));
  let res = scratchRowAt(c.prepared);
  residual(quantizer, c.query, list, res);
  preparePq(quantizer, res, c.prepared);
  storeCodePq(regionStart(Region.CODES), slot, encodePq(quantizer, c.prepared));
  store<u32>(regionStart(Region.LIST_OF) + (<usize>slot << 2), list);
  markListsStale();
}

/** Called whenever a slot joins, changes or leaves a list. */
export function markListsStale(): void {
  setStateWord(State.LISTS_STALE, 1);
}

/** Groups the live slots by list (a counting sort, slots in order within a list) and copies their codes into that order. */
export function regroupLists(): void {
  let starts = startsAt(), order = orderAt(), listCodes = listCodesAt();
  let listOf = regionStart(Region.LIST_OF), deleted = regionStart(Region.DELETED);
  let codes = regionStart(Region.CODES);
  let n = count();
  memory.fill(starts, 0, <usize>(nlist + 1) << 2);
  for (let slot: u32 = 0; slot < n; slot++) {
    if (load<u8>(deleted + slot) != 0) continue;
    let at = starts + (<usize>(load<u32>(listOf + (<usize>slot << 2)) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  for (let list = 1; list <= nlist; list++) {
    let at = starts + (<usize>list << 2);
    store<u32>(at, load<u32>(at) + load<u32>(at - 4));
  }
  // Fill each list from its start; the start words end one list ahead and are shifted back after.
  for (let slot: u32 = 0; slot < n; slot++) {
    if (load<u8>(deleted + slot) != 0) continue;
    let at = starts + (<usize>load<u32>(listOf + (<usize>slot << 2)) << 2);
    let position = load<u32>(at);
    store<u32>(at, position + 1);
    store<u32>(order + (<usize>position << 2), slot);
    memory.copy(listCodes + <usize>position * codeBytesPq, codes + <usize>slot * codeBytesPq, codeBytesPq);
  }
  for (let list = nlist; list > 0; list--) store<u32>(starts + (<usize>list << 2), load<u32>(starts + (<usize>(list - 1) << 2)));
  store<u32>(starts, 0);
  setStateWord(State.LISTS_STALE, 0);
}

/**
 * The `width` nearest to the query row of `c` among the slots `admit` allows, by ADC over
 * the `probes` lists whose centroids are nearest the query, and further lists in order
 * while fewer than `width` were found (a selective filter). Left in W; returns how many.
 */
export function searchIvf(c: Context, quantizer: usize, width: i32, probes: i32, admit: i32): i32 {
  if (stateWord(State.LISTS_STALE) != 0) regroupLists();
  let scores = scoresAt(c.prepared);
  let dotMetric = metric != Metric.L2;
  // The dot metrics' table is the query's own, -dot of its slices; l2's starts as -2 q_j · c_jk.
  if (dotMetric) preparePq(quantizer, c.query, c.prepared);
  else dotTable(quantizer, c.query, slicedAt(c.prepared), c.prepared);
  let queryTerms = queryTermsAt(c.prepared), floats = tableFloats();
  if (dotMetric) {
    dotsWithCentroids(c.query, coarse(quantizer), stride, nlist, scores);
    for (let list = 0; list < nlist; list++) store<f32>(scores + (<usize>list << 2), -load<f32>(scores + (<usize>list << 2)));
  } else {
    distancesToCentroids(c.query, coarse(quantizer), stride, nlist, scores);
    for (let i: usize = 0; i < floats; i++) store<f32>(queryTerms + (i << 2), -2 * load<f32>(c.prepared + (i << 2)));
  }
  let order = orderAt(), listCodes = listCodesAt();
  let results = 0, scanned = 0;
  let bound: f32 = Infinity; // W's farthest once W is full
  let m = pqM;
  for (let probed = 0; probed < nlist && (probed < probes || results < width); probed++) {
    let list = argmin(scores, nlist);
    // 1 - q·centroid (ip, cosine), or ||q - centroid||² (l2): what the codes' sum adds to
    let offset: f32 = dotMetric ? 1 + load<f32>(scores + (<usize>list << 2)) : load<f32>(scores + (<usize>list << 2));
    store<f32>(scores + (<usize>list << 2), Infinity); // probed
    if (!dotMetric) addTables(regionStart(Region.LISTS) + (<usize>list * floats << 2), queryTerms, c.prepared, floats);
    let end = listStart(list + 1);
    for (let i = listStart(list); i < end; i++) {
      let d = (pqBits == 8 ? adc8(c.prepared, listCodes + <usize>i * codeBytesPq, m) : adcSum(c.prepared, listCodes, i)) + offset;
      if (d >= bound) continue;
      let slot = load<u32>(order + (<usize>i << 2));
      if (admit == Admit.FILTERED && !admits(slot, admit)) continue; // lists hold live slots only
      results = offer(c, width, results, d, slot);
      if (results == width) bound = load<f32>(c.resDist);
    }
    scanned += end - listStart(list);
  }
  c.distances += <f64>scanned;
  return results;
}

/** out = a + b over `floats` values (a multiple of 4). Element by element: both builds agree. */
function addTables(a: usize, b: usize, out: usize, floats: usize): void {
  let end = out + (floats << 2);
  if (ASC_FEATURE_SIMD) {
    for (; out < end; out += 16, a += 16, b += 16) v128.store(out, f32x4.add(v128.load(a), v128.load(b)));
    return;
  }
  for (; out < end; out += 4, a += 4, b += 4) store<f32>(out, load<f32>(a) + load<f32>(b));
}

/**
 * The l2 terms of every list's table: ||c_jk||² + 2 c_lj · c_jk. Once per index (after
 * training or a load: storage.ts ensureDerived); `prepared` lends its scratch.
 */
export function computeTerms(quantizer: usize, prepared: usize): void {
  if (metric == Metric.L2) {
    let terms = regionStart(Region.LISTS), floats = tableFloats();
    let row = scratchRowAt(prepared), sliced = slicedAt(prepared), norms = queryTermsAt(prepared);
    memory.fill(row, 0, <usize>stride << 2);
    preparePq(quantizer, row, prepared); // the table of the zero row: ||c_jk||²
    memory.copy(norms, prepared, floats << 2);
    let centroids = coarse(quantizer), n = <usize>nlist;
    for (let list = 0; list < nlist; list++) {
      for (let t = 0; t < stride; t++) store<f32>(row + (<usize>t << 2), load<f32>(centroids + ((<usize>t * n + <usize>list) << 2)));
      dotTable(quantizer, row, sliced, prepared);
      let to = terms + (<usize>list * floats << 2);
      for (let i: usize = 0; i < floats; i++) store<f32>(to + (i << 2), load<f32>(norms + (i << 2)) + 2 * load<f32>(prepared + (i << 2)));
    }
  }
}

/** Adds the centroid of `slot`'s list to the row at `row` (stride values): a decoded residual becomes the row. */
export function addCentroid(quantizer: usize, slot: u32, row: usize): void {
  let list = <usize>load<u32>(regionStart(Region.LIST_OF) + (<usize>slot << 2));
  let centroids = coarse(quantizer), n = <usize>nlist;
  for (let t = 0; t < stride; t++) {
    let at = row + (<usize>t << 2);
    store<f32>(at, load<f32>(at) + load<f32>(centroids + ((<usize>t * n + list) << 2)));
  }
}

/** Whether the list of `slot` is one of NLIST (a file could say otherwise). */
export function listSound(slot: u32): bool {
  return load<u32>(regionStart(Region.LIST_OF) + (<usize>slot << 2)) < <u32>nlist;
}

/** Whether the coarse centroids are usable: finite, padding values zero. */
export function coarseValid(quantizer: usize): bool {
  let centroids = coarse(quantizer), n = <usize>nlist;
  for (let t = 0; t < stride; t++) {
    for (let list: usize = 0; list < n; list++) {
      let v = load<u32>(centroids + ((<usize>t * n + list) << 2));
      if (t >= dim ? v != 0 : (v & 0x7f800000) == 0x7f800000) return false;
    }
  }
  return true;
}

// Training (in a scratch instance, as pq.ts): k-means on whole rows for the coarse
// centroids, then storage.ts replaces the sample by its residuals (residualOf), which
// pq.ts's training slices and learns the codebooks from.
//
//   TRAINING ─► ┌──────────────────────────┬────────────────────────────────┬──────────────┐
//               │ rows: rows × stride f32  │ pq.ts's sample (subspace-major) │ k-means work │
//               └──────────────────────────┴────────────────────────────────┴──────────────┘

/** Bytes of the whole rows of the sample. */
export function rowsBytesIvf(rows: u32): u64 {
  return <u64>rows * <u64>stride * 4;
}

/** Bytes of k-means' working arrays for the coarse centroids. */
export function workBytesIvf(rows: u32): u64 {
  return kmeansWorkBytes(rows, stride, nlist);
}

/** Stores a sample row (normalised for cosine) whole, as row `index`, for the coarse k-means. */
export function addSampleRowIvf(rowsBase: usize, index: u32, row: usize): void {
  memory.copy(rowsBase + (<usize>index * <usize>stride << 2), row, <usize>stride << 2);
}

/** Steps of the coarse k-means: the seeding and the Lloyd iterations. */
export function coarseSteps(iterations: u32): u32 {
  return iterations + 1;
}

/** Step `step` of the coarse k-means over `fed` whole rows: the seeding, or one Lloyd iteration. */
export function coarseStep(quantizer: usize, rowsBase: usize, fed: u32, work: usize, step: u32, seed: u64): void {
  if (step == 0) kmeansSeed(rowsBase, fed, stride, nlist, coarse(quantizer), work, seed);
  else kmeansIterate(rowsBase, fed, stride, nlist, coarse(quantizer), work, step == 1);
}

/** Writes the residual of `row` (its nearest list's centroid taken away) at `out`; `scores`: nlist f32 of scratch. */
export function residualOf(quantizer: usize, row: usize, out: usize, scores: usize): void {
  residual(quantizer, row, nearestList(quantizer, row, scores), out);
}
