// The inverted-file index (IVF-PQ, Jégou, Douze & Schmid 2011; FAISS's IndexIVFPQ): NLIST
// coarse centroids trained by k-means cut the space into lists; a row joins the list of
// its nearest centroid and is stored as the 'pq' code of its residual (row - centroid),
// which is smaller than the row and so better coded. A search ranks the lists by their
// centroid, then scans the nprobe best: for l2 with one table per query, for ip and
// cosine with the query's own table plus its dot product with the centroid. For l2,
// ||q - c - r||² = ||q - c||² + (||r||² + 2 c·r) - 2 q·r: the middle term depends on the
// code and its list only, so it is computed once per code (its norm term, 4 bytes) and
// the table -2 q_j·r_jk serves every list. FAISS instead precomputes the middle term per
// list, subspace and centroid (nlist × m × 2^bits floats, 2 MB at 128 × 16 × 256: 13
// times the codes of a 10k index) or builds a table per probed list (d × 2^bits
// multiply-adds each). Codes lie grouped by list (ivf-lists.ts), so every scan reads
// them in order. Called by storage.ts (encoding, decoding), training.ts, search.ts,
// restore.ts and integrity.ts.
//
//   QUANTIZER ─► pq.ts's codebooks, then the coarse centroids: stride × NLIST f32, transposed
//   CODES, LISTS ─► the codes by position, each position's slot and norm term, where each list starts (ivf-lists.ts)
//   LIST_OF   ─► a file from before (State.LIST_ORDER 0, 1): capacity × u32, each slot's list; read once on load
//   norm term of a code in list l: Σ_j ||r_jk||² + 2 c_lj · r_jk over its centroids r_jk

import { Admit, Metric, Region, State } from '../src/abi';
import { Context } from './context';
import { regionStart } from './layout';
import { dim, metric, stride } from './params';
import { count, stateWord } from './state';
import { argmin, distancesToCentroids, dotsWithCentroids, kmeansIterate, kmeansSeed, kmeansWorkBytes } from './kmeans';
import {
  adcSum, adc8, centroids, codeAt, codeBytesPq, codeSoundPq, dotTable, encodePq, pqBits, pqM, preparedBytesPq, preparePq, quantizerBytesPq, scratchRowAt,
  slicedAt, storeCodePq, subDims, subStride,
} from './pq';
import { admits, offer } from './results';
import {
  adoptListOf, deriveLists, hasNormTerms, listAt, listsSound, listsStale, listStart, markListsGrouped, needsRegroup, nlist, normTermsAt,
  placeRow, positionOf, regroupLists, setTerm, slotAt, taggedAt, tailStart,
} from './ivf-lists';

export function deriveIvf(): void {
  deriveLists();
}

/** Bytes of the coarse centroids, after the codebooks in QUANTIZER. */
export function coarseBytes(): usize {
  return <usize>stride * <usize>nlist << 2;
}

// @ts-ignore: decorator
@inline function coarse(quantizer: usize): usize {
  return quantizer + quantizerBytesPq();
}

/** Bytes a prepared query needs beyond pq.ts's: a score per list. */
export function preparedBytesIvf(): usize {
  return <usize>nlist << 2;
}

/** The list scores of a prepared query: after pq.ts's parts (an IVF index's codes are never blocked). */
// @ts-ignore: decorator
@inline function scoresAt(prepared: usize): usize {
  return prepared + preparedBytesPq();
}

/**
 * The norm term of the code at position `position` of `codes`, in list `list`:
 * Σ_j Σ_t r_t (r_t + 2 c_t) over the real values t of subspace j, r its centroid, c the
 * list's. Scalar, in one order: both builds agree bit for bit.
 */
function normTerm(quantizer: usize, codes: usize, position: u32, list: i32): f32 {
  let coarseList = coarse(quantizer) + (<usize>list << 2), n = <usize>nlist, k = <usize>centroids;
  let sum: f32 = 0;
  for (let j = 0; j < pqM; j++) {
    let centroid = quantizer + ((<usize>j * <usize>subStride * k + <usize>codeAt(codes, position, j)) << 2);
    let first = j * subDims, real = max(0, min(subDims, dim - first));
    let part: f32 = 0;
    for (let t = 0; t < real; t++) {
      let r = load<f32>(centroid + ((<usize>t * k) << 2));
      part += r * (r + 2 * load<f32>(coarseList + ((<usize>(first + t) * n) << 2)));
    }
    sum += part;
  }
  return sum;
}

/**
 * normTerm()'s parts for every centroid, for the codes of list `list`, at `table` (m ×
 * 2^bits f32: part j of centroid k at j · 2^bits + k) in normTerm()'s order, so a code's
 * term is its m parts summed in order (tableTerm): the same float. Worth it when a list
 * has at least 2^bits new codes (a bulk add): dim × 2^bits multiply-adds read in order,
 * against dim strided ones per code.
 */
