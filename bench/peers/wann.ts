// wann itself behind the peer interface, so the benchmarks measure it exactly as
// they measure the others: HNSW with the SIMD or the scalar build, and exact search.
import { FlatIndex, HnswIndex } from '../../src/index.js';
import type { AnnPeer, BuildOptions } from './types.js';

export type WannVariant = 'simd' | 'scalar' | 'flat';

export function createWannPeer(variant: WannVariant): AnnPeer {
  let index: HnswIndex | FlatIndex | null = null;
  const live = () => {
    if (!index) throw new Error(`wann ${variant}: used before build`);
    return index;
  };
  return {
    name: variant === 'flat' ? 'wann flat (exact)' : `wann ${variant}`,
    version: 'this checkout',
    kind: 'wasm',
    metrics: ['l2', 'ip'],
    async build(base: Float32Array, n: number, dim: number, opts: BuildOptions) {
      index?.dispose();
      index = variant === 'flat'
        ? await FlatIndex.create({ dim, metric: opts.metric, capacity: n, simd: true })
        : await HnswIndex.create({ dim, metric: opts.metric, capacity: n, simd: variant === 'simd', M: opts.M, efConstruction: opts.efConstruction, seed: opts.seed });
      index.addBatch(base.subarray(0, n * dim));
      index.resetCounters();
    },
    search(query: Float32Array, k: number, ef: number) {
      return live().search(query, k, { ef }).ids;
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
