// Timing, percentiles and recall@k for the bench scripts and the browser bench page
// (no Node imports: performance is a global in Node and in browsers).

/** p-th percentile (0..100) with linear interpolation between closest ranks; NaN for no values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be in 0..100, got ${p}`);
  const sorted = Float64Array.from(values).sort();
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length === 0 ? NaN : sum / values.length;
}

/**
 * Median wall time in ms of `runs` calls, after `warmup` untimed calls. The median,
 * not the mean, because these machines are noisy and one descheduled run would skew a mean.
 */
export async function timeRuns(fn: () => unknown, runs: number, warmup = 1): Promise<number> {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  for (let i = 0; i < warmup; i++) await fn();
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times[i] = performance.now() - start;
  }
  return median(times);
}

/**
 * recall@k = |found top-k ∩ gt top-k| / k, averaged over queries. `found` holds nq rows of
 * foundStride ids (missing results may be any value not in gt, e.g. -1); gt holds nq rows
 * of gtStride ids, of which the first k count (texmex gt rows have 100).
 */
export function recallAtK(
  found: ArrayLike<number>,
  foundStride: number,
  gt: ArrayLike<number>,
  gtStride: number,
  k: number,
): number {
  if (k > gtStride) throw new Error(`recall@${k} needs at least ${k} ground-truth ids per query, gt has ${gtStride}`);
  if (k > foundStride) throw new Error(`recall@${k} needs ${k} results per query, found rows have ${foundStride}`);
  const nq = gt.length / gtStride;
  if (found.length !== nq * foundStride) {
    throw new Error(`found has ${found.length} ids, expected ${nq} queries x ${foundStride}`);
  }
  if (nq === 0) return NaN;
  let hits = 0;
  const truth = new Set<number>();
  for (let q = 0; q < nq; q++) {
    truth.clear();
    for (let j = 0; j < k; j++) truth.add(gt[q * gtStride + j]);
    // delete on hit: a peer returning the same id twice must not count it twice
    for (let j = 0; j < k; j++) if (truth.delete(found[q * foundStride + j])) hits++;
  }
  return hits / (nq * k);
}

/** One point of a recall-vs-speed sweep; distances and hops per query where the library counts them. */
export interface Point { ef: number; recall: number; qps: number; distances?: number; hops?: number }

/** Queries/s at recall `target`, interpolating log(qps) linearly in recall between sweep points. */
export function qpsAtRecall(points: readonly Point[], target: number): { qps: number; note: string } | undefined {
  const sorted = [...points].sort((a, b) => a.recall - b.recall || b.qps - a.qps);
  if (sorted.length === 0 || sorted[sorted.length - 1].recall < target) return undefined;
  if (sorted[0].recall >= target) {
    const best = sorted.reduce((a, b) => (b.qps > a.qps ? b : a));
    return { qps: best.qps, note: `>= (recall ${best.recall.toFixed(3)} at the smallest ef)` };
  }
  const hi = sorted.findIndex((p) => p.recall >= target);
  const a = sorted[hi - 1], b = sorted[hi];
  const t = b.recall === a.recall ? 0 : (target - a.recall) / (b.recall - a.recall);
  return { qps: Math.exp(Math.log(a.qps) + t * (Math.log(b.qps) - Math.log(a.qps))), note: `ef ${a.ef}..${b.ef}` };
}
