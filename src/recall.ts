// recall@k of search results against exact ground truth: the one definition, called by
// src/cli.ts (`wann query --gt`), bench/ (sweeps, demo, browser pages via dist/recall.js) and test/.

/**
 * recall@k = |found top-k ∩ gt top-k| / k, averaged over queries. `found` holds nq rows of
 * foundStride ids (missing results may be any value not in gt, e.g. -1 or NO_ID); gt holds
 * nq rows of gtStride ids, of which the first k count (texmex gt rows have 100).
 * NaN for no queries.
 */
export function recallAtK(
  found: ArrayLike<number>,
  foundStride: number,
  gt: ArrayLike<number>,
  gtStride: number,
  k: number,
): number {
  if (!Number.isInteger(k) || k < 1) throw new Error(`recall@k needs a positive integer k, got ${k}`);
  if (k > gtStride) throw new Error(`recall@${k} needs at least ${k} ground-truth ids per query, gt has ${gtStride}`);
  if (k > foundStride) throw new Error(`recall@${k} needs ${k} results per query, found rows have ${foundStride}`);
  const nq = gt.length / gtStride;
  if (!Number.isInteger(nq)) throw new Error(`gt has ${gt.length} ids, not a whole number of rows of ${gtStride}`);
  if (found.length !== nq * foundStride) {
    throw new Error(`found has ${found.length} ids, expected ${nq} queries x ${foundStride}`);
  }
  if (nq === 0) return NaN;
  let hits = 0;
  const truth = new Set<number>();
  for (let q = 0; q < nq; q++) {
    truth.clear();
    for (let j = 0; j < k; j++) truth.add(gt[q * gtStride + j]);
    // delete on hit: a result list holding the same id twice must not count it twice
    for (let j = 0; j < k; j++) if (truth.delete(found[q * foundStride + j])) hits++;
  }
  return hits / (nq * k);
}
