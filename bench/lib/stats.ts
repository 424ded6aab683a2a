// Timing, percentiles and recall-vs-speed sweep points for the bench scripts and the browser
// bench page (no Node imports: performance is a global in Node and in browsers). recall@k
// itself is src/recall.ts, shared with the CLI and the tests.

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
