// Finding, compiling and instantiating the WASM core. Each build is compiled once
// (the compile promise is cached); every index instantiates it and so owns its
// memory. Used by the index classes' create().

import { WannError } from './errors.js';
import type { UrlType, WasmMemory, WasmModule } from './globals.js';
import { nodeThreading, readFileUrl } from './node-io.js';

/** The two builds of assembly/ an index reports: same source, with and without WebAssembly SIMD. */
export type Build = 'simd' | 'scalar';

/** The file of each build: 'threads' is the SIMD build over shared memory, for worker pools (src/pool.ts). */
type BuildFile = Build | 'threads';

/**
 * Where to get a build's code, for pages and bundlers that serve the .wasm
 * elsewhere: a URL (or string) to fetch, the bytes, or a compiled module.
 * (URL and WebAssembly.Module are spelt through src/globals.ts so these types
 * compile whatever `lib` the reader's program has.)
 */
export type WasmSource = string | UrlType | ArrayBuffer | ArrayBufferView | WasmModule;

/** The `wasm` option: one source (used whatever `simd` says), or one per build. */
export type WasmOption = WasmSource | { simd?: WasmSource; scalar?: WasmSource; threads?: WasmSource };

/** The `threads` option: threads that run batch calls, or 'auto' (the cores the runtime reports). */
export type ThreadsOption = 'auto' | number;

/** What a worker pool needs of Node (src/pool.ts; src/node-io.ts gets it): worker_threads' Worker and the cores there are. */
export interface NodeThreading {
  /** worker_threads' Worker, spelt out so wann's types need no @types/node. */
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
  cores: number;
}

/** The part of a worker_threads Worker the pool uses. */
export interface NodeWorker {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): unknown;
  ref(): void;
  unref(): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What an instance over shared memory needs to start its workers (src/pool.ts). */
export interface Threading {
  module: WasmModule;
  memory: WasmMemory;
  /** Workers to start: 2 or more. */
  workers: number;
  /** Node's worker_threads, or undefined where Web Workers run them. */
  node: NodeThreading | undefined;
}

/** An instance of the core, and how to run it on several threads when it can. */
export interface LoadedCore {
  x: WannExports;
  threading?: Threading;
}

/** The exports of assembly/index.ts (the ABI); see there for what each does. Addresses arrive signed: read them through src/core.ts. */
export interface WannExports {
  memory: WasmMemory;
  reserveContexts(contexts: number): number;
  attach(index: number): void;
  reserveBatch(rows: number, k: number): number;
  reserveFilter(): number;
  reserveDecodes(): number;
  batchPartPtr(part: number): number;
  readyForSearches(): void;
  readyForFile(): void;
  searchRange(found: number, ef: number, filtered: number, rerank: number, exact: number, probes: number, ofSlots: number): number;
  storeRange(defer: number): number;
  linkRange(): number;
  init(kind: number, metric: number, storage: number, dim: number, M: number, efConstruction: number,
    seedLo: number, seedHi: number, capacity: number, keepVectors: number, pqM: number, pqBits: number, nlist: number): number;
  reserve(capacity: number): number;
  reserveEf(ef: number): number;
  inputPtr(): number;
  add(id: number): number;
  remove(id: number): number;
  reorder(): number;
  search(k: number, ef: number, filtered: number, rerank: number, exact: number, probes: number): number;
  trainBegin(rows: number, iterations: number, seeding: number): number;
  trainAdd(): void;
  trainStep(): number;
  trainSteps(): number;
  adoptQuantizer(): number;
  encodeInput(): number;
  decodeCode(): void;
  resultIdsPtr(): number;
  resultDistancesPtr(): number;
  getRow(slot: number): void;
  stateRecordPtr(): number;
  restoreLayout(): number;
  restoreState(): number;
  regionPtr(region: number): number;
  regionUsedBytes(region: number): number;
  labelsAreSlots(): number;
  stagingPtr(): number;
  checksumReset(): void;
  checksumUpdate(ptr: number, len: number): void;
  checksumFinish(): void;
  checksumLow(): number;
  checksumHigh(): number;
  size(): number;
  slotOf(id: number): number;
  checkIntegrity(): number;
  distanceCount(): number;
  hopCount(): number;
  resetCounters(): void;
  simdBuild(): number;
  kernel(which: number, a: number, b: number, len: number): number;
  kmeansAssign(data: number, n: number, dims: number, K: number, book: number, work: number): void;
}

