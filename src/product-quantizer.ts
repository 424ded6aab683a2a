// ProductQuantizer: product quantization's codebooks on their own, for users who store
// codes themselves (and for tests): train on a sample, encode rows to codes, decode codes
// to rows, read the codebooks. The same k-means, codec and kernels as an index with
// storage 'pq' (assembly/pq.ts), in one WASM instance of its own.

import { Kind, Region } from './abi.js';
import { Core } from './core.js';
import { WannError } from './errors.js';
import { checkOptionNames, describe, integerOption, METRICS, PQ_DEFAULT_ITERATIONS, seedingOf, type MetricName, type PqOptions } from './options.js';
import { adoptQuantizerBytes, trainCodebooks, trainingJob } from './pq-training.js';
import { trainInWorker } from './training-worker.js';
import type { ProgressCallback } from './index-types.js';
import { checkBatch, type Vectors } from './vectors.js';
import { loadCore, type Build, type WasmOption } from './wasm.js';

/** Options of ProductQuantizer.train(). */
export interface ProductQuantizerOptions extends PqOptions {
  /** Vector length. Required; 1 … 65536. */
  dim: number;
  /** 'cosine' normalises rows before training and encoding; 'l2' and 'ip' take them as they are. Default 'l2'. */
  metric?: MetricName;
  /** Seeds k-means: same seed and sample, same codebooks. Default 100. */
  seed?: number;
  /** Which build runs: 'auto', true or false; as the index classes. Default 'auto'. */
  simd?: 'auto' | boolean;
  /** Where to load the code from; as the index classes. */
  wasm?: WasmOption;
  /** Called after each k-means step (a subspace's seeding or one Lloyd iteration) with (done, total). */
  onProgress?: ProgressCallback;
}

const OPTIONS = ['dim', 'metric', 'm', 'bits', 'iterations', 'sampleRows', 'init', 'seed', 'simd', 'wasm', 'onProgress'];

export class ProductQuantizer {
  #core: Core | undefined;
  /** Vector length. */
  readonly dim: number;
  /** Subspaces: one code each. */
  readonly m: number;
  /** Bits of a code: 8 or 4. */
  readonly bits: 4 | 8;
  /** Bytes of one row's code: m (8 bits) or ceil(m / 2) (4 bits; subspace 2i in the low nibble of byte i). */
  readonly codeBytes: number;
  /** Row values per subspace: ceil(dim / m); the last subspaces are zero-padded. */
  readonly subDims: number;
  /** Which build runs: 'simd' or 'scalar'. */
  readonly build: Build;

  private constructor(core: Core, dim: number, m: number, bits: 4 | 8) {
    this.#core = core;
    this.dim = dim;
    this.m = m;
    this.bits = bits;
    this.codeBytes = bits === 8 ? m : Math.ceil(m / 2);
    this.subDims = Math.ceil(dim / m);
    this.build = core.x.simdBuild() ? 'simd' : 'scalar';
  }

