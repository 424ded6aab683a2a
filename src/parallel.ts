// Batch calls on several threads: searches, adds and the kNN graph, cut into calls that
// each fit the BATCH region (assembly/batch.ts), run by the index's worker pool
// (src/pool.ts). Each batch is written once as a generator of calls, so the same steps
// run blocking (searchBatch, addBatch: the caller's thread waits, as a native library's
// would) or awaited (the async forms: the caller's thread stays free, with progress and
// an AbortSignal). Used by base-index.ts.

import { BatchPart, BatchWord, Region, State, Status } from './abi.js';
import type { Core } from './core.js';
import { WannError } from './errors.js';
import type { Plan } from './plan.js';
import { WorkerPool } from './pool.js';
import { Op } from './worker.js';
import type { Batch } from './vectors.js';

/** One call on every worker: what it runs and its arguments (src/worker.ts). */
export interface Call {
  op: Op;
  args: number[];
}

/** What an awaited batch reports as progress, and whether its index is gone. */
export interface Run {
  /** Rows finished in all. */
  done(): number;
  /** Whether the index was disposed (the batch then rejects with DISPOSED). */
  disposed(): boolean;
}

/** Rows below which a batch runs on the calling thread: starting a call on the workers costs tens of microseconds. */
const MIN_PARALLEL_ROWS = 64;
/** Rows from which a blocking batch starts the workers (tens of milliseconds) when they are not running yet. */
const START_THREADS_ROWS = 1024;
/**
 * Rows and bytes of rows and results one call puts in the BATCH region, which stays in
 * the index's memory: a larger batch takes several calls (each costs the workers a
 * wake-up, about 0.1 ms, against milliseconds of work).
 */
const CALL_ROWS = 1024, CALL_BYTES = 1 << 20;
/** Rows an awaited call does per turn of the event loop on one thread: a few milliseconds of work. */
const SLICE_ROWS = 64;
/** Milliseconds an awaited batch on one thread works between turns of the event loop. */
const SLICE_MS = 10;
/** How often an awaited batch reports progress. */
const PROGRESS_MS = 100;

const pools = new WeakMap<Core, WorkerPool>();
let blockingAllowed: boolean | undefined;

/** Whether this thread may block in Atomics.wait: everywhere but a page's main thread. */
function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/** Ends the workers of `core`, if it started any. */
export function stopThreads(core: Core): void {
  pools.get(core)?.dispose();
  pools.delete(core);
}

/** Whether the workers of `core` were started. */
function threadsStarted(core: Core): boolean {
  return pools.has(core);
}

/** Starts the workers of `core` (a threads core), with a context each, unless they run already. */
export function startThreads(core: Core): void {
  poolOf(core);
}

/** The pool of `core`, started on first use, with a context per worker reserved. */
function poolOf(core: Core): WorkerPool {
  let pool = pools.get(core);
  if (!pool) {
    const threading = core.threading;
    if (!threading) throw new WannError('INVALID_ARGUMENT', 'this index runs on one thread');
    const status = core.x.reserveContexts(threading.workers + 1);
    if (status < 0) throw WannError.fromStatus(status, `making room for ${threading.workers} threads`);
    pool = new WorkerPool(threading.workers, threading.module, threading.memory, threading.node);
    pools.set(core, pool);
  }
  return pool;
}

/** Runs `calls` on the pool of `core`, blocking the calling thread until each is done; returns the batch's result. */
export function runBlocking<T>(core: Core, calls: Generator<Call, T>): T {
  const pool = poolOf(core);
  for (let step = calls.next(); ; step = calls.next()) {
    if (step.done) return step.value;
    if ((!pool.ready && !core.threading?.node) || step.value.op === Op.STORE) {
      // Storing is one thread's work: this one's. And a browser starts no worker while the
      // thread that made it is blocked: until the pool is up, calls run here (Node starts
      // workers beside a blocked thread).
      runCall(core, step.value);
    } else {
      const call = step.value;
      pool.runBlocking(call.op, call.args, () => runCall(core, call)); // this thread takes its share
    }
  }
}

/**
 * Runs `calls` on the pool of `core` (or, for a core on one thread, on the calling
 * thread between turns of the event loop), awaiting each; reports `onProgress(done)`
 * every PROGRESS_MS and asks the core to stop when `signal` aborts.
 */