function listNormTable(quantizer: usize, list: i32, table: usize): void {
  let coarseList = coarse(quantizer) + (<usize>list << 2), n = <usize>nlist, k = <usize>centroids;
  memory.fill(table, 0, <usize>pqM * k << 2);
  for (let j = 0; j < pqM; j++) {
    let first = j * subDims, real = max(0, min(subDims, dim - first));
    let parts = table + ((<usize>j * k) << 2), subspace = quantizer + ((<usize>j * <usize>subStride * k) << 2);
    for (let t = 0; t < real; t++) {
      let c = load<f32>(coarseList + ((<usize>(first + t) * n) << 2));
      let values = subspace + ((<usize>t * k) << 2);
      let i: usize = 0;
      if (ASC_FEATURE_SIMD) { // lane by lane the scalar loop's operations: the same floats (k is 16 or 256)
        let twoC = f32x4.splat(2 * c);
        for (; i < k; i += 4) {
          let r = v128.load(values + (i << 2)), at = parts + (i << 2);
          v128.store(at, f32x4.add(v128.load(at), f32x4.mul(r, f32x4.add(r, twoC))));
        }
      }
      for (; i < k; i++) {
        let r = load<f32>(values + (i << 2)), at = parts + (i << 2);
        store<f32>(at, load<f32>(at) + r * (r + 2 * c));
      }
    }
  }
}

