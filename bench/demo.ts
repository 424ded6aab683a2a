// The main job (`npm start`): builds an HNSW index over real vectors with the SIMD and
// the scalar build, and with 8-bit rows (storage 'i8', SIMD), and prints recall@10
// against exact ground truth, queries/s, build time and memory side by side, with exact
// (flat) search for reference; then product quantization: a 4-bit fast scan and IVF-PQ
// re-ranking from kept rows, training included in their build time.
//
//   npm start                                   shipped siftsmall (10k × 128, 100 queries)
//   npm start -- <folder>                       base/query .fvecs|.bvecs, optional gt.ivecs
//   npm start -- base.fvecs query.fvecs         your own vectors (ground truth computed)
//   npm start -- synthetic:20000:64             seeded clustered vectors
//   options: --metric l2|ip|cosine  --M 16  --ef-construction 200  --ef 16,32,64,128

import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatIndex, HnswIndex, IvfIndex, type SearchOptions } from '../src/index.js';
import { recallAtK } from '../src/recall.js';
import { loadDataset, readVecs, type Dataset } from './lib/data.js';
import { bruteForceTopK } from './lib/brute.js';
import { formatMachine } from './lib/machine.js';
import { median } from './lib/stats.js';

const SHIPPED = join(dirname(fileURLToPath(import.meta.url)), 'data', 'siftsmall');
const RUNS = 5;
const K = 10;

interface Options { spec: string[]; metric: 'l2' | 'ip' | 'cosine'; M: number; efConstruction: number; efs: number[] }

function parseArgs(argv: string[]): Options {
  const options: Options = { spec: [], metric: 'l2', M: 16, efConstruction: 200, efs: [16, 32, 64, 128] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i], value = argv[i + 1];
    if (!flag.startsWith('--')) { options.spec.push(flag); continue; }
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--metric') options.metric = value as Options['metric'];
    else if (flag === '--M') options.M = Number(value);
    else if (flag === '--ef-construction') options.efConstruction = Number(value);
    else if (flag === '--ef') options.efs = value.split(',').map(Number);
    else throw new Error(`unknown option ${flag} (see the header of bench/demo.ts)`);
    i++;
  }
  return options;
}

/** The dataset named on the command line; ground truth is exact brute force when not given. */
function load(spec: string[], metric: Options['metric']): Dataset {
  const first = spec[0] ?? SHIPPED;
  if (spec.length >= 2 || (existsSync(first) && statSync(first).isFile())) {
    if (spec.length < 2) throw new Error('give the queries too: npm start -- base.fvecs query.fvecs');
    const base = readVecs(spec[0]), queries = readVecs(spec[1]);
    if (base.dim !== queries.dim) throw new Error(`base dim ${base.dim} differs from query dim ${queries.dim}`);
    const b = Float32Array.from(base.data), q = Float32Array.from(queries.data);
    const { ids } = bruteForceTopK(b, q, base.dim, K, metric);
    return { name: spec[0], metric, dim: base.dim, n: base.n, nq: queries.n, base: b, queries: q, gt: ids, gtK: K };
  }
  return loadDataset(first, { metric, onProgress: (m) => console.log(m) });
}

/**
 * Recall@10 and median queries/s of each index at one ef. The indexes take turns,
 * one pass over all queries each per round, so a busy machine slows all of them alike
 * and the SIMD / scalar ratio stays fair.
 */
function measure(indexes: (HnswIndex | FlatIndex | IvfIndex)[], data: Dataset, search: SearchOptions | SearchOptions[]): { recall: number; qps: number }[] {
  const optionsOf = (i: number) => (Array.isArray(search) ? search[i] : search);
  const times = indexes.map(() => [] as number[]);
  const recalls = indexes.map((index, i) => recallAtK(index.searchBatch(data.queries, K, optionsOf(i)).ids, K, data.gt, data.gtK, K));
  for (let run = 0; run < RUNS; run++) {
    indexes.forEach((index, i) => {
      const start = performance.now();
      index.searchBatch(data.queries, K, optionsOf(i));
      times[i].push(performance.now() - start);
    });
  }
  return indexes.map((_, i) => ({ recall: recalls[i], qps: (data.nq * 1000) / median(times[i]) }));
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
}

const options = parseArgs(process.argv.slice(2));
const data = load(options.spec, options.metric);
console.log(`wann demo — ${relative(process.cwd(), data.name) || data.name}: ${data.n.toLocaleString()} × ${data.dim}, ${data.nq} queries, metric ${options.metric}`);
console.log(`${formatMachine()}; single thread; M=${options.M}, efConstruction=${options.efConstruction}, k=${K}, median of ${RUNS} runs\n`);

