// What every index kind shares: its public calls over one WASM instance (src/core.ts),
// each checked, guarded (src/call-guard.ts), planned (src/plan.ts) and run here, on
// workers or awaited (src/parallel.ts). HnswIndex, FlatIndex and IvfIndex add their
// options and search width.

import { State, Storage } from './abi.js';
import type { Core } from './core.js';
import { CallGuard } from './call-guard.js';
import { WannError } from './errors.js';
import { writeFilter } from './filter.js';
import { serializeCore, type FileExtras } from './format.js';
import { defineDispose, type AbortSignalType, type Disposal } from './globals.js';
import { checkPath, fileSink } from './node-io.js';
import { checkSink, writeIndex, type IndexSink } from './persist.js';
import { planSearch, searchOne, type Plan, type Planner, type SearchOptions } from './plan.js';
import type {
  AddBatchOptions, AsyncOptions, AsyncSearchOptions, BatchSearchResult, IndexInfo, KnnGraph, KnnGraphOptions, PqShape, ProgressCallback, SearchResult, WorkCounters,
} from './index-types.js';
import {
  ASYNC_OPTIONS, checkAsyncOptions, checkOptionNames, checkProgressOption, checkRerank, defaultRerank, SEARCH_OPTIONS, storageName,
  type MetricName, type StorageName,
} from './options.js';
import {
  checkBatch, checkBatchSliced, checkId, checkIds, checkPositive, checkResults, checkVector, emptyResults, sequentialIds, valueLimit, type Batch, type Vector, type Vectors,
} from './vectors.js';
import type { Build } from './wasm.js';
import type { PqTraining } from './pq-training.js';
import { needsTraining, pqTrainingOf, trainQuantizer, trainQuantizerAsync } from './quantizer-training.js';
import {
  addAwaited, addCalls, liveSlots, runBlocking, runHere, runsOnWorkers, searchAwaited, searchCalls, startThreads, stopThreads, type Awaited, type Queries,
} from './parallel.js';

/** Rows between addBatch()'s progress reports. */
const CHUNK_ROWS = 1024;
/** Rows per call of a searchBatch() run in groups on this thread: the per-call work small beside the scans, the BATCH region small. */
const GROUP_CALL_ROWS = 256;
/** Rows automatic training reads from a first batch, evenly spaced (plenty for ranges and means). */
const AUTO_TRAIN_ROWS = 100_000;

