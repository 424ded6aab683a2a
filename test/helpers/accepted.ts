// What an index loaded from an untrusted file must survive once load() accepted it: its
// own integrity check, reads of every row, plain and filtered searches with k and ef
// around its size, adds, removes, a re-add, and a serialize → load round trip; all
// within bounded memory. Every call either succeeds or throws a WannError; anything else
// (a TypeError, a RangeError, a trap: WebAssembly.RuntimeError) fails the check. Used by
// fuzz-files.test.ts.

import { FlatIndex, HnswIndex, IvfIndex, MAX_ID, WannError, type WannErrorCode } from '../../src/index.ts';
import { firstDifference } from './brute.ts';

type Index = HnswIndex | FlatIndex | IvfIndex;

/** Counts of one fuzz property, for its summary line. */
export interface FileTally {
  mutations: number;
  accepted: number;
  rejected: Partial<Record<WannErrorCode, number>>;
  /** WannErrors thrown by calls on accepted indexes (tolerated, counted). */
  refused: Partial<Record<WannErrorCode, number>>;
}

export const newTally = (): FileTally => ({ mutations: 0, accepted: 0, rejected: {}, refused: {} });

export function summary(name: string, t: FileTally): string {
  const codes = (counts: Partial<Record<string, number>>) => Object.entries(counts).sort().map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  return `fuzz-files ${name}: ${t.mutations} mutations, ${t.accepted} accepted, rejected: ${codes(t.rejected)}; calls refused after accepted loads: ${codes(t.refused)}`;
}

/** The codes load() and fromHnswlib() may reject a file with. */
const LOAD_CODES: WannErrorCode[] = [
  'TRUNCATED', 'BAD_MAGIC', 'UNSUPPORTED_VERSION', 'CHECKSUM_MISMATCH', 'BAD_HEADER', 'CORRUPT_GRAPH', 'WRONG_KIND', 'WRONG_METRIC', 'DIMENSION_MISMATCH',
];

/**
 * The memory an accepted file of `fileBytes` may make an index hold. Per slot, a file
 * stores its row, label, level-0 links and flags; memory adds the id table, filter bits
 * and free stack (each at most 4 + 8 bytes against the file's 4-byte label and 1-byte flag)
 * and growth headroom (1.5×): a few times the file at most. Upper lists are stored as
 * they are, and working memory for a search is a few dozen bytes per slot. So 64× the
 * file is generous, and 64 MiB covers the instance's fixed part and the headroom of small
 * files. A file whose header asks for gigabytes (capacity, arena, efConstruction) passes
 * it by orders of magnitude: "a small file can never reserve gigabytes" (issue 8).
 */
export const memoryBound = (fileBytes: number) => Math.max(64 * 2 ** 20, 64 * fileBytes);

/** A rejected load: a WannError with a load code (OUT_OF_MEMORY only where the bound passes wasm32's 4 GiB). */
export function expectRejection(error: unknown, fileBytes: number, tally: FileTally): void {
  if (!(error instanceof WannError)) throw error;
  const codes = memoryBound(fileBytes) > 2 ** 32 ? [...LOAD_CODES, 'OUT_OF_MEMORY'] : LOAD_CODES;
  ensure(codes.includes(error.code), `load() rejected with ${error.code}: ${error.message}`);
  tally.rejected[error.code] = (tally.rejected[error.code] ?? 0) + 1;
}

/**
 * Why a call with valid arguments may refuse on an accepted index: the state it is in
 * (untrained, an id taken, memory). Any other code means the file left the index in a
 * state the API cannot serve (INVALID_ARGUMENT for a search with valid arguments: the
 * file's default rerank needs rows the storage does not keep), or a bug by its own
 * definition (WASM_ABORT, INTERNAL): load() should have refused the file.
 */
const REFUSALS: WannErrorCode[] = ['NOT_TRAINED', 'DUPLICATE_ID', 'OUT_OF_MEMORY'];

/** `run()`, or undefined when it threw a WannError of REFUSALS (counted). */
function tolerate<T>(tally: FileTally, run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof WannError) || !REFUSALS.includes(error.code)) throw error;
    tally.refused[error.code] = (tally.refused[error.code] ?? 0) + 1;
    return undefined;
  }
}

/** Rows for adds and queries (20 of the index's dim), and the file's own ids. */
export interface Workload {
  rows: (dim: number) => Float32Array[];
  ids: number[];
}

/** Throws `message` unless `ok`: vitest's expect() costs too much for the thousands of checks an accepted file gets. */
function ensure(ok: boolean, message: string | (() => string)): void {
  if (!ok) throw new Error(typeof message === 'string' ? message : message());
}

/**
 * Runs `index` (accepted from a file of `fileBytes`) through searches, changes and a
 * round trip through `reload`, checking after each stage.
 */
