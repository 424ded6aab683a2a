// The kernel benchmark itself, shared by bench/kernels.ts (Node) and the browser bench
// page: ns per distance for the SIMD, scalar and naive harness builds and a plain JS
// loop, per dimension, metric and memory pattern, timed by tinybench. No Node imports.
import { Bench } from 'tinybench';
import { median } from './stats.js';
import { mulberry32 } from './synthetic.js';

export type KernelBuild = 'simd' | 'scalar' | 'naive';
export type KernelMetric = 'l2' | 'ip' | 'cosine';
/** in: a few thousand rows that stay in L2; out-seq: a sequential scan past the caches; out-random: the same rows in a seeded random order. */
export type CachePattern = 'in' | 'out-seq' | 'out-random';

export const DIMS = [16, 32, 64, 96, 100, 128, 256, 384, 512, 768, 784, 1024, 1536];
export const METRICS: readonly KernelMetric[] = ['l2', 'ip', 'cosine'];
export const PATTERNS: readonly CachePattern[] = ['in', 'out-seq', 'out-random'];
/** Floating-point operations per dimension: sub, mul, add for l2; mul, add for dot. */
const FLOPS_PER_DIM: Record<KernelMetric, number> = { l2: 3, ip: 2, cosine: 2 };
const TARGET_CALL_MS = 2; // one timed call: long enough for a 5 µs browser clock, short enough for many samples
const ROUNDS = 5;

/** What bench/kernels/scan.ts and naive.ts export (the code-type exports: scan.ts only). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  scan(op: number, q: number, base: number, stride: number, order: number, rows: number, repeat: number): number;
  l2Once(a: number, b: number, stride: number): number;
  scanCodes?(op: number, q: number, base: number, dim: number, order: number, rows: number, repeat: number): number;
  codeRowBytes?(op: number, dim: number): number;
  codeQueryBytes?(op: number, dim: number): number;
}

export interface KernelOptions {
  dims: readonly number[];
  metrics: readonly KernelMetric[];
  patterns: readonly CachePattern[];
  /** tinybench time per implementation and case. */
  timeMs: number;
  inCacheBytes: number;
  outOfCacheBytes: number;
  onStep?(done: number, total: number, label: string): void;
}

export interface KernelRow {
  dim: number; metric: KernelMetric; pattern: CachePattern; rows: number;
  simdNs: number; scalarNs: number; naiveNs: number; jsNs: number;
  simdOverScalar: number; simdOverNaive: number; simdOverJs: number;
  simdGflops: number; scalarGflops: number;
}

/**
 * One l2 call made from JavaScript (callNs) against the same distance repeated inside
 * WASM (inWasmNs; the difference is the boundary) and against the SIMD scan over many
 * rows (scanNs: what calling per distance from JS loses against the index's own loops).
 */
export interface BoundaryRow { dim: number; callNs: number; inWasmNs: number; boundaryNs: number; scanNs: number }

export interface KernelResults { rows: KernelRow[]; boundary: BoundaryRow[] }

export const DEFAULT_KERNEL_OPTIONS: KernelOptions = {
  dims: DIMS, metrics: METRICS, patterns: PATTERNS, timeMs: 150,
  inCacheBytes: 128 * 1024, // well inside a 256 KiB+ L2
  outOfCacheBytes: 64 * 1024 * 1024, // past any L3 of this class of machine
};

/** Rows of one case laid out in one harness instance: query | order | rows (stride-padded). */
interface Layout { stride: number; count: number; qPtr: number; orderPtr: number; basePtr: number }

export function seededValues(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = next() * 2 - 1;
  return out;
}

/** Scales every row of `stride` floats to unit length: cosine is dot on normalised rows, as the library stores them. */
function normaliseRows(values: Float32Array, stride: number): void {
  for (let off = 0; off < values.length; off += stride) {
    let sum = 0;
    for (let j = 0; j < stride; j++) sum += values[off + j] * values[off + j];
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < stride; j++) values[off + j] *= scale;
  }
}

