// HnswIndex: approximate nearest-neighbour search over a Hierarchical Navigable
// Small World graph (Malkov & Yashunin) built in WASM. The public class; the
// algorithm is in assembly/hnsw.ts.

import { Kind, State } from './abi.js';
import { Core } from './core.js';
import { loadCore, metricName, type FileExtras, type LoadedFile, type LoadOptions } from './format.js';
import { readHnswlib, writeHnswlib, type HnswlibOptions } from './hnswlib.js';
import { BaseIndex } from './base-index.js';
import type { IndexInfo } from './index-types.js';
import { fileSource } from './node-io.js';
import { readIndex, type IndexSource } from './persist.js';
import { integrityProblem, WannError } from './errors.js';
import { METRICS, pqTrainingOptions, resolveHnsw, STORAGES, type HnswOptions } from './options.js';
import { checkPositive } from './vectors.js';
import { loadCore as instantiateCore } from './wasm.js';

export class HnswIndex extends BaseIndex {
  /** Links per node per level (2·M on level 0). */
  readonly M: number;
  /** Beam width used while inserting. */
  readonly efConstruction: number;
  /** Seed of the level generator. */
  readonly seed: number;
  #ef: number;

  private constructor(core: Core, file: LoadedFile, pqTraining?: IndexInfo['pqTraining']) {
    const { state } = file;
    super(core, { dim: state[State.DIM], metric: metricName(state[State.METRIC]), storage: state[State.STORAGE], rerank: file.rerank, pqTraining });
    this.M = state[State.M];
    this.efConstruction = state[State.EF_CONSTRUCTION];
    this.seed = file.seed;
    this.#ef = file.ef;
  }

  /** A new, empty index. Options are documented on HnswOptions; only `dim` is required. */
  static async create(options: HnswOptions): Promise<HnswIndex> {
    const resolved = resolveHnsw(options);
    const core = new Core(await instantiateCore(resolved.simd, resolved.wasm, resolved.threads));
    const status = core.x.init(
      Kind.HNSW, METRICS[resolved.metric], STORAGES[resolved.storage], resolved.dim, resolved.M, resolved.efConstruction,
      resolved.seed % 2 ** 32, Math.floor(resolved.seed / 2 ** 32), resolved.capacity, resolved.keepVectors ? 1 : 0, resolved.pq.m, resolved.pq.bits, 0,
    );
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim})`);
    return new HnswIndex(core, { state: core.savedState(), seed: resolved.seed, ef: resolved.ef, rerank: resolved.rerank },
      pqTrainingOptions(resolved.pq, resolved.seed));
  }

  /**
   * The index serialize() wrote, answering every query exactly as the original did and
   * inserting deterministically from there. Checks everything before trusting it:
   * TRUNCATED, BAD_MAGIC, UNSUPPORTED_VERSION, CHECKSUM_MISMATCH, BAD_HEADER,
   * WRONG_KIND, WRONG_METRIC, DIMENSION_MISMATCH, CORRUPT_GRAPH. Memory is sized once.
   */
  static async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<HnswIndex> {
    const { core, file } = await loadCore(bytes, options, Kind.HNSW);
    return HnswIndex.fromLoaded(core, file);
  }

  /** load() of the file at `path` (Node only), read straight into WASM memory. */
  static async open(path: string, options: LoadOptions = {}): Promise<HnswIndex> {
    return HnswIndex.openFrom(await fileSource(path, 'HnswIndex.open()'), options);
  }

  /** load() of the file `source` holds (src/persist.ts; OPFS and IndexedDB in src/browser-io.ts), read straight into WASM memory. */
  static async openFrom(source: IndexSource, options: LoadOptions = {}): Promise<HnswIndex> {
    const { core, file } = await readIndex(source, options, Kind.HNSW);
    return HnswIndex.fromLoaded(core, file);
  }

  /**
   * The index in a file hnswlib wrote (saveIndex / hnswlib-node writeIndex, 64-bit
   * hosts): same graph, same answers. hnswlib files do not store the metric, so pass
   * the space the index was built with; dim is read from the file (pass it to check).
   */
  static async fromHnswlib(bytes: Uint8Array, options: HnswlibOptions): Promise<HnswIndex> {
    const { core, file } = await readHnswlib(bytes, options);
    return HnswIndex.fromLoaded(core, file);
  }

  /** The index as an hnswlib file (64-bit layout) that hnswlib's loadIndex / hnswlib-node readIndex reads. Storage 'f32' only. */
  toHnswlib(): Uint8Array {
    return writeHnswlib(this.core, this.dim, this.M, this.efConstruction);
  }

  /** @internal The index around an instance format.ts or hnswlib.ts has restored. */
  static fromLoaded(core: Core, file: LoadedFile): HnswIndex {
    return new HnswIndex(core, file);
  }

  /** Default beam width of search() when no `ef` is passed (raised to at least k). */
  get ef(): number {
    return this.#ef;
  }

  set ef(value: number) {
    void this.core; // throws DISPOSED after dispose()
    this.#ef = checkPositive(value, 'ef');
  }

  /** Top level of the graph (-1 when empty). */
  get maxLevel(): number {
    return this.core.state(State.MAX_LEVEL) | 0;
  }

  /**
   * Renumbers the graph's items in memory in breadth-first order from the entry point,
   * so the rows of neighbouring items lie together: searches of an index larger than
   * the CPU caches read fewer pages (a few percent at 100k × 128: README, Past the
   * caches). Call it after a large build. Ids, search results and everything else an
   * index answers stay exactly as they were; later adds work as before. Took 52 ms for
   * 100,000 items of 128 dims here, and takes 8 bytes per item of scratch memory that stays
   * reserved (WASM memory never shrinks). Throws OUT_OF_MEMORY when that cannot be had
   * (nothing changed).
   */
  optimize(): void {
    const status = this.idleCore.x.reorder();
    if (status < 0) throw WannError.fromStatus(status, 'optimize()');
  }

  /**
   * Checks the graph (every link points to an item on a level it has, no self or
   * repeated links, degree bounds, entry point on the top level, id table). Returns
   * null when sound, else the name of the first problem. For tests and debugging: O(n·M).
   */
  checkIntegrity(): string | null {
    return integrityProblem(this.core.x.checkIntegrity());
  }

  /**
   * Exact scan of a filter's allowed items when it costs no more than the graph: a
   * filtered search expands about ef / selectivity nodes of up to 2M distances each,
   * so scan when allowed ≤ ef · 2M · size / allowed.
   */
  protected override prefersExact(allowed: number, beam: number): boolean {
    return allowed * allowed <= beam * 2 * this.M * this.size;
  }

  protected override fileExtras(): Omit<FileExtras, 'rerank'> {
    return { seed: this.seed, ef: this.#ef };
  }

  protected override searchWidth(k: number, options: { ef?: number }): number {
    const ef = options.ef === undefined ? this.#ef : checkPositive(options.ef, 'ef');
    return Math.max(ef, k);
  }
}
