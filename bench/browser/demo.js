// The offline search demo: HNSW and exact search on siftsmall, SIMD and scalar builds,
// timed in the page. Loaded by demo.html; results also land on window.demo for
// bench/browser/headless.ts. URL parameters: ?M=16&efConstruction=200&ef=64&n=10000.

import { FlatIndex, HnswIndex, simdSupported } from '/dist/wann.browser.js';
import { recallAtK } from '/dist/recall.js';
import { fetchSiftsmall } from './texmex.js';

const K = 10;
/** Rows per addBatch() call: small enough that the progress bar moves smoothly. */
const CHUNK_ROWS = 250;
/** Each timed run repeats the query set for at least this long; the median of RUNS is shown. */
const RUN_MS = 250;
const RUNS = 5;

const params = new URLSearchParams(location.search);
const intParam = (name, fallback) => {
  const value = Number(params.get(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`URL parameter ${name} must be a positive integer, got ${params.get(name)}`);
  return value;
};

const demo = (window.demo = { done: false, error: null, rows: [], env: {}, params: {} });
const $ = (id) => document.getElementById(id);
const nextFrame = () => new Promise((resolve) => setTimeout(resolve)); // let the page repaint

function setStage(text, done = 0, total = 1) {
  $('stage').textContent = text;
  $('progress').max = total;
  $('progress').value = done;
}

/** Adds `rows` in chunks, yielding between them; returns the time spent in addBatch() only. */
async function addInChunks(index, rows, dim, label) {
  const count = rows.length / dim;
  let busyMs = 0;
  for (let start = 0; start < count; start += CHUNK_ROWS) {
    const end = Math.min(start + CHUNK_ROWS, count);
    const began = performance.now();
    index.addBatch(rows.subarray(start * dim, end * dim), undefined, {
      onProgress: (done) => setStage(`${label}: adding ${start + done} / ${count}`, start + done, count),
    });
    busyMs += performance.now() - began;
    await nextFrame();
  }
  return busyMs;
}

/** Median queries/s of searchBatch() over the query set, after one warm-up pass. */
function queriesPerSecond(index, queries) {
  index.searchBatch(queries.data, K);
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    let passes = 0;
    const began = performance.now();
    let elapsed = 0;
    do {
      index.searchBatch(queries.data, K);
      passes++;
      elapsed = performance.now() - began;
    } while (elapsed < RUN_MS);
    rates.push((passes * queries.n * 1000) / elapsed);
  }
  rates.sort((a, b) => a - b);
  return rates[RUNS >> 1];
}

async function measure(kind, simd, data, options) {
  const { base, queries, truth } = data;
  const label = `${kind} (${simd ? 'SIMD' : 'scalar'})`;
  setStage(`${label}: creating`, 0, 1);
  const index = kind === 'HNSW'
    ? await HnswIndex.create({ dim: base.dim, capacity: options.n, simd, ...options.hnsw })
    : await FlatIndex.create({ dim: base.dim, capacity: options.n, simd });
  try {
    const buildMs = await addInChunks(index, base.data.subarray(0, options.n * base.dim), base.dim, label);
    setStage(`${label}: searching`, 1, 1);
    await nextFrame();
    const { ids } = index.searchBatch(queries.data, K);
    index.resetCounters();
    index.searchBatch(queries.data, K);
    const distancesPerQuery = index.counters.distances / queries.n;
    const row = {
      index: kind, build: index.build, buildMs,
      recall: options.n === base.n ? recallAtK(ids, K, truth.data, truth.dim, K) : null,
      qps: queriesPerSecond(index, queries),
      distancesPerQuery, memoryBytes: index.memoryBytes, ids: [...ids],
    };
    await nextFrame();
    return row;
  } finally {
    index.dispose();
  }
}

const format = {
  ms: (ms) => (ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms).toLocaleString('en')} ms`),
  int: (x) => Math.round(x).toLocaleString('en'),
  mb: (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`,
};

