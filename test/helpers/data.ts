// Test data: seeded random vectors, the shipped siftsmall set and the optional bigger
// sets under ../shared/data. Used by every test file; readers come from bench/lib.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gaussian, mulberry32, readBvecs, readFvecs, readIvecs, type Dataset } from '../../bench/lib/data.ts';

/** The two builds every kernel and index test runs on. */
export const BUILDS = ['simd', 'scalar'] as const;
export type BuildName = (typeof BUILDS)[number];

/** The `simd` option that forces `build`. */
export function simdOption(build: BuildName): boolean {
  return build === 'simd';
}

export interface SeededData {
  dim: number;
  n: number;
  nq: number;
  /** n rows of dim values. */
  base: Float32Array;
  /** nq rows of dim values, drawn after the base rows. */
  queries: Float32Array;
}

/** Standard normal vectors, deterministic given the seed. */
export function seededVectors(opts: { n: number; queries?: number; dim: number; seed: number }): SeededData {
  const { n, dim, seed } = opts;
  const nq = opts.queries ?? 0;
  const normal = gaussian(mulberry32(seed));
  const fill = (rows: number) => Float32Array.from({ length: rows * dim }, normal);
  const base = fill(n);
  return { dim, n, nq, base, queries: fill(nq) };
}

/** Row i of a flat array of rows (a view, not a copy). */
export function row(data: Float32Array, dim: number, i: number): Float32Array {
  return data.subarray(i * dim, (i + 1) * dim);
}

/** A copy of `data` with every row scaled to unit length (in f64, then rounded to f32). */
export function normalizeRows(data: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let start = 0; start < data.length; start += dim) {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += data[start + j] ** 2;
    const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < dim; j++) out[start + j] = data[start + j] * inv;
  }
  return out;
}

/** A texmex folder's vectors with gtK exact L2 neighbour ids per query (ties by lower id). */
export type TexmexSet = Omit<Dataset, 'name' | 'metric'>;

const SIFTSMALL_DIR = fileURLToPath(new URL('../../bench/data/siftsmall/', import.meta.url));

let siftsmallCache: TexmexSet | undefined;

/** The shipped ANN_SIFT10K set: 10,000 × 128 base, 100 queries, exact top-100 (read once). */
export function siftsmall(): TexmexSet {
  siftsmallCache ??= texmexSet(
    readBvecs(`${SIFTSMALL_DIR}base.bvecs`), readBvecs(`${SIFTSMALL_DIR}query.bvecs`), readIvecs(`${SIFTSMALL_DIR}gt.ivecs`),
  );
  return siftsmallCache;
}

/** ../shared/data beside the project root: on development and CI machines, not in a fresh clone. */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** Whether a folder of ../shared/data holds base.fvecs, query.fvecs and gt.ivecs. */
export function hasSharedSet(name: string): boolean {
  return ['base.fvecs', 'query.fvecs', 'gt.ivecs'].every((file) => existsSync(`${SHARED_DATA}${name}/${file}`));
}

/** A texmex folder of ../shared/data (check hasSharedSet first). */
export function sharedSet(name: string): TexmexSet {
  const dir = `${SHARED_DATA}${name}/`;
  return texmexSet(readFvecs(`${dir}base.fvecs`), readFvecs(`${dir}query.fvecs`), readIvecs(`${dir}gt.ivecs`));
}

function texmexSet(
  base: { n: number; dim: number; data: Float32Array },
  queries: { n: number; dim: number; data: Float32Array },
  gt: { n: number; dim: number; data: Int32Array },
): TexmexSet {
  if (queries.dim !== base.dim || gt.n !== queries.n) {
    throw new Error(`inconsistent set: base dim ${base.dim}, query dim ${queries.dim}, ${queries.n} queries, ${gt.n} gt rows`);
  }
  return { dim: base.dim, n: base.n, nq: queries.n, base: base.data, queries: queries.data, gt: gt.data, gtK: gt.dim };
}
