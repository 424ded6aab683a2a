// The search app's index, owned by this Worker so building never blocks the page:
// opens the saved index from OPFS when there is one (a reload opens at once), else
// builds it from the shipped MNIST digits with progress, then saves it to OPFS.
// Answers searches with ids, distances, the neighbours' pixels (read back from the
// index) and the time per query. Messages are documented in bench/app/app.js.
import { HnswIndex, opfsSink, opfsSource, simdSupported } from '../../dist/wann.browser.js';

const DIM = 784;
const BUILD = { metric: 'l2', M: 16, efConstruction: 100, seed: 1, capacity: 10_000 };
/** Storage kinds offered, with what each needs (README "Compressed storage", "Product quantization"). */
const STORAGE = {
  f32: {}, f16: {}, i8: {},
  binary: { keepVectors: true }, // an HNSW graph over bits is built from the f32 rows, and searches re-rank from them
  pq: { pq: { m: 98, bits: 4 } }, // 8-pixel slices, 16 centroids each: 49 bytes a digit, trained in about a second
};

let index; // the open HnswIndex
let opened = { storage: '', build: '' };
let queries; // Uint8Array of the 1000 test digits, loaded on first use

const fileName = (storage) => `mnist-${storage}.wann`;

/** Fetches a gzipped uint8 file of the app and inflates it (DecompressionStream: no library). */
async function fetchPixels(name) {
  const response = await fetch(new URL(`./data/${name}`, import.meta.url));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const inflated = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(inflated).arrayBuffer());
}

const post = (message, transfer = []) => self.postMessage(message, transfer);

async function open({ storage, simd }) {
  const build = simd && simdSupported() ? 'simd' : 'scalar';
  if (index && opened.storage === storage && opened.build === build) return post({ type: 'ready', how: 'unchanged', ...describe() });
  index?.dispose();
  index = undefined;
  let start = performance.now();
  try {
    index = await HnswIndex.openFrom(await opfsSource(fileName(storage)), { simd: build === 'simd', dim: DIM });
    opened = { storage, build };
    return post({ type: 'ready', how: 'opened', ms: performance.now() - start, ...describe() });
  } catch (error) {
    if (error?.code !== 'NOT_FOUND') post({ type: 'note', text: `could not open the saved index (${error?.code ?? error}); building it again` });
  }
  post({ type: 'progress', phase: 'loading digits', done: 0, total: 1 });
  const pixels = await fetchPixels('mnist-base.u8.gz');
  const rows = Float32Array.from(pixels);
  start = performance.now();
  index = await HnswIndex.create({ dim: DIM, ...BUILD, storage, ...STORAGE[storage], simd: build === 'simd' });
  if (!index.trained) {
    index.train(rows, { onProgress: (done, total) => post({ type: 'progress', phase: 'training', done, total }) });
  }
  index.addBatch(rows, undefined, { onProgress: (done, total) => post({ type: 'progress', phase: 'indexing', done, total }) });
  const buildMs = performance.now() - start;
  opened = { storage, build };
  start = performance.now();
  let saved = 'saved to OPFS';
  try {
    await index.saveTo(await opfsSink(fileName(storage)));
  } catch (error) {
    saved = `not saved (${error?.code ?? error}): it will be built again next time`;
  }
  post({ type: 'ready', how: 'built', ms: buildMs, saveMs: performance.now() - start, saved, ...describe() });
}

function describe() {
  return { storage: index.storage, build: index.build, size: index.size, memoryBytes: index.memoryBytes };
}

/** Times `run` over enough repetitions to fill ~20 ms: one search is too short to time alone. */
function timePerCall(run) {
  let calls = 0;
  const start = performance.now();
  do {
    run();
    calls++;
  } while (performance.now() - start < 20 && calls < 1000);
  return (performance.now() - start) / calls;
}

function search({ id, query, k, ef }) {
  const vector = Float32Array.from(query);
  const found = index.search(vector, k, { ef });
  const ms = timePerCall(() => index.search(vector, k, { ef }));
  const images = new Uint8Array(found.ids.length * DIM);
  found.ids.forEach((neighbour, i) => {
    const row = index.get(neighbour); // what the index stores: exact for f32, its decoding for the others
    for (let j = 0; j < DIM; j++) images[i * DIM + j] = Math.max(0, Math.min(255, Math.round(row[j])));
  });
  post({ type: 'results', id, ids: [...found.ids], distances: [...found.distances], images, ms, k, ef, build: index.build, storage: index.storage }, [images.buffer]);
}

async function testDigit({ id, which }) {
  queries ??= await fetchPixels('mnist-query.u8.gz');
  const n = queries.length / DIM;
  const i = ((which % n) + n) % n;
  post({ type: 'testDigit', id, which: i, pixels: queries.slice(i * DIM, (i + 1) * DIM) });
}

const handlers = { open, search, testDigit };
self.onmessage = async ({ data }) => {
  try {
    await handlers[data.type](data);
  } catch (error) {
    post({ type: 'error', id: data.id, text: `${error?.code ?? error?.name ?? 'Error'}: ${error?.message ?? error}` });
  }
};