function showRow(row) {
  const tr = document.createElement('tr');
  const cells = row.skipped
    ? [row.index, row.build, ...Array(5).fill(row.skipped)]
    : [row.index, row.build, format.ms(row.buildMs), row.recall === null ? '–' : row.recall.toFixed(3),
        format.int(row.qps), format.int(row.distancesPerQuery), format.mb(row.memoryBytes)];
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    if (row.skipped) td.className = 'pending';
    tr.append(td);
  }
  $('rows').append(tr);
}

function showNotes(rows) {
  const find = (index, build) => rows.find((row) => row.index === index && row.build === build && !row.skipped);
  const notes = [];
  for (const kind of ['HNSW', 'Flat']) {
    const simd = find(kind, 'simd'), scalar = find(kind, 'scalar');
    if (!simd || !scalar) continue;
    const same = simd.ids.length === scalar.ids.length && simd.ids.every((id, i) => id === scalar.ids[i]);
    notes.push(`${kind}: SIMD ${(simd.qps / scalar.qps).toFixed(2)}× the scalar queries/s; ` +
      `${same ? 'identical' : 'DIFFERENT'} result ids in both builds.`);
  }
  const hnsw = find('HNSW', 'simd') ?? find('HNSW', 'scalar');
  const flat = find('Flat', 'simd') ?? find('Flat', 'scalar');
  if (hnsw && flat) notes.push(`HNSW (${hnsw.build}) answers ${(hnsw.qps / flat.qps).toFixed(1)}× as many queries/s as exact search.`);
  notes.push(`Build time counts only the time inside addBatch(), not the pauses for repainting between chunks of ${CHUNK_ROWS}. ` +
    `Queries/s is the median of ${RUNS} runs of ≥ ${RUN_MS} ms over the 100 queries (searchBatch, k = ${K}), after a warm-up pass.`);
  $('notes').innerHTML = notes.map((note) => `${note}<br>`).join('');
}

async function main() {
  const options = {
    n: intParam('n', 10000),
    hnsw: { M: intParam('M', 16), efConstruction: intParam('efConstruction', 200), ef: intParam('ef', 64) },
  };
  demo.params = options;
  demo.env = {
    userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency,
    simdSupported: simdSupported(), crossOriginIsolated: globalThis.crossOriginIsolated === true,
  };
  $('params').textContent = `HNSW: M = ${options.hnsw.M}, efConstruction = ${options.hnsw.efConstruction}, ` +
    `ef = ${options.hnsw.ef}; ${options.n.toLocaleString('en')} base vectors. Change with ?M=…&efConstruction=…&ef=…&n=…`;
  $('env').textContent = `${navigator.userAgent} · ${navigator.hardwareConcurrency} logical cores · ` +
    `WebAssembly SIMD ${demo.env.simdSupported ? 'supported' : 'not supported'} · ` +
    `cross-origin isolated (fine timers): ${demo.env.crossOriginIsolated ? 'yes' : 'no'}`;

  setStage('fetching siftsmall…', 0, 1);
  const data = await fetchSiftsmall();
  if (options.n > data.base.n) throw new Error(`n = ${options.n}, but siftsmall has ${data.base.n} base vectors`);

  for (const kind of ['HNSW', 'Flat']) {
    for (const simd of [true, false]) {
      const row = simd && !demo.env.simdSupported
        ? { index: kind, build: 'simd', skipped: 'no SIMD here' }
        : await measure(kind, simd, data, options);
      demo.rows.push(row);
      showRow(row);
    }
  }
  showNotes(demo.rows);
  setStage('done', 1, 1);
}

try {
  await main();
} catch (error) {
  demo.error = `${error.name}${error.code ? ` ${error.code}` : ''}: ${error.message}`;
  $('error').textContent = `${demo.error}\n${error.stack ?? ''}`;
  setStage('failed', 0, 1);
} finally {
  demo.done = true;
}
