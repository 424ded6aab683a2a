// The kernel benchmark for every row format (storage 'f32', 'f16', 'i8', 'binary'): ns
// per distance of the library's kernels over rows laid out as the library stores them
// (bench/kernels/scan.ts scanCodes), SIMD and scalar builds, in cache and out of cache
// in order and in random order, with the bytes each row takes. Used by bench/kernels.ts
// and test/bench.test.ts. No Node imports.
import { Kernel } from '../../src/abi.js';
import { mulberry32 } from './synthetic.js';
import {
  DEFAULT_KERNEL_OPTIONS, instantiateHarness, measureAll, seededValues, visitOrder, writeBytes,
  type CachePattern, type KernelExports, type KernelOptions,
} from './kernel-bench.js';

export type CodeFormat = 'f32' | 'f16' | 'i8' | 'binary';

/** One kernel of one row format; `op` is what scanCodes() takes. */
export interface CodeKernel { id: string; format: CodeFormat; kernel: string; op: number }

/** planesDot, the query side of the binary estimator: PLANES in bench/kernels/scan.ts. */
const PLANES = 9;

export const CODE_KERNELS: readonly CodeKernel[] = [
  { id: 'f32-l2', format: 'f32', kernel: 'l2', op: Kernel.L2_F32 },
  { id: 'f32-dot', format: 'f32', kernel: 'dot', op: Kernel.DOT_F32 },
  { id: 'f16-l2', format: 'f16', kernel: 'l2 (f32 query)', op: Kernel.L2_F16 },
  { id: 'f16-dot', format: 'f16', kernel: 'dot (f32 query)', op: Kernel.DOT_F16 },
  { id: 'i8-l2', format: 'i8', kernel: 'l2', op: Kernel.L2_I8 },
  { id: 'i8-dot', format: 'i8', kernel: 'dot', op: Kernel.DOT_I8 },
  { id: 'binary-hamming', format: 'binary', kernel: 'hamming', op: Kernel.HAMMING },
  { id: 'binary-planes', format: 'binary', kernel: 'planes (4-bit query)', op: PLANES },
];
/** Dimensions of the code-type cases by default: common embedding sizes, and MNIST's 784. */
export const CODE_DIMS = [128, 384, 768, 784];
/**
 * The kernels measured by default: f32 l2 as the line to compare with (f32 dot is the
 * main table's ip), f16 l2 (its dot costs the same: measured 0.93-1.02x), both i8 kernels
 * (their instructions differ), both binary ones: 20-30 s per dim at the defaults (2-core EPYC).
 */
export const DEFAULT_CODE_KERNELS = ['f32-l2', 'f16-l2', 'i8-l2', 'i8-dot', 'binary-hamming', 'binary-planes'];

/** What the code-type figures measure, for the Markdown beside the table. */
export const CODE_TYPES_NOTE = 'Rows laid out as the library stores them (bytes/row: what a distance out of cache fetches). ' +
  'f16: an f32 query against half rows; i8: the query\'s codes against a row\'s; hamming: two rows\' bits (distances between stored rows); ' +
  'planes: the four bit planes of a 4-bit query against a row\'s bits (planesDot, the integer part of every binary search distance). ' +
  'One switch per distance picks the kernel, as storage.ts does; f32 l2 is the line to compare with.';

export interface CodeOptions extends Pick<KernelOptions, 'patterns' | 'timeMs' | 'inCacheBytes' | 'outOfCacheBytes' | 'onStep'> {
  dims: readonly number[];
  /** CODE_KERNELS ids. */
  kernels: readonly string[];
}

export const DEFAULT_CODE_OPTIONS: CodeOptions = { ...DEFAULT_KERNEL_OPTIONS, dims: CODE_DIMS, kernels: DEFAULT_CODE_KERNELS };

export interface CodeRow {
  dim: number; format: CodeFormat; kernel: string; pattern: CachePattern; rows: number;
  /** Bytes between stored rows: what a distance out of cache has to fetch. */
  rowBytes: number;
  simdNs: number; scalarNs: number; simdOverScalar: number;
  /** Rows streamed through the SIMD kernel, GB/s (rowBytes per ns). */
  simdGBps: number;
}

/** Seeded bytes: codes and bits take every value. */
function randomBytes(count: number, seed: number): Uint8Array {
  const next = mulberry32(seed);
  const words = new Uint32Array(Math.ceil(count / 4));
  for (let i = 0; i < words.length; i++) words[i] = next() * 2 ** 32;
  return new Uint8Array(words.buffer, 0, count);
}

/** Seeded halves of magnitude 0.25 … 2: normal values, as stored embeddings hold (no subnormals, which some CPUs slow down). */
function randomHalves(count: number, seed: number): Uint16Array {
  const next = mulberry32(seed);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const bits = next() * 2 ** 32;
    out[i] = (bits & 0x83ff) | ((13 + ((bits >>> 16) % 3)) << 10);
  }
  return out;
}

