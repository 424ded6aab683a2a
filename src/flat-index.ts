// FlatIndex: exact nearest-neighbour search by a full scan in WASM, over the same
// rows and kernels as HnswIndex. Ground truth for recall, and the right choice for small sets.

import { Kind, State } from './abi.js';
import { Core } from './core.js';
import { loadCore, metricName, type FileExtras, type LoadedFile, type LoadOptions } from './format.js';
import { BaseIndex } from './base-index.js';
import type { IndexInfo } from './index-types.js';
import { fileSource } from './node-io.js';
import { readIndex, type IndexSource } from './persist.js';
import { WannError } from './errors.js';
import { COMMON_OPTIONS, METRICS, pqTrainingOptions, resolveCommon, STORAGES, type CommonOptions } from './options.js';
import { checkPositive } from './vectors.js';
import { loadCore as instantiateCore } from './wasm.js';

export type FlatOptions = CommonOptions;

export class FlatIndex extends BaseIndex {
  private constructor(core: Core, file: LoadedFile, pqTraining?: IndexInfo['pqTraining']) {
    const { state } = file;
    super(core, { dim: state[State.DIM], metric: metricName(state[State.METRIC]), storage: state[State.STORAGE], rerank: file.rerank, pqTraining });
  }

  /** A new, empty exact index. Options are documented on CommonOptions; only `dim` is required. */
  static async create(options: FlatOptions): Promise<FlatIndex> {
    const resolved = resolveCommon(options, COMMON_OPTIONS);
    const core = new Core(await instantiateCore(resolved.simd, resolved.wasm, resolved.threads));
    const status = core.x.init(
      Kind.FLAT, METRICS[resolved.metric], STORAGES[resolved.storage], resolved.dim, 0, 0, 0, 0, resolved.capacity,
      resolved.keepVectors ? 1 : 0, resolved.pq.m, resolved.pq.bits, 0,
    );
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim})`);
    return new FlatIndex(core, { state: core.savedState(), seed: 0, ef: 0, rerank: resolved.rerank },
      pqTrainingOptions(resolved.pq, 0));
  }

  /** The index serialize() wrote; checks as HnswIndex.load(). */
  static async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<FlatIndex> {
    const { core, file } = await loadCore(bytes, options, Kind.FLAT);
    return FlatIndex.fromLoaded(core, file);
  }

  /** load() of the file at `path` (Node only), read straight into WASM memory. */
  static async open(path: string, options: LoadOptions = {}): Promise<FlatIndex> {
    return FlatIndex.openFrom(await fileSource(path, 'FlatIndex.open()'), options);
  }

  /** load() of the file `source` holds (src/persist.ts; OPFS and IndexedDB in src/browser-io.ts), read straight into WASM memory. */
  static async openFrom(source: IndexSource, options: LoadOptions = {}): Promise<FlatIndex> {
    const { core, file } = await readIndex(source, options, Kind.FLAT);
    return FlatIndex.fromLoaded(core, file);
  }

  /** @internal The index around an instance format.ts has restored. */
  static fromLoaded(core: Core, file: LoadedFile): FlatIndex {
    return new FlatIndex(core, file);
  }

  /** A scan is all a FlatIndex does. */
  protected override prefersExact(): boolean {
    return true;
  }

  /** 8-bit PQ codes are scanned for a group of queries at once (assembly/groupscan.ts). */
  protected override searchesInGroups(): boolean {
    return this.pq?.bits === 8;
  }

  protected override fileExtras(): Omit<FileExtras, 'rerank'> {
    return { seed: 0, ef: 0 };
  }

  /** Exact search scans everything: the width is k; `ef` is checked, then ignored. */
  protected override searchWidth(k: number, options: { ef?: number }): number {
    if (options.ef !== undefined) checkPositive(options.ef, 'ef');
    return k;
  }
}
