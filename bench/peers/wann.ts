// wann itself behind the peer interface, so the benchmarks measure it exactly as
// they measure the others: HNSW with the SIMD or the scalar build, exact search, and
// HNSW over each compressed storage kind (with a re-rank of the whole beam, or of the
// storage's default depth, where the f32 rows are kept).
import { FlatIndex, HnswIndex, type StorageName } from '../../src/index.js';
import type { AnnPeer, BuildOptions } from './types.js';

interface Variant {
  simd: boolean;
  flat?: boolean;
  storage?: StorageName;
  keepVectors?: boolean;
  /** Re-rank the whole beam: rerank = ef at every sweep point, so the sweep is over re-rank depth too. */
  rerankBeam?: boolean;
}

/** Every wann configuration the search benchmark can run, by the name it reports. */
export const WANN_VARIANTS = {
  simd: { simd: true },
  scalar: { simd: false },
  flat: { simd: true, flat: true },
  f16: { simd: true, storage: 'f16' },
  i8: { simd: true, storage: 'i8' },
  'i8+rerank': { simd: true, storage: 'i8', keepVectors: true, rerankBeam: true },
  /** The default re-rank of kept rows: 4·k for 'i8', 2·k for 'f16' (exact answers, a compressed beam). */
  'i8+kept': { simd: true, storage: 'i8', keepVectors: true },
  'f16+kept': { simd: true, storage: 'f16', keepVectors: true },
  'binary+rerank': { simd: true, storage: 'binary', keepVectors: true, rerankBeam: true },
} as const satisfies Record<string, Variant>;

export type WannVariant = keyof typeof WANN_VARIANTS;

/** The compressed storage variants, the default of bench/search.ts --storage. */
export const STORAGE_VARIANTS: readonly WannVariant[] = ['f16', 'i8', 'i8+rerank', 'binary+rerank'];

export function createWannPeer(variant: WannVariant): AnnPeer {
  const spec: Variant = WANN_VARIANTS[variant];
  let index: HnswIndex | FlatIndex | null = null;
  const live = () => {
    if (!index) throw new Error(`wann ${variant}: used before build`);
    return index;
  };
  return {
    name: spec.flat ? 'wann flat (exact)' : `wann ${variant}`,
    version: 'this checkout',
    kind: 'wasm',
    metrics: ['l2', 'ip'],
    async build(base: Float32Array, n: number, dim: number, opts: BuildOptions) {
      index?.dispose();
      const storage = { storage: spec.storage, keepVectors: spec.keepVectors };
      index = spec.flat
        ? await FlatIndex.create({ dim, metric: opts.metric, capacity: n, simd: spec.simd, threads: 1 })
        : await HnswIndex.create({ dim, metric: opts.metric, capacity: n, simd: spec.simd, M: opts.M, efConstruction: opts.efConstruction, seed: opts.seed, ...storage, threads: 1 });
      index.addBatch(base.subarray(0, n * dim));
      if (index instanceof HnswIndex) index.optimize(); // what the README advises after a build
      index.resetCounters();
    },
    search(query: Float32Array, k: number, ef: number) {
      return live().search(query, k, { ef, rerank: spec.rerankBeam ? ef : undefined }).ids;
    },
    memoryBytes: () => live().memoryBytes,
    takeCounters() {
      const counters = live().counters;
      live().resetCounters();
      return counters;
    },
    dispose() {
      index?.dispose();
      index = null;
    },
  };
}
