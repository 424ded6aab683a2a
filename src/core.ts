// One instance of the WASM core as the TypeScript side sees it: its exports, views over
// its memory, the state record by name, and the one place addresses are read. memory.grow
// detaches every view over the old buffer, so each getter checks the buffer and rebuilds
// its view when it changed: a stale view is impossible. Addresses arrive as i32 and pass
// 2 GiB in a large index, so every one is read unsigned here. Used by the index classes,
// format.ts, hnswlib.ts and filter.ts.

import { Region, State, Status } from './abi.js';
import { WannError } from './errors.js';
import { storageName } from './options.js';
import type { LoadedCore, Threading, WannExports } from './wasm.js';

/** Capacity grows by half again when full, so growth is amortised. */
const GROWTH = 1.5;

export class Core {
  #f32 = new Float32Array(0);
  #u32 = new Uint32Array(0);
  #u8 = new Uint8Array(0);

  readonly x: WannExports;
  /** How to run batch calls on several threads (src/parallel.ts); undefined: the calling thread alone. */
  readonly threading: Threading | undefined;

  constructor(loaded: LoadedCore) {
    this.x = loaded.x;
    this.threading = loaded.threading;
  }

  /** f32 values from one row to the next in WASM memory: dim rounded up to a multiple of 4 (assembly/params.ts). */
  get stride(): number {
    return (this.state(State.DIM) + 3) & ~3;
  }

  /** Whether the memory is shared between threads (a SharedArrayBuffer, which some browser APIs refuse). */
  get shared(): boolean {
    return this.threading !== undefined;
  }

  /** Threads batch calls run on: the pool's workers, or 1. */
  get threads(): number {
    return this.threading?.workers ?? 1;
  }

