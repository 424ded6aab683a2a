// Kernel benchmark harness: the library's own l2/dot (assembly/distance.ts, not a copy)
// driven over rows in a given visiting order. Compiled twice by bench/kernels/compile.ts,
// with and without --enable simd, so the two builds differ exactly as the library's do.
// An identity order is a sequential scan (the prefetcher streams it); a seeded random
// permutation is what graph search does: every row is a cache miss out of cache.
import { dot, l2 } from '../../assembly/distance';

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
