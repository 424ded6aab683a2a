// Checks and shapes the caller's vectors, ids and counts before anything reaches
// WASM memory, so a rejected call changes nothing. Used by the index classes.

import { WannError } from './errors.js';
import { describe, type StorageName } from './options.js';

/** One vector: a Float32Array (copied as is), or any array of numbers. */
export type Vector = Float32Array | Float64Array | readonly number[];

/** Many vectors: one flat Float32Array of n·dim values, or an array of vectors. */
export type Vectors = Float32Array | readonly Vector[];

/** Largest id; 2^32 - 1 is reserved as "no result" (NO_ID). */
export const MAX_ID = 0xfffffffe;

/** Reported in searchBatch() output where a query has fewer than k results. */
export const NO_ID = 0xffffffff;

/** Result arrays for `rows` searches of k: every id NO_ID and every distance Infinity until found. */
export function emptyResults(rows: number, k: number): { ids: Uint32Array; distances: Float32Array } {
  return { ids: new Uint32Array(rows * k).fill(NO_ID), distances: new Float32Array(rows * k).fill(Infinity) };
}

/** The smallest magnitude float32 rounds to Infinity: 2^128 · (1 - 2^-25). */
const F32_OVERFLOW = 3.4028235677973366e38;
/** The smallest magnitude half precision rounds to Infinity: 65504 + half an ulp. */
const F16_OVERFLOW = 65520;

/** Values at or beyond this magnitude would be stored as Infinity by `storage`. */
export function valueLimit(storage: StorageName): number {
  return storage === 'f16' ? F16_OVERFLOW : F32_OVERFLOW;
}

/** Why `value` cannot be stored (NaN, ±Infinity, or a magnitude that rounds to Infinity), or undefined. */
function badValue(value: unknown, limit: number): string | undefined {
  // Number.isFinite is false for non-numbers too, so strings in plain arrays fail here.
  if (!Number.isFinite(value)) return `${describe(value)}; vectors must hold finite numbers`;
  if (Math.abs(value as number) < limit) return undefined;
  const range = limit === F16_OVERFLOW ? "half precision's range (±65504)" : "float32's range (±3.4e38)";
  return `${value}, beyond ${range}: it would be stored as Infinity`;
}

/** Throws unless `vector` has `dim` numbers that `limit` (valueLimit) allows; float32's by default. */
export function checkVector(vector: unknown, dim: number, what: string, limit = F32_OVERFLOW): asserts vector is Vector {
  if (!(vector instanceof Float32Array || vector instanceof Float64Array || Array.isArray(vector))) {
    throw new WannError('INVALID_ARGUMENT', `${what} must be a Float32Array or an array of numbers, got ${describe(vector)}`);
  }
  if (vector.length !== dim) {
    throw new WannError('DIMENSION_MISMATCH', `${what} has ${vector.length} values, expected dim = ${dim}`);
  }
  for (let i = 0; i < dim; i++) {
    const problem = badValue(vector[i], limit);
    if (problem !== undefined) throw new WannError('NOT_FINITE', `${what}[${i}] is ${problem}`);
  }
}

/** A checked batch: `count` rows, each readable as a Vector. */
export interface Batch {
  count: number;
  /** Set when the batch is one flat Float32Array: rows can be copied in one go. */
  flat?: Float32Array;
  row(i: number): Vector;
}

/** Checks every row of `vectors` (a flat Float32Array of n·dim, or an array of rows) as checkVector. */
export function checkBatch(vectors: unknown, dim: number, what: string, limit = F32_OVERFLOW): Batch {
  const batch = batchShape(vectors, dim, what);
  checkRows(vectors as Float32Array | unknown[], batch, dim, what, limit, 0, batch.count);
  return batch;
}

