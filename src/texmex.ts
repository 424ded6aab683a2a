// texmex .fvecs / .ivecs / .bvecs decoding and encoding: bytes in, typed arrays out, no
// I/O and no Node imports, so pages can load it as dist/texmex.js. Called by src/cli.ts,
// bench/lib/texmex.ts (files) and bench/browser/texmex.js (fetch).
//
//   one row:  ┌─────────────┬─────────────────────────────────────────────────────────────────┐
//             │ dim: i32 LE │ dim values, little-endian: f32 (fvecs), i32 (ivecs), u8 (bvecs) │
//             └─────────────┴─────────────────────────────────────────────────────────────────┘
//   a file is rows back to back, all of the same dim; there is no file header.

export type VecsKind = 'fvecs' | 'ivecs' | 'bvecs';

export interface Matrix<T extends Float32Array | Int32Array> {
  n: number;
  dim: number;
  data: T;
}

/** Bytes per stored element; bvecs rows hold uint8 but are widened to f32 on read. */
const ELEMENT_BYTES: Record<VecsKind, number> = { fvecs: 4, ivecs: 4, bvecs: 1 };

/** The kind named by a path's or URL's extension, or an error naming it. */
export function vecsKindOf(path: string): VecsKind {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  if (ext === 'fvecs' || ext === 'ivecs' || ext === 'bvecs') return ext;
  throw new Error(`${path}: expected a .fvecs, .ivecs or .bvecs file, got extension '.${ext}'`);
}

/**
 * Checks every row header before trusting the sizes: texmex has no file header, so a
 * truncated download or a mismatched kind only shows up as an inconsistent row.
 */
function parseRows(bytes: Uint8Array, kind: VecsKind, label: string): { n: number; dim: number } {
  if (bytes.byteLength === 0) return { n: 0, dim: 0 };
  if (bytes.byteLength < 4) throw new Error(`${label}: ${bytes.byteLength} bytes is shorter than one row header (4)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dim = view.getInt32(0, true);
  if (dim <= 0 || dim > 1 << 20) throw new Error(`${label}: row 0 has dim ${dim}, expected 1..${1 << 20}`);
  const rowBytes = 4 + dim * ELEMENT_BYTES[kind];
  if (bytes.byteLength % rowBytes !== 0) {
    const rows = Math.floor(bytes.byteLength / rowBytes);
    throw new Error(
      `${label}: ${bytes.byteLength} bytes is not a whole number of ${kind} rows of dim ${dim} ` +
        `(${rowBytes} bytes each): ${rows} rows plus ${bytes.byteLength - rows * rowBytes} bytes (truncated or not ${kind}?)`,
    );
  }
  const n = bytes.byteLength / rowBytes;
  for (let i = 1; i < n; i++) {
    const got = view.getInt32(i * rowBytes, true);
    if (got !== dim) throw new Error(`${label}: row ${i} has dim ${got}, expected ${dim} (as row 0)`);
  }
  return { n, dim };
}

/** True on little-endian hosts, where aligned rows can be copied without DataView. */
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes texmex bytes; ivecs gives Int32Array, fvecs and bvecs give Float32Array. */
export function decodeVecs(bytes: Uint8Array, kind: VecsKind, label: string = kind): Matrix<Float32Array | Int32Array> {
  const { n, dim } = parseRows(bytes, kind, label);
  const data = kind === 'ivecs' ? new Int32Array(n * dim) : new Float32Array(n * dim);
  const rowBytes = 4 + dim * ELEMENT_BYTES[kind];
  if (kind === 'bvecs') {
    for (let i = 0; i < n; i++) data.set(bytes.subarray(i * rowBytes + 4, (i + 1) * rowBytes), i * dim);
  } else if (HOST_LE && bytes.byteOffset % 4 === 0) {
    // Fast path: one typed view over the file, rows copied past their 4-byte headers.
    const words = kind === 'ivecs'
      ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2)
      : new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    const rowWords = rowBytes >>> 2;
    for (let i = 0; i < n; i++) data.set(words.subarray(i * rowWords + 1, (i + 1) * rowWords), i * dim);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) {
      const rowOff = i * rowBytes + 4;
      for (let j = 0; j < dim; j++) {
        data[i * dim + j] = kind === 'ivecs' ? view.getInt32(rowOff + 4 * j, true) : view.getFloat32(rowOff + 4 * j, true);
      }
    }
  }
  return { n, dim, data };
}

/** Encodes n rows of dim values; bvecs values must be integers in 0..255. */
export function encodeVecs(data: ArrayLike<number>, dim: number, kind: VecsKind): Uint8Array {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`dim must be a positive integer, got ${dim}`);
  if (data.length % dim !== 0) throw new Error(`data length ${data.length} is not a multiple of dim ${dim}`);
  const n = data.length / dim;
  const rowBytes = 4 + dim * ELEMENT_BYTES[kind];
  const bytes = new Uint8Array(n * rowBytes);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const rowOff = i * rowBytes;
    view.setInt32(rowOff, dim, true);
    for (let j = 0; j < dim; j++) {
      const value = data[i * dim + j];
      if (kind === 'fvecs') view.setFloat32(rowOff + 4 + 4 * j, value, true);
      else if (kind === 'ivecs') view.setInt32(rowOff + 4 + 4 * j, value, true);
      else {
        if (!Number.isInteger(value) || value < 0 || value > 255) {
          throw new Error(`bvecs value at row ${i}, column ${j} must be an integer in 0..255, got ${value}`);
        }
        bytes[rowOff + 4 + j] = value;
      }
    }
  }
  return bytes;
}
