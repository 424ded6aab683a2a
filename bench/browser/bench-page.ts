// Script of bench/browser/bench.html: runs the kernel benchmark and a search sweep for
// the SIMD and the scalar build in the visitor's browser, with the same tables and
// charts as the Node scripts, and leaves the figures on window.benchResults for
// test/browser-bench.test.ts. Bundled by bench/browser/build.ts.
import { HnswIndex, simdSupported } from '../../src/index.js';
import { recallAtK } from '../../src/recall.js';
import { bruteForceTopK } from '../lib/brute.js';
import { kernelRatioSpec, searchSpec, toSvg } from '../lib/charts.js';
import { DEFAULT_KERNEL_OPTIONS, runKernelBench, type KernelMetric, type KernelResults } from '../lib/kernel-bench.js';
import { median, type Point } from '../lib/stats.js';
import { syntheticClustered } from '../lib/synthetic.js';
import { boundaryTable, kernelTable, ratioAtRecallTable, ratioTable, type SweepResult } from '../lib/tables.js';

const K = 10;
const MIN_RUN_MS = 100;
const RUNS = 3;
const WASM = { simd: '../../build/wann-simd.wasm', scalar: '../../build/wann-scalar.wasm' }; // resolved against the page URL

interface BenchResults { done: boolean; errors: string[]; simdSupported?: boolean; kernels?: KernelResults; search?: SweepResult[] }
const state: BenchResults = { done: false, errors: [] };
(globalThis as { benchResults?: BenchResults }).benchResults = state;

const params = new URLSearchParams(location.search);
const list = (name: string, fallback: readonly number[]) => params.get(name)?.split(',').map(Number) ?? [...fallback];
const num = (name: string, fallback: number) => Number(params.get(name) ?? fallback);
const $ = (id: string) => document.getElementById(id)!;
const status = (text: string) => { $('status').textContent = text; };
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0)); // lets the page repaint between steps

/** Markdown table (as bench/lib/tables.ts writes it) to an HTML table. */
function htmlTable(markdown: string): string {
  const rows = markdown.trim().split('\n').filter((_, i) => i !== 1).map((line) => line.slice(1, -1).split(' | ').map((c) => c.trim()));
  const cell = (tag: string, text: string) => `<${tag}>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${tag}>`;
  return `<table><thead><tr>${rows[0].map((c) => cell('th', c)).join('')}</tr></thead><tbody>${rows.slice(1).map((r) => `<tr>${r.map((c) => cell('td', c)).join('')}</tr>`).join('')}</tbody></table>`;
}

async function kernels(): Promise<void> {
  const modules = {
    simd: await WebAssembly.compileStreaming(fetch('../results/wasm/kernels-simd.wasm')),
    scalar: await WebAssembly.compileStreaming(fetch('../results/wasm/kernels-scalar.wasm')),
    naive: await WebAssembly.compileStreaming(fetch('../results/wasm/kernels-naive.wasm')),
  };
  const results = await runKernelBench(modules, {
    dims: list('dims', DEFAULT_KERNEL_OPTIONS.dims),
    metrics: (params.get('metrics')?.split(',') as KernelMetric[] | undefined) ?? DEFAULT_KERNEL_OPTIONS.metrics,
    timeMs: num('time', DEFAULT_KERNEL_OPTIONS.timeMs),
    outOfCacheBytes: num('outMiB', DEFAULT_KERNEL_OPTIONS.outOfCacheBytes / 2 ** 20) * 2 ** 20,
    onStep: (done, total, label) => status(`kernels ${done}/${total}: ${label}`),
  });
  state.kernels = results;
  $('kernel-chart').innerHTML = await toSvg(kernelRatioSpec(results.rows, 'Distance kernels in this browser: SIMD ÷ scalar'));
  $('kernel-ratios').innerHTML = htmlTable(ratioTable(results.rows));
  $('kernel-table').innerHTML = htmlTable(kernelTable(results.rows));
  $('boundary-table').innerHTML = htmlTable(boundaryTable(results.boundary));
}

async function search(): Promise<void> {
  const n = num('n', 10_000), dim = num('dim', 128), nq = num('nq', 200), efs = list('ef', [10, 20, 40, 80, 160]);
  status(`search: generating ${n} × ${dim} vectors and exact ground truth`);
  await nextFrame();
  const { base, queries } = syntheticClustered({ n, queries: nq, dim, seed: 42 });
  const gt = bruteForceTopK(base, queries, dim, K).ids;
  const sweeps: Array<{ index: HnswIndex; result: SweepResult & { buildSeconds: number } }> = [];
  for (const build of ['simd', 'scalar'] as const) {
    status(`search: building the ${build} index`);
    await nextFrame();
    const index = await HnswIndex.create({ dim, capacity: n, simd: build === 'simd', wasm: WASM, M: 16, efConstruction: 200, seed: 42 });
    const start = performance.now();
    index.addBatch(base);
    sweeps.push({ index, result: { name: `wann ${build}`, kind: 'wasm', buildSeconds: (performance.now() - start) / 1000, points: [] } });
  }
  const searchAll = (index: HnswIndex, ef: number) => index.searchBatch(queries, K, { ef }).ids;
  for (const ef of efs) {
    status(`search: ef ${ef}`);
    await nextFrame();
    const reps: number[] = [], times: number[][] = sweeps.map(() => []);
    for (const { index, result } of sweeps) {
      index.resetCounters();
      const recall = recallAtK(searchAll(index, ef), K, gt, K, K);
      const { distances, hops } = index.counters;
      result.points.push({ ef, recall, qps: 0, distances: distances / nq, hops: hops / nq });
      const start = performance.now();
      searchAll(index, ef);
      reps.push(Math.max(1, Math.ceil(MIN_RUN_MS / Math.max(performance.now() - start, 0.01))));
    }
    for (let run = 0; run < RUNS; run++) { // round robin, so noise falls on both builds alike
      sweeps.forEach(({ index }, i) => {
        const start = performance.now();
        for (let r = 0; r < reps[i]; r++) searchAll(index, ef);
        times[i].push((performance.now() - start) / reps[i]);
      });
    }
    sweeps.forEach(({ result }, i) => { (result.points.at(-1) as Point).qps = (nq * 1000) / median(times[i]); });
  }
  for (const { index } of sweeps) index.dispose();
  state.search = sweeps.map((s) => s.result);
  $('search-chart').innerHTML = await toSvg(searchSpec(state.search, `synthetic ${n} × ${dim}, ${nq} queries, in this browser`));
  const rows = state.search.flatMap((r) => r.points.map((p) => `| ${r.name} | ${p.ef} | ${p.recall.toFixed(4)} | ${Math.round(p.qps)} | ${p.distances?.toFixed(0)} | ${p.hops?.toFixed(1)} |`));
  $('search-table').innerHTML = htmlTable(ratioAtRecallTable(state.search, 0.95)) +
    htmlTable(['| build | ef | recall@10 | queries/s | distances/query | hops/query |', '| --- |', ...rows].join('\n'));
}

try {
  state.simdSupported = simdSupported();
  $('env').textContent = `${navigator.userAgent}; ${navigator.hardwareConcurrency} logical cores; cross-origin isolated: ${String(globalThis.crossOriginIsolated)}`;
  if (params.get('kernels') !== '0') await kernels();
  if (params.get('search') !== '0') await search();
  status('done');
} catch (error) {
  state.errors.push(error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error));
  $('errors').textContent = state.errors.join('\n\n');
  status('failed');
} finally {
  state.done = true;
}
