// AssemblyScript reference kernels for the kernel benchmark only: the loop a first
// attempt would write (one running sum, no unrolling). Compiled by bench/kernels.ts
// at run time; never part of the library.

export function l2(a: usize, b: usize, dim: i32): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < dim; i++) {
    let d = load<f32>(a + (<usize>i << 2)) - load<f32>(b + (<usize>i << 2));
    sum += d * d;
  }
  return sum;
}

export function dot(a: usize, b: usize, dim: i32): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < dim; i++) sum += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return sum;
}

/** Same contract as the library's scan(): distances from row `q` to `rows` rows at `base`. */
export function scan(op: i32, q: usize, base: usize, dim: i32, rows: u32, repeat: i32): f32 {
  let total: f32 = 0;
  let rowBytes = <usize>dim << 2;
  for (let r = 0; r < repeat; r++) {
    for (let i: u32 = 0; i < rows; i++) {
      let row = base + <usize>i * rowBytes;
      total += op == 0 ? l2(q, row, dim) : dot(q, row, dim);
    }
  }
  return total;
}
