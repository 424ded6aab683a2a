// Numbers shared by assembly/ and src/: index kinds, metrics, status codes.
// Portable on purpose (no imports, integer constants only): asc compiles this
// file into the WASM core and tsc into the TypeScript layer.

/** What an instance holds. */
export enum Kind {
  HNSW = 0,
  FLAT = 1,
}

/** Distance function. Values are part of the ABI (and later of the file format). */
export enum Metric {
  /** Squared Euclidean distance, as hnswlib reports it. */
  L2 = 0,
  /** 1 - dot(a, b), as hnswlib's InnerProductSpace. */
  IP = 1,
  /** 1 - dot(a, b) over vectors normalised on insert and on query. */
  COSINE = 2,
}

/** Negative results of exports. 0 and positive results are counts or slots. */
export enum Status {
  OK = 0,
  /** memory.grow failed or the index would pass the wasm32 limit of 4 GiB. */
  OUT_OF_MEMORY = -1,
  /** add() was given an id that is already in the index. */
  DUPLICATE_ID = -2,
  /** add() was called with no free slot: the caller must reserve() first. */
  FULL = -3,
  /** init() was called on an instance that already holds an index. */
  ALREADY_INITIALIZED = -4,
}
