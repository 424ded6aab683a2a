// Kernel benchmark harness, naive twin of bench/kernels/scan.ts: the loop a first attempt
// would write (one running sum, no unrolling), with the same scan() contract. Compiled
// by bench/kernels/compile.ts; never part of the library.

function l2(a: usize, b: usize, dim: i32): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < dim; i++) {
    let d = load<f32>(a + (<usize>i << 2)) - load<f32>(b + (<usize>i << 2));
    sum += d * d;
  }
  return sum;
}

function dot(a: usize, b: usize, dim: i32): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < dim; i++) sum += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return sum;
}

/** Same contract as scan() in bench/kernels/scan.ts. */
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

/** Same contract as l2Once() in bench/kernels/scan.ts. */
export function l2Once(a: usize, b: usize, stride: i32): f32 {
  return l2(a, b, stride);
}