  /**
   * Codebooks trained by k-means (seeded as `init` says, then Lloyd iterations) on `sample`,
   * in a worker of its own (on the calling thread where no worker can start).
   */
  static async train(sample: Vectors, options: ProductQuantizerOptions): Promise<ProductQuantizer> {
    checkOptionNames(options, OPTIONS, 'INVALID_OPTION', 'ProductQuantizer.train()', '{ dim: 128, m: 16 }');
    const dim = integerOption('dim', options.dim, 1, 65536);
    const bits = options.bits ?? 8;
    if (bits !== 4 && bits !== 8) throw new WannError('INVALID_OPTION', `bits must be 4 or 8, got ${describe(bits)}`);
    const m = integerOption('m', options.m ?? Math.ceil(dim / 8), 1, Math.min(dim, 4096));
    const metric = options.metric ?? 'l2';
    if (!Object.hasOwn(METRICS, metric)) throw new WannError('INVALID_OPTION', `metric must be 'l2', 'ip' or 'cosine', got ${describe(metric)}`);
    const iterations = integerOption('iterations', options.iterations ?? PQ_DEFAULT_ITERATIONS, 1, 1000);
    const sampleRows = integerOption('sampleRows', options.sampleRows ?? 256 * 2 ** bits, 2 ** bits, 0xffffffff);
    const seed = integerOption('seed', options.seed ?? 100, 0, Number.MAX_SAFE_INTEGER);
    const seeding = seedingOf(options.init, 'init');
    const { onProgress } = options;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new WannError('INVALID_OPTION', `onProgress must be a function (done, total) => void, got ${describe(onProgress)}`);
    }
    const batch = checkBatch(sample, dim, 'sample');
    const core = new Core(await loadCore(options.simd ?? 'auto', options.wasm, 1));
    const training = { kind: Kind.FLAT, nlist: 0, metric: METRICS[metric], dim, m, bits, iterations, sampleRows, seed, seeding };
    // k-means in a worker, the calling thread free; its codebooks go into a core of the
    // same shape, without the sample (a scratch instance trained here keeps it).
    const codebooks = await trainInWorker(core, training, batch, 'ProductQuantizer.train()', onProgress);
    if (!codebooks) return new ProductQuantizer(trainCodebooks(core, training, batch, onProgress), dim, m, bits);
    const status = core.x.init(...(trainingJob(training, 0).init as Parameters<Core['x']['init']>));
    if (status < 0) throw WannError.fromStatus(status, 'ProductQuantizer.train()');
    adoptQuantizerBytes(codebooks, core);
    return new ProductQuantizer(core, dim, m, bits);
  }

  /**
   * The codebooks: m × 2^bits centroids of subDims values, centroid k of subspace j at
   * ((j · 2^bits) + k) · subDims. A copy.
   */
  get codebooks(): Float32Array {
    const core = this.#live();
    const K = 2 ** this.bits, sub = this.subDims, stride = (sub + 3) & ~3;
    const at = core.regionPtr(Region.QUANTIZER) >>> 2;
    const out = new Float32Array(this.m * K * sub);
    const f32 = core.f32;
    for (let j = 0; j < this.m; j++) {
      for (let k = 0; k < K; k++) {
        for (let t = 0; t < sub; t++) out[(j * K + k) * sub + t] = f32[at + (j * stride + t) * K + k];
      }
    }
    return out;
  }

  /** The codes of `vectors` (n × dim values, or an array of rows): n × codeBytes bytes. */
  encode(vectors: Vectors): Uint8Array {
    const core = this.#live();
    const batch = checkBatch(vectors, this.dim, 'vectors');
    const out = new Uint8Array(batch.count * this.codeBytes);
    for (let i = 0; i < batch.count; i++) {
      core.f32.set(batch.row(i), core.inputIndex());
      const at = core.x.encodeInput() >>> 0;
      out.set(core.u8.subarray(at, at + this.codeBytes), i * this.codeBytes);
    }
    return out;
  }

  /** The rows `codes` (n × codeBytes bytes, as encode() wrote) stand for: n × dim values. */
  decode(codes: Uint8Array): Float32Array {
    const core = this.#live();
    if (!(codes instanceof Uint8Array) || codes.length % this.codeBytes !== 0) {
      throw new WannError('INVALID_ARGUMENT', `decode() takes a Uint8Array of whole codes (${this.codeBytes} bytes each)`);
    }
    const n = codes.length / this.codeBytes;
    const out = new Float32Array(n * this.dim);
    const codeAt = core.x.encodeInput() >>> 0; // where decodeCode() reads a code
    for (let i = 0; i < n; i++) {
      const code = codes.subarray(i * this.codeBytes, (i + 1) * this.codeBytes);
      if (this.bits === 4 && this.m % 2 === 1 && code[this.codeBytes - 1] >> 4 !== 0) {
        throw new WannError('INVALID_ARGUMENT', `code ${i}: the high nibble of its last byte must be 0 (m = ${this.m} is odd)`);
      }
      core.u8.set(code, codeAt);
      core.x.decodeCode();
      out.set(core.f32.subarray(core.inputIndex(), core.inputIndex() + this.dim), i * this.dim);
    }
    return out;
  }

  /** Frees the WASM memory; later calls throw DISPOSED. */
  dispose(): void {
    this.#core = undefined;
  }

  #live(): Core {
    if (!this.#core) throw new WannError('DISPOSED', 'this ProductQuantizer was disposed');
    return this.#core;
  }
}