/** The norm term of the code at `position` from listNormTable()'s table. */
function tableTerm(table: usize, codes: usize, position: u32): f32 {
  let k = <usize>centroids;
  let sum: f32 = 0;
  for (let j = 0; j < pqM; j++) sum += load<f32>(table + ((<usize>j * k + <usize>codeAt(codes, position, j)) << 2));
  return sum;
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

/** Stores the query row of `c` as the row of `slot`: the code of its residual, tagged with its list until the next regrouping. */
export function storeRowIvf(quantizer: usize, c: Context, slot: u32): void {
  let list = nearestList(quantizer, c.query, scoresAt(c.prepared));
  let res = scratchRowAt(c.prepared);
  residual(quantizer, c.query, list, res);
  preparePq(quantizer, res, c.prepared);
  storeCodePq(regionStart(Region.CODES), placeRow(slot, list), encodePq(quantizer, c.prepared));
}

/**
 * Sets up the lists of a loaded index, before its integrity is checked: a file from
 * before (State.LIST_ORDER 0, 1) is laid out from each slot's list (false when one is out
 * of range); today's files are grouped.
 */
export function restoreLists(): bool {
  if (stateWord(State.LIST_ORDER) < 2) return adoptListOf();
  markListsGrouped();
  return true;
}

/** After the integrity check of a load: the norm terms files leave out, or a file from before's first regrouping. */
export function settleLoadedLists(quantizer: usize, prepared: usize): void {
  if (listsStale()) groupLists(quantizer, prepared, true);
  else settleTerms(quantizer, true, prepared);
}

/** Whether the lists are sound (ivf-lists.ts listsSound) and every position's code one the codebooks hold. */
export function listsValid(): bool {
  if (!listsSound()) return false;
  let codes = regionStart(Region.CODES);
  for (let position: u32 = 0, n = count(); position < n; position++) if (!codeSoundPq(codes, position)) return false;
  return true;
}

/** The code of `slot`'s position in CODES (codes lie by position, not slot). */
export function codePositionIvf(slot: u32): u32 {
  return positionOf(slot);
}

/**
 * Groups the lists if changes left them stale, or many rows were appended or removed
 * since (or any, `fully`: a file), and gives the codes added since their norm terms;
 * `prepared` lends its scratch.
 */
export function groupLists(quantizer: usize, prepared: usize, fully: bool = false): void {
  if (!listsStale() || (!fully && !needsRegroup())) return;
  regroupLists(scratchRowAt(prepared));
  settleTerms(quantizer, false, prepared);
}

/**
 * Replaces every tag (or, `all`, every term: a load) by the code's norm term, list by
 * list, through a table where the list has many (`prepared` lends the query table's
 * room); the lists are then grouped.
 */
function settleTerms(quantizer: usize, all: bool, prepared: usize): void {
  let codes = regionStart(Region.CODES), l2 = hasNormTerms();
  for (let list = 0; list <= nlist; list++) { // NLIST: the removed codes, whose terms are never read
    let start = listStart(list), end = listStart(list + 1);
    let fresh: u32 = 0;
    for (let p = start; p < end; p++) if (all || taggedAt(p)) fresh++;
    if (fresh == 0) continue;
    let terms = l2 && list < nlist, byTable = terms && fresh >= <u32>centroids;
    if (byTable) listNormTable(quantizer, list, prepared);
    for (let p = start; p < end; p++) {
      if (!all && !taggedAt(p)) continue;
      setTerm(p, !terms ? 0 : byTable ? tableTerm(prepared, codes, p) : normTerm(quantizer, codes, p, list));
    }
  }
  markListsGrouped();
}

/**
 * The `width` nearest to the query row of `c` among the slots `admit` allows, by ADC over
 * the `probes` lists whose centroids are nearest the query, and further lists in order
 * while fewer than `width` were found (a selective filter). Left in W; returns how many.
 */
export function searchIvf(c: Context, quantizer: usize, width: i32, probes: i32, admit: i32): i32 {
  groupLists(quantizer, c.prepared);
  let scores = scoresAt(c.prepared);
  let dotMetric = metric != Metric.L2;
  // The dot metrics' table is the query's own, -dot of its slices; l2's is q_j · r_jk, each code's sum times -2
  // (exact, a power of two: the same sums as a table of -2 q_j · r_jk, without a pass over the table per query).
  if (dotMetric) {
    preparePq(quantizer, c.query, c.prepared);
    dotsWithCentroids(c.query, coarse(quantizer), stride, nlist, scores);
    for (let list = 0; list < nlist; list++) store<f32>(scores + (<usize>list << 2), -load<f32>(scores + (<usize>list << 2)));
  } else {
    dotTable(quantizer, c.query, slicedAt(c.prepared), c.prepared);
    distancesToCentroids(c.query, coarse(quantizer), stride, nlist, scores);
  }
  let codes = regionStart(Region.CODES), terms = normTermsAt();
  let tail = tailStart(), n = count(); // rows appended since the lists were grouped, each tagged with its list
  let results = 0, scanned = 0;
  let bound: f32 = Infinity; // W's farthest once W is full
  let m = pqM;
  for (let probed = 0; probed < nlist && (probed < probes || results < width); probed++) {
    let list = argmin(scores, nlist);
    // 1 - q·centroid (ip, cosine), or ||q - centroid||² (l2): what the codes' sum adds to
    let offset: f32 = dotMetric ? 1 + load<f32>(scores + (<usize>list << 2)) : load<f32>(scores + (<usize>list << 2));
    store<f32>(scores + (<usize>list << 2), Infinity); // probed
    let end = listStart(list + 1);
    for (let i = listStart(list); i < end; i++) {
      let d = pqBits == 8 ? adc8(c.prepared, codes + <usize>i * codeBytesPq, m) : adcSum(c.prepared, codes, i);
      d = (dotMetric ? d : -2 * d + load<f32>(terms + (<usize>i << 2))) + offset;
      if (d >= bound) continue;
      let slot = slotAt(i);
      if (admit != Admit.ALL && !admits(slot, admit)) continue; // a filter, or a slot removed since the lists were grouped
      results = offer(c, width, results, d, slot);
      if (results == width) bound = load<f32>(c.resDist);
    }
    scanned += end - listStart(list);
    for (let i = tail; i < n; i++) { // the same for the list's appended rows, their norm terms not yet kept
      if (load<u32>(terms + (<usize>i << 2)) != <u32>list) continue; // its term word holds its list (a tag)
      let d = adcSum(c.prepared, codes, i); // the lists' sum, not inlined: few rows
      d = (dotMetric ? d : -2 * d + normTerm(quantizer, codes, i, list)) + offset;
      scanned++;
      if (d >= bound) continue;
      let slot = slotAt(i);
      if (admit != Admit.ALL && !admits(slot, admit)) continue;
      results = offer(c, width, results, d, slot);
      if (results == width) bound = load<f32>(c.resDist);
    }
  }
  c.distances += <f64>scanned;
  return results;
}

/** Adds the centroid of the list of the code at `position` to the row at `row` (stride values): a decoded residual becomes the row. */
export function addCentroid(quantizer: usize, position: u32, row: usize): void {
  let list = <usize>listAt(position);
  if (list >= <usize>nlist) return; // a removed row's, regrouped: never decoded
  let centroids = coarse(quantizer), n = <usize>nlist;
  for (let t = 0; t < stride; t++) {
    let at = row + (<usize>t << 2);
    store<f32>(at, load<f32>(at) + load<f32>(centroids + ((<usize>t * n + list) << 2)));
  }
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
// centroids, then training.ts replaces the sample by its residuals (residualOf), which
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
export function coarseStep(quantizer: usize, rowsBase: usize, fed: u32, work: usize, step: u32, seed: u64, plusPlus: bool): void {
  if (step == 0) kmeansSeed(rowsBase, fed, stride, nlist, coarse(quantizer), work, seed, plusPlus);
  else kmeansIterate(rowsBase, fed, stride, nlist, coarse(quantizer), work, step == 1);
}

/** Writes the residual of `row` (its nearest list's centroid taken away) at `out`; `scores`: nlist f32 of scratch. */
export function residualOf(quantizer: usize, row: usize, out: usize, scores: usize): void {
  residual(quantizer, row, nearestList(quantizer, row, scores), out);
}
