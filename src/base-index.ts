// What every index kind shares: owning one WASM instance, writing rows and queries
// into its memory, reading results out, growth and dispose. HnswIndex and FlatIndex
// extend it with their options and search width.

import { WannError } from './errors.js';
import { WasmMemory } from './memory.js';
import type { MetricName } from './options.js';
import { checkBatch, checkId, checkIds, checkPositive, checkVector, MAX_ID, NO_ID, type Vector, type Vectors } from './vectors.js';
import type { Build, WannExports } from './wasm.js';

/** Nearest neighbours of one query, nearest first. */
export interface SearchResult {
  ids: Uint32Array;
  distances: Float32Array;
}

/** Nearest neighbours of many queries: row i is entries i·k … i·k + k - 1. */
export interface BatchSearchResult extends SearchResult {
  /** Results per query; a query with fewer results is padded with NO_ID and Infinity. */
  k: number;
}

/** Progress of addBatch(), called after each chunk of rows. */
export type ProgressCallback = (done: number, total: number) => void;

export interface AddBatchOptions {
  /** Called after each chunk of 1024 rows, and once at the end. */
  onProgress?: ProgressCallback;
}

/** Counters of work done by searches, for benchmarks. */
export interface WorkCounters {
  /** Distance evaluations. */
  distances: number;
  /** Nodes whose neighbour lists were read. */
  hops: number;
}

const CHUNK_ROWS = 1024;
/** Entries of one searchBatch() result (ids and distances take 4 bytes each). */
const MAX_BATCH_RESULTS = 2 ** 27;
const GROWTH = 1.5;

export abstract class BaseIndex {
  #x: WannExports | undefined;
  readonly #mem: WasmMemory;

  /** Vector length. */
  readonly dim: number;
  /** Distance: 'l2', 'ip' or 'cosine'. */
  readonly metric: MetricName;
  /** Which build runs this index: 'simd' or 'scalar'. */
  readonly build: Build;

  protected constructor(exports: WannExports, dim: number, metric: MetricName) {
    this.#x = exports;
    this.#mem = new WasmMemory(exports.memory);
    this.dim = dim;
    this.metric = metric;
    this.build = exports.simdBuild() ? 'simd' : 'scalar'; // what really runs, whatever was asked
  }

  /** True when this index runs the WebAssembly SIMD build. */
  get simd(): boolean {
    return this.build === 'simd';
  }

  /** Items in the index. */
  get size(): number {
    return this.#live().size();
  }

  /** Items the index holds before it next grows its memory. */
  get capacity(): number {
    return this.#live().capacity();
  }

  /** Bytes of WebAssembly memory the index holds (vectors, graph, ids and working memory). */
  get memoryBytes(): number {
    this.#live();
    return this.#mem.bytes;
  }

  /** Whether `id` is in the index. */
  has(id: number): boolean {
    return this.#live().slotOf(checkId(id)) >= 0;
  }

  /** Adds one vector under `id` (default: the current size). May grow memory. */
  add(vector: Vector, id: number = this.size): void {
    const x = this.#live();
    checkVector(vector, this.dim, 'vector');
    checkId(id);
    if (x.slotOf(id) >= 0) throw new WannError('DUPLICATE_ID', `id ${id} is already in the index`);
    this.#reserve(x.size() + 1);
    this.#mem.f32.set(vector, x.vectorPtr(x.size()) >>> 2);
    const status = x.add(id);
    if (status < 0) throw WannError.fromStatus(status, `add(id ${id})`);
  }

