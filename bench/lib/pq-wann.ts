// The wann side of bench/pq.ts: creates, trains and fills one index per configuration
// (FlatIndex, IvfIndex or HnswIndex; storage 'pq' or f32) and searches it in batches.
// Index classes are looked up by name so a checkout without one (IvfIndex, or storage
// 'pq' before it lands) skips that configuration with the reason instead of failing to link.
import * as wann from '../../src/index.js';

export type WannClass = 'FlatIndex' | 'IvfIndex' | 'HnswIndex';

/** The part of the index API the benchmark drives (src/base-index.ts). */
interface PqIndex {
  train?(rows: Float32Array, options?: { onProgress?: (done: number, total: number) => void }): void;
  addBatch(rows: Float32Array): void;
  search(query: Float32Array, k: number, options?: Record<string, number>): { ids: Uint32Array };
  searchBatch(queries: Float32Array, k: number, options?: Record<string, number>): { ids: Uint32Array; distances: Float32Array };
  readonly memoryBytes: number;
  readonly dim: number;
  serialize(): Uint8Array;
  dispose(): void;
}
interface PqIndexClass {
  create(options: Record<string, unknown>): Promise<PqIndex>;
  load(bytes: Uint8Array, options?: Record<string, unknown>): Promise<PqIndex>;
}

export interface WannSpec {
  cls: WannClass;
  /** create() options beyond dim, metric, capacity and simd (storage, pq, keepVectors, nlist, M, ...). */
  options: Record<string, unknown>;
  /** Train explicitly on the harness's training rows (the rows FAISS trains on), timed apart from addBatch. */
  train: boolean;
}

export interface WannBuilt {
  trainSeconds?: number;
  addSeconds: number;
  memoryBytes: number;
  serializedBytes: number;
}

function indexClass(name: WannClass): PqIndexClass | undefined {
  return (wann as unknown as Record<string, PqIndexClass | undefined>)[name];
}

/** One wann index under measurement. */
export class WannRunner {
  #index: PqIndex | undefined;
  /** Search with search(), one query per call, instead of one searchBatch() of every query. */
  readonly #oneByOne: boolean;

  private constructor(index: PqIndex, oneByOne = false) {
    this.#index = index;
    this.#oneByOne = oneByOne;
  }

  /** Creates, trains and fills the index; a string is the reason it cannot run in this checkout. */
  static async build(spec: WannSpec, rows: { dim: number; base: Float32Array; train: Float32Array }, simd: boolean): Promise<{ runner: WannRunner; built: WannBuilt } | string> {
    const cls = indexClass(spec.cls);
    if (!cls) return `${spec.cls} is not exported by src/index.ts in this checkout`;
    let index: PqIndex | undefined;
    try {
      index = await cls.create({ dim: rows.dim, metric: 'l2', capacity: rows.base.length / rows.dim, simd, threads: 1, ...spec.options });
      let trainSeconds: number | undefined;
      if (spec.train) {
        if (typeof index.train !== 'function') throw new Error(`${spec.cls}.train() is missing`);
        const start = performance.now();
        index.train(rows.train);
        trainSeconds = (performance.now() - start) / 1000;
      }
      const start = performance.now();
      index.addBatch(rows.base);
      const addSeconds = (performance.now() - start) / 1000;
      const built = { trainSeconds, addSeconds, memoryBytes: index.memoryBytes, serializedBytes: index.serialize().length };
      return { runner: new WannRunner(index), built };
    } catch (error) {
      index?.dispose();
      return `${spec.cls}.create(${JSON.stringify(spec.options)}): ${(error as Error).message}`;
    }
  }

  /**
   * The same index run by the other build (or searched one query per call, `oneByOne`):
   * serialize() then load({ simd }), so both scan the same codes with the same codebooks.
   */
  async twin(spec: WannSpec, simd: boolean, oneByOne = false): Promise<WannRunner | string> {
    try {
      return new WannRunner(await indexClass(spec.cls)!.load(this.#live().serialize(), { simd, threads: 1 }), oneByOne);
    } catch (error) {
      return `${spec.cls}.load(simd: ${simd}): ${(error as Error).message}`;
    }
  }

  #live(): PqIndex {
    if (!this.#index) throw new Error('wann runner used after dispose');
    return this.#index;
  }

  search(queries: Float32Array, k: number, options: Record<string, number>): Uint32Array {
    const index = this.#live();
    if (!this.#oneByOne) return index.searchBatch(queries, k, options).ids;
    const dim = this.#dim(queries), ids = new Uint32Array((queries.length / dim) * k);
    for (let q = 0; q * dim < queries.length; q++) ids.set(index.search(queries.subarray(q * dim, (q + 1) * dim), k, options).ids, q * k);
    return ids;
  }

  /**
   * Seconds per searchBatch() of every query, over `inner` back-to-back batches: the
   * batch path, where a FlatIndex's 8-bit codes are scanned for groups of queries
   * (assembly/groupscan.ts), on one thread (threads: 1 above, as FAISS runs). With
   * `oneByOne`, seconds per pass of search() over every query.
   */
  time(queries: Float32Array, k: number, options: Record<string, number>, inner: number): number {
    const index = this.#live();
    const start = performance.now();
    if (this.#oneByOne) {
      const dim = this.#dim(queries);
      for (let i = 0; i < inner; i++) {
        for (let q = 0; q < queries.length; q += dim) index.search(queries.subarray(q, q + dim), k, options);
      }
    } else {
      for (let i = 0; i < inner; i++) index.searchBatch(queries, k, options);
    }
    return (performance.now() - start) / 1000 / inner;
  }

  #dim(queries: Float32Array): number {
    const dim = this.#live().dim;
    if (queries.length % dim !== 0) throw new Error(`queries: ${queries.length} values, not rows of ${dim}`);
    return dim;
  }

  dispose(): void {
    this.#index?.dispose();
    this.#index = undefined;
  }
}
