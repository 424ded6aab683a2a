// The records the index API takes and returns: search results, the kNN graph, the
// options of batch and async calls, progress callbacks, work counters and the shape of
// PQ codes; and, inside, what an index is beyond its instance. One definition each;
// src/index.ts re-exports the public ones.

import type { Storage } from './abi.js';
import type { AbortSignalType } from './globals.js';
import type { MetricName } from './options.js';
import type { SearchOptions } from './plan.js';

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

/** Progress of addBatch() and train(), called after each chunk of rows. */
export type ProgressCallback = (done: number, total: number) => void;

export interface AddBatchOptions {
  /** Called after each chunk of 1024 rows, and once at the end. */
  onProgress?: ProgressCallback;
}

/** What the async calls take besides their own options. */
export interface AsyncOptions {
  /** Called every 100 ms or so with the rows done, and once at the end. */
  onProgress?: ProgressCallback;
  /**
   * Stops the call between rows: the promise rejects with ABORTED. Rows added before
   * the abort stay in the index, linked (addBatchAsync); no search result is returned.
   */
  signal?: AbortSignalType;
}

/** Options of searchBatchAsync(). */
export interface AsyncSearchOptions extends SearchOptions, AsyncOptions {}

/** Options of knnGraph(). */
export interface KnnGraphOptions extends AsyncOptions {
  /** Beam width of each item's search (HnswIndex; raised to at least k + 1). Default: the index's ef. */
  ef?: number;
  /** Lists each item's search scans (IvfIndex). Default: the index's nprobe. */
  nprobe?: number;
}

/** Every item's k nearest other items: row i (entries i·k … i·k + k - 1) belongs to ids[i]. */
export interface KnnGraph {
  /** The items, in slot order (the order they were added, reused slots aside). */
  ids: Uint32Array;
  /** The k nearest other items of each, nearest first (NO_ID where fewer). */
  neighbours: Uint32Array;
  /** Their distances (Infinity where fewer). */
  distances: Float32Array;
  k: number;
}

/** Counters of work done by searches, for benchmarks. */
export interface WorkCounters {
  /** Distance evaluations. */
  distances: number;
  /** Nodes whose neighbour lists were read. */
  hops: number;
}

/** The shape of a 'pq' index's codes. */
export interface PqShape {
  /** Subspaces: one code each. */
  m: number;
  /** Bits of a code: 8 or 4. */
  bits: 4 | 8;
}

/** What an index is, beyond its instance: fixed at create() or read from a file. */
export interface IndexInfo {
  dim: number;
  metric: MetricName;
  storage: Storage;
  /** The default rerank; undefined for the storage's default (DEFAULT_RERANK) where f32 rows are kept. */
  rerank?: number;
  /** How 'pq' trains (create()'s pq options; defaults after a load) and its k-means seed. */
  pqTraining?: { iterations: number; sampleRows: number; seed: number; seeding: number };
}
