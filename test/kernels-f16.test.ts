// Half-precision rows (assembly/f16.ts): the kernels L2_F16 / DOT_F16 (an f32 query
// against a half row) and L2_HALVES / DOT_HALVES (two half rows) against an f64
// reference over exactly decoded halves, SIMD and scalar bit for bit; and the encoding
// (round to nearest even, subnormals, ±65504) end to end through FlatIndex add / get.

import { describe, expect, test } from 'vitest';
import { Kernel } from '../src/abi.ts';
import { FlatIndex } from '../src/index.ts';
import type { WannExports } from '../src/wasm.ts';
import { mulberry32 } from '../bench/lib/data.ts';
import { firstDifference } from './helpers/brute.ts';
import { BUILDS, row, seededVectors, simdOption, type BuildName } from './helpers/data.ts';
import { KERNEL_DIMS, kernelInstance, padded, roundHalfEven, runKernel } from './helpers/kernels.ts';

const KERNELS = [Kernel.L2_F16, Kernel.DOT_F16, Kernel.L2_HALVES, Kernel.DOT_HALVES] as const;
const MAX_HALF = 0x7bff; // 65504

/** The value of the IEEE binary16 `h` (exact in f64). */
function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** The half nearest to `x` (ties to even): ulp 2^(e - 10) with e = max(floor(log2 |x|), -14). */
function nearestHalf(x: number): number {
  const abs = Math.abs(x);
  if (abs === 0) return x; // keeps -0
  let e = Math.floor(Math.log2(abs));
  if (2 ** e > abs) e--; // log2 may round up just below a power of two
  if (2 ** (e + 1) <= abs) e++;
  const ulp = 2 ** (Math.max(e, -14) - 10);
  return Math.sign(x) * roundHalfEven(abs / ulp) * ulp; // sign last: a tiny negative value becomes -0
}

/**
 * Random halves with exponents in [lo, hi] (0: subnormal), random signs and mantissas,
 * zero-padded to `stride`: every value the kernels may meet, NaN and Infinity aside.
 */
function randomHalves(dim: number, stride: number, [lo, hi]: readonly [number, number], seed: number): Uint16Array {
  const next = mulberry32(seed);
  const out = new Uint16Array(stride);
  for (let j = 0; j < dim; j++) {
    const exponent = lo + Math.floor(next() * (hi - lo + 1));
    out[j] = (next() < 0.5 ? 0x8000 : 0) | (exponent << 10) | Math.floor(next() * 1024);
  }
  return out;
}

/** Exponent windows of random halves, and the scale of the f32 rows set against them. */
const WINDOWS = [
  { exponents: [12, 17] as const, scale: 1 }, // 0.125 … 8
  { exponents: [0, 4] as const, scale: 1e-6 }, // subnormals and the smallest normals
  { exponents: [1, 30] as const, scale: 100 }, // every normal exponent
  { exponents: [25, 30] as const, scale: 1e4 }, // up to 65504
];

interface HalfPairs {
  /** f32 rows (a of L2_F16 / DOT_F16), padded to the stride. */
  queries: Float32Array[];
  /** Half rows: b of every kernel, and a of the HALVES kernels. */
  halves: Uint16Array[];
  halvesB: Uint16Array[];
}

/**
 * Row pairs for `dim`: random halves in each window against f32 rows of that window's
 * scale, and special pairs: a half row against its own value as f32 (l2 exactly 0), a
 * zero row, and -65504 everywhere against 65504 (and 65504 against -65504).
 */
function halfPairs(dim: number): HalfPairs {
  const stride = Math.ceil(dim / 4) * 4;
  const pairs: HalfPairs = { queries: [], halves: [], halvesB: [] };
  WINDOWS.forEach(({ exponents, scale }, w) => {
    for (let p = 0; p < 4; p++) {
      const seed = 100 * dim + 10 * w + p;
      const normals = row(seededVectors({ n: 1, dim, seed }).base, dim, 0);
      pairs.queries.push(padded(normals.map((v) => v * scale), stride));
      pairs.halves.push(randomHalves(dim, stride, exponents, seed));
      pairs.halvesB.push(randomHalves(dim, stride, exponents, seed + 5000));
    }
  });
  const own = pairs.halves[0];
  pairs.queries.push(Float32Array.from(own, halfValue), new Float32Array(stride), padded(new Float32Array(dim).fill(-65504), stride));
  pairs.halves.push(own, own, padded(new Uint16Array(dim).fill(MAX_HALF), stride));
  pairs.halvesB.push(own, new Uint16Array(stride), padded(new Uint16Array(dim).fill(0x8000 | MAX_HALF), stride));
  return pairs;
}

/** The rows kernel `which` takes for pair `p`: (f32, half) or (half, half). */
function operands(which: Kernel, pairs: HalfPairs, p: number): [Float32Array | Uint16Array, Uint16Array] {
  const halves = which === Kernel.L2_HALVES || which === Kernel.DOT_HALVES;
  return halves ? [pairs.halves[p], pairs.halvesB[p]] : [pairs.queries[p], pairs.halves[p]];
}

/** The four kernels over every pair: a row of results per kernel. */
function halfResults(x: WannExports, pairs: HalfPairs): number[][] {
  return KERNELS.map((which) => pairs.halves.map((_, p) => runKernel(x, which, ...operands(which, pairs, p))));
}

