// What every index kind shares: owning one WASM instance, writing rows and queries
// into its memory, reading results out, updates and removal, filters, serialization,
// growth and dispose. HnswIndex and FlatIndex extend it with their options and
// search width.

import { Status } from './abi.js';
import { WannError } from './errors.js';
import { writeFilter, type Filter } from './filter.js';
import { serializeCore } from './format.js';
import { WasmMemory } from './memory.js';
import { describe, type MetricName } from './options.js';
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

/** Options of search() and searchBatch(). */
export interface SearchOptions {
  /** Beam width (HNSW; raised to at least k). FlatIndex checks it and ignores it. */
  ef?: number;
  /**
   * Only ids this allows may be returned: a predicate (id) => boolean, called once per
   * live item per call, or the allowed ids (Uint32Array, Set, any iterable; ids not in
   * the index are ignored).
   */
  filter?: Filter;
  /**
   * With a filter: true scans the allowed items exactly, false searches the graph;
   * by default the cheaper is chosen (HnswIndex: exact when allowed² ≤ ef · 2M · size).
   */
  exact?: boolean;
}

/** How one search() or searchBatch() call runs, worked out once per call. */
interface Plan {
  /** Results per query. */
  found: number;
  /** Beam width. */
  beam: number;
  /** 1 when the filter region restricts the results. */
  filtered: number;
  exact: boolean;
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

  /**
   * A copy of the vector stored under `id` (normalised for 'cosine', as it is stored),
   * or undefined when the id is not in the index.
   */
  get(id: number): Float32Array | undefined {
    const x = this.#live();
    const slot = x.slotOf(checkId(id));
    if (slot < 0) return undefined;
    const at = x.vectorPtr(slot) >>> 2;
    return this.#mem.f32.slice(at, at + this.dim);
  }

  /**
   * Removes `id`: it is gone from every later result at once. Returns false when it was
   * not in the index. Its slot is reused by a later add of a new id. Never grows memory.
   */
  remove(id: number): boolean {
    return this.#live().remove(checkId(id)) === 1;
  }

  /**
   * Adds one vector under `id`; when `id` is already in the index its vector is
   * replaced (and, in HNSW, its neighbourhood relinked). Without `id`, the id is the
   * current size, which must be new. May grow memory.
   */
  add(vector: Vector, id?: number): void {
    const x = this.#live();
    checkVector(vector, this.dim, 'vector');
    const chosen = checkId(id ?? x.size());
    if (id === undefined && x.slotOf(chosen) >= 0) {
      throw new WannError('DUPLICATE_ID', `the default id ${chosen} (the size) is already in the index; pass an id`);
    }
    this.#store(x, vector, chosen);
  }