async function runAwaited<T>(core: Core, calls: Generator<Call, T>, run: Run, signal?: AbortSignal,
  onProgress?: (done: number) => void): Promise<T> {
  const pool = core.threading ? poolOf(core) : undefined;
  const stop = () => setBatchWord(core, BatchWord.STOP, 1);
  signal?.addEventListener('abort', stop);
  const timer = onProgress && setInterval(() => onProgress(run.done()), PROGRESS_MS);
  let sliceStart = performance.now();
  try {
    for (let step = calls.next(); ; step = calls.next()) {
      if (step.done) return step.value;
      if (run.disposed()) throw new WannError('DISPOSED', 'the index was disposed while an async call ran');
      if (signal?.aborted) stop();
      if (pool) {
        try {
          await pool.run(step.value.op, step.value.args);
        } finally {
          core.x.attach(0);
        }
      } else {
        runCall(core, step.value);
        if (performance.now() - sliceStart > SLICE_MS) { // let the event loop turn
          await new Promise((resolve) => setTimeout(resolve, 0));
          sliceStart = performance.now();
        }
      }
    }
  } finally {
    if (timer !== undefined) clearInterval(timer);
    signal?.removeEventListener('abort', stop);
  }
}

/** Runs `calls` one after another on the calling thread, whether or not the core has workers; returns the batch's result. */
export function runHere<T>(core: Core, calls: Generator<Call, T>): T {
  for (let step = calls.next(); ; step = calls.next()) {
    if (step.done) return step.value;
    runCall(core, step.value);
  }
}

