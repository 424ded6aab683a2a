// Numbers and records shared by assembly/ and src/: kinds, metrics, row formats,
// status codes, the index state record, the region list and the integrity problems.
// The one definition of each: asc compiles this file into the WASM core and tsc into
// the TypeScript layer, and both read the records by these names. Portable on purpose
// (no imports, integer constants only).

/** What an instance holds. */
export enum Kind {
  HNSW = 0,
  FLAT = 1,
  /** Inverted lists: rows grouped by their nearest of NLIST coarse centroids, 'pq' codes of the residuals (assembly/ivf.ts). */
  IVF = 2,
}

/** Distance function. Values are part of the ABI and of the file format. */
export enum Metric {
  /** Squared Euclidean distance, as hnswlib reports it. */
  L2 = 0,
  /** 1 - dot(a, b), as hnswlib's InnerProductSpace. */
  IP = 1,
  /** 1 - dot(a, b) over vectors normalised on insert and on query. */
  COSINE = 2,
}

/** How a row is stored (assembly/storage.ts). Values are part of the file format. */
export enum Storage {
  /** 32-bit floats, exact. */
  F32 = 0,
  /** IEEE half precision, computed in f32. */
  F16 = 1,
  /** Signed 8-bit codes: value ≈ offset[j] + scale · code (assembly/int8.ts). */
  I8 = 2,
  /** One sign bit per dimension around a trained centre (assembly/binary.ts). */
  BINARY = 3,
  /** Product quantization: one code per subspace, nearest of 2^PQ_BITS trained centroids (assembly/pq.ts). */
  PQ = 4,
}

/** Negative results of exports. 0 and positive results are counts or slots. */
export enum Status {
  OK = 0,
  /** memory.grow failed. */
  OUT_OF_MEMORY = -1,
  /** add() found no free slot: the caller must reserve() first. */
  FULL = -3,
  /** init() or restoreLayout() was called on an instance that already holds an index. */
  ALREADY_INITIALIZED = -4,
  /** The sizes asked for would pass the wasm32 limit of 4 GiB. */
  TOO_LARGE = -5,
  /** The storage needs its quantizer trained before rows are added (train*()). */
  NOT_TRAINED = -6,
  /** Training was given no rows, or fewer than it needs (k-means: one per centroid). */
  NO_TRAINING_ROWS = -7,
}

/**
 * Words (u32, little-endian) of the index state record in linear memory
 * (assembly/state.ts). Words 0 … PERSISTED - 1 are what a saved index stores in its
 * header (src/format.ts); the rest are working sizes recomputed on load.
 */
export enum State {
  KIND = 0,
  METRIC = 1,
  STORAGE = 2,
  DIM = 3,
  M = 4,
  EF_CONSTRUCTION = 5,
  /** 1 when f32 rows are kept beside compressed codes (for exact re-rank and get()). */
  KEEP_VECTORS = 6,
  /** 1 once the storage's quantizer has been trained (always 1 for f32 and f16). */
  TRAINED = 7,
  CAPACITY = 8,
  /** Used slots: slots 0 … COUNT - 1 hold items, live or deleted. */
  COUNT = 9,
  /** Deleted slots awaiting reuse: the height of the free stack. */
  DELETED_COUNT = 10,
  ENTRY_SLOT = 11,
  /** Top level of the graph as an i32; -1 while empty (and always for FLAT). */
  MAX_LEVEL = 12,
  /** Words of the upper-level arena in use. */
  ARENA_USED = 13,
  RNG_LO = 14,
  RNG_HI = 15,
  /** Subspaces of 'pq' (one code each); 0 for other storages. */
  PQ_M = 16,
  /** Bits of a 'pq' code: 8 or 4; 0 for other storages. */
  PQ_BITS = 17,
  /** Inverted lists of an IVF index (coarse centroids); 0 for other kinds. */
  NLIST = 18,
  /**
   * 1 while every slot's label is its slot number (ids 0, 1, 2, … as added): the LABELS
   * and ID_TABLE regions are then left out, in memory and in files. A new index starts
   * so; the first add of any other id writes them (assembly/resize.ts reserveLabels).
   */
  LABELS_ARE_SLOTS = 19,
  /**
   * How an IvfIndex's file places its codes: 2, grouped by list with each position's slot
   * in the LISTS region (assembly/ivf-lists.ts), as this release keeps and saves them;
   * 1 (format 3), grouped with each slot's list in LIST_OF; 0 (format 3, older), in slot
   * order with LIST_OF. A load lays 0 and 1 out as 2. 0 for the other kinds.
   */
  LIST_ORDER = 20,
  /** Words saved in a file's header; the rest are sizes of this instance's memory. */
  PERSISTED = 21,
  /** Widest search (ef or k) the working memory holds. */
  EF_MAX = 21,
  /** Entries of the id table (a power of two). */
  TABLE_SIZE = 22,
  /** Words the upper-level arena holds (at least ARENA_USED). */
  ARENA_WORDS = 23,
  /** Training sample rows the TRAINING region holds (k-means: 'pq'). */
  TRAIN_ROWS = 24,
  /** Rows fed to the training so far. */
  TRAIN_FED = 25,
  /** Training steps done (assembly/storage.ts trainStep). */
  TRAIN_STEP = 26,
  /** Lloyd iterations per subspace. */
  TRAIN_ITERATIONS = 27,
  /** The IVF lists: 0 grouped, 2 changed rows waiting beside them, 1 stale (a file from before: the next search regroups). assembly/ivf-lists.ts. */
  LISTS_STALE = 28,
  /**
   * 1 once the tables derived from a trained quantizer are computed: 'pq''s centroid-major
   * codebooks (assembly/pq.ts).
   */
  DERIVED_READY = 29,
  /** Contexts in the CONTEXT region: 1, or one per thread plus the caller's (assembly/context.ts). */
  CONTEXTS = 30,
  /** Bytes from one context to the next (assembly/context.ts). */
  CONTEXT_STRIDE = 31,
  /** The lock on the entry point and top level while threads link rows (assembly/locks.ts). */
  GRAPH_LOCK = 32,
  /** Rows the BATCH region holds (assembly/batch.ts). */
  BATCH_ROWS = 33,
  /** Results per row the BATCH region holds. */
  BATCH_K = 34,
  /** Contexts asked for before init() or a load (src/wasm.ts, a threads core): laid out from the start. */
  CONTEXTS_WANTED = 35,
  /** Slots the TRAINING region holds a renumbering for, while a reorder runs (assembly/reorder.ts); 0 otherwise. */
  REORDER_SLOTS = 36,
  /** 1 once the DELETED and FREE regions exist: from the first removal (or a load with removed items) on. */
  REMOVAL_ROOM = 37,
  /** 1 once a batch search made the contexts hold a group area (assembly/groupscan.ts), where the storage scans groups. */
  GROUP_ROOM = 38,
  /** 1 once a filtered search made the FILTER region (src/filter.ts). */
  FILTER_ROOM = 39,
  /** 1 once an IvfIndex keeps each slot's position (assembly/ivf-lists.ts): made by the first update, reuse of a removed slot, knnGraph() or 32nd get() without kept rows. */
  POSITION_ROOM = 40,
  /** How 'pq' training's k-means picks its first centroids: a Seeding. */
  TRAIN_SEEDING = 41,
  WORDS = 42,
}