// The smallest module using a SIMD instruction: () -> v128 { i8x16.splat(0) }.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0, i8x16.splat, end
]);

let simdSupport: boolean | undefined;

/** Whether this runtime runs WebAssembly SIMD (probed once). */
export function simdSupported(): boolean {
  simdSupport ??= WebAssembly.validate(SIMD_PROBE);
  return simdSupport;
}

/** The build for a `simd` option: 'auto' picks SIMD where the runtime has it. */
export function chooseBuild(simd: 'auto' | boolean): Build {
  if (simd === 'auto') return simdSupported() ? 'simd' : 'scalar';
  if (simd && !simdSupported()) {
    throw new WannError('SIMD_UNSUPPORTED', "simd: true, but this runtime has no WebAssembly SIMD; use simd: 'auto' or false");
  }
  return simd ? 'simd' : 'scalar';
}

/** The .wasm files beside the package: build/ is a sibling of both src/ and dist/. */
function defaultUrl(build: BuildFile): URL {
  // Literal URLs so bundlers that follow `new URL(…, import.meta.url)` find every file.
  if (build === 'threads') return new URL('../build/wann-threads.wasm', import.meta.url);
  return build === 'simd'
    ? new URL('../build/wann-simd.wasm', import.meta.url)
    : new URL('../build/wann-scalar.wasm', import.meta.url);
}

// Compiles are cached per URL (the package's own files and any given as a URL) and
// per object (bytes or modules given directly), so create() never compiles twice.
const compiledByUrl = new Map<string, Promise<WebAssembly.Module>>();
const compiledByObject = new WeakMap<object, Promise<WebAssembly.Module>>();

/** The compiled module for `build`, from the `wasm` option if given, else from the package. */
export function compileBuild(build: BuildFile, option?: WasmOption): Promise<WasmModule> {
  const source = option === undefined || isSource(option) ? option : option[build];
  if (source === undefined) return cached(defaultUrl(build));
  if (typeof source === 'string' || source instanceof URL) return cached(new URL(source, baseUrl()));
  let module = compiledByObject.get(source);
  if (!module) {
    module = compileSource(source);
    compiledByObject.set(source, module);
  }
  return module;
}

function isSource(option: WasmOption): option is WasmSource {
  return typeof option === 'string' || option instanceof URL || option instanceof WebAssembly.Module
    || option instanceof ArrayBuffer || ArrayBuffer.isView(option);
}

function cached(url: URL): Promise<WebAssembly.Module> {
  let module = compiledByUrl.get(url.href);
  if (!module) {
    module = compileUrl(url);
    compiledByUrl.set(url.href, module);
    module.catch(() => compiledByUrl.delete(url.href)); // let a later call retry
  }
  return module;
}

async function compileSource(source: ArrayBuffer | ArrayBufferView | WebAssembly.Module): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  try {
    return await WebAssembly.compile(source as BufferSource); // a shared buffer is refused here, as WASM_UNAVAILABLE
  } catch (error) {
    throw new WannError('WASM_UNAVAILABLE', `the wasm bytes given do not compile: ${(error as Error).message}`);
  }
}

function baseUrl(): string | undefined {
  return typeof location === 'undefined' ? import.meta.url : location.href;
}

