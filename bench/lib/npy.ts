// NumPy .npy reader for 2-D little-endian float32 C-order arrays; called by bench/lib/data.ts.
import { readFileSync } from 'node:fs';
import type { Matrix } from './texmex.js';

const MAGIC = '\x93NUMPY';

/**
 * Parses the .npy header (format versions 1–3) and copies the rows out. Anything other
 * than '<f4', C order and a 2-D shape is refused rather than converted, so a benchmark
 * never silently runs on reinterpreted bytes.
 */
export function decodeNpy(bytes: Uint8Array, label = 'npy'): Matrix<Float32Array> {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== MAGIC) throw new Error(`${label}: not a .npy file (magic ${JSON.stringify(magic)}, expected "\\x93NUMPY")`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, headerOff: number;
  if (major === 1) [headerLen, headerOff] = [view.getUint16(8, true), 10];
  else if (major === 2 || major === 3) [headerLen, headerOff] = [view.getUint32(8, true), 12];
  else throw new Error(`${label}: .npy format version ${major}.${bytes[7]} is not supported (expected 1, 2 or 3)`);
  if (headerOff + headerLen > bytes.byteLength) {
    throw new Error(`${label}: header needs ${headerOff + headerLen} bytes, file has ${bytes.byteLength}`);
  }
  const header = new TextDecoder().decode(bytes.subarray(headerOff, headerOff + headerLen));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== '<f4') throw new Error(`${label}: dtype '${descr}' is not supported (expected '<f4', little-endian float32)`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran !== 'False') throw new Error(`${label}: fortran_order is ${fortran}, expected False (C order)`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  const shape = (shapeText ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length !== 2 || !shape.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new Error(`${label}: shape (${shapeText}) is not supported (expected 2-D (n, dim))`);
  }

  const [n, dim] = shape;
  const dataOff = headerOff + headerLen;
  const expected = dataOff + n * dim * 4;
  if (bytes.byteLength !== expected) {
    throw new Error(`${label}: shape (${n}, ${dim}) needs ${expected} bytes, file has ${bytes.byteLength}`);
  }
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n * dim; i++) data[i] = view.getFloat32(dataOff + 4 * i, true);
  return { n, dim, data };
}

export function readNpy(path: string): Matrix<Float32Array> {
  return decodeNpy(readFileSync(path), path);
}
