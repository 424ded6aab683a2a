// Exact top-k by brute force in float64, for every metric: the reference the tests check
// the indexes against (test/helpers/brute.ts), and ground truth for bench/lib/data.ts,
// bench/demo.ts and the browser bench page.

import type { MetricName } from '../../src/index.js';

export type Metric = MetricName;

/**
 * The distance the index reports, accumulated in f64: squared L2 (as hnswlib), 1 - dot
 * (hnswlib's 'ip' space), or 1 - cosine similarity.
 */
export function distance64(
  metric: Metric, a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, dim: number,
): number {
  if (metric === 'l2') {
    let sum = 0;
    for (let j = 0; j < dim; j++) {
      const d = a[aOff + j] - b[bOff + j];
      sum += d * d;
    }
    return sum;
  }
  let dot = 0;
  if (metric === 'ip') {
    for (let j = 0; j < dim; j++) dot += a[aOff + j] * b[bOff + j];
    return 1 - dot;
  }
  let normA = 0, normB = 0;
  for (let j = 0; j < dim; j++) {
    const x = a[aOff + j], y = b[bOff + j];
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  // A zero vector stays zero when normalised: its cosine distance to anything is 1.
  return normA === 0 || normB === 0 ? 1 : 1 - dot / Math.sqrt(normA * normB);
}

export interface TopK {
  k: number;
  /** nq·k ids, nearest first; -1 where the base has fewer than k rows. */
  ids: Int32Array;
  distances: Float64Array;
}

/**
 * Exact top-k of every query. Ties go to the lower id (as the texmex gt files): base
 * rows are scanned in id order and a candidate must be strictly nearer than the current
 * k-th to enter the sorted list (so a NaN distance never enters). `onProgress` is called
 * every 100 queries: large synthetic sets take minutes.
 */
export function bruteForceTopK(
  base: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
  metric: Metric = 'l2',
  onProgress?: (done: number, total: number) => void,
): TopK {
  if (base.length % dim !== 0 || queries.length % dim !== 0) {
    throw new Error(`base (${base.length}) and queries (${queries.length}) lengths must be multiples of dim ${dim}`);
  }
  const n = base.length / dim;
  const nq = queries.length / dim;
  const ids = new Int32Array(nq * k).fill(-1);
  const distances = new Float64Array(nq * k).fill(Infinity);
  for (let q = 0; q < nq; q++) {
    const row = q * k;
    for (let i = 0; i < n; i++) {
      const d = distance64(metric, queries, q * dim, base, i * dim, dim);
      if (!(d < distances[row + k - 1])) continue;
      // Insertion into the sorted row: k is small (<= 100) and most rows never get here.
      let pos = k - 1;
      while (pos > 0 && distances[row + pos - 1] > d) {
        distances[row + pos] = distances[row + pos - 1];
        ids[row + pos] = ids[row + pos - 1];
        pos--;
      }
      distances[row + pos] = d;
      ids[row + pos] = i;
    }
    if (onProgress && (q + 1) % 100 === 0) onProgress(q + 1, nq);
  }
  return { k, ids, distances };
}
