// HnswIndex: approximate nearest-neighbour search over a Hierarchical Navigable
// Small World graph (Malkov & Yashunin) built in WASM. The public class; the
// algorithm is in assembly/hnsw.ts.

import { Kind } from './abi.js';
import { loadCore, metricName, type LoadOptions } from './format.js';
import { readHnswlib, writeHnswlib, type HnswlibOptions } from './hnswlib.js';
import { BaseIndex } from './base-index.js';
import { integrityProblem, WannError } from './errors.js';
import { METRICS, resolveHnsw, type HnswOptions, type MetricName } from './options.js';
import { checkPositive } from './vectors.js';
import { loadCore as instantiateCore, type WannExports } from './wasm.js';

export class HnswIndex extends BaseIndex {
  /** Links per node per level (2·M on level 0). */
  readonly M: number;
  /** Beam width used while inserting. */
  readonly efConstruction: number;
  /** Seed of the level generator. */
  readonly seed: number;
  #ef: number;

  private constructor(exports: WannExports, options: Pick<Required<HnswOptions>, 'dim' | 'metric' | 'M' | 'efConstruction' | 'seed' | 'ef'>) {
    super(exports, options.dim, options.metric as MetricName);
    this.M = options.M;
    this.efConstruction = options.efConstruction;
    this.seed = options.seed;
    this.#ef = options.ef;
  }

  /** A new, empty index. Options are documented on HnswOptions; only `dim` is required. */
  static async create(options: HnswOptions): Promise<HnswIndex> {
    const resolved = resolveHnsw(options);
    const exports = await instantiateCore(resolved.simd, resolved.wasm);
    const status = exports.init(
      Kind.HNSW, METRICS[resolved.metric], resolved.dim, resolved.M, resolved.efConstruction,
      resolved.seed % 2 ** 32, Math.floor(resolved.seed / 2 ** 32), resolved.capacity,
    );
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim})`);
    return new HnswIndex(exports, resolved);
  }

  /**
   * The index serialize() wrote, answering every query exactly as the original did and
   * inserting deterministically from there. Checks everything before trusting it:
   * TRUNCATED, BAD_MAGIC, UNSUPPORTED_VERSION, CHECKSUM_MISMATCH, BAD_HEADER,
   * WRONG_KIND, WRONG_METRIC, DIMENSION_MISMATCH, CORRUPT_GRAPH. Memory is sized once.
   */
  static async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<HnswIndex> {
    const { x, header } = await loadCore(bytes, options, Kind.HNSW);
    return HnswIndex.fromLoaded(x, header);
  }

  /** load() of the file at `path` (Node only). */
  static async open(path: string, options: LoadOptions = {}): Promise<HnswIndex> {
    const { readFileBytes } = await import('./node-io.js');
    return HnswIndex.load(await readFileBytes(path), options);
  }

  /**
   * The index in a file hnswlib wrote (saveIndex / hnswlib-node writeIndex, 64-bit
   * hosts): same graph, same answers. hnswlib files do not store the metric, so pass
   * the space the index was built with; dim is read from the file (pass it to check).
   */
  static async fromHnswlib(bytes: Uint8Array, options: HnswlibOptions): Promise<HnswIndex> {
    const { x, header } = await readHnswlib(bytes, options);
    return HnswIndex.fromLoaded(x, header);
  }

  /** The index as an hnswlib file (64-bit layout) that hnswlib's loadIndex / hnswlib-node readIndex reads. */
  toHnswlib(): Uint8Array {
    return writeHnswlib(this.exports, this.dim, this.M, this.efConstruction);
  }

  /** @internal The index around an instance format.ts has restored. */
  static fromLoaded(x: WannExports, header: { dim: number; metric: number; M: number; efConstruction: number; seed: number; ef: number }): HnswIndex {
    const { dim, M, efConstruction, seed, ef } = header;
    return new HnswIndex(x, { dim, metric: metricName(header.metric), M, efConstruction, seed, ef });
  }

  /** Default beam width of search() when no `ef` is passed (raised to at least k). */
  get ef(): number {
    return this.#ef;
  }

  set ef(value: number) {
    void this.exports; // throws DISPOSED after dispose()
    this.#ef = checkPositive(value, 'ef');
  }

  /** Top level of the graph (-1 when empty). */
  get maxLevel(): number {
    return this.exports.maxLevel();
  }

  /**
   * Checks the graph (every link points to an item on a level it has, no self or
   * repeated links, degree bounds, entry point on the top level, id table). Returns
   * null when sound, else the name of the first problem. For tests and debugging: O(n·M).
   */
  checkIntegrity(): string | null {
    return integrityProblem(this.exports.checkIntegrity());
  }

  /**
   * Exact scan of a filter's allowed items when it costs no more than the graph: a
   * filtered search expands about ef / selectivity nodes of up to 2M distances each,
   * so scan when allowed ≤ ef · 2M · size / allowed.
   */
  protected override prefersExact(allowed: number, beam: number): boolean {
    return allowed * allowed <= beam * 2 * this.M * this.size;
  }

  protected override fileExtras(): { seed: number; ef: number } {
    return { seed: this.seed, ef: this.#ef };
  }

  protected override searchWidth(k: number, options: { ef?: number }): number {
    const ef = options.ef === undefined ? this.#ef : checkPositive(options.ef, 'ef');
    return Math.max(ef, k);
  }
}