/** Identity order, or a seeded Fisher-Yates permutation: graph search visits rows in no useful order. */
export function visitOrder(count: number, random: boolean, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (!random) return order;
  const next = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** A fresh instance of a harness build. */
export async function instantiateHarness(module: WebAssembly.Module): Promise<KernelExports> {
  return (await WebAssembly.instantiate(module, { env: { abort() { throw new Error('abort in kernel harness'); } } })).exports as unknown as KernelExports;
}

/** Writes `data` at `ptr` in the memory of `x`, growing it as needed. */
export function writeBytes(x: KernelExports, ptr: number, data: ArrayBufferView): void {
  const pages = Math.ceil((ptr + data.byteLength) / 65536) - x.memory.buffer.byteLength / 65536;
  if (pages > 0) x.memory.grow(pages);
  new Uint8Array(x.memory.buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), ptr);
}

async function place(module: WebAssembly.Module, layout: Layout, query: Float32Array, rows: Float32Array, order: Uint32Array): Promise<KernelExports> {
  const x = await instantiateHarness(module);
  writeBytes(x, layout.basePtr, rows);
  writeBytes(x, layout.qPtr, query);
  writeBytes(x, layout.orderPtr, order);
  return x;
}

/** `repeat` passes of one implementation over a case's rows (op: which distance). */
export type ScanFn = (op: number, repeat: number) => number;

function jsScan(query: Float32Array, rows: Float32Array, order: Uint32Array, stride: number): ScanFn {
  return (op, repeat) => {
    let total = 0;
    for (let r = 0; r < repeat; r++) {
      for (let i = 0; i < order.length; i++) {
        const off = order[i] * stride;
        let sum = 0;
        if (op === 0) for (let j = 0; j < stride; j++) { const d = query[j] - rows[off + j]; sum += d * d; }
        else for (let j = 0; j < stride; j++) sum += query[j] * rows[off + j];
        total += sum;
      }
    }
    return total;
  };
}

/** Calls per timed iteration so that one iteration lasts about TARGET_CALL_MS. */
function repeatFor(scan: ScanFn, op: number): number {
  const start = performance.now();
  scan(op, 1);
  return Math.max(1, Math.round(TARGET_CALL_MS / Math.max(performance.now() - start, 1e-3)));
}

/**
 * Median ns per distance of each implementation, via tinybench. The time is split into
 * ROUNDS short benches taken in turn (SIMD, scalar, naive, JS, SIMD, …), so a burst of
 * load from another process falls on all of them alike, and the ratios stay fair.
 */
export async function measureAll(scans: Record<string, ScanFn>, op: number, rows: number, timeMs: number): Promise<Record<string, number>> {
  const names = Object.keys(scans);
  const repeats = Object.fromEntries(names.map((name) => [name, repeatFor(scans[name], op)]));
  const p50s: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      // Few iterations suffice: each one is a ≥ 2 ms call, and an out-of-cache pass can take 100 ms.
      const bench = new Bench({ time: timeMs / ROUNDS, iterations: 2, warmupTime: round === 0 ? Math.min(50, timeMs) : 0, warmupIterations: round === 0 ? 2 : 0 });
      bench.add(name, () => { scans[name](op, repeats[name]); });
      await bench.run();
      const result = bench.tasks[0].result;
      if (!result || !('latency' in result)) throw new Error(`${name} did not complete`);
      p50s[name].push((result.latency.p50 * 1e6) / (rows * repeats[name]));
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(p50s[name])]));
}

/**
 * One l2 call made from JS vs the same distance repeated inside WASM (a scan over one row),
 * timed in turn; the difference of the medians is the cost of crossing the boundary.
 */
