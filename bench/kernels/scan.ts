// Kernel benchmark harness: the library's own kernels (assembly/distance.ts, f16.ts,
// int8.ts, binary.ts; not copies) driven over rows in a given visiting order. Compiled
// twice by bench/kernels/compile.ts, with and without --enable simd, so the two builds
// differ exactly as the library's do. An identity order is a sequential scan (the
// prefetcher streams it); a seeded random permutation is what graph search does: every
// row is a cache miss out of cache.
import { Kernel } from '../../src/abi';
import { dot, l2 } from '../../assembly/distance';
import { dotHalf, l2Half } from '../../assembly/f16';
import { codeBytesI8, dotI8, l2I8 } from '../../assembly/int8';
import { bitBytes, codeBytesBinary, hamming, planesDot, preparedBytesBinary } from '../../assembly/binary';

/** planesDot (binary.ts), the query side of the binary estimator: op 9 here and in bench/lib/code-bench.ts. */
const PLANES: i32 = 9;

/**
 * `repeat` passes of distances from the row at `q` to `rows` rows of `stride` floats at
 * `base`, visited in the u32 order at `order` (l2 when `op` is 0, dot otherwise).
 * Returns the sum, so the optimiser cannot drop the work. Never grows memory.
 */
export function scan(op: i32, q: usize, base: usize, stride: i32, order: usize, rows: u32, repeat: i32): f32 {
  let rowBytes = <usize>stride << 2;
  let sum: f32 = 0;
  for (let r = 0; r < repeat; r++) {
    for (let i: u32 = 0; i < rows; i++) {
      let row = base + <usize>load<u32>(order + (<usize>i << 2)) * rowBytes;
      sum += op == 0 ? l2(q, row, stride) : dot(q, row, stride);
    }
  }
  return sum;
}

/** One l2 call from JS, to time the JS → WASM boundary against the in-WASM loop. */
export function l2Once(a: usize, b: usize, stride: i32): f32 {
  return l2(a, b, stride);
}

/**
 * `repeat` passes of kernel `op` (src/abi.ts Kernel, or PLANES) from the query at `q` to
 * `rows` stored rows of `dim` at `base`, laid out as the library stores them
 * (codeRowBytes apart), visited in the u32 order at `order`. Returns the sum (f64: the
 * integer kernels' sums stay exact), so the optimiser cannot drop the work.
 */
export function scanCodes(op: i32, q: usize, base: usize, dim: i32, order: usize, rows: u32, repeat: i32): f64 {
  let len = codeLen(op, dim), rowBytes = codeRowBytes(op, dim);
  if (len < 0) return NaN;
  let sum: f64 = 0;
  for (let r = 0; r < repeat; r++) {
    for (let i: u32 = 0; i < rows; i++) {
      let row = base + <usize>load<u32>(order + (<usize>i << 2)) * rowBytes;
      sum += distance(op, q, row, len); // a switch per distance, as storage.ts's queryDistance has
    }
  }
  return sum;
}

// @ts-ignore: decorator
@inline function distance(op: i32, q: usize, row: usize, len: i32): f64 {
  switch (op) {
    case Kernel.L2_F32: return l2(q, row, len);
    case Kernel.DOT_F32: return dot(q, row, len);
    case Kernel.L2_F16: return l2Half<f32>(q, row, len);
    case Kernel.DOT_F16: return dotHalf<f32>(q, row, len);
    case Kernel.L2_I8: return <f64>l2I8(q, row, len);
    case Kernel.DOT_I8: return <f64>dotI8(q, row, len);
    case Kernel.HAMMING: return <f64>hamming(q, row, len);
    default: {
      let packed = planesDot(q, row, len); // Σ levels over set bits (high half), set bits (low half)
      return <f64>(packed >> 32) + <f64>(<u32>packed);
    }
  }
}

// @ts-ignore: decorator
@inline function stride(dim: i32): i32 {
  return (dim + 3) & ~3;
}

/** The `len` kernel `op` takes at `dim`: values (f32, f16) or bytes (i8 codes, bits); -1 for an unknown op. */
function codeLen(op: i32, dim: i32): i32 {
  if (op <= Kernel.DOT_F16) return op < 0 ? -1 : stride(dim);
  if (op == Kernel.L2_I8 || op == Kernel.DOT_I8) return <i32>codeBytesI8(dim);
  return op == Kernel.HAMMING || op == PLANES ? <i32>bitBytes(dim) : -1;
}

/** Bytes between stored rows of kernel `op`'s format, as storage.ts lays them out (deriveStorage). */
export function codeRowBytes(op: i32, dim: i32): usize {
  if (op == Kernel.L2_F32 || op == Kernel.DOT_F32) return <usize>stride(dim) << 2;
  if (op == Kernel.L2_F16 || op == Kernel.DOT_F16) return ((<usize>stride(dim) << 1) + 15) & ~15;
  if (op == Kernel.L2_I8 || op == Kernel.DOT_I8) return codeBytesI8(dim);
  return codeBytesBinary(dim); // bits, then the estimator's factors
}

/** Bytes of the query kernel `op` reads: an f32 row (f32, f16), codes, bits, or a prepared query's planes. */
export function codeQueryBytes(op: i32, dim: i32): usize {
  if (op <= Kernel.DOT_F16) return <usize>stride(dim) << 2;
  if (op == Kernel.L2_I8 || op == Kernel.DOT_I8) return codeBytesI8(dim);
  return op == PLANES ? preparedBytesBinary(dim) : bitBytes(dim);
}
