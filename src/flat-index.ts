// FlatIndex: exact nearest-neighbour search by a full scan in WASM, over the same
// kernels as HnswIndex. Ground truth for recall, and the right choice for small sets.

import { Kind } from './abi.js';
import { loadCore, metricName, type LoadOptions } from './format.js';
import { BaseIndex } from './base-index.js';
import { WannError } from './errors.js';
import { METRICS, resolveCommon, type CommonOptions, type MetricName } from './options.js';
import { checkPositive } from './vectors.js';
import { loadCore as instantiateCore, type WannExports } from './wasm.js';

export type FlatOptions = CommonOptions;

export class FlatIndex extends BaseIndex {
  /** A new, empty exact index. Options are documented on CommonOptions; only `dim` is required. */
  static async create(options: FlatOptions): Promise<FlatIndex> {
    const resolved = resolveCommon(options, ['dim', 'metric', 'capacity', 'simd', 'wasm']);
    const exports = await instantiateCore(resolved.simd, resolved.wasm);
    const status = exports.init(Kind.FLAT, METRICS[resolved.metric], resolved.dim, 0, 0, 0, 0, resolved.capacity);
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim})`);
    return new FlatIndex(exports, resolved.dim, resolved.metric as MetricName);
  }

  /** The index serialize() wrote; checks as HnswIndex.load(). */
  static async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<FlatIndex> {
    const { x, header } = await loadCore(bytes, options, Kind.FLAT);
    return FlatIndex.fromLoaded(x, header);
  }

  /** load() of the file at `path` (Node only). */
  static async open(path: string, options: LoadOptions = {}): Promise<FlatIndex> {
    const { readFileBytes } = await import('./node-io.js');
    return FlatIndex.load(await readFileBytes(path), options);
  }

  /** @internal The index around an instance format.ts has restored. */
  static fromLoaded(x: WannExports, header: { dim: number; metric: number }): FlatIndex {
    return new FlatIndex(x, header.dim, metricName(header.metric));
  }

  /** A scan is all a FlatIndex does. */
  protected override prefersExact(): boolean {
    return true;
  }

  protected override fileExtras(): { seed: number; ef: number } {
    return { seed: 0, ef: 0 };
  }

  /** Exact search scans everything: the width is k; `ef` is checked, then ignored. */
  protected override searchWidth(k: number, options: { ef?: number }): number {
    if (options.ef !== undefined) checkPositive(options.ef, 'ef');
    return k;
  }
}