/** A call run by the core's own instance, for a core without workers. */
function runCall(core: Core, call: Call): void {
  const a = call.args;
  if (call.op === Op.SEARCH) core.x.searchRange(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  else if (call.op === Op.STORE) core.x.storeRange(a[0]);
  else core.x.linkRange();
}

function batchWordIndex(core: Core, word: BatchWord): number {
  return (core.regionPtr(Region.BATCH) >>> 2) + word;
}

function batchWord(core: Core, word: BatchWord): number {
  return Atomics.load(core.u32, batchWordIndex(core, word));
}

function setBatchWord(core: Core, word: BatchWord, value: number): void {
  Atomics.store(core.u32, batchWordIndex(core, word), value);
}

/** Makes the BATCH region hold `rows` rows of `k` results, its words cleared (STOP kept when `stopped`). */
function newCall(core: Core, rows: number, k: number, stopped: boolean): void {
  const status = core.x.reserveBatch(rows, k);
  if (status < 0) throw WannError.fromStatus(status, `a batch of ${rows} rows`);
  const at = batchWordIndex(core, 0);
  core.u32.fill(0, at, at + BatchWord.WORDS);
  if (stopped) core.u32[at + BatchWord.STOP] = 1;
}

/** Rows per call for rows of `stride` f32 and `k` results each, at most `most`. */
function rowsPerCall(stride: number, k: number, most: number): number {
  return Math.min(most, Math.max(MIN_PARALLEL_ROWS, Math.floor(CALL_BYTES / (4 * stride + 8 * k + 16))));
}

/** Copies rows `start` … `start + count - 1` of `rows` into the BATCH region's ROWS part, padding zeroed. */
function writeRows(core: Core, rows: Batch, start: number, count: number): void {
  const stride = core.stride, dim = core.state(State.DIM), at = (core.x.batchPartPtr(BatchPart.ROWS) >>> 0) >>> 2, f32 = core.f32;
  if (rows.flat && stride === dim) return f32.set(rows.flat.subarray(start * dim, (start + count) * dim), at); // one copy, not one a row
  if (stride !== dim) f32.fill(0, at, at + count * stride);
  for (let i = 0; i < count; i++) f32.set(rows.row(start + i), at + i * stride);
}

/** Where a batch's rows come from: vectors, or stored rows by slot (the kNN graph). */
export type Queries = { vectors: Batch } | { slots: Uint32Array };

/**
 * The calls of a search of every query in `queries` for `k` results as `plan` says,
 * its results written into `ids` and `distances` (row i at i·k). Ends early when the run
 * is stopped; `run.searched` tells how many rows have their results.
 */
export function* searchCalls(core: Core, queries: Queries, k: number, plan: Plan,
  ids: Uint32Array, distances: Float32Array, run: { searched: number }, most = CALL_ROWS): Generator<Call, void> {
  const count = 'vectors' in queries ? queries.vectors.count : queries.slots.length;
  const ofSlots = 'slots' in queries ? 1 : 0;
  const per = rowsPerCall(core.stride, k, most);
  for (let start = 0; start < count; start += per) {
    const rows = Math.min(per, count - start);
    newCall(core, rows, k, false);
    core.x.readyForSearches(); // what searches would write to shared memory, done here, after any growth
    if ('vectors' in queries) writeRows(core, queries.vectors, start, rows);
    else core.u32.set(queries.slots.subarray(start, start + rows), (core.x.batchPartPtr(BatchPart.ROWS) >>> 0) >>> 2);
    yield { op: Op.SEARCH, args: [plan.found, plan.beam, plan.filtered, plan.rerank, plan.exact, plan.probes, ofSlots] };
    const stopped = batchWord(core, BatchWord.STOP) !== 0;
    const idsAt = (core.x.batchPartPtr(BatchPart.RESULT_IDS) >>> 0) >>> 2, distancesAt = (core.x.batchPartPtr(BatchPart.RESULT_DISTANCES) >>> 0) >>> 2;
    ids.set(core.u32.subarray(idsAt, idsAt + rows * k), start * k);
    distances.set(core.f32.subarray(distancesAt, distancesAt + rows * k), start * k);
    run.searched = start + rows;
    if (stopped) return;
  }
}

/** Rows searched so far by the current call of a search batch (progress). */
function rowsDone(core: Core): number {
  return batchWord(core, BatchWord.DONE);
}

/**
 * The calls of adding rows `vectors` under `ids` (capacity reserved, quantizer trained):
 * one thread stores rows in order, the rest wait; then every thread links the stored
 * rows (HNSW); again until the batch is in (assembly/batch.ts). Ends early when the run
 * is stopped, every stored row linked; `run.added` tells how many rows went in, and
 * `onChunk` hears of it after each call's rows. Throws the core's failure after linking what was stored.
 */
export function* addCalls(core: Core, vectors: Batch, ids: Uint32Array, run: { added: number }, most = CALL_ROWS,
  onChunk?: (added: number) => void): Generator<Call, void> {
  const per = rowsPerCall(core.stride, 0, most);
  const graph = core.state(State.M) > 0 ? 1 : 0;
  for (let start = 0; start < vectors.count; start += per) {
    const rows = Math.min(per, vectors.count - start);
    newCall(core, rows, 0, false);
    writeRows(core, vectors, start, rows);
    core.u32.set(ids.subarray(start, start + rows), (core.x.batchPartPtr(BatchPart.IDS) >>> 0) >>> 2);
    for (;;) {
      yield { op: Op.STORE, args: [graph] };
      if (batchWord(core, BatchWord.PENDING) > 0) {
        yield { op: Op.LINK, args: [] };
        setBatchWord(core, BatchWord.PENDING, 0);
        setBatchWord(core, BatchWord.LINK_NEXT, 0);
      }
      const status = batchWord(core, BatchWord.STATUS) | 0;
      run.added = start + batchWord(core, BatchWord.NEXT);
      if (status !== Status.OK) throw WannError.fromStatus(status, `addBatch: row ${run.added} (${run.added} of ${vectors.count} rows were added)`);
      if (batchWord(core, BatchWord.STOP) !== 0) return;
      if (batchWord(core, BatchWord.NEXT) >= rows) break;
    }
    onChunk?.(run.added);
  }
}

/** The slots of every live item, in slot order (the kNN graph's rows). */
export function liveSlots(core: Core): Uint32Array {
  const count = core.state(State.COUNT), flags = core.deletedFlags();
  const slots = new Uint32Array(count - core.state(State.DELETED_COUNT));
  for (let slot = 0, n = 0; slot < count; slot++) if (flags === null || flags[slot] === 0) slots[n++] = slot;
  return slots;
}

/**
 * Whether a batch of `rows` rows runs on the workers of `core`, blocking the calling
 * thread meanwhile: from MIN_PARALLEL_ROWS once they run, from START_THREADS_ROWS to start them.
 */
export function runsOnWorkers(core: Core, rows: number): boolean {
  return core.threading !== undefined && rows >= (threadsStarted(core) ? MIN_PARALLEL_ROWS : START_THREADS_ROWS) && canBlock();
}


/** What an awaited run of an index's calls reports to and asks of it. */
export interface Awaited {
  signal?: AbortSignal;
  /** Rows done so far, every PROGRESS_MS. */
  report?: (done: number) => void;
  disposed(): boolean;
}

/**
 * searchCalls() off the calling thread: on the pool of `core`, or here in slices of
 * SLICE_ROWS between turns of the event loop. Returns the queries searched: fewer than
 * all when `awaited.signal` stopped it.
 */
export async function searchAwaited(core: Core, queries: Queries, k: number, plan: Plan, ids: Uint32Array, distances: Float32Array,
  awaited: Awaited): Promise<number> {
  const run = { searched: 0 };
  const calls = searchCalls(core, queries, k, plan, ids, distances, run, core.threading ? undefined : SLICE_ROWS);
  await runAwaited(core, calls, { done: () => run.searched + rowsDone(core), disposed: awaited.disposed }, awaited.signal, awaited.report);
  return run.searched;
}

/** addCalls() off the calling thread, as searchAwaited(). Returns the rows added: fewer than all when stopped. */
export async function addAwaited(core: Core, vectors: Batch, ids: Uint32Array, awaited: Awaited): Promise<number> {
  const run = { added: 0 };
  const calls = addCalls(core, vectors, ids, run, core.threading ? undefined : SLICE_ROWS);
  await runAwaited(core, calls, { done: () => run.added + rowsDone(core), disposed: awaited.disposed }, awaited.signal, awaited.report);
  return run.added;
}