/** checkBatch() for an async call: the same checks, in slices of rows between turns of the event loop. */
export async function checkBatchSliced(vectors: unknown, dim: number, what: string, limit = F32_OVERFLOW): Promise<Batch> {
  const batch = batchShape(vectors, dim, what);
  const rows = Math.max(1, Math.floor(SLICE_VALUES / dim));
  for (let from = 0; from < batch.count; from += rows) {
    if (from > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    checkRows(vectors as Float32Array | unknown[], batch, dim, what, limit, from, Math.min(from + rows, batch.count));
  }
  return batch;
}

/** Values checked between turns of the event loop: a few milliseconds' work. */
const SLICE_VALUES = 1 << 20;

/** The batch `vectors` makes, its shape checked (a flat Float32Array of n·dim values, or an array), its values not yet. */
function batchShape(vectors: unknown, dim: number, what: string): Batch {
  if (vectors instanceof Float32Array) {
    if (vectors.length % dim !== 0) {
      throw new WannError('DIMENSION_MISMATCH',
        `${what} is a flat Float32Array of ${vectors.length} values, not a multiple of dim = ${dim}`);
    }
    return { count: vectors.length / dim, flat: vectors, row: (i: number) => vectors.subarray(i * dim, (i + 1) * dim) };
  }
  if (!Array.isArray(vectors)) {
    throw new WannError('INVALID_ARGUMENT',
      `${what} must be a flat Float32Array (n·dim values) or an array of vectors, got ${describe(vectors)}`);
  }
  return { count: vectors.length, row: (i: number) => vectors[i] as Vector };
}

/** Checks rows `from` … `to` - 1 of a batch as checkVector. */
function checkRows(vectors: Float32Array | unknown[], batch: Batch, dim: number, what: string, limit: number, from: number, to: number): void {
  const flat = batch.flat;
  if (flat) {
    for (let i = from * dim, end = to * dim; i < end; i++) {
      if (!(Math.abs(flat[i]) < limit)) { // NaN fails the comparison too
        throw new WannError('NOT_FINITE', `${what} row ${Math.floor(i / dim)}[${i % dim}] is ${badValue(flat[i], limit)}`);
      }
    }
    return;
  }
  for (let i = from; i < to; i++) checkVector((vectors as unknown[])[i], dim, `${what}[${i}]`, limit);
}

/** Throws unless `id` is an integer in 0 … MAX_ID. */
export function checkId(id: unknown, what = 'id'): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new WannError('INVALID_ID', `${what} must be an integer in 0 … ${MAX_ID}, got ${describe(id)}`);
  }
  return id;
}

/** Checks `ids` has `count` valid ids, none twice; returns them as a Uint32Array. */
export function checkIds(ids: unknown, count: number): Uint32Array {
  if (!(ids instanceof Uint32Array || Array.isArray(ids) || ArrayBuffer.isView(ids))) {
    throw new WannError('INVALID_ARGUMENT', `ids must be a Uint32Array or an array of numbers, got ${describe(ids)}`);
  }
  const list = ids as ArrayLike<number>;
  if (list.length !== count) {
    throw new WannError('INVALID_ARGUMENT', `ids has ${list.length} entries, expected one per vector (${count})`);
  }
  const checked = new Uint32Array(count);
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) {
    checked[i] = checkId(list[i], `ids[${i}]`);
    if (seen.has(checked[i])) {
      throw new WannError('DUPLICATE_ID', `ids[${i}] = ${checked[i]} appears twice in the batch`);
    }
    seen.add(checked[i]);
  }
  return checked;
}

/** Throws unless `value` is an integer >= 1 (k, ef). */
export function checkPositive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new WannError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** Entries of one searchBatch() result (ids and distances take 4 bytes each). */
const MAX_BATCH_RESULTS = 2 ** 27;

/** Throws INVALID_ARGUMENT when `rows` rows of k results would not fit one result array. */
export function checkResults(rows: number, k: number): void {
  if (rows * k > MAX_BATCH_RESULTS) {
    throw new WannError('INVALID_ARGUMENT',
      `${rows} rows × k = ${k} is ${rows * k} results, more than one batch may return (${MAX_BATCH_RESULTS}); split the queries`);
  }
}

/** The default ids of `count` rows added to an index of size `first`: first, first + 1, … (INVALID_ID past MAX_ID). */
export function sequentialIds(first: number, count: number): Uint32Array {
  if (first + count - 1 > MAX_ID) throw new WannError('INVALID_ID', `default ids ${first} … ${first + count - 1} pass ${MAX_ID}`);
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) ids[i] = first + i;
  return ids;
}
