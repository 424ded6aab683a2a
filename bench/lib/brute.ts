// Exact top-k by plain JS brute force (squared L2, 1 - dot); ground truth for bench/lib/data.ts.

export type Metric = 'l2' | 'ip';

/** Squared Euclidean distance, as hnswlib reports it; accumulated in f64. */
export function l2Squared(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) {
    const d = a[aOff + j] - b[bOff + j];
    sum += d * d;
  }
  return sum;
}

/** Inner-product distance 1 - dot, as hnswlib's 'ip' space. */
export function ipDistance(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let dot = 0;
  for (let j = 0; j < dim; j++) dot += a[aOff + j] * b[bOff + j];
  return 1 - dot;
}

export interface TopK {
  k: number;
  /** nq * k ids, nearest first; -1 where the base has fewer than k rows. */
  ids: Int32Array;
  distances: Float64Array;
}

/**
 * Exact top-k for every query. Ties go to the lower id (as the texmex gt files):
 * base rows are scanned in id order and a candidate must be strictly nearer than
 * the current k-th to enter the sorted list.
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
  const distance = metric === 'l2' ? l2Squared : ipDistance;
  const ids = new Int32Array(nq * k).fill(-1);
  const distances = new Float64Array(nq * k).fill(Infinity);
  for (let q = 0; q < nq; q++) {
    const row = q * k;
    let worst = Infinity;
    for (let i = 0; i < n; i++) {
      const d = distance(queries, q * dim, base, i * dim, dim);
      if (d >= worst) continue;
      // Insertion into the sorted row: k is small (<= 100) and most rows never get here.
      let pos = k - 1;
      while (pos > 0 && distances[row + pos - 1] > d) {
        distances[row + pos] = distances[row + pos - 1];
        ids[row + pos] = ids[row + pos - 1];
        pos--;
      }
      distances[row + pos] = d;
      ids[row + pos] = i;
      worst = distances[row + k - 1];
    }
    if (onProgress && (q + 1) % 100 === 0) onProgress(q + 1, nq);
  }
  return { k, ids, distances };
}
