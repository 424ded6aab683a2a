// bench/browser/peers.html: builds siftsmall with wann (SIMD and scalar builds) and with
// hnswlib-wasm (Emscripten, loaded from node_modules) in this tab, scores recall@10
// against exact search (wann's FlatIndex), then times the same queries one call each in
// rounds alternating between the libraries. Shows medians with min … max, and per-round
// ratios (SIMD ÷ scalar, wann ÷ hnswlib-wasm) with their spread. Leaves everything on
// window.peersResults for bench/browser/tab-peers.ts and test/browser-peers.test.ts.
import { FlatIndex, HnswIndex } from '/dist/wann.browser.js';
import { recallAtK } from '/dist/recall.js';
import { fetchVecs } from './texmex.js';

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') ?? 10000), ROUNDS = Number(params.get('rounds') ?? 7);
const EF = Number(params.get('ef') ?? 64), ROUND_MS = Number(params.get('roundMs') ?? 300);
const [M, EF_CONSTRUCTION, SEED, K] = [16, 200, 100, 10];
const results = (window.peersResults = { done: false, errors: [], params: { n: N, rounds: ROUNDS, ef: EF, roundMs: ROUND_MS } });
const status = (text) => { document.getElementById('status').textContent = text; };
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const spread = (v, digits = 0) => `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)} … ${Math.max(...v).toFixed(digits)})`;

/** hnswlib-wasm's Emscripten factory: its file name carries a build hash, read from the package's own entry. */
async function loadHnswlib() {
  const entry = await (await fetch('/node_modules/hnswlib-wasm/dist/hnswlib.js')).text();
  const file = /hnswlib-[0-9a-f]+\.js/.exec(entry)?.[0];
  if (!file) throw new Error('hnswlib-wasm: no hnswlib-<hash>.js named in its dist/hnswlib.js');
  return (await import(`/node_modules/hnswlib-wasm/dist/${file}`)).default();
}

async function run() {
  const [baseAll, queries] = await Promise.all([fetchVecs('/bench/data/siftsmall/base.bvecs'), fetchVecs('/bench/data/siftsmall/query.bvecs')]);
  const { dim } = baseAll, n = Math.min(N, baseAll.n);
  const row = (m, i) => m.data.subarray(i * m.dim, (i + 1) * m.dim);
  const exact = await FlatIndex.create({ dim });
  exact.addBatch(baseAll.data.subarray(0, n * dim));
  const truth = exact.searchBatch(queries.data, K).ids;
  exact.dispose();

  const search = {}, buildMs = {};
  for (const simd of [true, false]) {
    status(`building wann (${simd ? 'SIMD' : 'scalar'})…`);
    await new Promise((resolve) => setTimeout(resolve)); // let the status paint
    const start = performance.now();
    const index = await HnswIndex.create({ dim, M, efConstruction: EF_CONSTRUCTION, seed: SEED, simd, capacity: n });
    for (let i = 0; i < n; i++) index.add(row(baseAll, i), i); // one row a call, as hnswlib-wasm adds
    buildMs[`wann ${index.build}`] = performance.now() - start;
    search[`wann ${index.build}`] = (q) => index.search(q, K, { ef: EF }).ids;
  }
  status('building hnswlib-wasm…');
  await new Promise((resolve) => setTimeout(resolve));
  const hnswlib = await loadHnswlib();
  let start = performance.now();
  const peer = new hnswlib.HierarchicalNSW('l2', dim, '');
  peer.initIndex(n, M, EF_CONSTRUCTION, SEED);
  for (let i = 0; i < n; i++) peer.addPoint(row(baseAll, i), i, false);
  buildMs['hnswlib-wasm'] = performance.now() - start;
  peer.setEfSearch(EF);
  search['hnswlib-wasm'] = (q) => peer.searchKnn(q, K, undefined).neighbors;

  const names = Object.keys(search), recall = {}, qps = {};
  for (const name of names) {
    const found = new Int32Array(queries.n * K).fill(-1);
    for (let q = 0; q < queries.n; q++) found.set(Array.from(search[name](row(queries, q))).slice(0, K), q * K);
    recall[name] = recallAtK(found, K, truth, K, K);
    qps[name] = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    status(`timing: round ${r + 1} of ${ROUNDS}…`);
    await new Promise((resolve) => setTimeout(resolve));
    for (const name of names) {
      let done = 0;
      start = performance.now();
      while (performance.now() - start < ROUND_MS) {
        for (let q = 0; q < queries.n; q++) search[name](row(queries, q));
        done += queries.n;
      }
      qps[name].push(done / ((performance.now() - start) / 1000));
    }
  }
  const perRound = (a, b) => qps[a].map((v, i) => v / qps[b][i]);
  const ratios = {
    'wann SIMD ÷ scalar': perRound('wann simd', 'wann scalar'),
    'wann SIMD ÷ hnswlib-wasm': perRound('wann simd', 'hnswlib-wasm'),
    'wann scalar ÷ hnswlib-wasm': perRound('wann scalar', 'hnswlib-wasm'),
  };
  Object.assign(results, { n, names, buildMs, recall, qps, ratios });
  document.getElementById('out').innerHTML = `
    <table><thead><tr><th>library</th><th>build (s)</th><th>recall@10</th><th>queries/s: median (min … max)</th></tr></thead><tbody>
    ${names.map((name) => `<tr><td>${name}</td><td>${(buildMs[name] / 1000).toFixed(1)}</td><td>${recall[name].toFixed(3)}</td><td>${spread(qps[name])}</td></tr>`).join('')}
    </tbody></table>
    <table><thead><tr><th>ratio (per round)</th><th>median (min … max)</th></tr></thead><tbody>
    ${Object.entries(ratios).map(([name, v]) => `<tr><td>${name}</td><td>${spread(v, 2)}${Math.min(...v) < 1 && Math.max(...v) > 1 ? ' — crosses 1: no conclusion' : ''}</td></tr>`).join('')}
    </tbody></table>
    <p class="muted">${n} rows × ${dim}, ${queries.n} queries, k ${K}, ef ${EF}, M ${M}, efConstruction ${EF_CONSTRUCTION}; ${ROUNDS} rounds of ${ROUND_MS} ms.</p>`;
  status('done');
}

run().catch((error) => {
  results.errors.push(String(error?.stack ?? error));
  status('failed');
  document.getElementById('out').innerHTML = `<p class="error">${String(error?.stack ?? error)}</p>`;
}).finally(() => { results.done = true; });