/** The kernel in f64 over exact values, and the sum of its terms' magnitudes (f32 sums err relative to that). */
function reference(which: Kernel, a: ArrayLike<number>, b: ArrayLike<number>): { value: number; magnitude: number } {
  let value = 0, magnitude = 0;
  for (let j = 0; j < a.length; j++) {
    const term = which === Kernel.L2_F16 || which === Kernel.L2_HALVES ? (a[j] - b[j]) ** 2 : a[j] * b[j];
    value += term;
    magnitude += Math.abs(term);
  }
  return { value, magnitude };
}

const instanceFor = (build: BuildName, dim: number) => kernelInstance(build, 16 * dim + 64);

describe.each(BUILDS)('half-precision kernels (%s build)', (build) => {
  test.each(KERNEL_DIMS)('l2 and dot, f32 × half and half × half, match the f64 reference at dim %i', async (dim) => {
    const pairs = halfPairs(dim);
    const got = halfResults(await instanceFor(build, dim), pairs);
    const problems: string[] = [];
    const values = (r: Float32Array | Uint16Array) => (r instanceof Uint16Array ? Array.from(r, halfValue) : r);
    KERNELS.forEach((which, k) => pairs.halves.forEach((_, p) => {
      const [a, b] = operands(which, pairs, p);
      const { value, magnitude } = reference(which, values(a), values(b));
      const tol = 1e-5 * magnitude; // as tolerance64: a few ulps of the terms' sum
      if (!(Math.abs(got[k][p] - value) <= tol)) problems.push(`${Kernel[which]} pair ${p}: ${got[k][p]}, expected ${value} ± ${tol}`);
    }));
    expect(problems).toEqual([]);
    const own = WINDOWS.length * 4; // a half row against its own value, then against zero
    expect([got[0][own], got[2][own], got[1][own + 1], got[3][own + 1]]).toEqual([0, 0, 0, 0]);
  });
});

describe('SIMD and scalar half-precision kernels agree bit for bit', () => {
  test.each(KERNEL_DIMS)('dim %i', async (dim) => {
    const pairs = halfPairs(dim);
    const simd = halfResults(await instanceFor('simd', dim), pairs);
    const scalar = halfResults(await instanceFor('scalar', dim), pairs);
    KERNELS.forEach((which, k) => expect(firstDifference(simd[k], scalar[k]), Kernel[which]).toBeNull());
  });
});

/**
 * Values whose halves are easy to get wrong: signed zeros, ties (to even) in the normal
 * and subnormal ranges, roundings that carry into the exponent, the normal/subnormal
 * boundary, tiny values that round to ±0, and the top of the range (65519 rounds down
 * to 65504; from 65520 src/ refuses the value).
 */
const SPECIAL = [
  0, -0, 1, -1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -23, 1 - 2 ** -12, 2 - 2 ** -12, -(2 - 2 ** -12),
  2047.5, 2049, 2051, 4097, 65504, -65504, 65519, -65519, 65505, 65500, 65488, 32768 + 16,
  2 ** -14, 2 ** -14 - 2 ** -25, 2 ** -14 - 3 * 2 ** -25, 2 ** -14 + 2 ** -24, -(2 ** -14 - 2 ** -25),
  2 ** -24, -(2 ** -24), 2 ** -25, 3 * 2 ** -25, 5 * 2 ** -25, 2 ** -25 + 2 ** -40, 1e-6, -1e-6, 1e-7, 3e-8,
  2 ** -26, -(2 ** -26), 1e-30, -1e-30, 1.401298464324817e-45, 0.1, -0.3, Math.PI, 1000.1,
];

/** SPECIAL, then seeded values of every magnitude from 2^-30 to 2^15.9, as f32. */
function encodingValues(): Float32Array {
  const next = mulberry32(16);
  const random = Array.from({ length: 3000 }, () => (next() < 0.5 ? -1 : 1) * 2 ** (next() * 45.9 - 30));
  return Float32Array.from([...SPECIAL, ...random]);
}

describe.each(BUILDS)('half-precision encoding (%s build)', (build) => {
  test.each([1, 17, 128])('get() returns the nearest half of every value, ties to even (dim %i)', async (dim) => {
    const values = encodingValues();
    const rows = padded(values, Math.ceil(values.length / dim) * dim);
    const index = await FlatIndex.create({ dim, storage: 'f16', simd: simdOption(build), threads: 1 });
    try {
      index.addBatch(rows);
      const problems: string[] = [];
      for (let id = 0; id < rows.length / dim; id++) {
        const got = index.get(id)!;
        for (let j = 0; j < dim; j++) {
          const x = rows[id * dim + j], want = nearestHalf(x);
          if (!Object.is(got[j], want)) problems.push(`${x} stored as ${got[j]}, expected ${want}`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      index.dispose();
    }
  });
});

test('the references themselves: half values, ties, carries, subnormals and signed zeros', () => {
  const decoded: Array<[number, number]> = [[0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0400, 2 ** -14], [0x03ff, 1023 * 2 ** -24], [0x0001, 2 ** -24], [0x8000, -0]];
  for (const [h, want] of decoded) expect(halfValue(h), `halfValue(0x${h.toString(16)})`).toBe(want);
  const rounded: Array<[number, number]> = [
    [1 + 2 ** -11, 1], [1 + 3 * 2 ** -11, 1 + 2 ** -9], [2 - 2 ** -12, 2], [65519, 65504], [2049, 2048], [2051, 2052],
    [2 ** -25, 0], [3 * 2 ** -25, 2 ** -23], [2 ** -14 - 2 ** -25, 2 ** -14], [-(2 ** -26), -0], [1e-30, 0],
  ];
  for (const [x, want] of rounded) expect(nearestHalf(x), `nearestHalf(${x})`).toBe(want);
});
