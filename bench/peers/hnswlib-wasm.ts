// Peer adapter for hnswlib-wasm (Emscripten build of nmslib/hnswlib); loaded by bench/peers/index.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnnPeer, BuildOptions } from './types.js';
import { packageDir, packageVersion } from './version.js';

/** The part of the Emscripten module and its embind index class that the adapter uses. */
interface HnswlibModule {
  HierarchicalNSW: new (space: string, dim: number, autoSaveFilename: string) => WasmIndex;
  HEAPU8: Uint8Array;
}
interface WasmIndex {
  initIndex(maxElements: number, M: number, efConstruction: number, seed: number): void;
  addPoint(point: Float32Array, label: number, replaceDeleted: boolean): void;
  setEfSearch(ef: number): void;
  searchKnn(query: Float32Array, k: number, filter: undefined): { neighbors: number[] };
  delete(): void;
}

/**
 * The package's loadHnswlib() insists on an IndexedDB file system, which Node lacks, and
 * its build (ENVIRONMENT=web) refuses to start unless `window` exists. So we import the
 * Emscripten factory directly (its file name carries a build hash, hence the readdir) and
 * define `window` only while the module initialises, so the global leaks into nothing else.
 */
async function loadModule(): Promise<HnswlibModule> {
  const dist = join(packageDir('hnswlib-wasm'), 'dist');
  const file = readdirSync(dist).find((f) => /^hnswlib-[0-9a-f]+\.js$/.test(f));
  if (!file) throw new Error(`hnswlib-wasm: no Emscripten factory hnswlib-<hash>.js in ${dist}`);
  const g = globalThis as { window?: unknown };
  const hadWindow = 'window' in g;
  if (!hadWindow) g.window = globalThis;
  try {
    const factory = (await import(pathToFileURL(join(dist, file)).href)).default as () => Promise<HnswlibModule>;
    return await factory();
  } finally {
    if (!hadWindow) delete g.window;
  }
}

export async function createHnswlibWasmPeer(): Promise<AnnPeer> {
  const lib = await loadModule();
  let index: WasmIndex | null = null;
  let ef = -1;
  const drop = () => {
    index?.delete(); // embind objects live in WASM memory until deleted
    index = null;
  };

  return {
    name: 'hnswlib-wasm',
    version: packageVersion('hnswlib-wasm'),
    kind: 'wasm',
    metrics: ['l2', 'ip'],
    build(base: Float32Array, n: number, dim: number, opts: BuildOptions) {
      drop();
      index = new lib.HierarchicalNSW(opts.metric, dim, '');
      index.initIndex(n, opts.M, opts.efConstruction, opts.seed);
      // One row at a time, as the hnswlib-node adapter inserts, so the two builds compare like for like.
      for (let i = 0; i < n; i++) index.addPoint(base.subarray(i * dim, (i + 1) * dim), i, false);
      ef = -1;
    },
    search(query: Float32Array, k: number, searchEf: number) {
      if (!index) throw new Error('hnswlib-wasm: search before build');
      if (searchEf !== ef) index.setEfSearch((ef = searchEf));
      return index.searchKnn(query, k, undefined).neighbors;
    },
    /** Size of the module's linear memory; shared by every index of this module, so exact only for one. */
    memoryBytes: () => lib.HEAPU8.byteLength,
    dispose: drop,
  };
}
