// Benchmark datasets: loadDataset(spec) for texmex folders and synthetic:N:DIM, with cached ground truth.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bruteForceTopK, type Metric } from './brute.js';
import { syntheticClustered, syntheticHard } from './synthetic.js';
import { readNpy } from './npy.js';
import { readIvecs, readVecs, writeVecs, type Matrix } from './texmex.js';

export { readVecs, readFvecs, readIvecs, readBvecs, writeVecs } from './texmex.js';
export type { Matrix, VecsKind } from './texmex.js';
export { readNpy, decodeNpy } from './npy.js';
export { syntheticClustered, syntheticHard, mulberry32, gaussian } from './synthetic.js';
export type { Metric } from './brute.js';

/** bench/results/cache/: git-ignored with the rest of bench/results/. */
export const CACHE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../results/cache');

/** Bump when syntheticClustered's (or syntheticHard's) output changes, so stale cached ground truth is never reused. */
const SYNTHETIC_VERSION = 1;
const HARD_VERSION = 1;

export interface Dataset {
  name: string;
  metric: Metric;
  dim: number;
  n: number;
  nq: number;
  base: Float32Array;
  queries: Float32Array;
  /** nq rows of gtK exact neighbour ids, nearest first. */
  gt: Int32Array;
  gtK: number;
}

export interface LoadOptions {
  metric?: Metric;
  /** Ground-truth depth computed when no gt file fits; default 100, as the texmex sets. */
  gtK?: number;
  /** Called while brute force runs (it can take minutes on large synthetic sets). */
  onProgress?: (message: string) => void;
}

/**
 * spec is a directory holding base.{fvecs,bvecs,npy}, query.{fvecs,bvecs,npy} and optionally
 * gt.ivecs (used only for metric 'l2', which is what texmex gt holds), or
 * `synthetic:N:DIM[:QUERIES[:SEED]]` (gaussian blobs: defaults 1000 queries, seed 42, 100
 * clusters), or `hard:N:DIM[:QUERIES[:SEED]]` (one rotated gaussian with a slowly decaying
 * spectrum, syntheticHard: recall does not saturate; at 100k × 128, M 16, efConstruction
 * 200, recall@10 is about 0.88 at ef 64).
 */
export function loadDataset(spec: string, opts: LoadOptions = {}): Dataset {
  const metric = opts.metric ?? 'l2';
  const gtK = opts.gtK ?? 100;
  if (spec.startsWith('synthetic:') || spec.startsWith('hard:')) return loadSynthetic(spec, metric, gtK, opts);
  return loadDirectory(spec, metric, gtK, opts);
}

function loadSynthetic(spec: string, metric: Metric, gtK: number, opts: LoadOptions): Dataset {
  const [kind, ...rest] = spec.split(':');
  const parts = rest.map(Number);
  const [n, dim, nq = 1000, seed = 42] = parts;
  if (parts.length < 2 || parts.length > 4 || !parts.every((x) => Number.isInteger(x) && x > 0)) {
    throw new Error(`dataset spec '${spec}': expected ${kind}:N:DIM[:QUERIES[:SEED]] with positive integers`);
  }
  const hard = kind === 'hard';
  const { base, queries } = hard ? syntheticHard({ n, queries: nq, dim, seed }) : syntheticClustered({ n, queries: nq, dim, seed });
  const key = hard ? `hard-v${HARD_VERSION}-${n}-${dim}-${nq}-${seed}` : `synthetic-v${SYNTHETIC_VERSION}-${n}-${dim}-${nq}-${seed}`;
  const gt = cachedGroundTruth(key, base, queries, dim, metric, gtK, opts);
  return { name: spec, metric, dim, n, nq, base, queries, gt, gtK };
}

function loadDirectory(dir: string, metric: Metric, gtK: number, opts: LoadOptions): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`dataset spec '${dir}': not a directory and not synthetic:N:DIM`);
  }
  const base = readFloatRows(dir, 'base');
  const queries = readFloatRows(dir, 'query');
  if (base.dim !== queries.dim) throw new Error(`${dir}: base dim ${base.dim} differs from query dim ${queries.dim}`);
  const gtPath = join(dir, 'gt.ivecs');
  let gt: Matrix<Int32Array>;
  if (metric === 'l2' && existsSync(gtPath)) {
    gt = readVecs(gtPath) as Matrix<Int32Array>;
    if (gt.n !== queries.n) throw new Error(`${gtPath}: ${gt.n} rows, expected one per query (${queries.n})`);
  } else {
    const key = `dir-${resolve(dir).replace(/[^A-Za-z0-9]+/g, '_')}-${base.n}-${queries.n}`;
    const data = cachedGroundTruth(key, base.data, queries.data, base.dim, metric, gtK, opts);
    gt = { n: queries.n, dim: gtK, data };
  }
  return { name: dir, metric, dim: base.dim, n: base.n, nq: queries.n, base: base.data, queries: queries.data, gt: gt.data, gtK: gt.dim };
}

/** Reads `<stem>.fvecs`, else `<stem>.bvecs`, else `<stem>.npy` (2-D float32), from a dataset folder. */
function readFloatRows(dir: string, stem: string): Matrix<Float32Array> {
  for (const ext of ['fvecs', 'bvecs', 'npy']) {
    const path = join(dir, `${stem}.${ext}`);
    if (existsSync(path)) return ext === 'npy' ? readNpy(path) : (readVecs(path) as Matrix<Float32Array>);
  }
  throw new Error(`${dir}: none of ${stem}.fvecs, ${stem}.bvecs, ${stem}.npy exists`);
}

/** Exact top-gtK ids, computed once per (key, metric, gtK) and kept as an .ivecs file. */
function cachedGroundTruth(
  key: string,
  base: Float32Array,
  queries: Float32Array,
  dim: number,
  metric: Metric,
  gtK: number,
  opts: LoadOptions,
): Int32Array {
  const path = join(CACHE_DIR, `${key}-${metric}-gt${gtK}.ivecs`);
  const nq = queries.length / dim;
  if (existsSync(path)) {
    const cached = readIvecs(path);
    if (cached.n === nq && cached.dim === gtK) return cached.data;
    opts.onProgress?.(`${path}: ${cached.n}x${cached.dim}, expected ${nq}x${gtK}; recomputing`);
  }
  opts.onProgress?.(`computing exact top-${gtK} (${metric}) for ${nq} queries over ${base.length / dim} rows`);
  const { ids } = bruteForceTopK(base, queries, dim, gtK, metric, (done, total) =>
    opts.onProgress?.(`  ground truth ${done}/${total}`),
  );
  mkdirSync(CACHE_DIR, { recursive: true });
  writeVecs(path, ids, gtK);
  return ids;
}

/** A dataset's file-name stem for results: `synthetic-100000-128` for generated sets, the folder name otherwise. */
export function datasetName(spec: string): string {
  return /^(synthetic|hard):/.test(spec) ? spec.replace(/:/g, '-') : basename(spec);
}