  /**
   * Adds many vectors: a flat Float32Array of n·dim values or an array of vectors,
   * under `ids` (default: size, size + 1, …, which must be new). Ids already in the
   * index are updated. Every vector and id is checked before the first is added, so a
   * rejected batch changes nothing.
   */
  addBatch(vectors: Vectors, ids?: Uint32Array | readonly number[], options: AddBatchOptions = {}): void {
    const x = this.#live();
    const batch = checkBatch(vectors, this.dim, 'vectors');
    const idList = ids === undefined ? sequentialIds(x.size(), batch.count) : checkIds(ids, batch.count);
    const onProgress = options.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new WannError('INVALID_ARGUMENT', 'onProgress must be a function (done, total) => void');
    }
    let present = 0;
    for (let i = 0; i < batch.count; i++) {
      if (x.slotOf(idList[i]) < 0) continue;
      if (ids === undefined) throw new WannError('DUPLICATE_ID', `default id ${idList[i]} (ids[${i}]) is already in the index; pass ids`);
      present++;
    }
    const first = x.slotCount();
    // Only new ids with no freed slot to reuse take the next slots in order.
    const appendOnly = present === 0 && x.size() === first;
    this.#reserve(first + batch.count - present);
    if (batch.count === 0) onProgress?.(0, 0);
    const contiguous = appendOnly && batch.flat !== undefined && x.stride() === this.dim;
    for (let start = 0; start < batch.count; start += CHUNK_ROWS) {
      const end = Math.min(start + CHUNK_ROWS, batch.count);
      if (contiguous) {
        // Rows of consecutive slots are adjacent: one copy for the whole chunk.
        this.#mem.f32.set(batch.flat!.subarray(start * this.dim, end * this.dim), x.vectorPtr(first + start) >>> 2);
        for (let i = start; i < end; i++) {
          const status = x.add(idList[i]);
          if (status < 0) throw WannError.fromStatus(status, `addBatch: row ${i} (${i} of ${batch.count} rows were added)`);
        }
      } else {
        for (let i = start; i < end; i++) this.#store(x, batch.row(i), idList[i], `addBatch: row ${i} (${i} of ${batch.count} rows were added)`);
      }
      onProgress?.(end, batch.count);
    }
  }

  /** The k nearest items to `query`, nearest first (fewer when the index or the filter holds fewer). */
  search(query: Vector, k: number, options: SearchOptions = {}): SearchResult {
    const x = this.#live();
    checkVector(query, this.dim, 'query');
    checkPositive(k, 'k');
    const found = this.#searchOne(x, query, this.#plan(x, k, options));
    const idsAt = x.resultIdsPtr() >>> 2;
    const distancesAt = x.resultDistancesPtr() >>> 2;
    return {
      ids: this.#mem.u32.slice(idsAt, idsAt + found),
      distances: this.#mem.f32.slice(distancesAt, distancesAt + found),
    };
  }

  /**
   * The k nearest items to each of many queries (a flat Float32Array of nq·dim or an
   * array of vectors), as flat arrays of nq·k entries. A filter is evaluated once.
   */
  searchBatch(queries: Vectors, k: number, options: SearchOptions = {}): BatchSearchResult {
    const x = this.#live();
    const batch = checkBatch(queries, this.dim, 'queries');
    checkPositive(k, 'k');
    if (batch.count * k > MAX_BATCH_RESULTS) {
      throw new WannError('INVALID_ARGUMENT',
        `${batch.count} queries × k = ${k} is ${batch.count * k} results, more than one batch may return (${MAX_BATCH_RESULTS}); split the queries`);
    }
    const plan = this.#plan(x, k, options);
    const ids = new Uint32Array(batch.count * k).fill(NO_ID);
    const distances = new Float32Array(batch.count * k).fill(Infinity);
    for (let q = 0; q < batch.count; q++) {
      const found = this.#searchOne(x, batch.row(q), plan);
      const idsAt = x.resultIdsPtr() >>> 2;
      const distancesAt = x.resultDistancesPtr() >>> 2;
      ids.set(this.#mem.u32.subarray(idsAt, idsAt + found), q * k);
      distances.set(this.#mem.f32.subarray(distancesAt, distancesAt + found), q * k);
    }
    return { ids, distances, k };
  }

  /**
   * The index as bytes: a versioned, checksummed copy of its used memory that
   * load() turns back into an index answering exactly the same (see README "Persistence").
   */
  serialize(): Uint8Array {
    return serializeCore(this.#live(), this.fileExtras());
  }

  /** Writes serialize() to `path` through a temporary file renamed into place (Node only). */
  async save(path: string): Promise<void> {
    const bytes = this.serialize();
    const { writeFileAtomic } = await import('./node-io.js');
    await writeFileAtomic(path, bytes);
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

  /** Whether a filter allowing `allowed` of the items is cheaper to scan than to search with `beam`. */
  protected abstract prefersExact(allowed: number, beam: number): boolean;

  /** Header fields of the kind: HNSW's seed and default ef. */
  protected abstract fileExtras(): { seed: number; ef: number };

  /** The WASM exports, for subclasses; throws DISPOSED after dispose(). */
  protected get exports(): WannExports {
    return this.#live();
  }

  #live(): WannExports {
    if (this.#x === undefined) throw new WannError('DISPOSED', `this ${this.constructor.name} was disposed`);
    return this.#x;
  }

  /** Writes `vector` where add(id) stores it and adds it, growing first when no slot is free. */
  #store(x: WannExports, vector: Vector, id: number, context = `add(id ${id})`): void {
    let slot = x.slotForAdd(id);
    if (slot === Status.FULL) {
      this.#reserve(x.slotCount() + 1);
      slot = x.slotForAdd(id);
    }
    if (slot < 0) throw WannError.fromStatus(slot, context);
    this.#mem.f32.set(vector, x.vectorPtr(slot) >>> 2);
    const status = x.add(id);
    if (status < 0) throw WannError.fromStatus(status, context);
  }

  /** Checks the options, writes the filter, sizes the scratch: once per call. */
  #plan(x: WannExports, k: number, options: SearchOptions): Plan {
    const width = this.searchWidth(k, options);
    if (options.exact !== undefined && typeof options.exact !== 'boolean') {
      throw new WannError('INVALID_ARGUMENT', `exact must be true or false, got ${describe(options.exact)}`);
    }
    const size = x.size();
    // Neither k nor the beam can usefully exceed the items held; clamping also keeps
    // working memory proportional to the index, whatever k or ef the caller passes.
    const beam = Math.min(width, size);
    let found = Math.min(k, size);
    let heap = beam; // working memory is sized for searches this wide
    let filtered = 0, exact = false;
    if (options.filter !== undefined) {
      const allowed = writeFilter(x, options.filter);
      found = Math.min(found, allowed);
      filtered = 1;
      exact = options.exact ?? this.prefersExact(allowed, beam);
      // A filtered graph search expands about beam / selectivity nodes before W holds
      // ef allowed ones: give its candidate heap room for that many (assembly/hnsw.ts).
      if (!exact && allowed > 0) heap = Math.min(size, Math.ceil(beam * size / allowed));
    }
    if (found > 0) {
      const status = x.reserveEf(Math.max(heap, found)); // grows memory only the first time a wider search is asked
      if (status < 0) throw WannError.fromStatus(status, `search with ef ${heap}`);
    }
    return { found, beam, filtered, exact };
  }

  /** Writes the query, searches; results are left in WASM memory. Returns how many. */
  #searchOne(x: WannExports, query: Vector, plan: Plan): number {
    if (plan.found === 0) return 0;
    this.#mem.f32.set(query, x.queryPtr() >>> 2);
    return plan.exact ? x.searchExact(plan.found, plan.filtered) : x.search(plan.found, plan.beam, plan.filtered);
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
