// Options of the index classes: types, documented defaults and validation. Used by
// hnsw-index.ts and flat-index.ts (create), format.ts and hnswlib.ts (load) before
// anything is allocated, and by base-index.ts for the options of each call.
//
// One rule for every options argument: it is an object, or omitted (undefined); null
// is a value like any other and is refused, as it is for an id. Unknown names are
// refused with a hint for a near miss ('efconstruction', 'ef_construction'). Options
// that set an index up (create, load, open, loadIndex, fromHnswlib) fail with
// INVALID_OPTION; the options of one call (search, addBatch, train) with INVALID_ARGUMENT.

import { Metric, Seeding, Storage } from './abi.js';
import { WannError } from './errors.js';
import type { LoadOptions } from './format.js';
import type { HnswlibOptions } from './hnswlib.js';
import type { AddBatchOptions, AsyncOptions, IndexInfo } from './index-types.js';
import type { SearchOptions } from './plan.js';
import type { ThreadsOption, WasmOption } from './wasm.js';

/** 'l2': squared Euclidean; 'ip': 1 - dot; 'cosine': 1 - cosine similarity. As hnswlib. */
export type MetricName = 'l2' | 'ip' | 'cosine';

export const METRICS: Record<MetricName, Metric> = { l2: Metric.L2, ip: Metric.IP, cosine: Metric.COSINE };

/** How rows are stored: 'f32' exact; 'f16' half precision; 'i8' 8-bit codes; 'binary' one bit per dimension; 'pq' product quantization. */
export type StorageName = 'f32' | 'f16' | 'i8' | 'binary' | 'pq';

export const STORAGES: Record<StorageName, Storage> = { f32: Storage.F32, f16: Storage.F16, i8: Storage.I8, binary: Storage.BINARY, pq: Storage.PQ };

/** Product quantization's shape and training (storage 'pq'; README "Product quantization"). */
export interface PqOptions {
  /**
   * Subspaces: the row is cut into m consecutive slices (the last ones zero-padded when
   * m does not divide dim), each stored as the number of its nearest centroid. A code
   * is m bytes (bits 8) or m / 2 bytes (bits 4). 1 … min(dim, 4096). Default ceil(dim / 8).
   */
  m?: number;
  /** Bits per subspace code: 8 (256 centroids) or 4 (16 centroids; FlatIndex scans them 32 at a time with SIMD). Default 8. */
  bits?: 4 | 8;
  /** Lloyd iterations of k-means per subspace. Default 25 (FAISS's). 1 … 1000. */
  iterations?: number;
  /** Training rows used at most, evenly spaced over the sample. Default 256 per centroid (FAISS's cap): 65536 (bits 8), 4096 (bits 4). */
  sampleRows?: number;
  /**
   * How k-means picks its first centroids (the codebooks', and an IvfIndex's lists'):
   * 'random', distinct sample rows drawn uniformly (FAISS's), or 'k-means++'. Default 'random':
   * k-means++ left IVF-PQ recall lower on MNIST (README "Product quantization").
   */
  init?: 'random' | 'k-means++';
}

/** PqOptions with every default filled in; all 0 when the storage is not 'pq'. */
export type ResolvedPq = Required<PqOptions>;

const MAX_PQ_M = 4096;
/** Lloyd iterations per subspace unless told otherwise (FAISS's default). */
export const PQ_DEFAULT_ITERATIONS = 25;
const PQ_DEFAULT_DIMS_PER_SUBSPACE = 8;

/** Whether m subspaces of `bits` bits fit `dim` (checked for create() and for files). */
export function pqShapeValid(dim: number, m: number, bits: number): boolean {
  return (bits === 4 || bits === 8) && Number.isInteger(m) && m >= 1 && m <= Math.min(dim, MAX_PQ_M);
}