export async function expectUsable(index: Index, fileBytes: number, work: Workload, reload: (bytes: Uint8Array) => Promise<Index>, tally: FileTally): Promise<void> {
  const ids = new Set(work.ids.filter((id) => id <= MAX_ID));
  const rows = work.rows(index.dim);
  const check = (stage: string) => {
    ensure(index.memoryBytes <= memoryBound(fileBytes), `memory ${stage}: ${index.memoryBytes} bytes for a file of ${fileBytes}`);
    const problem = index instanceof HnswIndex ? index.checkIntegrity() : null;
    ensure(problem === null, `checkIntegrity() ${stage}: ${problem}`);
    const live = [...ids].filter((id) => index.has(id));
    for (const id of live) ensure(index.get(id)!.every(Number.isFinite), `get(${id}) ${stage}: ${index.get(id)}`);
    expectSearchesSound(index, rows, live, live.every((id) => index.get(id)!.every((v) => Math.abs(v) <= TAME)), tally);
    return live;
  };
  const live = check('after load');
  const added = Array.from({ length: 16 }, (_, i) => 1_000_000 + i);
  tolerate(tally, () => index.addBatch(rows.slice(0, 12), added.slice(0, 12)));
  for (let i = 12; i < 16; i++) tolerate(tally, () => index.add(rows[i], added[i]));
  added.forEach((id) => ids.add(id));
  for (const id of live.slice(0, 3)) tolerate(tally, () => index.remove(id));
  if (live.length > 0) tolerate(tally, () => index.add(rows[16], live[0]));
  check('after adds and removes');

  const saved = tolerate(tally, () => index.serialize());
  if (saved === undefined) return;
  // Its own output must load: an index that cannot read back what it wrote lost data.
  const again = await reload(saved);
  ensure(again.memoryBytes <= memoryBound(saved.length), `memory after the round trip: ${again.memoryBytes} bytes for a file of ${saved.length}`);
  ensure(firstDifference(again.serialize(), saved) === null, 'serialize() of the reloaded index differs from the bytes it was loaded from');
  const problem = again instanceof HnswIndex ? again.checkIntegrity() : null;
  ensure(problem === null, `checkIntegrity() after the round trip: ${problem}`);
  const [a, b] = [tolerate(tally, () => index.search(rows[0], 5)), tolerate(tally, () => again.search(rows[0], 5))];
  ensure(firstDifference(a?.ids ?? [], b?.ids ?? []) === null, `the reloaded index answers ${b?.ids}, the original ${a?.ids}`);
}

/**
 * Rows up to this magnitude cannot overflow a distance in f32 (squares below 1e31 over at
 * most 65,536 lanes). A file may hold larger finite values, as add() may: then f32
 * distances can be ±Infinity or NaN (∞ - ∞) without any fault of the file's.
 */
const TAME = 1e15;

/** An IvfIndex's options for a search written for the others: its width is nprobe, not ef. */
function asIvf(options: Parameters<Index['search']>[2]): Parameters<Index['search']>[2] {
  if (options?.ef === undefined) return options;
  const { ef, ...rest } = options;
  return { ...rest, nprobe: ef };
}

/**
 * Plain and filtered searches with k and ef around the size: results live, allowed and
 * distinct; where every row is `tame`, also not NaN, nearest first, and (f32, f16) at the
 * distance get()'s row gives.
 */
function expectSearchesSound(index: Index, rows: Float32Array[], live: number[], tame: boolean, tally: FileTally): void {
  const size = index.size;
  const query = rows[rows.length - 1];
  const some = Uint32Array.from([...live.slice(0, 4), 4_000_000]);
  const searches: [number, Parameters<Index['search']>[2], ((id: number) => boolean)?][] = [
    [1, {}], [Math.max(1, size), { ef: Math.max(1, size) }], [size + 3, { ef: size + 1 }], [Math.max(1, size - 1), { ef: 1 }],
    [5, { filter: (id) => id % 3 === 0 }, (id) => id % 3 === 0],
    [size + 1, { filter: (id) => id % 2 === 1, exact: false, ef: size }, (id) => id % 2 === 1],
    [3, { filter: some, exact: true }, (id) => some.includes(id)],
  ];
  for (const [k, asked, allows] of searches) {
    const options = index instanceof IvfIndex ? asIvf(asked) : asked;
    const got = tolerate(tally, () => index.search(query, k, options));
    if (got === undefined) continue;
    const ids = Array.from(got.ids), distances = Array.from(got.distances);
    const where = () => `search(k ${k}, ${JSON.stringify({ ...options, filter: options?.filter && 'set' })}) gave ids ${ids} at ${distances}`;
    ensure(ids.length <= k && new Set(ids).size === ids.length, () => `${where()}: more than k, or an id twice`);
    ensure(ids.every((id) => index.has(id) && (allows?.(id) ?? true)), () => `${where()}: not live or not allowed`);
    if (!tame) continue;
    ensure(distances.every((d, i) => !Number.isNaN(d) && (i === 0 || distances[i - 1] <= d)), () => `${where()}: NaN, or not nearest first`);
    if (index.storage === 'f32' || index.storage === 'f16') {
      ids.forEach((id, i) => {
        const want = distanceTo(index.metric, index.get(id)!, query);
        ensure(Math.abs(distances[i] - want) <= 1e-3 * Math.max(1, Math.abs(want)), () => `${where()}: distance of ${id} is ${want} by get()`);
      });
    }
  }
  const batch = tolerate(tally, () => index.searchBatch(rows.slice(0, 2), size + 1));
  ensure(!tame || batch === undefined || !batch.distances.some(Number.isNaN), 'searchBatch() gave NaN distances');
}

/** The distance the index should report for a stored row (as get() returns it) and a query. */
function distanceTo(metric: Index['metric'], row: Float32Array, query: Float32Array): number {
  let dot = 0, l2 = 0, norm = 0;
  for (let j = 0; j < query.length; j++) {
    dot += row[j] * query[j];
    l2 += (row[j] - query[j]) ** 2;
    norm += query[j] ** 2;
  }
  return metric === 'l2' ? l2 : metric === 'ip' ? 1 - dot : 1 - dot / Math.sqrt(norm);
}
