// What test/browser/threads.html and its Worker (threads-worker.js) share: seeded
// clustered rows, exact neighbours to measure recall by, and error descriptions.

export const DIM = 32;
/** HNSW parameters of every index the pages build: seeded, so a build on one thread is reproducible. */
export const HNSW = { dim: DIM, seed: 11, M: 16, efConstruction: 100 };
export const K = 10;
export const EF = 64;

/**
 * `n` rows of DIM floats around 64 seeded centres (spread 0.1 in each coordinate),
 * and `queries` rows moved a little off evenly spaced base rows.
 */
export function makeRows(n, queries = 0, seed = 7) {
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const centres = new Float32Array(64 * DIM).map(() => random() * 2 - 1);
  const base = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const centre = Math.floor(random() * 64) * DIM;
    for (let j = 0; j < DIM; j++) base[i * DIM + j] = centres[centre + j] + (random() - 0.5) * 0.2;
  }
  const moved = new Float32Array(queries * DIM);
  for (let q = 0; q < queries; q++) {
    const row = Math.floor((q * n) / queries) * DIM;
    for (let j = 0; j < DIM; j++) moved[q * DIM + j] = base[row + j] + (random() - 0.5) * 0.05;
  }
  return { base, queries: moved };
}

/** The exact k nearest rows of each query by squared L2, as one flat array of ids. */
export function exactIds(base, queries, k) {
  const n = base.length / DIM, ids = [];
  for (let q = 0; q < queries.length / DIM; q++) {
    const scored = [];
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < DIM; j++) sum += (base[i * DIM + j] - queries[q * DIM + j]) ** 2;
      scored.push([sum, i]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let r = 0; r < k; r++) ids.push(scored[r][1]);
  }
  return ids;
}

/** Share of `truth`'s ids (k per query) that `found` (k per query) holds for the same query. */
export function recall(found, truth, k) {
  let hits = 0;
  for (let q = 0; q < truth.length / k; q++) {
    const want = new Set(truth.slice(q * k, q * k + k));
    for (let r = 0; r < k; r++) if (want.has(found[q * k + r])) hits++;
  }
  return hits / truth.length;
}

export function describeError(error) {
  return error instanceof Error
    ? `${error.name}${error.code ? ` ${error.code}` : ''}: ${error.message}\n${error.stack ?? ''}`
    : String(error);
}

/**
 * Counts the Web Workers this realm starts from blob: URLs (wann's pool starts its
 * workers from a Blob of their source, src/pool.ts), by wrapping the global Worker.
 */
export function countPoolWorkers(scope) {
  const counter = { started: 0 };
  const Original = scope.Worker;
  if (typeof Original !== 'function') return counter;
  scope.Worker = class extends Original {
    constructor(url, options) {
      super(url, options);
      if (String(url).startsWith('blob:')) counter.started++;
    }
  };
  return counter;
}

/**
 * The ids no other item links to on level 0 of `index`'s graph (read from its hnswlib
 * file, src/hnswlib.ts: a 96-byte header, then one record per slot, its level-0 list
 * first as a u32 count and maxM0 slots, its label last). A serial build links each new
 * item from the neighbours it picks, so it leaves none unless a full list pruned it.
 */
export function unlinkedIds(index) {
  const bytes = index.toHnswlib(), view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Number(view.getBigUint64(16, true)), recordBytes = Number(view.getBigUint64(24, true));
  const labelOff = Number(view.getBigUint64(32, true));
  const linksTo = new Uint32Array(count);
  for (let slot = 0; slot < count; slot++) {
    const at = 96 + slot * recordBytes, n = view.getUint16(at, true);
    for (let i = 0; i < n; i++) linksTo[view.getUint32(at + 4 + i * 4, true)]++;
  }
  const ids = [];
  for (let slot = 0; slot < count; slot++) {
    if (linksTo[slot] === 0) ids.push(Number(view.getBigUint64(96 + slot * recordBytes + labelOff, true)));
  }
  return ids;
}
