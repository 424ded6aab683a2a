// FlatIndex: exact nearest-neighbour search by a full scan in WASM, over the same
// kernels as HnswIndex. Ground truth for recall, and the right choice for small sets.

import { Kind } from './abi.js';
import { BaseIndex } from './base-index.js';
import { WannError } from './errors.js';
import { METRICS, resolveCommon, type CommonOptions, type MetricName } from './options.js';
import { checkPositive } from './vectors.js';
import { loadCore } from './wasm.js';

export type FlatOptions = CommonOptions;

export class FlatIndex extends BaseIndex {
  /** A new, empty exact index. Options are documented on CommonOptions; only `dim` is required. */
  static async create(options: FlatOptions): Promise<FlatIndex> {
    const resolved = resolveCommon(options, ['dim', 'metric', 'capacity', 'simd', 'wasm']);
    const exports = await loadCore(resolved.simd, resolved.wasm);
    const status = exports.init(Kind.FLAT, METRICS[resolved.metric], resolved.dim, 0, 0, 0, 0, resolved.capacity);
    if (status < 0) throw WannError.fromStatus(status, `create(capacity ${resolved.capacity}, dim ${resolved.dim})`);
    return new FlatIndex(exports, resolved.dim, resolved.metric as MetricName);
  }

  /** Exact search scans everything: the width is k; `ef` is checked, then ignored. */
  protected override searchWidth(k: number, options: { ef?: number }): number {
    if (options.ef !== undefined) checkPositive(options.ef, 'ef');
    return k;
  }
}
