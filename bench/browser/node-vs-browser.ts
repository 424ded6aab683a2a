// The same search in Node and in headless Chromium, same build, same index, same
// queries: the index is built once in Node, its file loaded in both; rounds alternate
// Node / Chromium and SIMD / scalar so machine noise falls on all four alike. Prints
// queries/s per runtime and build (median of the rounds, with min … max), Chromium ÷ Node
// (the issue asks >= 0.9) and SIMD ÷ scalar in each runtime, with the spread of the
// per-round ratios, so noise cannot flip a conclusion unseen.
// Needs `npm run build`. Usage: npx tsx bench/browser/node-vs-browser.ts [--rounds 9] [--ef 64]
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HnswIndex } from '../../src/index.js';
import { launchChromium } from '../../test/browser/chromium.js';
import { startServer } from '../../test/browser/serve.js';
import { readBvecs } from '../lib/data.js';
import { median } from '../lib/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, ef: { type: 'string', default: '64' } } });
const ROUNDS = Number(values.rounds), EF = Number(values.ef), K = 10, ROUND_MS = 300;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = 'bench/results/browser/node-vs-browser';

const base = readBvecs(`${ROOT}bench/data/siftsmall/base.bvecs`), queries = readBvecs(`${ROOT}bench/data/siftsmall/query.bvecs`);
const built = await HnswIndex.create({ dim: base.dim, seed: 1 });
built.addBatch(base.data);
mkdirSync(`${ROOT}${OUT}`, { recursive: true });
writeFileSync(`${ROOT}${OUT}/index.wann`, built.serialize());
writeFileSync(`${ROOT}${OUT}/queries.f32`, new Uint8Array(queries.data.buffer, queries.data.byteOffset, queries.data.byteLength));
built.dispose();

/** Queries/s of one round: the query set searched again and again for ROUND_MS. Same code in both runtimes. */
function round(index: HnswIndex, rows: Float32Array, ef: number, k: number, ms: number): number {
  index.searchBatch(rows, k, { ef }); // warm
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    index.searchBatch(rows, k, { ef });
    done += rows.length / index.dim;
  }
  return done / ((performance.now() - start) / 1000);
}

const builds = ['simd', 'scalar'] as const;
const nodeIndexes = Object.fromEntries(await Promise.all(builds.map(async (build) =>
  [build, await HnswIndex.open(`${ROOT}${OUT}/index.wann`, { simd: build === 'simd' })] as const)));

const server = await startServer(ROOT);
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`${server.url}/bench/browser/runner.html`);
await page.evaluate(async ({ out }) => {
  const wann = await import('/dist/wann.browser.js' as string);
  const bytes = new Uint8Array(await (await fetch(`/${out}/index.wann`)).arrayBuffer());
  const rows = new Float32Array(await (await fetch(`/${out}/queries.f32`)).arrayBuffer());
  const w = window as unknown as Record<string, unknown>;
  w.rows = rows;
  w.indexes = { simd: await wann.HnswIndex.load(bytes, { simd: true }), scalar: await wann.HnswIndex.load(bytes, { simd: false }) };
}, { out: OUT });
const pageBuilds = await page.evaluate(() => Object.values((window as unknown as { indexes: Record<string, { build: string }> }).indexes).map((index) => index.build));
if (pageBuilds.join() !== 'simd,scalar' || builds.some((build) => nodeIndexes[build]!.build !== build)) throw new Error(`builds differ from what was asked: ${pageBuilds}`);
const roundSource = round.toString();

const qps: Record<string, number[]> = { 'node simd': [], 'node scalar': [], 'chromium simd': [], 'chromium scalar': [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const build of builds) {
    qps[`node ${build}`]!.push(round(nodeIndexes[build]!, queries.data, EF, K, ROUND_MS));
    qps[`chromium ${build}`]!.push(await page.evaluate(({ source, build, ef, k, ms }) => {
      const w = window as unknown as { rows: Float32Array; indexes: Record<string, unknown> };
      const run = new Function(`return (${source})`)() as (...args: unknown[]) => number;
      return run(w.indexes[build], w.rows, ef, k, ms);
    }, { source: roundSource, build, ef: EF, k: K, ms: ROUND_MS }));
  }
}
await browser.close();
await server.close();

const spread = (values: number[], digits = 0) => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)} … ${Math.max(...values).toFixed(digits)})`;
const ratios = (a: number[], b: number[]) => a.map((value, i) => value / b[i]!);
console.log(`siftsmall ${base.n} × ${base.dim}, ${queries.n} queries, k ${K}, ef ${EF}, ${ROUNDS} rounds of ${ROUND_MS} ms, alternating`);
console.log('| runtime | build | queries/s: median (min … max) |\n| --- | --- | --- |');
for (const [name, values] of Object.entries(qps)) console.log(`| ${name.split(' ')[0]} | ${name.split(' ')[1]} | ${spread(values)} |`);
for (const build of builds) {
  console.log(`Chromium ÷ Node, ${build}: ${spread(ratios(qps[`chromium ${build}`]!, qps[`node ${build}`]!), 2)} (per-round ratios)`);
}
for (const runtime of ['node', 'chromium']) {
  console.log(`SIMD ÷ scalar, ${runtime}: ${spread(ratios(qps[`${runtime} simd`]!, qps[`${runtime} scalar`]!), 2)} (per-round ratios)`);
}