const widths = [19, 8, 5, 10, 11, 10];
console.log(row(['index', 'build s', 'ef', 'recall@10', 'queries/s', 'memory MB'], widths));
const builds = [true, false].map((simd) => (simd ? 'simd' : 'scalar'));
/** The HNSW indexes, timed in turns: f32 with each build, then 8-bit rows with SIMD. */
const variants = [...builds.map((build) => ({ label: `HNSW ${build}`, simd: build === 'simd', storage: 'f32' as const })),
  { label: 'HNSW simd, i8 rows', simd: true, storage: 'i8' as const }];
const graphs: HnswIndex[] = [];
const buildSeconds: number[] = [];
for (const { simd, storage } of variants) {
  const index = await HnswIndex.create({ dim: data.dim, metric: options.metric, M: options.M, efConstruction: options.efConstruction, capacity: data.n, simd, storage });
  const start = performance.now();
  index.addBatch(data.base);
  buildSeconds.push((performance.now() - start) / 1000);
  graphs.push(index);
}
const flats: FlatIndex[] = [];
for (const build of builds) {
  const flat = await FlatIndex.create({ dim: data.dim, metric: options.metric, capacity: data.n, simd: build === 'simd' });
  flat.addBatch(data.base);
  flats.push(flat);
}
const perEf = options.efs.map((ef) => measure(graphs, data, { ef }));
variants.forEach(({ label }, b) => {
  perEf.forEach((results, i) => {
    const first = i === 0;
    console.log(row([first ? label : '', first ? buildSeconds[b].toFixed(2) : '', options.efs[i], results[b].recall.toFixed(3),
      Math.round(results[b].qps).toLocaleString(), first ? (graphs[b].memoryBytes / 1e6).toFixed(1) : ''], widths));
  });
});
measure(flats, data, {}).forEach(({ recall, qps }, b) => {
  console.log(row([`flat ${builds[b]} (exact)`, '', '', recall.toFixed(3), Math.round(qps).toLocaleString(), (flats[b].memoryBytes / 1e6).toFixed(1)], widths));
});
/** Product quantization, SIMD: codes of dim / 2 bytes scanned 32 at a time, and inverted lists of dim / 8-byte codes re-ranked from kept rows. */
const pqVariants = [
  { label: 'flat simd, pq 4-bit', search: {}, make: () => FlatIndex.create({ dim: data.dim, metric: options.metric, capacity: data.n, storage: 'pq', pq: { m: Math.ceil(data.dim / 4), bits: 4 } }) },
  {
    label: 'IVF-PQ, rerank 100', search: { nprobe: 16, rerank: 100 },
    make: () => IvfIndex.create({ dim: data.dim, metric: options.metric, capacity: data.n, nlist: Math.max(1, Math.round(Math.sqrt(data.n))), keepVectors: true }),
  },
];
const compressed: (FlatIndex | IvfIndex)[] = [];
const pqSeconds: number[] = [];
for (const { make } of pqVariants) {
  const index = await make();
  const start = performance.now();
  index.addBatch(data.base); // trains k-means on the batch first
  pqSeconds.push((performance.now() - start) / 1000);
  compressed.push(index);
}
measure(compressed, data, pqVariants.map(({ search }) => search)).forEach(({ recall, qps }, b) => {
  console.log(row([pqVariants[b].label, pqSeconds[b].toFixed(2), '', recall.toFixed(3), Math.round(qps).toLocaleString(), (compressed[b].memoryBytes / 1e6).toFixed(1)], widths));
});
const memory = graphs.map((index) => index.memoryBytes);
const pqMemory = compressed[0].memoryBytes;
for (const index of [...graphs, ...flats, ...compressed]) index.dispose();
const speedups = perEf.map(([simd, scalar], i) => `${(simd.qps / scalar.qps).toFixed(2)}x at ef=${options.efs[i]}`);
console.log(`\nSIMD vs scalar: build ${(buildSeconds[1] / buildSeconds[0]).toFixed(2)}x faster; search ${speedups.join(', ')}`);
const compact = perEf.map(([simd, , i8], i) => `${(i8.qps / simd.qps).toFixed(2)}x at ef=${options.efs[i]}`);
console.log(`i8 rows vs f32 (SIMD): memory ${(memory[2] / memory[0]).toFixed(2)}x, build ${(buildSeconds[0] / buildSeconds[2]).toFixed(2)}x faster; search ${compact.join(', ')}`);
console.log(`pq 4-bit flat scan: memory ${(pqMemory / memory[0]).toFixed(2)}x of the f32 HNSW index (README "Product quantization")`);