/** State.TRAIN_SEEDING: k-means' first centroids (assembly/kmeans-seed.ts). */
export enum Seeding {
  /** Distinct rows drawn uniformly from the sample, as FAISS's k-means picks them. */
  RANDOM = 0,
  /** k-means++ (Arthur & Vassilvitskii 2007): each next row drawn in proportion to its squared distance to the nearest so far. */
  PLUS_PLUS = 1,
}

/**
 * Regions of linear memory (assembly/layout.ts), by their index in the region table.
 * A saved index stores each region that holds data under this number as its tag.
 */
export enum Region {
  /** Per-call working memory: query rows, heaps, results, visited tags (graphs), a group area (batch searches). Not saved. */
  CONTEXT = 0,
  /** capacity × the storage's code bytes: each slot's stored row (an IvfIndex's by position, grouped by list: State.LIST_ORDER). */
  CODES = 1,
  /** capacity × f32 rows, when KEEP_VECTORS. */
  RAW = 2,
  /** The storage's trained parameters (offsets, scale, centre). */
  QUANTIZER = 3,
  /** capacity × (1 + 2M) u32: [count, neighbour slots …] on level 0. */
  LINKS0 = 4,
  /** capacity × u32: the user's id of each slot. Left out while every label is its slot (State.LABELS_ARE_SLOTS). */
  LABELS = 5,
  /** capacity × u8: the top level of each slot. */
  LEVELS = 6,
  /** capacity × u32: where the slot's level 1 … lists start in the arena (words). */
  UPPER_OFF = 7,
  /** Open-addressing map id → slot; left out while every label is its slot. Rebuilt on load, not saved. */
  ID_TABLE = 8,
  /** capacity × u8: 1 when the slot's item was removed. Left out until the first removal (State.REMOVAL_ROOM); a file leaves it out when nothing is removed (all 0). */
  DELETED = 9,
  /** capacity × u32: stack of deleted slots. Left out until the first removal, as DELETED. */
  FREE = 10,
  /** A bit per slot: the allow-list of a filtered search; made by the first one (State.FILTER_ROOM). Not saved. */
  FILTER = 11,
  /** Upper-level link lists. */
  ARENA = 12,
  /** A training sample and k-means' working arrays ('pq', in a scratch instance). Not saved. */
  TRAINING = 13,
  /** capacity × u32: the inverted list of each slot: only in an IvfIndex file of format 3 (State.LIST_ORDER 0, 1), read once on load. */
  LIST_OF = 14,
  /** The inverted lists (IVF, assembly/ivf-lists.ts): NLIST + 2 starts and each position's slot (saved), the codes' norm terms (recomputed on load), a map from slot to position (made when needed). */
  LISTS = 15,
  /** Rows and results of a call over many rows (assembly/batch.ts): queries and their results, or rows to add. Not saved. */
  BATCH = 16,
  /** capacity × i32 when several threads link rows: one lock per slot's link lists (assembly/locks.ts). Not saved. */
  LOCKS = 17,
  /** Number of regions. */
  COUNT = 18,
}

