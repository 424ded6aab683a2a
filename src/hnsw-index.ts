// HnswIndex: approximate nearest-neighbour search over a Hierarchical Navigable
// Small World graph (Malkov & Yashunin) built in WASM. The public class; the
// algorithm is in assembly/hnsw.ts.

import { Kind } from './abi.js';
import { BaseIndex } from './base-index.js';
import { WannError } from './errors.js';
import { METRICS, resolveHnsw, type HnswOptions, type MetricName } from './options.js';
import { checkPositive } from './vectors.js';
import { loadCore, type WannExports } from './wasm.js';

/** Problems checkIntegrity() can report, by the codes of assembly/integrity.ts. */
const INTEGRITY_PROBLEMS = [
  null, 'BAD_ENTRY', 'TOO_MANY_LINKS', 'LINK_OUT_OF_RANGE', 'SELF_LINK',
  'LINK_BELOW_LEVEL', 'REPEATED_LINK', 'ID_TABLE_MISMATCH', 'LEVEL_ABOVE_TOP',
] as const;

export class HnswIndex extends BaseIndex {
  /** Links per node per level (2·M on level 0). */
  readonly M: number;
  /** Beam width used while inserting. */
  readonly efConstruction: number;
  /** Seed of the level generator. */
  readonly seed: number;
  #ef: number;

  private constructor(exports: WannExports, options: Required<Omit<HnswOptions, 'wasm'>>) {
    super(exports, options.dim, options.metric as MetricName);
    this.M = options.M;
    this.efConstruction = options.efConstruction;
    this.seed = options.seed;
    this.#ef = options.ef;
  }

  /** A new, empty index. Options are documented on HnswOptions; only `dim` is required. */
  static async create(options: HnswOptions): Promise<HnswIndex> {
    const resolved = resolveHnsw(options);
    const exports = await loadCore(resolved.simd, resolved.wasm);
    const status = exports.init(
      Kind.HNSW, METRICS[resolved.metric], resolved.dim, resolved.M, resolved.efConstruction,
      resolved.seed % 2 ** 32, Math.floor(resolved.seed / 2 ** 32), resolved.capacity,
    );
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim})`);
    return new HnswIndex(exports, resolved);
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
    const code = this.exports.checkIntegrity();
    return code === 0 ? null : (INTEGRITY_PROBLEMS[code] ?? `UNKNOWN_${code}`);
  }

  protected override searchWidth(k: number, options: { ef?: number }): number {
    const ef = options.ef === undefined ? this.#ef : checkPositive(options.ef, 'ef');
    return Math.max(ef, k);
  }
}