export abstract class BaseIndex {
  #core: Core | undefined;
  #rerank: number | undefined;
  #pqTraining: PqTraining | undefined;
  /** Which calls may start now: none that change or search from a callback, a save or an async call under way. */
  readonly #guard = new CallGuard(() => this.constructor.name);
  /** What search planning asks of this index (src/plan.ts). */
  readonly #planner: Planner = {
    width: (k, options) => this.searchWidth(k, options),
    rerank: (k, width, asked) => {
      const chosen = asked ?? this.#rerank;
      return chosen === undefined ? defaultRerank(this.storage, this.keepVectors, k, width) : checkRerank(chosen, this.storage, this.keepVectors);
    },
    prefersExact: (allowed, beam) => this.prefersExact(allowed, beam),
    probes: (options) => this.searchProbes(options),
    allow: (filter) => this.#callback(() => writeFilter(this.#core!, filter)), // a predicate or an iterable runs the caller's code
  };

  /** Vector length. */
  readonly dim: number;
  /** Distance: 'l2', 'ip' or 'cosine'. */
  readonly metric: MetricName;
  /** How rows are stored: 'f32', 'f16', 'i8', 'binary' or 'pq'. */
  readonly storage: StorageName;
  /** The shape of 'pq' codes; undefined for other storages. */
  readonly pq: PqShape | undefined;
  /** Whether exact f32 rows are at hand: always for 'f32', with keepVectors for the others. */
  readonly keepVectors: boolean;
  /** Which build runs this index: 'simd' or 'scalar'. */
  readonly build: Build;

  protected constructor(core: Core, info: IndexInfo) {
    this.#core = core;
    this.dim = info.dim;
    this.metric = info.metric;
    this.storage = storageName(info.storage);
    this.keepVectors = info.storage === Storage.F32 || this.#core.state(State.KEEP_VECTORS) === 1;
    this.#rerank = info.rerank;
    this.build = core.x.simdBuild() ? 'simd' : 'scalar'; // what really runs, whatever was asked
    if (info.storage === Storage.PQ) {
      this.pq = { m: core.state(State.PQ_M), bits: core.state(State.PQ_BITS) as 4 | 8 };
      this.#pqTraining = pqTrainingOf(core, info);
    }
  }

  /** True when this index runs the WebAssembly SIMD build. */
  get simd(): boolean {
    return this.build === 'simd';
  }

  /**
   * Threads batch calls run on (the `threads` option as the runtime allows it): past 1,
   * searchBatch(), addBatch() of an HnswIndex, their async forms and knnGraph() share
   * rows between that many workers; 1 where memory cannot be shared (README "Threads").
   */
  get threads(): number {
    return this.#live().threads;
  }

  /** Items in the index. */
  get size(): number {
    return this.#live().x.size();
  }

  /** Items the index holds before it next grows its memory. */
  get capacity(): number {
    return this.#live().state(State.CAPACITY);
  }

  /** Bytes of WebAssembly memory the index holds (rows, graph, ids and working memory). */
  get memoryBytes(): number {
    return this.#live().bytes;
  }

  /** Whether rows can be added: the quantizer is trained ('i8', 'binary'), or needs no training. */
  get trained(): boolean {
    return this.#live().state(State.TRAINED) === 1;
  }

  /**
   * Default candidates re-scored exactly per search (see SearchOptions.rerank): what
   * create() or the file set; undefined means a multiple of k where f32 rows are kept
   * beside codes (CommonOptions.rerank), else 0.
   */
  get rerank(): number | undefined {
    this.#live();
    return this.#rerank;
  }

  set rerank(value: number | undefined) {
    this.#live();
    this.#rerank = value === undefined ? undefined : checkRerank(value, this.storage, this.keepVectors);
  }

  /** Whether `id` is in the index. */
  has(id: number): boolean {
    return this.#live().x.slotOf(checkId(id)) >= 0;
  }

  /**
   * A copy of the vector stored under `id` (normalised for 'cosine', as it is stored;
   * decoded, so approximate, for compressed rows without keepVectors), or undefined
   * when the id is not in the index.
   */
  get(id: number): Float32Array | undefined {
    const core = this.#live();
    const slot = core.x.slotOf(checkId(id));
    if (slot < 0) return undefined;
    core.x.getRow(slot);
    const at = core.inputIndex();
    return core.f32.slice(at, at + this.dim);
  }

  /**
   * Removes `id`: it is gone from every later result at once. Returns false when it was
   * not in the index. Its slot is reused by a later add of a new id. The first removal
   * grows memory once, by 5 bytes per slot of capacity (the removal flags and the free
   * stack): OUT_OF_MEMORY when that cannot be had, nothing removed.
   */
  remove(id: number): boolean {
    const status = this.#idle().x.remove(checkId(id));
    if (status < 0) throw WannError.fromStatus(status, `remove(${id})`);
    return status === 1;
  }

  /**
   * Adds one vector under `id`; when `id` is already in the index its vector is
   * replaced (and, in HNSW, its neighbourhood relinked). Without `id`, the id is the
   * current size, which must be new. May grow memory. 'i8' and 'binary' need train()
   * (or a first addBatch, which trains) before the first add().
   */
  add(vector: Vector, id?: number): void {
    const core = this.#idle();
    checkVector(vector, this.dim, 'vector', valueLimit(this.storage));
    const chosen = checkId(id === undefined ? core.x.size() : id); // only undefined means the default: null is no id
    if (id === undefined && core.x.slotOf(chosen) >= 0) {
      throw new WannError('DUPLICATE_ID', `the default id ${chosen} (the size) is already in the index; pass an id`);
    }
    core.store(vector, chosen, `add(id ${chosen})`);
  }

  /**
   * Adds many vectors: a flat Float32Array of n·dim values or an array of vectors,
   * under `ids` (default: size, size + 1, …, which must be new). Ids already in the
   * index are updated. Every vector and id is checked before the first is added, so a
   * rejected batch changes nothing. An untrained 'i8' or 'binary' index first trains
   * on the batch (up to 100,000 of its rows, evenly spaced).
   */
  addBatch(vectors: Vectors, ids?: Uint32Array | readonly number[], options: AddBatchOptions = {}): void {
    const core = this.#idle();
    const batch = checkBatch(vectors, this.dim, 'vectors', valueLimit(this.storage));
    const idList = ids === undefined ? sequentialIds(core.x.size(), batch.count) : checkIds(ids, batch.count);
    const onProgress = checkProgressOption(options, 'addBatch()');
    if (ids === undefined) core.checkDefaultIds(idList);
    if (batch.count > 0 && !this.trained) this.#train(core, batch, Math.min(batch.count, AUTO_TRAIN_ROWS));
    const parallel = runsOnWorkers(core, batch.count) && core.state(State.M) > 0;
    if (parallel) startThreads(core); // before growing: adding contexts then moves no rows
    core.reserve(core.state(State.COUNT) - core.state(State.DELETED_COUNT) + core.freshIds(idList));
    if (batch.count === 0 && onProgress) this.#callback(() => onProgress(0, 0));
    if (parallel) {
      const report = onProgress && ((added: number) => this.#callback(() => onProgress(added, batch.count)));
      runBlocking(core, addCalls(core, batch, idList, { added: 0 }, CHUNK_ROWS, report));
      return;
    }
    for (let start = 0; start < batch.count; start += CHUNK_ROWS) {
      const end = Math.min(start + CHUNK_ROWS, batch.count);
      for (let i = start; i < end; i++) core.store(batch.row(i), idList[i], `addBatch: row ${i} (${i} of ${batch.count} rows were added)`);
      if (onProgress) this.#callback(() => onProgress(end, batch.count));
    }
  }

  /**
   * Sets the quantizer of 'i8' (value ranges) or 'binary' (the centre) from `sample`
   * rows, before the first add. Without it, the first addBatch trains on its own rows.
   * Does nothing for 'f32' and 'f16'. Throws INVALID_ARGUMENT once rows were added.
   */
  train(sample: Vectors, options: AddBatchOptions = {}): void {
    const core = this.#idle();
    const batch = checkBatch(sample, this.dim, 'sample', valueLimit(this.storage));
    const onProgress = checkProgressOption(options, 'train()');
    if (needsTraining(core, this.storage, batch, 'train()')) this.#train(core, batch, batch.count, onProgress);
  }

  /**
   * train() off the calling thread: a 'pq' quantizer's k-means in a worker of its own
   * (any `threads`; README "Threads"), the codebooks train() makes. onProgress counts
   * k-means steps; an abort (signal) leaves it untrained and rejects ABORTED. 'i8' and
   * 'binary' train here (one quick pass over the rows).
   */
  async trainAsync(sample: Vectors, options: AsyncOptions = {}): Promise<void> {
    const { onProgress, signal } = checkAsyncOptions(options, 'trainAsync()', ASYNC_OPTIONS);
    const core = this.#live();
    const batch = await checkBatchSliced(sample, this.dim, 'sample', valueLimit(this.storage));
    return this.#exclusive(async () => {
      if (needsTraining(core, this.storage, batch, 'trainAsync()')) await this.#trainAsync(core, batch, batch.count, 'trainAsync()', signal, onProgress);
    });
  }

  /** The k nearest items to `query`, nearest first (fewer when the index or the filter holds fewer). */
  search(query: Vector, k: number, options: SearchOptions = {}): SearchResult {
    const core = this.#idle();
    checkVector(query, this.dim, 'query');
    checkPositive(k, 'k');
    return core.results(searchOne(core, query, this.#plan(core, k, options, 'search()')));
  }

  /**
   * The k nearest items to each of many queries (a flat Float32Array of nq·dim or an
   * array of vectors), as flat arrays of nq·k entries. A filter is evaluated once.
   */
  searchBatch(queries: Vectors, k: number, options: SearchOptions = {}): BatchSearchResult {
    const core = this.#idle();
    const batch = checkBatch(queries, this.dim, 'queries');
    checkPositive(k, 'k');
    checkResults(batch.count, k);
    const plan = this.#plan(core, k, options, 'searchBatch()');
    const { ids, distances } = emptyResults(batch.count, k);
    if (plan.found > 0 && runsOnWorkers(core, batch.count)) {
      runBlocking(core, searchCalls(core, { vectors: batch }, k, plan, ids, distances, { searched: 0 }));
      return { ids, distances, k };
    }
    if (plan.found > 0 && batch.count > 1 && this.searchesInGroups()) { // the core scans the batch's queries a group at a time
      runHere(core, searchCalls(core, { vectors: batch }, k, plan, ids, distances, { searched: 0 }, GROUP_CALL_ROWS));
      return { ids, distances, k };
    }
    for (let q = 0; q < batch.count; q++) core.copyResults(searchOne(core, batch.row(q), plan), ids, distances, q * k);
    return { ids, distances, k };
  }

  /**
   * searchBatch() off the calling thread: on the index's workers (index.threads), or,
   * on one thread, in slices between turns of the event loop. Options as searchBatch(),
   * plus onProgress and signal. Until it settles, sync calls that change or search the
   * index throw BUSY; async calls queue behind it.
   */
  async searchBatchAsync(queries: Vectors, k: number, options: AsyncSearchOptions = {}): Promise<BatchSearchResult> {
    const { onProgress, signal, ...search } = checkAsyncOptions(options, 'searchBatchAsync()', [...this.searchOptionNames(), ...ASYNC_OPTIONS]);
    const core = this.#live();
    const batch = await checkBatchSliced(queries, this.dim, 'queries');
    checkPositive(k, 'k');
    checkResults(batch.count, k);
    return this.#exclusive(async () => {
      const plan = this.#plan(core, k, search, 'searchBatchAsync()');
      const { ids, distances } = emptyResults(batch.count, k);
      if (plan.found > 0) await this.#searchAsync(core, { vectors: batch }, k, plan, ids, distances, signal, onProgress);
      return { ids, distances, k };
    });
  }

  /**
   * addBatch() off the calling thread: on the index's workers (index.threads; HNSW rows
   * are linked by all of them), or, on one thread, in slices between turns of the event
   * loop. Checks as addBatch() does; an untrained quantizer trains first (trainAsync()).
   * onProgress reports rows added; after an abort (signal) the rows added so far stay,
   * linked, and the promise rejects with ABORTED. Until it settles, sync calls that
   * change or search the index throw BUSY; async calls queue behind it.
   */
  async addBatchAsync(vectors: Vectors, ids?: Uint32Array | readonly number[], options: AsyncOptions = {}): Promise<void> {
    const { onProgress, signal } = checkAsyncOptions(options, 'addBatchAsync()', ASYNC_OPTIONS);
    const core = this.#live();
    const batch = await checkBatchSliced(vectors, this.dim, 'vectors', valueLimit(this.storage)); // a large batch's checks take tens of ms
    const given = ids === undefined ? undefined : checkIds(ids, batch.count);
    return this.#exclusive(async () => {
      const idList = given ?? sequentialIds(core.x.size(), batch.count);
      if (given === undefined) core.checkDefaultIds(idList);
      if (batch.count > 0 && !this.trained) await this.#trainAsync(core, batch, Math.min(batch.count, AUTO_TRAIN_ROWS), 'addBatchAsync()', signal);
      if (core.threading) startThreads(core); // before growing: adding contexts then moves no rows
      core.reserve(core.state(State.COUNT) - core.state(State.DELETED_COUNT) + core.freshIds(idList));
      const added = await addAwaited(core, batch, idList, this.#awaited(signal, onProgress, batch.count));
      if (onProgress) this.#callback(() => onProgress(added, batch.count));
      if (added < batch.count) throw new WannError('ABORTED', `addBatchAsync() was aborted after ${added} of ${batch.count} rows`);
    });
  }

  /**
   * Every item's k nearest other items (the all-points kNN graph: UMAP's, clustering's
   * and near-duplicate detection's input), searched from each item's own stored row on
   * the index's workers. HnswIndex takes ef (default: the index's), IvfIndex nprobe;
   * a FlatIndex is exact. Rows are the items in slot order.
   */
  async knnGraph(k: number, options: KnnGraphOptions = {}): Promise<KnnGraph> {
    const { onProgress, signal, ...search } = checkAsyncOptions(options, 'knnGraph()', [...this.searchOptionNames().filter((name) => name === 'ef' || name === 'nprobe'), ...ASYNC_OPTIONS]);
    const core = this.#live();
    checkPositive(k, 'k');
    return this.#exclusive(async () => {
      const slots = liveSlots(core);
      checkResults(slots.length, k);
      const plan = this.#plan(core, k + 1, search, 'knnGraph()'); // each item finds itself too
      const status = core.x.reserveDecodes(); // every item's row is decoded as a query
      if (status < 0) throw WannError.fromStatus(status, 'knnGraph()');
      const { ids: neighbours, distances } = emptyResults(slots.length, k);
      const found = { ...plan, found: Math.max(plan.found - 1, 0) };
      if (found.found > 0) await this.#searchAsync(core, { slots }, k, found, neighbours, distances, signal, onProgress);
      return { ids: core.idsOf(slots), neighbours, distances, k };
    });
  }

  async #searchAsync(core: Core, queries: Queries, k: number, plan: Plan, ids: Uint32Array, distances: Float32Array,
    signal: AbortSignalType | undefined, onProgress: ProgressCallback | undefined): Promise<void> {
    const total = 'vectors' in queries ? queries.vectors.count : queries.slots.length;
    const searched = await searchAwaited(core, queries, k, plan, ids, distances, this.#awaited(signal, onProgress, total));
    if (searched < total) throw new WannError('ABORTED', `the search was aborted after ${searched} of ${total} queries`);
    if (onProgress) this.#callback(() => onProgress(total, total));
  }

  /**
   * The index as bytes: a versioned, checksummed copy of its used memory that
   * load() turns back into an index answering exactly the same (see README "Persistence").
   */
  serialize(): Uint8Array {
    return serializeCore(this.#live(), this.#fileExtras());
  }

  /**
   * Writes the file serialize() would return to `sink` (src/persist.ts; OPFS and
   * IndexedDB sinks are in src/browser-io.ts), a chunk at a time straight out of WASM
   * memory: no second copy of the index in JS memory. Until it settles, calls that
   * change or search the index throw BUSY; reading (size, has, get, serialize) is fine.
   */
  async saveTo(sink: IndexSink): Promise<void> {
    const core = this.#savable('saveTo()');
    checkSink(sink);
    await this.#guard.saving(() => writeIndex(core, this.#fileExtras(), sink));
  }

  /**
   * Writes the index to `path` through a temporary file renamed into place (Node
   * only), streaming as saveTo(); removes temporaries of the same path that a killed
   * save left (src/node-io.ts).
   */
  async save(path: string): Promise<void> {
    checkPath(path, 'save()');
    this.#savable('save()');
    await this.#guard.saving(async () => { // from here: no change may slip in while the file is opened
      const sink = await fileSink(path);
      await writeIndex(this.#live(), this.#fileExtras(), sink);
    });
  }

  /** Search work since the last resetCounters(): for benchmarks and tuning ef. */
  get counters(): WorkCounters {
    const { x } = this.#live();
    return { distances: x.distanceCount(), hops: x.hopCount() };
  }

  resetCounters(): void {
    this.#live().x.resetCounters();
  }

  /** Releases the WASM instance and its memory; any later call throws DISPOSED. */
  dispose(): void {
    this.#guard.checkNotInCallback('dispose()');
    if (this.#core) stopThreads(this.#core); // an async call under way rejects with DISPOSED
    this.#core = undefined;
  }

  /** Whether dispose() was called. */
  get disposed(): boolean {
    return this.#core === undefined;
  }

  /** The beam width for a search of k: HNSW's ef, k for exact search. */
  protected abstract searchWidth(k: number, options: { ef?: number }): number;

  /** Whether a filter allowing `allowed` of the items is cheaper to scan than to search with `beam`. */
  protected abstract prefersExact(allowed: number, beam: number): boolean;

  /** Inverted lists a search scans: IvfIndex's nprobe; the other kinds have none. */
  protected searchProbes(_options: SearchOptions): number {
    return 0;
  }

  /** Whether the core searches a batch's queries in groups (assembly/groupscan.ts), so searchBatch() on one thread goes through the BATCH region too. */
  protected searchesInGroups(): boolean {
    return false;
  }

  /** The option names search() and searchBatch() take. */
  protected searchOptionNames(): readonly string[] {
    return SEARCH_OPTIONS;
  }

  /** Header fields of the kind: HNSW's seed and default ef. */
  protected abstract fileExtras(): Omit<FileExtras, 'rerank'>;

  #fileExtras(): FileExtras {
    return { ...this.fileExtras(), rerank: this.#rerank };
  }

  /** The instance, for subclasses; throws DISPOSED after dispose(). */
  protected get core(): Core {
    return this.#live();
  }

  /** The core for a subclass method that changes the index: BUSY as #idle(). */
  protected get idleCore(): Core {
    return this.#idle();
  }

  #live(): Core {
    if (this.#core === undefined) throw new WannError('DISPOSED', `this ${this.constructor.name} was disposed`);
    return this.#core;
  }

  /** #live() for the methods that change the index or use its working memory: BUSY inside a callback. */
  #idle(): Core {
    const core = this.#live();
    this.#guard.checkIdle();
    return core;
  }

  /** Runs `work` after every async call queued before it, with the index held (BUSY to sync calls). */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.#guard.exclusive(() => this.#idle(), work);
  }

  /** What an awaited run of `total` rows needs of this index: the signal, onProgress run as a callback of the caller's, whether it was disposed. */
  #awaited(signal: AbortSignalType | undefined, onProgress: ProgressCallback | undefined, total: number): Awaited {
    const report = onProgress && ((done: number) => this.#callback(() => onProgress(Math.min(done, total), total)));
    return { signal: signal as AbortSignal | undefined, report, disposed: () => this.disposed };
  }

  /** #live() for a save: saves only read, so several may run at once, but none from a callback, whose call may change the index. */
  #savable(what: string): Core {
    const core = this.#live();
    this.#guard.checkNotInCallback(what);
    return core;
  }

  /**
   * Runs a callback of the caller's. Until it returns, calls that change or search the
   * index throw BUSY: one from inside would change the index under the running call, or
   * a filter's bits. Reading (size, has, get, serialize …) stays allowed.
   */
  #callback<T>(run: () => T): T {
    return this.#guard.callback(run);
  }

  /** Trains the quantizer on `rows` rows of `batch` (src/quantizer-training.ts), onProgress run as a callback of the caller's. */
  #train(core: Core, batch: Batch, rows: number, onProgress?: ProgressCallback): void {
    const progress = onProgress && ((done: number, total: number) => this.#callback(() => onProgress(done, total)));
    trainQuantizer(core, this.#pqTraining, batch, rows, progress);
  }

  /** #train(), a 'pq' quantizer's k-means in a worker when one can start (src/quantizer-training.ts). */
  async #trainAsync(core: Core, batch: Batch, rows: number, what: string, signal?: AbortSignalType, onProgress?: ProgressCallback): Promise<void> {
    const progress = onProgress && ((done: number, total: number) => this.#callback(() => onProgress(done, total)));
    await trainQuantizerAsync(core, this.#pqTraining, batch, rows, { what, progress, signal: signal as AbortSignal | undefined, disposed: () => this.disposed });
  }

  /** The plan of one search() or searchBatch() call (src/plan.ts), once its option names are checked. */
  #plan(core: Core, k: number, options: SearchOptions, what: string): Plan {
    const names = this.searchOptionNames();
    checkOptionNames(options, names, 'INVALID_ARGUMENT', what, names.includes('ef') ? '{ ef: 64 }' : '{ nprobe: 16 }');
    return planSearch(core, k, options, this.#planner);
  }
}

// `using index = await HnswIndex.create(…)` where the runtime has explicit resource management.
export interface BaseIndex extends Disposal {} // Disposable where the reader's lib has it (src/globals.ts)
defineDispose(BaseIndex.prototype);
