// Peer adapter for hnswlib-node (native C++ addon over nmslib/hnswlib); loaded by bench/peers/index.ts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnnPeer, BuildOptions } from './types.js';
import { packageVersion } from './version.js';

type HnswlibNode = typeof import('hnswlib-node');

export async function createHnswlibNodePeer(): Promise<AnnPeer> {
  const mod = (await import('hnswlib-node')) as HnswlibNode & { default?: HnswlibNode };
  const { HierarchicalNSW } = mod.default ?? mod;
  let index: InstanceType<typeof HierarchicalNSW> | null = null;
  let ef = -1;
  // The addon accepts plain Arrays only; one reused Array keeps the copy out of the allocator.
  let row: number[] = [];

  return {
    name: 'hnswlib-node',
    version: packageVersion('hnswlib-node'),
    kind: 'native',
    metrics: ['l2', 'ip'],
    build(base: Float32Array, n: number, dim: number, opts: BuildOptions) {
      index = new HierarchicalNSW(opts.metric, dim);
      index.initIndex({ maxElements: n, m: opts.M, efConstruction: opts.efConstruction, randomSeed: opts.seed });
      row = new Array<number>(dim).fill(0);
      // addPoint one row at a time: the addon's only insert, and single-threaded.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < dim; j++) row[j] = base[i * dim + j];
        index.addPoint(row, i);
      }
      ef = -1;
    },
    search(query: Float32Array, k: number, searchEf: number) {
      if (!index) throw new Error('hnswlib-node: search before build');
      if (searchEf !== ef) index.setEf((ef = searchEf));
      for (let j = 0; j < row.length; j++) row[j] = query[j];
      return index.searchKnn(row, k).neighbors;
    },
    indexBytes() {
      if (!index) throw new Error('hnswlib-node: indexBytes before build');
      const dir = mkdtempSync(join(tmpdir(), 'wann-bench-'));
      try {
        index.writeIndexSync(join(dir, 'index.bin'));
        return statSync(join(dir, 'index.bin')).size;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    dispose() {
      index = null; // the addon frees the index when the wrapper is collected
    },
  };
}
