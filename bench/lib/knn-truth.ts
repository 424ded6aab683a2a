// Recall of an all-points kNN graph, estimated on a seeded sample of its rows: each sampled
// item's exact k nearest other items (f64 brute force, bench/lib/brute.ts), cached under
// bench/results/cache by the rows' content hash. Used by bench/threads.ts for wann's
// knnGraph() and PyNNDescent's neighbor_graph alike.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bruteForceTopK } from './brute.js';
import { CACHE_DIR, mulberry32, readIvecs, writeVecs } from './data.js';

export interface KnnTruth {
  /** The sampled rows, ascending. */
  rows: Uint32Array;
  /** rows.length × k exact neighbour rows (the item itself excluded), nearest first. */
  ids: Int32Array;
  k: number;
}

/** `count` distinct rows of 0 … n - 1 (all of them when n ≤ count), by a seeded partial Fisher-Yates. */
export function sampleRows(n: number, count: number, seed: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  if (n <= count) return order;
  const random = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, count).sort();
}

/** Exact k nearest other rows of `count` sampled rows of `base` (squared L2), computed once and cached. */
export function knnTruth(base: Float32Array, dim: number, k: number, count: number, seed: number,
  onProgress?: (message: string) => void): KnnTruth {
  const n = base.length / dim;
  const rows = sampleRows(n, count, seed);
  const hash = createHash('sha1').update(new Uint8Array(base.buffer, base.byteOffset, base.byteLength)).digest('hex').slice(0, 16);
  const path = join(CACHE_DIR, `knn-${hash}-${n}x${dim}-sample${rows.length}-seed${seed}-k${k}.ivecs`);
  if (existsSync(path)) {
    const cached = readIvecs(path);
    if (cached.n === rows.length && cached.dim === k) return { rows, ids: cached.data, k };
  }
  onProgress?.(`computing the exact ${k} nearest other items of ${rows.length} sampled rows over ${n} (cached afterwards)`);
  const queries = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => queries.set(base.subarray(row * dim, (row + 1) * dim), i * dim));
  const found = bruteForceTopK(base, queries, dim, k + 1, 'l2', (done, total) => {
    if (done % 500 === 0) onProgress?.(`  ${done}/${total}`);
  });
  const ids = new Int32Array(rows.length * k);
  rows.forEach((row, i) => ids.set(othersFirst(found.ids.subarray(i * (k + 1), (i + 1) * (k + 1)), row, k), i * k));
  mkdirSync(CACHE_DIR, { recursive: true });
  writeVecs(path, ids, k);
  return { rows, ids, k };
}

/** The first k entries of `list` that are not `self` (a list of k + 1 holding self, or k others first). */
export function othersFirst(list: ArrayLike<number>, self: number, k: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < list.length && out.length < k; j++) if (list[j] !== self) out.push(list[j]);
  return out;
}

/**
 * Mean over the sampled rows of |graph's k neighbours ∩ exact k| / k. `neighboursOf(row)`
 * gives a row's neighbour ids as the graph lists them (self dropped here if present).
 */
export function graphRecall(truth: KnnTruth, neighboursOf: (row: number) => ArrayLike<number>): number {
  let hits = 0;
  truth.rows.forEach((row, i) => {
    const exact = new Set(truth.ids.subarray(i * truth.k, (i + 1) * truth.k));
    for (const id of othersFirst(neighboursOf(row), row, truth.k)) if (exact.has(id)) hits++;
  });
  return hits / (truth.rows.length * truth.k);
}
