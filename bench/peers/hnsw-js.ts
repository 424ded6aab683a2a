// Peer adapter for the pure-JS `hnsw` npm package (deepfates/hnsw); loaded by bench/peers/index.ts.
import type { AnnPeer, BuildOptions } from './types.js';
import { packageVersion } from './version.js';

type HnswJs = typeof import('hnsw');

/**
 * The package has 'euclidean' (ranked by 1 / (1 + distance), same order as squared L2)
 * and 'cosine', but no inner product, so it offers l2 only. Its levels come from
 * Math.random, so builds are not seeded.
 */
export async function createHnswJsPeer(): Promise<AnnPeer> {
  const mod = (await import('hnsw')) as HnswJs & { default?: HnswJs };
  const { HNSW } = mod.default?.HNSW ? mod.default : mod;
  let index: InstanceType<typeof HNSW> | null = null;

  return {
    name: 'hnsw',
    version: packageVersion('hnsw'),
    kind: 'js',
    metrics: ['l2'],
    async build(base: Float32Array, n: number, dim: number, opts: BuildOptions) {
      if (opts.metric !== 'l2') throw new Error(`hnsw: metric '${opts.metric}' is not supported (l2 only)`);
      index = new HNSW(opts.M, opts.efConstruction, dim, 'euclidean');
      // Rows are views into base, not copies: the package keeps whatever vector it is given.
      for (let i = 0; i < n; i++) await index.addPoint(i, base.subarray(i * dim, (i + 1) * dim));
    },
    search(query: Float32Array, k: number, ef: number) {
      if (!index) throw new Error('hnsw: search before build');
      return index.searchKNN(query, k, { efSearch: ef }).map((hit) => hit.id);
    },
    dispose() {
      index = null;
    },
  };
}