  /**
   * Adds many vectors: a flat Float32Array of n·dim values or an array of vectors,
   * under `ids` (default: size, size + 1, …). Every vector and id is checked before
   * the first is added, so a rejected batch adds nothing.
   */
  addBatch(vectors: Vectors, ids?: Uint32Array | readonly number[], options: AddBatchOptions = {}): void {
    const x = this.#live();
    const batch = checkBatch(vectors, this.dim, 'vectors');
    const first = x.size();
    const idList = ids === undefined ? sequentialIds(first, batch.count) : checkIds(ids, batch.count);
    const onProgress = options.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new WannError('INVALID_ARGUMENT', 'onProgress must be a function (done, total) => void');
    }
    for (let i = 0; i < batch.count; i++) {
      if (x.slotOf(idList[i]) >= 0) throw new WannError('DUPLICATE_ID', `ids[${i}] = ${idList[i]} is already in the index`);
    }
    this.#reserve(first + batch.count);
    if (batch.count === 0) onProgress?.(0, 0);
    const contiguous = batch.flat !== undefined && x.stride() === this.dim;
    for (let start = 0; start < batch.count; start += CHUNK_ROWS) {
      const end = Math.min(start + CHUNK_ROWS, batch.count);
      if (contiguous) {
        // Rows of consecutive slots are adjacent: one copy for the whole chunk.
        this.#mem.f32.set(batch.flat!.subarray(start * this.dim, end * this.dim), x.vectorPtr(first + start) >>> 2);
      } else {
        for (let i = start; i < end; i++) this.#mem.f32.set(batch.row(i), x.vectorPtr(first + i) >>> 2);
      }
      for (let i = start; i < end; i++) {
        const status = x.add(idList[i]);
        if (status < 0) throw WannError.fromStatus(status, `addBatch: row ${i} (${i} of ${batch.count} rows were added)`);
      }
      onProgress?.(end, batch.count);
    }
  }

  /** The k nearest items to `query`, nearest first (fewer when the index holds fewer). */
  search(query: Vector, k: number, options: { ef?: number } = {}): SearchResult {
    const x = this.#live();
    checkVector(query, this.dim, 'query');
    checkPositive(k, 'k');
    const found = this.#searchOne(x, query, k, this.searchWidth(k, options));
    const idsAt = x.resultIdsPtr() >>> 2;
    const distancesAt = x.resultDistancesPtr() >>> 2;
    return {
      ids: this.#mem.u32.slice(idsAt, idsAt + found),
      distances: this.#mem.f32.slice(distancesAt, distancesAt + found),
    };
  }

  /**
   * The k nearest items to each of many queries (a flat Float32Array of nq·dim or an
   * array of vectors), as flat arrays of nq·k entries.
   */
  searchBatch(queries: Vectors, k: number, options: { ef?: number } = {}): BatchSearchResult {
    const x = this.#live();
    const batch = checkBatch(queries, this.dim, 'queries');
    checkPositive(k, 'k');
    const width = this.searchWidth(k, options);
    if (batch.count * k > MAX_BATCH_RESULTS) {
      throw new WannError('INVALID_ARGUMENT',
        `${batch.count} queries × k = ${k} is ${batch.count * k} results, more than one batch may return (${MAX_BATCH_RESULTS}); split the queries`);
    }
    const ids = new Uint32Array(batch.count * k).fill(NO_ID);
    const distances = new Float32Array(batch.count * k).fill(Infinity);
    for (let q = 0; q < batch.count; q++) {
      const found = this.#searchOne(x, batch.row(q), k, width);
      const idsAt = x.resultIdsPtr() >>> 2;
      const distancesAt = x.resultDistancesPtr() >>> 2;
      ids.set(this.#mem.u32.subarray(idsAt, idsAt + found), q * k);
      distances.set(this.#mem.f32.subarray(distancesAt, distancesAt + found), q * k);
    }
    return { ids, distances, k };
  }

  /** Search work since the last resetCounters(): for benchmarks and tuning ef. */
  get counters(): WorkCounters {
    const x = this.#live();
    return { distances: x.distanceCount(), hops: x.hopCount() };
  }

  resetCounters(): void {
    this.#live().resetCounters();
  }

  /** Releases the WASM instance and its memory; any later call throws DISPOSED. */
  dispose(): void {
    this.#x = undefined;
  }

  /** Whether dispose() was called. */
  get disposed(): boolean {
    return this.#x === undefined;
  }

  /** The beam width for a search of k: HNSW's ef, k for exact search. */
  protected abstract searchWidth(k: number, options: { ef?: number }): number;

  /** The WASM exports, for subclasses; throws DISPOSED after dispose(). */
  protected get exports(): WannExports {
    return this.#live();
  }

  #live(): WannExports {
    if (this.#x === undefined) throw new WannError('DISPOSED', `this ${this.constructor.name} was disposed`);
    return this.#x;
  }

  /** Writes the query, searches; results are left in WASM memory. Returns how many. */
  #searchOne(x: WannExports, query: Vector, k: number, width: number): number {
    const size = x.size();
    if (size === 0) return 0;
    // Neither k nor the beam can usefully exceed the items held; clamping also keeps
    // working memory proportional to the index, whatever k or ef the caller passes.
    const found = Math.min(k, size);
    const beam = Math.min(width, size);
    const status = x.reserveEf(beam); // grows memory only the first time a wider search is asked
    if (status < 0) throw WannError.fromStatus(status, `search with ef ${beam}`);
    this.#mem.f32.set(query, x.queryPtr() >>> 2);
    return x.search(found, beam);
  }

  /** Makes room for `needed` items, growing by half again so growth is amortised. */
  #reserve(needed: number): void {
    const x = this.#live();
    const capacity = x.capacity();
    if (needed <= capacity) return;
    if (needed > 0xffffffff) throw new WannError('OUT_OF_MEMORY', `cannot hold ${needed} items (at most 2^32 - 1)`);
    const wanted = Math.min(Math.max(needed, Math.ceil(capacity * GROWTH)), 0xffffffff);
    let status = x.reserve(wanted);
    if (status < 0 && wanted > needed) status = x.reserve(needed); // the larger step may not fit; the exact one might
    if (status < 0) throw WannError.fromStatus(status, `growing to ${needed} items`);
  }
}

// `using index = await HnswIndex.create(…)` where the runtime has explicit resource management.
export interface BaseIndex extends Disposable {}
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(BaseIndex.prototype, Symbol.dispose, {
    value(this: BaseIndex) {
      this.dispose();
    },
  });
}

function sequentialIds(first: number, count: number): Uint32Array {
  if (first + count - 1 > MAX_ID) throw new WannError('INVALID_ID', `default ids ${first} … ${first + count - 1} pass ${MAX_ID}`);
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) ids[i] = first + i;
  return ids;
}