/** `count` rows of `format`, `rowBytes` apart. */
function rowsOf(format: CodeFormat, count: number, rowBytes: number, seed: number): ArrayBufferView {
  if (format === 'f32') return seededValues((count * rowBytes) / 4, seed);
  if (format === 'f16') return randomHalves((count * rowBytes) / 2, seed);
  return randomBytes(count * rowBytes, seed);
}

/** The query of kernel `op`: f32 values (zero past dim) for f32 and f16 rows, else codes, bits or planes. */
function queryOf(x: KernelExports, op: number, format: CodeFormat, dim: number, seed: number): ArrayBufferView {
  const bytes = x.codeQueryBytes!(op, dim);
  if (format !== 'f32' && format !== 'f16') return randomBytes(bytes, seed);
  const query = seededValues(bytes / 4, seed);
  query.fill(0, dim);
  return query;
}

/**
 * Every (dim, pattern, kernel) case over the SIMD and scalar harness builds. The rows of
 * a format are written once per (dim, pattern) and serve its kernels. Throws when the
 * builds' sums over a case differ: the kernels are twins, and a benchmark of kernels
 * that disagree would compare different work.
 */
export async function runCodeBench(modules: Record<'simd' | 'scalar', WebAssembly.Module>, options: Partial<CodeOptions> = {}): Promise<CodeRow[]> {
  const opts = { ...DEFAULT_CODE_OPTIONS, ...options };
  const kernels = opts.kernels.map(codeKernel);
  const builds = { simd: await instantiateHarness(modules.simd), scalar: await instantiateHarness(modules.scalar) };
  const harness = builds.simd;
  const total = codeCaseCount(opts);
  const out: CodeRow[] = [];
  for (const dim of opts.dims) {
    for (const pattern of opts.patterns) {
      for (const format of [...new Set(kernels.map((k) => k.format))]) {
        const ofFormat = kernels.filter((k) => k.format === format);
        const rowBytes = harness.codeRowBytes!(ofFormat[0].op, dim);
        const count = Math.max(16, Math.floor((pattern === 'in' ? opts.inCacheBytes : opts.outOfCacheBytes) / rowBytes));
        const queryBytes = Math.max(...ofFormat.map((k) => harness.codeQueryBytes!(k.op, dim)));
        const qPtr = 65536, orderPtr = qPtr + Math.ceil(queryBytes / 64) * 64;
        const basePtr = Math.ceil((orderPtr + count * 4) / 64) * 64; // rows start on a cache line
        const order = visitOrder(count, pattern === 'out-random', dim);
        const rows = rowsOf(format, count, rowBytes, dim);
        for (const x of Object.values(builds)) {
          writeBytes(x, basePtr, rows);
          writeBytes(x, orderPtr, order);
        }
        for (const kernel of ofFormat) {
          opts.onStep?.(out.length, total, `${dim}-d ${kernel.id} ${pattern}`);
          const query = queryOf(harness, kernel.op, format, dim, dim + 1);
          for (const x of Object.values(builds)) writeBytes(x, qPtr, query);
          const scan = (x: KernelExports) => (op: number, repeat: number) => x.scanCodes!(op, qPtr, basePtr, dim, orderPtr, count, repeat);
          const sums = [scan(builds.simd)(kernel.op, 1), scan(builds.scalar)(kernel.op, 1)];
          if (!Object.is(sums[0], sums[1]) || Number.isNaN(sums[0])) throw new Error(`${dim}-d ${kernel.id}: SIMD sum ${sums[0]}, scalar sum ${sums[1]}`);
          const ns = await measureAll({ simd: scan(builds.simd), scalar: scan(builds.scalar) }, kernel.op, count, opts.timeMs);
          out.push({
            dim, format, kernel: kernel.kernel, pattern, rows: count, rowBytes,
            simdNs: ns.simd, scalarNs: ns.scalar, simdOverScalar: ns.scalar / ns.simd, simdGBps: rowBytes / ns.simd,
          });
        }
      }
    }
  }
  opts.onStep?.(out.length, total, 'done');
  return out;
}

/** The CODE_KERNELS entry of `id`; throws for an unknown one. */
export function codeKernel(id: string): CodeKernel {
  const known = CODE_KERNELS.find((k) => k.id === id);
  if (!known) throw new Error(`unknown code kernel '${id}' (known: ${CODE_KERNELS.map((k) => k.id).join(', ')}, or none)`);
  return known;
}

/** How many cases runCodeBench runs (for a progress bar). */
export function codeCaseCount(options: Pick<CodeOptions, 'dims' | 'patterns' | 'kernels'>): number {
  return options.dims.length * options.patterns.length * options.kernels.length;
}