/** The name of a storage value (src/abi.ts Storage). */
export function storageName(storage: Storage): StorageName {
  return (Object.keys(STORAGES) as StorageName[]).find((name) => STORAGES[name] === storage)!;
}

/** Options shared by every index kind. */
export interface CommonOptions {
  /** Vector length. Required; 1 … 65536. */
  dim: number;
  /** Distance. Default 'l2'. */
  metric?: MetricName;
  /** Items to allocate for up front; grows automatically (×1.5) when exceeded. Default 1024. */
  capacity?: number;
  /**
   * How rows are stored (README "Compressed storage"): 'f32' (exact), 'f16' (half the
   * memory), 'i8' (a quarter; trained on the first batch or by train()), 'binary' (1/32;
   * for a fast first pass with rerank), 'pq' (product quantization: m bytes or fewer a
   * row, trained by k-means; shaped by `pq`). Default 'f32'.
   */
  storage?: StorageName;
  /** Shape and training of storage 'pq' (only with it). */
  pq?: PqOptions;
  /**
   * Keep the f32 rows beside compressed codes, for exact re-ranking (`rerank`) and exact
   * get(). Costs the f32 rows' memory again. 'f32' rows are exact already. Default false.
   */
  keepVectors?: boolean;
  /**
   * Candidates each search re-scores exactly from the kept f32 rows before returning the
   * k best (two-stage search; the beam is widened to at least this). Needs keepVectors
   * with a compressed storage; 0 turns it off. Per call, { rerank } overrides.
   * Default: 0, or with keepVectors 2 × k ('f16'), 4 × k ('i8'), 10 × k ('pq'), the whole beam ('binary').
   */
  rerank?: number;
  /** Which build runs: 'auto' (SIMD where the runtime supports it), true or false. Default 'auto'. */
  simd?: 'auto' | boolean;
  /**
   * Threads that run searchBatch(), addBatch() (HNSW), their async forms and knnGraph():
   * a number, or 'auto' for the cores the runtime reports (at most 16). Past 1, the index
   * lives in shared memory and workers start on the first batch large enough to gain
   * from them. 1 where the runtime cannot share memory (a page that is not cross-origin
   * isolated; see README "Threads") or with simd: false: `index.threads` says which.
   * A build on several threads is not byte-identical to a serial one: pass 1 for builds
   * that repeat exactly from a seed. Default 'auto'.
   */
  threads?: ThreadsOption;
  /**
   * Where to load the code from (pages and bundlers): a URL, bytes or a WebAssembly.Module,
   * used whatever `simd` says; or `{ simd, scalar }`, one per build, so 'auto' can choose.
   * Default: the package's build/ folder.
   */
  wasm?: WasmOption;
}

/** Options of HnswIndex.create(). */
export interface HnswOptions extends CommonOptions {
  /** Links per node per level (level 0 keeps up to 2·M). hnswlib's M; usearch's connectivity. Default 16; 2 … 10000. */
  M?: number;
  /** Beam width while inserting; raised to at least M, as hnswlib. Default 200. */
  efConstruction?: number;
  /** Default beam width of search() (raised to at least k). hnswlib's ef (default 10 there). Default 64. */
  ef?: number;
  /** Seed of the level generator: same seed and same inserts give the same graph. Default 100 (hnswlib's). */
  seed?: number;
}

export const HNSW_DEFAULTS = { metric: 'l2', capacity: 1024, simd: 'auto', M: 16, efConstruction: 200, ef: 64, seed: 100, storage: 'f32' } as const;

/** Options of IvfIndex.create(). Its storage is 'pq' (the default): codes of each row's residual to its list's centroid. */
export interface IvfOptions extends CommonOptions {
  /** Inverted lists (coarse centroids, trained by k-means on the first batch or by train()). About √n suits n items. Default 256; 1 … 65536. */
  nlist?: number;
  /** Default lists a search scans (per call, { nprobe } overrides): more lists, better recall, slower. Default 16. */
  nprobe?: number;
  /** Seeds k-means (lists and codebooks): same seed and sample, same index. Default 100. */
  seed?: number;
}

