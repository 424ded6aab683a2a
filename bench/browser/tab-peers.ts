// wann beside hnswlib-wasm (nmslib/hnswlib built with Emscripten) in one Chromium tab:
// each builds siftsmall with the same M, efConstruction and seed, then both answer the
// same 100 queries one call each (hnswlib-wasm has no batch call), timed in rounds that
// alternate between the libraries. Prints build time, recall@10 against gt.ivecs and
// queries/s (median of the rounds, min … max), and wann ÷ hnswlib-wasm per round.
// Needs `npm run build`. Usage: npx tsx bench/browser/tab-peers.ts [--rounds 7] [--ef 64]
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../../test/browser/chromium.js';
import { startServer } from '../../test/browser/serve.js';
import { median } from '../lib/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, ef: { type: 'string', default: '64' } } });
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const factory = readdirSync(`${ROOT}node_modules/hnswlib-wasm/dist`).find((file) => /^hnswlib-[0-9a-f]+\.js$/.test(file));
if (!factory) throw new Error('hnswlib-wasm: no Emscripten factory hnswlib-<hash>.js in its dist/');

interface TabResult { build: Record<string, number>; recall: Record<string, number>; qps: Record<string, number[]>; builds: string[] }

const server = await startServer(ROOT);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench/browser/runner.html`);
  await page.evaluate('globalThis.__name = (fn) => fn'); // tsx keeps function names with an __name() helper the page lacks
  const result = await page.evaluate(async ({ factory, rounds, ef }) => {
    const load = (path: string) => import(path);
    const wann = await load('/dist/wann.browser.js');
    const { decodeVecs } = await load('/dist/texmex.js');
    const { recallAtK } = await load('/dist/recall.js');
    const hnswlib = await (await load(`/node_modules/hnswlib-wasm/dist/${factory}`)).default();
    const fetchVecs = async (name: string, kind: string) => decodeVecs(new Uint8Array(await (await fetch(`/bench/data/siftsmall/${name}`)).arrayBuffer()), kind);
    const base = await fetchVecs('base.bvecs', 'bvecs'), queries = await fetchVecs('query.bvecs', 'bvecs'), gt = await fetchVecs('gt.ivecs', 'ivecs');
    const [M, efConstruction, seed, k] = [16, 200, 100, 10];
    const rows = (m: { data: Float32Array; dim: number }, i: number) => m.data.subarray(i * m.dim, (i + 1) * m.dim);

    const search: Record<string, (q: Float32Array) => ArrayLike<number>> = {};
    const build: Record<string, number> = {};
    for (const simd of [true, false]) {
      const start = performance.now();
      const index = await wann.HnswIndex.create({ dim: base.dim, M, efConstruction, seed, simd });
      for (let i = 0; i < base.n; i++) index.add(rows(base, i), i); // one row a call, as hnswlib-wasm adds
      build[`wann ${index.build}`] = performance.now() - start;
      search[`wann ${index.build}`] = (q) => index.search(q, k, { ef }).ids;
    }
    let start = performance.now();
    const peer = new hnswlib.HierarchicalNSW('l2', base.dim, '');
    peer.initIndex(base.n, M, efConstruction, seed);
    for (let i = 0; i < base.n; i++) peer.addPoint(rows(base, i), i, false);
    build['hnswlib-wasm'] = performance.now() - start;
    peer.setEfSearch(ef);
    search['hnswlib-wasm'] = (q) => peer.searchKnn(q, k, undefined).neighbors;

    const recall: Record<string, number> = {};
    const qps: Record<string, number[]> = {};
    for (const [name, run] of Object.entries(search)) {
      const found = new Int32Array(queries.n * k);
      for (let q = 0; q < queries.n; q++) found.set(Array.from(run(rows(queries, q))).slice(0, k), q * k);
      recall[name] = recallAtK(found, k, gt.data, gt.dim, k);
      qps[name] = [];
    }
    for (let r = 0; r < rounds; r++) {
      for (const [name, run] of Object.entries(search)) {
        let done = 0;
        start = performance.now();
        while (performance.now() - start < 300) {
          for (let q = 0; q < queries.n; q++) run(rows(queries, q));
          done += queries.n;
        }
        qps[name]!.push(done / ((performance.now() - start) / 1000));
      }
    }
    return { build, recall, qps, builds: Object.keys(search) };
  }, { factory, rounds: Number(values.rounds), ef: Number(values.ef) }) as TabResult;

  const spread = (v: number[], digits = 0) => `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)} … ${Math.max(...v).toFixed(digits)})`;
  console.log(`siftsmall 10000 × 128 in one headless Chromium tab, M 16, efConstruction 200, ef ${values.ef}, k 10, ${values.rounds} alternating rounds of 300 ms`);
  console.log('| library | build (s) | recall@10 | queries/s: median (min … max) |\n| --- | --- | --- | --- |');
  for (const name of result.builds) {
    console.log(`| ${name} | ${(result.build[name]! / 1000).toFixed(1)} | ${result.recall[name]!.toFixed(3)} | ${spread(result.qps[name]!)} |`);
  }
  for (const name of result.builds.filter((n) => n.startsWith('wann'))) {
    const ratios = result.qps[name]!.map((v, i) => v / result.qps['hnswlib-wasm']![i]!);
    console.log(`${name} ÷ hnswlib-wasm: ${spread(ratios, 2)} (per-round ratios)`);
  }
} finally {
  await browser.close();
  await server.close();
}