/**
 * Words at the start of the BATCH region (assembly/batch.ts), read and written by every
 * thread of a call over many rows; the parts (BatchPart) follow.
 */
export enum BatchWord {
  /** The next row a thread claims (atomically) in searchRange(), or storeRange() stores. */
  NEXT = 0,
  /** Set to 1 by src/ to stop searchRange() or storeRange() between rows (an abort); linkRange() always finishes. */
  STOP = 1,
  /** Rows finished (searched, or stored and linked): what progress reports. */
  DONE = 2,
  /** The failure that stopped storeRange(), as a Status; 0: none. */
  STATUS = 3,
  /** Rows storeRange() stored and left for linkRange() to link (the PENDING part's length). */
  PENDING = 4,
  /** The next pending row a thread claims in linkRange(). */
  LINK_NEXT = 5,
  /** Words before the first part (64 bytes keep rows aligned). */
  WORDS = 16,
}

/** Parts of the BATCH region, in this order (assembly/batch.ts batchPart). */
export enum BatchPart {
  /** BATCH_ROWS × stride f32: queries or rows to add; or, for a search of stored rows, BATCH_ROWS u32 slots. */
  ROWS = 0,
  /** BATCH_ROWS u32: the ids of rows to add. */
  IDS = 1,
  /** BATCH_ROWS × BATCH_K u32: the ids found per query (NO_ID where fewer). */
  RESULT_IDS = 2,
  /** BATCH_ROWS × BATCH_K f32: their distances (Infinity where fewer). */
  RESULT_DISTANCES = 3,
  /** BATCH_ROWS × 2 u32: (row, slot) of each row stored but not yet linked. */
  PENDING = 4,
  COUNT = 5,
}

/** Which slots a search may return (assembly/results.ts admits). */
export enum Admit {
  /** Every slot: building the graph with nothing deleted. */
  ALL = 0,
  /** Slots not deleted. */
  LIVE = 1,
  /** Live slots whose bit is set in the filter region. */
  FILTERED = 2,
}

/** Problems assembly/integrity.ts reports (0: none); src/errors.ts names them. */
export enum Integrity {
  OK = 0,
  BAD_ENTRY = 1,
  TOO_MANY_LINKS = 2,
  LINK_OUT_OF_RANGE = 3,
  SELF_LINK = 4,
  LINK_BELOW_LEVEL = 5,
  REPEATED_LINK = 6,
  ID_TABLE_MISMATCH = 7,
  LEVEL_ABOVE_TOP = 8,
  BAD_UPPER_OFFSET = 9,
  BAD_DELETED = 10,
  BAD_FREE_LIST = 11,
  DUPLICATE_ID = 12,
  BAD_QUANTIZER = 13,
  /** A stored row holds NaN or ±Infinity, or its padding is not zero, or (IVF) its list is not one of NLIST. */
  BAD_ROW = 14,
  /** A live slot's label is not an id (NO_ID). */
  BAD_LABEL = 15,
}

/** Distance kernels the `kernel` export runs, for tests and benchmarks. */
export enum Kernel {
  /** Squared L2 of two f32 rows. */
  L2_F32 = 0,
  DOT_F32 = 1,
  /** An f32 row against a half-precision row (a query against an 'f16' row). */
  L2_F16 = 2,
  DOT_F16 = 3,
  /** Two half-precision rows. */
  L2_HALVES = 4,
  DOT_HALVES = 5,
  /** Σ (a - b)² and Σ a·b of two int8 code rows (len: bytes, a multiple of 16). */
  L2_I8 = 6,
  DOT_I8 = 7,
  /** Bits that differ between two bit rows (len: bytes, a multiple of 16). */
  HAMMING = 8,
}

/**
 * Words (u32, little-endian) of a saved index's header (src/format.ts, format version 4).
 * STATE_WORDS words of the state record follow from STATE on, then the region table.
 * (Version 2 had no STATE_WORDS: its 16 state words started at word 11.)
 */
export enum Header {
  MAGIC = 0,
  VERSION = 1,
  /** Bytes of the header with its region table: where the first region may start. */
  HEADER_BYTES = 2,
  REGION_COUNT = 3,
  FILE_BYTES_LO = 4,
  FILE_BYTES_HI = 5,
  SEED_LO = 6,
  SEED_HI = 7,
  /** The default search width: ef of an HnswIndex, nprobe of an IvfIndex (0 for a FlatIndex). */
  EF = 8,
  /** The default rerank; 0xffffffff when the index uses the default of its storage. */
  RERANK = 9,
  /** Low 32 bits of the XXH64 of the header bytes, skipping this word. */
  CHECKSUM = 10,
  /** How many state words follow: State.PERSISTED when written; a file from an older release may hold fewer. */
  STATE_WORDS = 11,
  /** First of the state record's saved words. */
  STATE = 12,
  /** Words before the region table when written today: STATE + State.PERSISTED. */
  WORDS = 33,
}