  /** Whole-memory f32 view (index = byte address / 4). */
  get f32(): Float32Array {
    const buffer = this.x.memory.buffer;
    if (this.#f32.buffer !== buffer) this.#f32 = new Float32Array(buffer);
    return this.#f32;
  }

  /** Whole-memory u32 view (index = byte address / 4). */
  get u32(): Uint32Array {
    const buffer = this.x.memory.buffer;
    if (this.#u32.buffer !== buffer) this.#u32 = new Uint32Array(buffer);
    return this.#u32;
  }

  /** Whole-memory byte view. */
  get u8(): Uint8Array {
    const buffer = this.x.memory.buffer;
    if (this.#u8.buffer !== buffer) this.#u8 = new Uint8Array(buffer);
    return this.#u8;
  }

  /** Bytes of linear memory the instance holds. */
  get bytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Word `word` of the state record (src/abi.ts State). */
  state(word: State): number {
    return this.u32[((this.x.stateRecordPtr() >>> 0) >>> 2) + word];
  }

  /** The first State.PERSISTED words of the state record: what a saved index stores. */
  savedState(): Uint32Array {
    const at = (this.x.stateRecordPtr() >>> 0) >>> 2;
    return this.u32.slice(at, at + State.PERSISTED);
  }

  /** Writes the saved words of the state record (before restoreLayout()). */
  writeSavedState(words: Uint32Array): void {
    this.u32.set(words.subarray(0, State.PERSISTED), (this.x.stateRecordPtr() >>> 0) >>> 2);
  }

  /** Start of `region`. */
  regionPtr(region: Region): number {
    return this.x.regionPtr(region) >>> 0;
  }

  /** Each used slot's id, or null while every id is its slot number (State.LABELS_ARE_SLOTS: no LABELS region). */
  labels(): Uint32Array | null {
    if (this.state(State.LABELS_ARE_SLOTS) !== 0) return null;
    return new Uint32Array(this.x.memory.buffer, this.regionPtr(Region.LABELS), this.state(State.COUNT));
  }

  /** The ids of `slots`. */
  idsOf(slots: Uint32Array): Uint32Array {
    const labels = this.labels();
    return labels === null ? slots : slots.map((slot) => labels[slot]);
  }

  /** Each used slot's removal flag (1: removed), or null while nothing is removed. */
  deletedFlags(): Uint8Array | null {
    if (this.state(State.DELETED_COUNT) === 0) return null;
    return new Uint8Array(this.x.memory.buffer, this.regionPtr(Region.DELETED), this.state(State.COUNT));
  }

  /** Bytes of `region` a saved index stores. */
  regionUsedBytes(region: Region): number {
    return this.x.regionUsedBytes(region) >>> 0;
  }

  /** Where rows go in and decoded rows come out (f32 index). */
  inputIndex(): number {
    return (this.x.inputPtr() >>> 0) >>> 2;
  }

  /** Ids of `ids` not in the index: the slots an add of them needs. */
  freshIds(ids: Uint32Array): number {
    let fresh = 0;
    for (let i = 0; i < ids.length; i++) if (this.x.slotOf(ids[i]) < 0) fresh++;
    return fresh;
  }

  /** Throws DUPLICATE_ID when a default id (src/vectors.ts sequentialIds) is already in the index. */
  checkDefaultIds(ids: Uint32Array): void {
    for (let i = 0; i < ids.length; i++) {
      if (this.x.slotOf(ids[i]) >= 0) throw new WannError('DUPLICATE_ID', `default id ${ids[i]} (ids[${i}]) is already in the index; pass ids`);
    }
  }

  /** Writes `vector` into the input row and adds it under `id`, growing first when no slot is free; `context` names the call in errors. */
  store(vector: ArrayLike<number>, id: number, context: string): void {
    this.f32.set(vector, this.inputIndex());
    let status = this.x.add(id);
    if (status === Status.FULL) {
      this.reserve(this.state(State.COUNT) + 1); // keeps the input row (assembly/context.ts)
      status = this.x.add(id);
    }
    if (status === Status.NOT_TRAINED) {
      throw new WannError('NOT_TRAINED', `${context}: storage '${storageName(this.state(State.STORAGE))}' learns its value ranges first: `
        + 'call train(sample) or start with addBatch(), which trains on its rows');
    }
    if (status < 0) throw WannError.fromStatus(status, context);
  }

  /** Makes room for `needed` items, growing by half again so growth is amortised (OUT_OF_MEMORY when it cannot). */
  reserve(needed: number): void {
    const capacity = this.state(State.CAPACITY);
    if (needed <= capacity) return;
    if (needed > 0xffffffff) throw new WannError('OUT_OF_MEMORY', `cannot hold ${needed} items (at most 2^32 - 1)`);
    const wanted = Math.min(Math.max(needed, Math.ceil(capacity * GROWTH)), 0xffffffff);
    let status = this.x.reserve(wanted);
    if (status < 0 && wanted > needed) status = this.x.reserve(needed); // the larger step may not fit; the exact one might
    if (status < 0) throw WannError.fromStatus(status, `growing to ${needed} items`);
  }

  /** The `found` results of the last search, copied out. */
  results(found: number): { ids: Uint32Array; distances: Float32Array } {
    const ids = (this.x.resultIdsPtr() >>> 0) >>> 2, distances = (this.x.resultDistancesPtr() >>> 0) >>> 2;
    return { ids: this.u32.slice(ids, ids + found), distances: this.f32.slice(distances, distances + found) };
  }

  /** Copies the `found` results of the last search into `ids` and `distances` at `at`. */
  copyResults(found: number, ids: Uint32Array, distances: Float32Array, at: number): void {
    const idsAt = (this.x.resultIdsPtr() >>> 0) >>> 2, distancesAt = (this.x.resultDistancesPtr() >>> 0) >>> 2;
    ids.set(this.u32.subarray(idsAt, idsAt + found), at);
    distances.set(this.f32.subarray(distancesAt, distancesAt + found), at);
  }

  /** The staging block's address (small data to checksum). */
  stagingPtr(): number {
    return this.x.stagingPtr() >>> 0;
  }
}
