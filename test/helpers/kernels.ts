// Calling the distance kernels directly through the `kernel(which, a, b, len)` export
// (src/abi.ts Kernel), with the CODES region of a FLAT instance as scratch for the two
// rows. Used by the kernels*.test.ts files.

import { expect } from 'vitest';
import { Kind, Metric, Region, Storage, type Kernel } from '../../src/abi.ts';
import { compileBuild, instantiate, type WannExports } from '../../src/wasm.ts';
import type { BuildName } from './data.ts';

/** Awkward dimensions every kernel is tested at: below, at and past each block size (4, 16, 128). */
export const KERNEL_DIMS = [1, 3, 4, 5, 15, 16, 17, 100, 128, 384, 784, 1536];

/** One row of a kernel call: f32 values, u16 halves, i8 codes or bytes of bits. */
export type KernelRow = Float32Array | Uint16Array | Int8Array | Uint8Array;

/** A FLAT instance of `build` whose CODES region holds at least `bytes`: room for the rows of kernel calls. */
export async function kernelInstance(build: BuildName, bytes: number): Promise<WannExports> {
  const x = await instantiate(await compileBuild(build));
  // dim 4: f32 rows of 16 bytes, so the capacity counts 16-byte blocks.
  expect(x.init(Kind.FLAT, Metric.L2, Storage.F32, 4, 0, 0, 0, 0, Math.ceil(bytes / 16) + 1, 0)).toBe(0);
  expect(x.simdBuild()).toBe(build === 'simd' ? 1 : 0);
  return x;
}

/**
 * Kernel `which` over rows `a` and `b`, both `len` long in the units the kernel counts
 * (values, or bytes for the integer kernels): `a` at the start of CODES, `b` after it
 * on a 16-byte boundary, as rows lie in the library.
 */
export function runKernel(x: WannExports, which: Kernel, a: KernelRow, b: KernelRow): number {
  expect(b.length).toBe(a.length);
  const aPtr = x.regionPtr(Region.CODES) >>> 0, bPtr = aPtr + Math.ceil(a.byteLength / 16) * 16;
  const bytes = new Uint8Array(x.memory.buffer);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), aPtr);
  bytes.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), bPtr);
  return x.kernel(which, aPtr, bPtr, a.length);
}

/** `row` zero-padded to `len` units (the padding a stored row has). */
export function padded<T extends KernelRow>(row: T, len: number): T {
  const out = new (row.constructor as new (n: number) => T)(len);
  out.set(row as ArrayLike<number> & T);
  return out;
}

/** `y` rounded to the nearest integer, ties to even (WASM's `nearest`). */
export function roundHalfEven(y: number): number {
  const floor = Math.floor(y), rest = y - floor;
  return rest < 0.5 ? floor : rest > 0.5 ? floor + 1 : floor + (floor % 2);
}
