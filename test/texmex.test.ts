// texmex decoding and encoding (src/texmex.ts), the one reader of the CLI, the benchmarks,
// the tests and the pages: round trips of every kind, the shipped files, and the errors.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { decodeVecs, encodeVecs, vecsKindOf } from '../src/texmex.ts';

describe('texmex', () => {
  test.each([
    ['fvecs', Float32Array.of(0.5, -1.25, 3, 1e-3, 7, -0)],
    ['ivecs', Int32Array.of(0, -1, 2 ** 31 - 1, -(2 ** 31), 5, 6)],
    ['bvecs', Float32Array.of(0, 1, 127, 128, 254, 255)],
  ] as const)('%s: encode then decode gives the rows back, bit for bit', (kind, data) => {
    const bytes = encodeVecs(data, 3, kind);
    expect(bytes.byteLength).toBe(2 * (4 + 3 * (kind === 'bvecs' ? 1 : 4)));
    const rows = decodeVecs(bytes, kind);
    expect([rows.n, rows.dim]).toEqual([2, 3]);
    expect(rows.data).toBeInstanceOf(kind === 'ivecs' ? Int32Array : Float32Array);
    expect(Array.from(rows.data)).toEqual(Array.from(data)); // toEqual tells -0 from 0
  });

  test('rows at an odd byte offset decode as aligned ones do (the DataView path)', () => {
    const bytes = encodeVecs(Float32Array.of(1.5, 2.5, 3.5, 4.5), 2, 'fvecs');
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    expect(Array.from(decodeVecs(shifted.subarray(1), 'fvecs').data)).toEqual([1.5, 2.5, 3.5, 4.5]);
  });

  test('the shipped siftsmall gt: 100 rows of the top 100 ids', () => {
    const path = new URL('../bench/data/siftsmall/gt.ivecs', import.meta.url);
    const gt = decodeVecs(readFileSync(path), 'ivecs');
    expect([gt.n, gt.dim]).toEqual([100, 100]);
    expect(gt.data.every((id) => id >= 0 && id < 10_000)).toBe(true);
  });

  test('an empty file is no rows; the kind comes from the extension', () => {
    expect(decodeVecs(new Uint8Array(0), 'fvecs')).toEqual({ n: 0, dim: 0, data: new Float32Array(0) });
    expect(vecsKindOf('/data/sift/base.bvecs')).toBe('bvecs');
    expect(() => vecsKindOf('base.npy')).toThrow("base.npy: expected a .fvecs, .ivecs or .bvecs file, got extension '.npy'");
  });

  test('truncated files, mixed row dims and bad values are errors that say where', () => {
    const bytes = encodeVecs(Float32Array.of(1, 2, 3, 4, 5, 6), 3, 'fvecs');
    expect(() => decodeVecs(bytes.subarray(0, 2), 'fvecs', 'f')).toThrow('f: 2 bytes is shorter than one row header (4)');
    expect(() => decodeVecs(bytes.subarray(0, 20), 'fvecs', 'f')).toThrow('f: 20 bytes is not a whole number of fvecs rows of dim 3');
    const mixed = bytes.slice();
    new DataView(mixed.buffer).setInt32(16, 2, true);
    expect(() => decodeVecs(mixed, 'fvecs', 'f')).toThrow('f: row 1 has dim 2, expected 3 (as row 0)');
    expect(() => decodeVecs(encodeVecs([1], 1, 'ivecs').fill(0, 0, 4), 'ivecs', 'i')).toThrow('i: row 0 has dim 0, expected 1..');
    expect(() => encodeVecs([1, 256], 2, 'bvecs')).toThrow('bvecs value at row 0, column 1 must be an integer in 0..255, got 256');
    expect(() => encodeVecs([1, 2, 3], 2, 'fvecs')).toThrow('data length 3 is not a multiple of dim 2');
  });
});
