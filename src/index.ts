// The public API of wann, re-exports only: the Node entry point itself, and the one
// list every other entry point re-exports (src/browser.ts). Add a new export here once.

export { HnswIndex } from './hnsw-index.js';
export { FlatIndex, type FlatOptions } from './flat-index.js';
export { IvfIndex } from './ivf-index.js';
export { loadIndex, openIndex } from './load-index.js';
export { bytesSource, type IndexSink, type IndexSource } from './persist.js';
export { idbRemove, idbSink, idbSource, opfsRemove, opfsSink, opfsSource, type IdbOptions, type OpfsOptions } from './browser-io.js';
export { ProductQuantizer, type ProductQuantizerOptions } from './product-quantizer.js';
export type {
  SearchResult, BatchSearchResult, AddBatchOptions, AsyncOptions, AsyncSearchOptions, KnnGraph, KnnGraphOptions, ProgressCallback, WorkCounters, PqShape,
} from './index-types.js';
export type { SearchOptions } from './plan.js';
export type { Filter } from './filter.js';
export type { LoadOptions } from './format.js';
export type { HnswlibOptions } from './hnswlib.js';
export type { CommonOptions, HnswOptions, IvfOptions, MetricName, PqOptions, StorageName } from './options.js';
export { WannError, type WannErrorCode } from './errors.js';
export { simdSupported, threadsSupported, type Build, type ThreadsOption, type WasmOption, type WasmSource } from './wasm.js';
export { NO_ID, MAX_ID, type Vector, type Vectors } from './vectors.js';
