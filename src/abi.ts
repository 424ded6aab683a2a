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

/**
 * Regions of assembly/layout.ts that src/ reads or writes directly (serialize, load,
 * filters), by their index in the region table.
 */
export enum Region {
  VECTORS = 1,
  LINKS0 = 2,
  LABELS = 3,
  LEVELS = 4,
  UPPER_OFF = 5,
  DELETED = 8,
  FREE = 9,
  FILTER = 10,
  ARENA = 11,
}

/** Which slots a search may return (assembly/hnsw.ts searchLayer). */
export enum Admit {
  /** Every slot: building the graph with nothing deleted. */
  ALL = 0,
  /** Slots not deleted. */
  LIVE = 1,
  /** Live slots whose bit is set in the filter region. */
  FILTERED = 2,
}
