// 8-bit code kernels (assembly/int8.ts): L2_I8 = Σ (a_j - b_j)² and DOT_I8 = Σ a_j · b_j
// over codes -128 … 127 are integer sums, so they must equal the exact sum (returned as
// f32), SIMD and scalar alike, up to the extreme codes at the largest length int8.ts
// reasons about (65536 bytes: l2 needs all 32 unsigned bits there).

import { describe, expect, test } from 'vitest';
import { Kernel } from '../src/abi.ts';
import type { WannExports } from '../src/wasm.ts';
import { mulberry32 } from '../bench/lib/data.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, type BuildName } from './helpers/data.ts';
import { KERNEL_DIMS, kernelInstance, runKernel } from './helpers/kernels.ts';

/** The longest row int8.ts's overflow reasoning covers (dim ≤ 65536). */
const LONGEST = 65536;

/** Bytes of an i8 row of `dim` codes: whole v128s, zero-padded (int8.ts codeBytesI8). */
const codeBytes = (dim: number) => Math.ceil(dim / 16) * 16;

/** `dim` codes from `code(j)`, zero-padded. */
function codes(dim: number, code: (j: number) => number): Int8Array {
  const out = new Int8Array(codeBytes(dim));
  for (let j = 0; j < dim; j++) out[j] = code(j);
  return out;
}

/**
 * Row pairs for `dim`: seeded random codes over the whole range and over a narrow one,
 * a row against itself and against zero, and the extremes: all -128 against all 127,
 * all -128 against all -128, alternating -128 / 127 against its mirror.
 */
function codePairs(dim: number): Array<[Int8Array, Int8Array]> {
  const next = mulberry32(dim);
  const random = (spread: number) => codes(dim, () => Math.floor(next() * 2 * spread) - spread);
  const pairs: Array<[Int8Array, Int8Array]> = [];
  for (let p = 0; p < 8; p++) pairs.push(p < 6 ? [random(128), random(128)] : [random(5), random(5)]);
  const low = codes(dim, () => -128), high = codes(dim, () => 127), alternating = codes(dim, (j) => (j % 2 ? 127 : -128));
  pairs.push([pairs[0][0], pairs[0][0]], [pairs[0][0], new Int8Array(codeBytes(dim))], [low, high], [low, low], [alternating, codes(dim, (j) => (j % 2 ? -128 : 127))]);
  return pairs;
}

/** The exact integer sums, as the kernel export returns them: rounded to f32. */
function exact(a: Int8Array, b: Int8Array): { l2: number; dot: number } {
  let l2 = 0, dot = 0;
  for (let j = 0; j < a.length; j++) {
    l2 += (a[j] - b[j]) ** 2;
    dot += a[j] * b[j];
  }
  return { l2: Math.fround(l2), dot: Math.fround(dot) };
}

function codeResults(x: WannExports, pairs: Array<[Int8Array, Int8Array]>): { l2: number[]; dot: number[] } {
  return { l2: pairs.map(([a, b]) => runKernel(x, Kernel.L2_I8, a, b)), dot: pairs.map(([a, b]) => runKernel(x, Kernel.DOT_I8, a, b)) };
}

const instanceFor = (build: BuildName, dim: number) => kernelInstance(build, 2 * codeBytes(dim));

describe.each(BUILDS)('int8 kernels (%s build)', (build) => {
  test.each(KERNEL_DIMS)('l2 and dot equal the exact integer sums at dim %i', async (dim) => {
    const pairs = codePairs(dim);
    const got = codeResults(await instanceFor(build, dim), pairs);
    expect(got).toEqual({ l2: pairs.map(([a, b]) => exact(a, b).l2), dot: pairs.map(([a, b]) => exact(a, b).dot) });
  });

  test(`the extremes at ${LONGEST} bytes: l2 past 2^31 (unsigned), dot at ±2^30`, async () => {
    const x = await instanceFor(build, LONGEST);
    const low = codes(LONGEST, () => -128), high = codes(LONGEST, () => 127);
    expect(runKernel(x, Kernel.L2_I8, low, high)).toBe(Math.fround(LONGEST * 255 ** 2)); // 4,261,478,400 < 2^32
    expect(runKernel(x, Kernel.DOT_I8, low, low)).toBe(2 ** 30);
    expect(runKernel(x, Kernel.DOT_I8, low, high)).toBe(-LONGEST * 128 * 127);
    expect(runKernel(x, Kernel.L2_I8, high, high)).toBe(0);
  });
});

describe('SIMD and scalar int8 kernels agree bit for bit', () => {
  test.each(KERNEL_DIMS)('dim %i', async (dim) => {
    const pairs = codePairs(dim);
    const simd = codeResults(await instanceFor('simd', dim), pairs);
    const scalar = codeResults(await instanceFor('scalar', dim), pairs);
    expect(firstDifference(simd.l2, scalar.l2)).toBeNull();
    expect(firstDifference(simd.dot, scalar.dot)).toBeNull();
  });
});
