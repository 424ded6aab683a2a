// Peer adapter for usearch (native C++ addon by Unum); loaded by bench/peers/index.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnnPeer, BuildOptions } from './types.js';
import { packageVersion } from './version.js';

type Usearch = typeof import('usearch');
type UsearchIndex = InstanceType<Usearch['Index']>;

/**
 * usearch's JS binding fixes `expansion_search` (ef) when an index is constructed and has
 * no setter. To sweep ef we save the built graph once and load it into a new Index
 * constructed with the wanted ef: loading restores the graph but keeps the constructor's
 * expansion_search. The reload happens on the first search at a new ef, which the bench's
 * warmup run absorbs. usearch takes no seed from JS, so its graph is not seeded.
 */
export async function createUsearchPeer(): Promise<AnnPeer> {
  const mod = (await import('usearch')) as Usearch & { default?: Usearch };
  const { Index, MetricKind, ScalarKind } = mod.default?.Index ? mod.default : mod;
  let index: UsearchIndex | null = null;
  let config: { dim: number; opts: BuildOptions } | null = null;
  let ef = -1;
  let saveDir = '';

  const make = (dim: number, opts: BuildOptions, searchEf: number) =>
    new Index({
      dimensions: dim,
      metric: opts.metric === 'l2' ? MetricKind.L2sq : MetricKind.IP, // IP is 1 - dot, as hnswlib's 'ip'
      quantization: ScalarKind.F32,
      connectivity: opts.M, // level 0 gets 2 * M, as in hnswlib
      expansion_add: opts.efConstruction,
      expansion_search: searchEf,
      multi: false,
    });
  const drop = () => {
    index = null;
    if (saveDir) rmSync(saveDir, { recursive: true, force: true });
    saveDir = '';
  };

  return {
    name: 'usearch',
    version: packageVersion('usearch'),
    kind: 'native',
    metrics: ['l2', 'ip'],
    build(base: Float32Array, n: number, dim: number, opts: BuildOptions) {
      drop();
      config = { dim, opts };
      ef = 64; // usearch's default expansion_search
      index = make(dim, opts, ef);
      const keys = new BigUint64Array(n);
      for (let i = 0; i < n; i++) keys[i] = BigInt(i);
      index.add(keys, base.subarray(0, n * dim), 1); // threads = 1: single-thread comparison
      saveDir = mkdtempSync(join(tmpdir(), 'wann-usearch-'));
      index.save(join(saveDir, 'index.usearch'));
    },
    search(query: Float32Array, k: number, searchEf: number) {
      if (!index || !config) throw new Error('usearch: search before build');
      if (searchEf !== ef) {
        index = make(config.dim, config.opts, searchEf);
        index.load(join(saveDir, 'index.usearch'));
        ef = searchEf;
      }
      const { keys } = index.search(query, k, 1);
      const ids = new Uint32Array(keys.length);
      for (let i = 0; i < keys.length; i++) ids[i] = Number(keys[i]);
      return ids;
    },
    dispose: drop,
  };
}
