// Where a query's time goes (issue 11), measured, for one graph in several variants at
// once: this build with and without optimize(), and optionally an older build (--before,
// a wann-simd.wasm from another checkout). Per query, at each ef:
//   cold µs   each query once, in turn: the steady state of a stream of queries
//   warm µs   the same query again at once: its rows and links are now in the caches
//   arithmetic  distances × the ns one distance costs in cache (a FlatIndex scan of
//             2,048 rows, which stay in L2)
//   in-cache rest  warm − arithmetic: heaps, visited set, link reads, calls
//   memory wait   cold − warm: waiting for rows and links from DRAM; and per hop
// Variants are timed in interleaved chunks of queries so machine noise falls on all
// alike; each figure is the median over --rounds rounds.
//
//   npm run bench:profile -- [DATASET] [--ef 64,128,256] [--queries 300] [--rounds 5] [--before old/wann-simd.wasm]
//
// DATASET as bench/search.ts (default hard:100000:128). The graph (M 16, efConstruction
// 200) is built once, on every core, and cached in bench/results/cache.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FlatIndex, HnswIndex } from '../src/index.js';
import { recallAtK } from '../src/recall.js';
import { CACHE_DIR, datasetName, loadDataset } from './lib/data.js';
import { formatMachine } from './lib/machine.js';
import { median } from './lib/stats.js';

const K = 10;
const CHUNK = 25;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ef: { type: 'string', default: '64,128,256' },
    queries: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    before: { type: 'string' },
  },
});
const spec = positionals[0] ?? 'hard:100000:128';
const efs = values.ef.split(',').map(Number);
const rounds = Number(values.rounds);
const data = loadDataset(spec, { onProgress: (m) => console.error(m) });
const nq = Math.min(Number(values.queries), data.nq);
const query = (i: number) => data.queries.subarray(i * data.dim, (i + 1) * data.dim);

mkdirSync(CACHE_DIR, { recursive: true });
const graphFile = join(CACHE_DIR, `profile-${datasetName(spec)}-M16-efc200.wann`);
if (!existsSync(graphFile)) {
  console.error(`building ${graphFile} …`);
  const index = await HnswIndex.create({ dim: data.dim, M: 16, efConstruction: 200, capacity: data.n });
  index.addBatch(data.base);
  writeFileSync(graphFile, index.serialize());
  index.dispose();
}
const bytes = new Uint8Array(readFileSync(graphFile));

interface Variant { name: string; index: HnswIndex }
const variants: Variant[] = [];
if (values.before) {
  const wasm = new Uint8Array(readFileSync(values.before));
  variants.push({ name: `before (${values.before})`, index: await HnswIndex.load(bytes, { simd: true, threads: 1, wasm: { simd: wasm } }) });
}
variants.push({ name: 'this build', index: await HnswIndex.load(bytes, { simd: true, threads: 1 }) });
const optimized = await HnswIndex.load(bytes, { simd: true, threads: 1 });
const started = performance.now();
optimized.optimize();
const optimizeMs = performance.now() - started;
variants.push({ name: 'this build, optimize()d', index: optimized });

const distanceNs = await inCacheDistanceNs();

console.log(`\n### Where a query's time goes: ${datasetName(spec)} (${data.n.toLocaleString()} × ${data.dim}), ${nq} queries\n`);
console.log(`${formatMachine()}. Graph M 16, efConstruction 200; one thread; medians of ${rounds} rounds, variants interleaved in chunks of ${CHUNK} queries. ` +
  `One distance in cache: ${distanceNs.toFixed(1)} ns. optimize() took ${optimizeMs.toFixed(0)} ms.\n`);
console.log('| variant | ef | recall@10 | µs/query | warm µs/query | distances | hops | arithmetic µs | in-cache rest µs | memory wait µs | wait per hop ns | queries/s ÷ first |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const ef of efs) {
  const cold = variants.map(() => [] as number[]), warm = variants.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    const total = variants.map(() => [0, 0]);
    for (let c = 0; c < nq; c += CHUNK) {
      const end = Math.min(nq, c + CHUNK);
      // Rotate which variant goes first so none always follows another's cache footprint.
      for (let j = 0; j < variants.length; j++) {
        const v = (j + c / CHUNK + round) % variants.length;
        const { index } = variants[v];
        let t = performance.now();
        for (let i = c; i < end; i++) index.search(query(i), K, { ef });
        total[v][0] += performance.now() - t;
        let again = 0;
        for (let i = c; i < end; i++) {
          index.search(query(i), K, { ef });
          t = performance.now();
          index.search(query(i), K, { ef });
          again += performance.now() - t;
        }
        total[v][1] += again;
      }
    }
    variants.forEach((_, v) => {
      cold[v].push((1000 * total[v][0]) / nq);
      warm[v].push((1000 * total[v][1]) / nq);
    });
  }
  const firstUs = median(cold[0]);
  variants.forEach(({ name, index }, v) => {
    index.resetCounters();
    const result = index.searchBatch(data.queries.subarray(0, nq * data.dim), K, { ef });
    const { distances, hops } = index.counters;
    const recall = recallAtK(result.ids, K, data.gt.subarray(0, nq * data.gtK), data.gtK, K);
    const us = median(cold[v]), warmUs = median(warm[v]);
    const arithmetic = ((distances / nq) * distanceNs) / 1000;
    console.log(`| ${name} | ${ef} | ${recall.toFixed(4)} | ${us.toFixed(1)} | ${warmUs.toFixed(1)} | ${Math.round(distances / nq)} | ${(hops / nq).toFixed(1)} | ` +
      `${arithmetic.toFixed(1)} | ${(warmUs - arithmetic).toFixed(1)} | ${(us - warmUs).toFixed(1)} | ${((1000 * (us - warmUs)) / (hops / nq)).toFixed(0)} | ${(firstUs / us).toFixed(3)}x |`);
  });
}
for (const { index } of variants) index.dispose();

/** ns per distance with the rows in L2: an exact scan of 2,048 rows, per row. */
async function inCacheDistanceNs(): Promise<number> {
  const rows = 2048;
  const index = await FlatIndex.create({ dim: data.dim, simd: true, threads: 1 });
  index.addBatch(data.base.subarray(0, rows * data.dim));
  const samples: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t = performance.now();
    for (let i = 0; i < 200; i++) index.search(query(i % nq), K);
    samples.push(((performance.now() - t) * 1e6) / (200 * rows));
  }
  index.dispose();
  return median(samples);
}