export const IVF_DEFAULTS = { nlist: 256, nprobe: 16, seed: 100 } as const;

/**
 * The default rerank with f32 rows kept: enough candidates to recover the true k nearest
 * from the codes' order (measured on siftsmall, MNIST and synthetic sets: README). A
 * multiple of k for 'f16' and 'i8'; for 'binary', whose estimates order candidates
 * loosely, the whole beam (ef), so the recall knob ef also deepens the re-rank.
 */
export const DEFAULT_RERANK: Record<StorageName, { perK: number } | 'beam'> = { f32: { perK: 0 }, f16: { perK: 2 }, i8: { perK: 4 }, binary: 'beam', pq: { perK: 10 } };

/** The re-rank of a search of k with beam `beam` when none is asked: DEFAULT_RERANK with f32 rows kept, else none. */
export function defaultRerank(storage: StorageName, keepVectors: boolean, k: number, beam: number): number {
  if (!keepVectors) return 0;
  const rule = DEFAULT_RERANK[storage];
  return rule === 'beam' ? beam : rule.perK * k;
}

/** A rerank option, checked: an integer >= 0, and past 0 only where f32 rows are kept. */
export function checkRerank(value: unknown, storage: StorageName, keepVectors: boolean): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new WannError('INVALID_ARGUMENT', `rerank must be an integer >= 0, got ${describe(value)}`);
  }
  if (value > 0 && !keepVectors) {
    throw new WannError('INVALID_ARGUMENT',
      `rerank ${value} re-scores from the f32 rows, which this '${storage}' index does not keep: create it with keepVectors: true`);
  }
  return value;
}

/** Option names every index kind takes. */
export const COMMON_OPTIONS = ['dim', 'metric', 'capacity', 'storage', 'pq', 'keepVectors', 'rerank', 'simd', 'threads', 'wasm'] as const;
const PQ_OPTIONS = Object.keys({ m: true, bits: true, iterations: true, sampleRows: true, init: true } satisfies Record<keyof PqOptions, true>);

const MAX_DIM = 65536;
const MAX_M = 10000;
const MAX_U32 = 0xffffffff;

/** Options with every default filled in, validated. */
export type Resolved<T> = Required<Omit<T, 'wasm' | 'rerank' | 'pq'>> & { wasm?: WasmOption; rerank?: number; pq: ResolvedPq };

export function resolveCommon(options: CommonOptions, known: readonly string[]): Resolved<CommonOptions> {
  checkOptionNames(options, known, 'INVALID_OPTION', 'create()', '{ dim: 128 }');
  const metric = checkMetric(options.metric ?? HNSW_DEFAULTS.metric);
  const simd = checkSimd(options.simd ?? HNSW_DEFAULTS.simd);
  const storage = options.storage ?? HNSW_DEFAULTS.storage;
  if (typeof storage !== 'string' || !Object.hasOwn(STORAGES, storage)) {
    throw new WannError('INVALID_OPTION', `storage must be 'f32', 'f16', 'i8', 'binary' or 'pq', got ${describe(storage)}`);
  }
  const dim = integerOption('dim', options.dim, 1, MAX_DIM);
  const keepVectors = options.keepVectors ?? false;
  if (typeof keepVectors !== 'boolean') throw new WannError('INVALID_OPTION', `keepVectors must be true or false, got ${describe(keepVectors)}`);
  const rerank = options.rerank === undefined ? undefined : integerOption('rerank', options.rerank, 0, MAX_U32 >>> 1);
  if (rerank && storage !== 'f32' && !keepVectors) {
    throw new WannError('INVALID_OPTION', `rerank ${rerank} re-scores from the f32 rows: add keepVectors: true (storage '${storage}' keeps codes only)`);
  }
  return {
    dim,
    metric,
    capacity: integerOption('capacity', options.capacity ?? HNSW_DEFAULTS.capacity, 1, MAX_U32),
    storage,
    pq: resolvePq(options.pq, storage, dim),
    keepVectors: keepVectors && storage !== 'f32', // f32 rows are the vectors: nothing more to keep
    rerank,
    simd,
    threads: checkThreads(options.threads ?? 'auto'),
    wasm: options.wasm,
  };
}