async function compileUrl(url: URL): Promise<WebAssembly.Module> {
  try {
    if (url.protocol === 'file:') return await WebAssembly.compile(await readFileUrl(url) as BufferSource);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    const streaming = response.headers.get('content-type')?.startsWith('application/wasm');
    if (streaming && typeof WebAssembly.compileStreaming === 'function') {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    throw new WannError('WASM_UNAVAILABLE', `cannot load ${url.href}: ${(error as Error).message}`);
  }
}

/**
 * A new instance of the build `simd` asks for, from the `wasm` option or the package:
 * over shared memory, with the threads build, when `threads` asks for more than one and
 * the runtime allows it (SIMD, SharedArrayBuffer, a cross-origin isolated page); else
 * the plain build on the calling thread alone.
 */
export async function loadCore(simd: 'auto' | boolean, option?: WasmOption, threads: ThreadsOption = 'auto'): Promise<LoadedCore> {
  const build = chooseBuild(simd);
  const workers = await workersFor(threads, build, option);
  if (workers.count < 2) return { x: await instantiate(await compileBuild(build, option)) };
  const module = await compileBuild(option !== undefined && isSource(option) ? build : 'threads', option);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const x = await instantiate(module, memory);
  x.reserveContexts(workers.count + 1); // laid out with the index, so starting the workers moves nothing
  return { x, threading: { module, memory, workers: workers.count, node: workers.node } };
}

/** Pages of a threads build's memory (its maximum, fixed when shared): wasm32's 4 GiB. */
const MAX_PAGES = 65536;

/** Whether this runtime can share WebAssembly memory between threads (a page must be cross-origin isolated). */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/** Workers `threads` asks for, as this runtime and build allow (1: none), and Node's means to start them. */
async function workersFor(threads: ThreadsOption, build: Build, option: WasmOption | undefined): Promise<{ count: number; node?: NodeThreading }> {
  if (threads === 1 || build === 'scalar' || !threadsSupported()) return { count: 1 }; // scalar: the fallback stays single-threaded
  if (option !== undefined && isSource(option) && !importsMemory(await compileBuild(build, option))) return { count: 1 }; // one plain build given
  const perBuild = option as { simd?: WasmSource; scalar?: WasmSource; threads?: WasmSource } | undefined;
  if (perBuild !== undefined && !isSource(option!) && perBuild.threads === undefined) return { count: 1 }; // the threads file was not given
  const node = await nodeThreading();
  if (!node && typeof Worker === 'undefined') return { count: 1 };
  const cores = node?.cores ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return { count: threads === 'auto' ? Math.min(cores, MAX_AUTO_THREADS) : threads, node };
}

/** Threads 'auto' starts at most: past this a batch gains little and each worker costs memory. */
const MAX_AUTO_THREADS = 16;

function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((entry) => entry.kind === 'memory');
}

const IMPORTS = {
  env: {
    abort(_message: number, _file: number, line: number, column: number): never {
      throw new WannError('WASM_ABORT', `the WASM core aborted (assembly line ${line}:${column}); please report this`);
    },
  },
};

/** The module each instance came from, so a scratch instance of the same build can be made at once. */
const moduleOf = new WeakMap<WannExports, WebAssembly.Module>();

/** The compiled build `of` is an instance of (a training worker instantiates it too). */
export function compiledModule(of: WannExports): WasmModule {
  const module = moduleOf.get(of);
  if (!module) throw new WannError('WASM_UNAVAILABLE', 'no compiled module recorded for this instance');
  return module;
}

/** A new instance of a compiled build: with a new, private memory, or over `memory` (the threads build). */
export async function instantiate(module: WasmModule, memory?: WasmMemory): Promise<WannExports> {
  const instance = await WebAssembly.instantiate(module, memory ? { env: { ...IMPORTS.env, memory } } : IMPORTS);
  const exports = instance.exports as unknown as WannExports;
  moduleOf.set(exports, module);
  return exports;
}

/**
 * A new instance of the build `of` runs, made synchronously (the module is compiled
 * already, and small enough for a browser's main thread): a scratch instance for work
 * whose memory should not stay in an index's (PQ training, src/pq-training.ts).
 */
export function instantiateSibling(of: WannExports): WannExports {
  const module = compiledModule(of);
  const imports = importsMemory(module)
    ? { env: { ...IMPORTS.env, memory: new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }) } } : IMPORTS;
  const exports = new WebAssembly.Instance(module, imports).exports as unknown as WannExports;
  moduleOf.set(exports, module);
  return exports;
}