function boundary(x: KernelExports, layout: Layout, scanNs: number): BoundaryRow {
  const calls = 200_000;
  const b = layout.basePtr; // row 0: the row a one-row scan visits (order[0] is 0 in cache)
  const fromJs: number[] = [], inWasm: number[] = [];
  for (let run = 0; run < 9; run++) {
    let start = performance.now(), sum = 0;
    for (let i = 0; i < calls; i++) sum += x.l2Once(layout.qPtr, b, layout.stride);
    fromJs.push(((performance.now() - start) * 1e6) / calls + (sum < 0 ? 1 : 0));
    start = performance.now();
    sum = x.scan(0, layout.qPtr, layout.basePtr, layout.stride, layout.orderPtr, 1, calls);
    inWasm.push(((performance.now() - start) * 1e6) / calls + (sum < 0 ? 1 : 0));
  }
  const callNs = median(fromJs), inWasmNs = median(inWasm);
  return { dim: layout.stride, callNs, inWasmNs, boundaryNs: callNs - inWasmNs, scanNs };
}

/** Runs every (dim, pattern, metric) case over the three compiled harness builds and plain JS. */
export async function runKernelBench(modules: Record<KernelBuild, WebAssembly.Module>, options: Partial<KernelOptions> = {}): Promise<KernelResults> {
  const opts = { ...DEFAULT_KERNEL_OPTIONS, ...options };
  const results: KernelResults = { rows: [], boundary: [] };
  const total = opts.dims.length * opts.patterns.length * opts.metrics.length;
  let done = 0;
  for (const dim of opts.dims) {
    const stride = Math.ceil(dim / 4) * 4; // the library pads rows to whole v128 lanes
    for (const pattern of opts.patterns) {
      const count = Math.max(16, Math.floor((pattern === 'in' ? opts.inCacheBytes : opts.outOfCacheBytes) / (stride * 4)));
      const layout: Layout = { stride, count, qPtr: 65536, orderPtr: 65536 + stride * 4, basePtr: 0 };
      layout.basePtr = Math.ceil((layout.orderPtr + count * 4) / 64) * 64; // rows start on a cache line
      const order = visitOrder(count, pattern === 'out-random', dim);
      // The same rows for every metric; cosine gets a normalised copy, as the library stores it.
      const raw = { query: seededValues(stride, dim + 1), rows: seededValues(count * stride, dim) };
      for (let i = dim; i < stride; i++) raw.query[i] = 0;
      for (const normalised of [false, true]) {
        const metrics = opts.metrics.filter((m) => (m === 'cosine') === normalised);
        if (metrics.length === 0) continue;
        const data = normalised ? { query: raw.query.slice(), rows: raw.rows.slice() } : raw;
        if (normalised) { normaliseRows(data.query, stride); normaliseRows(data.rows, stride); }
        const instances = {
          simd: await place(modules.simd, layout, data.query, data.rows, order),
          scalar: await place(modules.scalar, layout, data.query, data.rows, order),
          naive: await place(modules.naive, layout, data.query, data.rows, order),
        };
        for (const metric of metrics) {
          opts.onStep?.(done, total, `${dim}-d ${metric} ${pattern}`);
          const op = metric === 'l2' ? 0 : 1;
          const wasmScan = (x: KernelExports): ScanFn => (o, r) => x.scan(o, layout.qPtr, layout.basePtr, stride, layout.orderPtr, count, r);
          const ns = await measureAll({
            simd: wasmScan(instances.simd), scalar: wasmScan(instances.scalar), naive: wasmScan(instances.naive),
            js: jsScan(data.query, data.rows, order, stride),
          }, op, count, opts.timeMs);
          if (metric === 'l2' && pattern === 'in') results.boundary.push({ ...boundary(instances.simd, layout, ns.simd), dim });
          const flops = FLOPS_PER_DIM[metric] * dim;
          results.rows.push({
            dim, metric, pattern, rows: count,
            simdNs: ns.simd, scalarNs: ns.scalar, naiveNs: ns.naive, jsNs: ns.js,
            simdOverScalar: ns.scalar / ns.simd, simdOverNaive: ns.naive / ns.simd, simdOverJs: ns.js / ns.simd,
            simdGflops: flops / ns.simd, scalarGflops: flops / ns.scalar,
          });
          done++;
        }
      }
    }
  }
  opts.onStep?.(done, total, 'done');
  return results;
}