export function resolveHnsw(options: HnswOptions): Resolved<HnswOptions> {
  const common = resolveCommon(options, [...COMMON_OPTIONS, 'M', 'efConstruction', 'ef', 'seed']);
  if (common.storage === 'binary' && !common.keepVectors) {
    // Measured on MNIST: a graph built from sign bits alone reached recall@10 0.27 at ef 64.
    throw new WannError('INVALID_OPTION',
      "storage 'binary' in an HnswIndex needs keepVectors: true: the graph is built from the f32 rows and searches re-rank from them (a FlatIndex can scan bits alone)");
  }
  return {
    ...common,
    M: integerOption('M', options.M ?? HNSW_DEFAULTS.M, 2, MAX_M),
    efConstruction: integerOption('efConstruction', options.efConstruction ?? HNSW_DEFAULTS.efConstruction, 1, MAX_U32 >>> 1),
    ef: integerOption('ef', options.ef ?? HNSW_DEFAULTS.ef, 1, MAX_U32 >>> 1),
    seed: integerOption('seed', options.seed ?? HNSW_DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** The `pq` option against the storage and dim: defaults filled in, or all 0 for another storage. */
function resolvePq(options: PqOptions | undefined, storage: StorageName, dim: number): ResolvedPq {
  if (storage !== 'pq') {
    if (options !== undefined) throw new WannError('INVALID_OPTION', `pq options shape storage 'pq'; this index's storage is '${storage}'`);
    return { m: 0, bits: 0 as 8, iterations: 0, sampleRows: 0, init: 'random' };
  }
  const pq = options ?? {};
  checkOptionNames(pq, PQ_OPTIONS, 'INVALID_OPTION', 'pq', '{ m: 16, bits: 8 }');
  const bits = pq.bits ?? 8;
  if (bits !== 4 && bits !== 8) throw new WannError('INVALID_OPTION', `pq.bits must be 4 or 8, got ${describe(bits)}`);
  const m = integerOption('pq.m', pq.m ?? Math.ceil(dim / PQ_DEFAULT_DIMS_PER_SUBSPACE), 1, Math.min(dim, MAX_PQ_M));
  const centroids = 2 ** bits;
  return {
    m,
    bits,
    iterations: integerOption('pq.iterations', pq.iterations ?? PQ_DEFAULT_ITERATIONS, 1, 1000),
    // k-means needs a row per centroid; below 39 per centroid, FAISS warns the centroids will be poor.
    sampleRows: integerOption('pq.sampleRows', pq.sampleRows ?? 256 * centroids, centroids, MAX_U32),
    init: checkInit(pq.init, 'pq.init'),
  };
}

/** The `init` option (`name` for the error): 'random' unless 'k-means++' is asked for. */
export function checkInit(init: unknown, name: string): 'random' | 'k-means++' {
  if (init === undefined || init === 'random' || init === 'k-means++') return init ?? 'random';
  throw new WannError('INVALID_OPTION', `${name} must be 'random' or 'k-means++', got ${describe(init)}`);
}

/** The `init` option as the core's Seeding (src/abi.ts); `name` for the error. */
export function seedingOf(init: unknown, name: string): Seeding {
  return checkInit(init, name) === 'k-means++' ? Seeding.PLUS_PLUS : Seeding.RANDOM;
}

/** What an index keeps to train its 'pq' codebooks later: the resolved options and its seed. */
export function pqTrainingOptions(pq: ResolvedPq, seed: number): NonNullable<IndexInfo['pqTraining']> {
  return { iterations: pq.iterations, sampleRows: pq.sampleRows, seed, seeding: seedingOf(pq.init, 'pq.init') };
}

export function resolveIvf(options: IvfOptions): Resolved<IvfOptions> {
  if (options !== null && typeof options === 'object' && options.storage === undefined) options = { ...options, storage: 'pq' };
  const common = resolveCommon(options, [...COMMON_OPTIONS, 'nlist', 'nprobe', 'seed']);
  if (common.storage !== 'pq') {
    throw new WannError('INVALID_OPTION', `an IvfIndex stores 'pq' codes of residuals; storage '${common.storage}' is for HnswIndex and FlatIndex`);
  }
  return {
    ...common,
    nlist: integerOption('nlist', options.nlist ?? IVF_DEFAULTS.nlist, 1, 65536),
    nprobe: integerOption('nprobe', options.nprobe ?? IVF_DEFAULTS.nprobe, 1, 65536),
    seed: integerOption('seed', options.seed ?? IVF_DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Option names of load(), open() and loadIndex(): a Record, so the compiler checks the list against the type. */
const LOAD_OPTIONS = Object.keys({ simd: true, threads: true, wasm: true, metric: true, dim: true } satisfies Record<keyof LoadOptions, true>);
const HNSWLIB_OPTIONS = Object.keys({ simd: true, threads: true, wasm: true, metric: true, dim: true, ef: true, seed: true } satisfies Record<keyof HnswlibOptions, true>);

/**
 * The options of load(), open() and loadIndex(), checked as create() checks its own:
 * an object or undefined, known names only, each of its type (INVALID_OPTION). Called
 * at the top of format.ts loadCore(), before the file is read.
 */
export function resolveLoadOptions(options: LoadOptions | undefined): LoadOptions {
  if (options === undefined) return {};
  checkOptionNames(options, LOAD_OPTIONS, 'INVALID_OPTION', 'load()', "{ metric: 'cosine', dim: 384 }");
  return checkLoadFields(options);
}

/** The options of fromHnswlib() checked as resolveLoadOptions(), with `metric` required. Called at the top of hnswlib.ts readHnswlib(). */
export function resolveHnswlibOptions(options: HnswlibOptions): HnswlibOptions {
  checkOptionNames(options, HNSWLIB_OPTIONS, 'INVALID_OPTION', 'fromHnswlib()', "{ metric: 'cosine' }");
  if (options.metric === undefined) throw new WannError('INVALID_OPTION', "fromHnswlib() needs { metric: 'l2' | 'ip' | 'cosine' }: hnswlib files do not store it");
  if (options.ef !== undefined) integerOption('ef', options.ef, 1, MAX_U32 >>> 1);
  if (options.seed !== undefined) integerOption('seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
  return checkLoadFields(options);
}

/** The fields load() and fromHnswlib() share: simd and metric as create() takes them, dim to insist on. `wasm` is checked where it is loaded. */
function checkLoadFields<T extends LoadOptions>(options: T): T {
  if (options.simd !== undefined) checkSimd(options.simd);
  if (options.threads !== undefined) checkThreads(options.threads);
  if (options.metric !== undefined) checkMetric(options.metric);
  if (options.dim !== undefined) integerOption('dim', options.dim, 1, MAX_DIM);
  return options;
}

/**
 * Throws `code` unless `options` is an object (not null, not an array) whose every name
 * is in `known`; `what` names the call and `example` shows a good value. Callers whose
 * options are optional turn undefined into {} first (a default parameter does).
 */
export function checkOptionNames(options: unknown, known: readonly string[], code: 'INVALID_OPTION' | 'INVALID_ARGUMENT', what: string, example: string): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new WannError(code, `${what} options must be an object such as ${example}, got ${describe(options)}`);
  }
  const fold = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = known.find((name) => fold(name) === fold(key));
      const hint = near ? `did you mean "${near}"? ` : '';
      throw new WannError(code, `unknown ${what} option "${key}"; ${hint}known options: ${known.join(', ')}`);
    }
  }
}

function checkMetric(metric: unknown): MetricName {
  if (typeof metric !== 'string' || !Object.hasOwn(METRICS, metric)) { // not `in`: 'toString' is in every object
    throw new WannError('INVALID_OPTION', `metric must be 'l2', 'ip' or 'cosine', got ${describe(metric)}`);
  }
  return metric as MetricName;
}

/** The `threads` option: 'auto' or an integer 1 … 256. */
export function checkThreads(threads: unknown): ThreadsOption {
  if (threads === 'auto') return threads;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new WannError('INVALID_OPTION', `threads must be 'auto' or an integer 1 … 256, got ${describe(threads)}`);
  }
  return threads;
}

function checkSimd(simd: unknown): 'auto' | boolean {
  if (simd !== 'auto' && simd !== true && simd !== false) {
    throw new WannError('INVALID_OPTION', `simd must be 'auto', true or false, got ${describe(simd)}`);
  }
  return simd;
}

/** `value` if it is an integer in [min, max], else an INVALID_OPTION error naming it. */
export function integerOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new WannError('INVALID_OPTION', `${name} must be an integer in ${min} … ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (value === null || typeof value !== 'object') return String(value);
  return `a ${value.constructor?.name ?? 'object'}`;
}

// The options of one call (search, addBatch, train, the async calls): INVALID_ARGUMENT.

/** Option names per call; Records, so the compiler checks each list against its type. */
const SEARCH_OPTION_NAMES = Object.keys({ ef: true, nprobe: true, rerank: true, filter: true, exact: true } satisfies Record<keyof SearchOptions, true>);
/** The search options of HnswIndex and FlatIndex: all but IvfIndex's nprobe. */
export const SEARCH_OPTIONS = SEARCH_OPTION_NAMES.filter((name) => name !== 'nprobe');
/** The search options of IvfIndex: nprobe is its width, where the others take ef. */
export const IVF_SEARCH_OPTIONS = SEARCH_OPTION_NAMES.filter((name) => name !== 'ef');
const BATCH_OPTIONS = Object.keys({ onProgress: true } satisfies Record<keyof AddBatchOptions, true>);
/** The options every async call takes besides its own. */
export const ASYNC_OPTIONS = Object.keys({ onProgress: true, signal: true } satisfies Record<keyof AsyncOptions, true>);

/** The onProgress of addBatch() or train() options, once the options are checked. */
export function checkProgressOption(options: AddBatchOptions, what: string): AddBatchOptions['onProgress'] {
  checkOptionNames(options, BATCH_OPTIONS, 'INVALID_ARGUMENT', what, '{ onProgress: (done, total) => … }');
  checkProgressCallback(options.onProgress);
  return options.onProgress;
}

/** The options of an async call, checked: known `names`, onProgress a function, signal an AbortSignal not yet aborted (ABORTED). */
export function checkAsyncOptions<T extends AsyncOptions>(options: T, what: string, names: readonly string[]): T {
  checkOptionNames(options, names, 'INVALID_ARGUMENT', what, '{ onProgress: (done, total) => …, signal }');
  checkProgressCallback(options.onProgress);
  const signal = options.signal as unknown;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean'
    || typeof (signal as AbortSignal).addEventListener !== 'function')) {
    throw new WannError('INVALID_ARGUMENT', `signal must be an AbortSignal, got ${describe(signal)}`);
  }
  if ((signal as AbortSignal | undefined)?.aborted) throw new WannError('ABORTED', `${what} was aborted before it started`);
  return options;
}

function checkProgressCallback(onProgress: unknown): void {
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new WannError('INVALID_ARGUMENT', `onProgress must be a function (done, total) => void, got ${describe(onProgress)}`);
  }
}
