// IvfIndex: an inverted-file index over product-quantization codes (IVF-PQ, FAISS's
// IndexIVFPQ): rows grouped into nlist lists by their nearest coarse centroid and stored
// as 'pq' codes of their residual; a search scans the nprobe lists nearest the query.
// The public class; the algorithm is in assembly/ivf.ts.

import { Kind, State } from './abi.js';
import { Core } from './core.js';
import { loadCore, metricName, type FileExtras, type LoadedFile, type LoadOptions } from './format.js';
import { BaseIndex } from './base-index.js';
import type { IndexInfo } from './index-types.js';
import { fileSource } from './node-io.js';
import { readIndex, type IndexSource } from './persist.js';
import { WannError } from './errors.js';
import { IVF_SEARCH_OPTIONS, METRICS, pqTrainingOptions, resolveIvf, STORAGES, type IvfOptions } from './options.js';
import type { SearchOptions } from './plan.js';
import { checkPositive } from './vectors.js';
import { loadCore as instantiateCore } from './wasm.js';

export class IvfIndex extends BaseIndex {
  /** Inverted lists (coarse centroids). */
  readonly nlist: number;
  /** Seed of k-means (lists and codebooks). */
  readonly seed: number;
  #nprobe: number;

  private constructor(core: Core, file: LoadedFile, pqTraining?: IndexInfo['pqTraining']) {
    const { state } = file;
    super(core, { dim: state[State.DIM], metric: metricName(state[State.METRIC]), storage: state[State.STORAGE], rerank: file.rerank, pqTraining });
    this.nlist = state[State.NLIST];
    this.seed = file.seed;
    this.#nprobe = file.ef;
  }

  /**
   * A new, empty index. Options are documented on IvfOptions; only `dim` is required.
   * The lists and codebooks are trained by train(sample) or on the first addBatch().
   */
  static async create(options: IvfOptions): Promise<IvfIndex> {
    const resolved = resolveIvf(options);
    const core = new Core(await instantiateCore(resolved.simd, resolved.wasm, resolved.threads));
    const status = core.x.init(
      Kind.IVF, METRICS[resolved.metric], STORAGES[resolved.storage], resolved.dim, 0, 0, 0, 0, resolved.capacity,
      resolved.keepVectors ? 1 : 0, resolved.pq.m, resolved.pq.bits, resolved.nlist,
    );
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim}, nlist ${resolved.nlist})`);
    return new IvfIndex(core, { state: core.savedState(), seed: resolved.seed, ef: resolved.nprobe, rerank: resolved.rerank },
      pqTrainingOptions(resolved.pq, resolved.seed));
  }

  /** The index serialize() wrote; checks as HnswIndex.load(). */
  static async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<IvfIndex> {
    const { core, file } = await loadCore(bytes, options, Kind.IVF);
    return IvfIndex.fromLoaded(core, file);
  }

  /** load() of the file at `path` (Node only), read straight into WASM memory. */
  static async open(path: string, options: LoadOptions = {}): Promise<IvfIndex> {
    return IvfIndex.openFrom(await fileSource(path, 'IvfIndex.open()'), options);
  }

  /** load() of the file `source` holds (src/persist.ts; OPFS and IndexedDB in src/browser-io.ts), read straight into WASM memory. */
  static async openFrom(source: IndexSource, options: LoadOptions = {}): Promise<IvfIndex> {
    const { core, file } = await readIndex(source, options, Kind.IVF);
    return IvfIndex.fromLoaded(core, file);
  }

  /** @internal The index around an instance format.ts has restored. */
  static fromLoaded(core: Core, file: LoadedFile): IvfIndex {
    return new IvfIndex(core, file); // a loaded index that trains later does so with the defaults, as the other kinds
  }

  /** Default lists a search scans when no `nprobe` is passed. */
  get nprobe(): number {
    return this.#nprobe;
  }

  set nprobe(value: number) {
    void this.core; // throws DISPOSED after dispose()
    this.#nprobe = checkPositive(value, 'nprobe');
  }

  /** Lists rank by centroid; a filter only skips items in them (more lists are scanned while fewer than k pass). */
  protected override prefersExact(): boolean {
    return false;
  }

  protected override fileExtras(): Omit<FileExtras, 'rerank'> {
    return { seed: this.seed, ef: this.#nprobe };
  }

  /** The results kept while scanning: k (and rerank, which planning adds). */
  protected override searchWidth(k: number): number {
    return k;
  }

  /** nprobe where the other kinds take ef. */
  protected override searchOptionNames(): readonly string[] {
    return IVF_SEARCH_OPTIONS;
  }

  protected override searchProbes(options: SearchOptions): number {
    return Math.min(options.nprobe === undefined ? this.#nprobe : checkPositive(options.nprobe, 'nprobe'), this.nlist);
  }
}
