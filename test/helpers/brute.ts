// Comparing search results with the float64 reference (bench/lib/brute.ts): tolerances
// for f32 distances, exact-search mismatches, bit-for-bit differences. Used by the index tests.

import type { MetricName, SearchResult } from '../../src/index.ts';
import { distance64, type TopK } from '../../bench/lib/brute.ts';

/**
 * A tolerance for comparing an f32 distance with distance64: f32 accumulation errs by
 * a few ulps of the sum of the terms' magnitudes, not of the (possibly cancelled) result.
 */
export function tolerance64(metric: MetricName, a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, dim: number): number {
  if (metric === 'cosine') return 2e-5; // over unit vectors: 1 - dot, whose |terms| sum to at most 1
  let magnitude = metric === 'l2' ? 0 : 1;
  for (let j = 0; j < dim; j++) {
    magnitude += metric === 'l2' ? (a[aOff + j] - b[bOff + j]) ** 2 : Math.abs(a[aOff + j] * b[bOff + j]);
  }
  return 1e-5 * magnitude + 1e-6;
}

/**
 * Differences between an exact search result and the f64 reference for one query:
 * every rank must hold the reference's id (or an id at a tied distance) at the
 * reference's distance. `idOf(i)` maps a base row to the id it was added under.
 * Returns readable descriptions; empty when they agree.
 */
export function exactMismatches(
  metric: MetricName, result: SearchResult, truth: TopK, q: number,
  base: Float32Array, queries: Float32Array, dim: number, rowOf: (id: number) => number = (id) => id,
): string[] {
  const problems: string[] = [];
  const expected = truth.ids.subarray(q * truth.k, (q + 1) * truth.k).filter((id) => id >= 0);
  if (result.ids.length !== expected.length) problems.push(`query ${q}: ${result.ids.length} results, expected ${expected.length}`);
  for (let r = 0; r < Math.min(result.ids.length, expected.length); r++) {
    const want = truth.distances[q * truth.k + r];
    const got = result.distances[r];
    const row = rowOf(result.ids[r]);
    const tol = tolerance64(metric, queries, q * dim, base, row * dim, dim);
    const actual = distance64(metric, queries, q * dim, base, row * dim, dim); // of the id returned
    if (Math.abs(got - want) > tol) problems.push(`query ${q} rank ${r}: distance ${got}, expected ${want} (±${tol})`);
    if (row !== expected[r] && Math.abs(actual - want) > tol) {
      problems.push(`query ${q} rank ${r}: row ${row} at ${actual}, expected row ${expected[r]} at ${want}`);
    }
  }
  return problems;
}

/** The first index where two arrays differ bit for bit (Object.is), or null. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): { at: number; a: number; b: number } | null {
  if (a.length !== b.length) return { at: -1, a: a.length, b: b.length };
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return { at: i, a: a[i], b: b[i] };
  return null;
}
