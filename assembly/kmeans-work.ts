// The working arrays of k-means (kmeans.ts, kmeans-seed.ts) in one block of memory the
// caller sizes with kmeansWorkBytes(), and the transposed codebook's columns (centroid k
// is column k of a dims × K book).
//
//   work ─► ┌──────────────┬────────────────────────────┬──────────────┬────────────────┬──────────────────┬
//           │ assign: n u32│ nearest (k-means++) or     │ lower: n f32 │ row norms: n f32│ pending: n+4 u32 │
//           │              │ upper bound: n f32         │              │ (squared)       │ rows to assign   │
//           ├──────────────┴──────┬───────────────┬────┴──────────────┬─┴────────────────┴─┬──────────┬─────
//           │ sums: K × dims f64  │ counts: K u32 │ book norms: K f32 │ dist: TILE_ROWS×K f32│ row: dims│
//           ├─────────────────────┴─┬─────────────┼───────────────────┴────────────────────┴──────────┘
//           │ centres: K × dims f32 │ moved: K f32│ half gap: K f32
//           │ (row-major copy)      │             │
//           └───────────────────────┴─────────────┴─────────────────

import { TILE_ROWS } from './assign';

/** Bytes of the working arrays for n rows of `dims` values and K centroids. */
export function kmeansWorkBytes(n: u32, dims: i32, K: i32): u64 {
  return <u64>n * 20 + (TILE_ROWS << 2) + <u64>K * <u64>dims * 12 + <u64>K * (16 + (TILE_ROWS << 2)) + (<u64>dims << 2);
}

// Where each working array starts, for n rows of `dims` values and K centroids.
// @ts-ignore: decorator
@inline export function assignAt(base: usize): usize { return base; }
// @ts-ignore: decorator
@inline export function nearestAt(base: usize, n: u32): usize { return base + (<usize>n << 2); }
// @ts-ignore: decorator
@inline export function lowerAt(base: usize, n: u32): usize { return base + (<usize>n << 3); }
// @ts-ignore: decorator
@inline export function rowNormsAt(base: usize, n: u32): usize { return base + <usize>n * 12; }
// @ts-ignore: decorator
@inline export function pendingAt(base: usize, n: u32): usize { return base + (<usize>n << 4); }
// @ts-ignore: decorator
@inline export function sumsAt(base: usize, n: u32): usize { return base + <usize>n * 20 + (TILE_ROWS << 2); }
// @ts-ignore: decorator
@inline export function countsAt(base: usize, n: u32, dims: i32, K: i32): usize { return sumsAt(base, n) + <usize>K * <usize>dims * 8; }
// @ts-ignore: decorator
@inline export function bookNormsAt(base: usize, n: u32, dims: i32, K: i32): usize { return countsAt(base, n, dims, K) + (<usize>K << 2); }
// @ts-ignore: decorator
@inline export function distAt(base: usize, n: u32, dims: i32, K: i32): usize { return bookNormsAt(base, n, dims, K) + (<usize>K << 2); }
// @ts-ignore: decorator
@inline export function rowAt(base: usize, n: u32, dims: i32, K: i32): usize { return distAt(base, n, dims, K) + (<usize>K * TILE_ROWS << 2); }
// @ts-ignore: decorator
@inline export function centresAt(base: usize, n: u32, dims: i32, K: i32): usize { return rowAt(base, n, dims, K) + (<usize>dims << 2); }
// @ts-ignore: decorator
@inline export function movedAt(base: usize, n: u32, dims: i32, K: i32): usize { return centresAt(base, n, dims, K) + (<usize>K * <usize>dims << 2); }
// @ts-ignore: decorator
@inline export function halfGapAt(base: usize, n: u32, dims: i32, K: i32): usize { return movedAt(base, n, dims, K) + (<usize>K << 2); }

/** Writes `row` (dims values) as centroid k of `book`. */
// @ts-ignore: decorator
@inline export function setCentroid(book: usize, K: i32, k: i32, row: usize, dims: i32): void {
  for (let t = 0; t < dims; t++) store<f32>(book + ((<usize>t * <usize>K + <usize>k) << 2), load<f32>(row + (<usize>t << 2)));
}

/** Reads centroid k of `book` into `row`. */
// @ts-ignore: decorator
@inline export function getCentroid(book: usize, K: i32, k: i32, row: usize, dims: i32): void {
  for (let t = 0; t < dims; t++) store<f32>(row + (<usize>t << 2), load<f32>(book + ((<usize>t * <usize>K + <usize>k) << 2)));
}
