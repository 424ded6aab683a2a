// texmex files in Node: read and write .fvecs / .ivecs / .bvecs by path, over the one
// decoder in src/texmex.ts. Called by bench/lib/data.ts, the bench scripts and test/helpers/data.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeVecs, encodeVecs, vecsKindOf, type Matrix } from '../../src/texmex.js';

export type { Matrix, VecsKind } from '../../src/texmex.js';

/** Reads a .fvecs / .ivecs / .bvecs file, the kind taken from its extension. */
export function readVecs(path: string): Matrix<Float32Array | Int32Array> {
  const kind = vecsKindOf(path); // before reading, so a wrong extension is named as such
  return decodeVecs(readFileSync(path), kind, path);
}

export function readFvecs(path: string): Matrix<Float32Array> {
  return decodeVecs(readFileSync(path), 'fvecs', path) as Matrix<Float32Array>;
}

export function readIvecs(path: string): Matrix<Int32Array> {
  return decodeVecs(readFileSync(path), 'ivecs', path) as Matrix<Int32Array>;
}

/** bvecs (uint8 rows, as BIGANN) widened to Float32Array. */
export function readBvecs(path: string): Matrix<Float32Array> {
  return decodeVecs(readFileSync(path), 'bvecs', path) as Matrix<Float32Array>;
}

/** Writes a texmex file, the kind taken from the path's extension. */
export function writeVecs(path: string, data: ArrayLike<number>, dim: number): void {
  writeFileSync(path, encodeVecs(data, dim, vecsKindOf(path)));
}
