// Shared by test/browser/persist.html and persist-worker.js (test/browser-io.test.ts):
// seeded data, the index every phase builds, and what a phase reports of an index.
import { FlatIndex, HnswIndex } from '/dist/wann.browser.js';

export const DIM = 32;

/** `n` rows of DIM floats from a seeded LCG: the same in the page, the worker and across reloads. */
export function rows(n, seed) {
  let state = seed >>> 0;
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

export const QUERIES = rows(25, 99);

export async function buildHnsw() {
  const index = await HnswIndex.create({ dim: DIM, seed: 7, M: 12, efConstruction: 64 });
  index.addBatch(rows(3000, 1));
  return index;
}

export async function buildFlat(n = 2000, dim = DIM) {
  const index = await FlatIndex.create({ dim });
  index.addBatch(n * dim === 2000 * DIM ? rows(2000, 2) : new Float32Array(n * dim).map((_, i) => Math.sin(i)));
  return index;
}

/** What the test compares across phases: the answers, exactly. */
export function answers(index) {
  const found = index.searchBatch(QUERIES, 10, { ef: 40 });
  return { kind: index instanceof FlatIndex ? 'FlatIndex' : 'HnswIndex', size: index.size, ids: [...found.ids], distances: [...found.distances] };
}

export function describeError(error) {
  return error instanceof Error ? `${error.name}${error.code ? ` ${error.code}` : ''}: ${error.message}` : String(error);
}

/** The code of the WannError `run` rejects with, or 'none'. */
export async function codeOf(run) {
  try {
    await run();
    return 'none';
  } catch (error) {
    return error?.code ?? describeError(error);
  }
}
