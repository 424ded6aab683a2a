// A/B of this checkout against another build of wann, in one process: both build the
// same index (alternating which goes first), then search it round-robin at each ef, so
// machine noise falls on both alike. For changes that must not cost speed (a refactor,
// a new code path beside the old): reports build time and queries/s as ratios (this ÷
// base, medians), recall@10 of both, and whether both return the same ids.
//
//   npx tsx bench/ab.ts --base /path/to/other/checkout/dist/index.js [DATASET ...]
//                       [--ef 16,64,128] [--runs 9] [--builds 2] [--queries 1000] [--simd true|false]
//                       [--storage f32|f16|i8|binary] [--keep-vectors] [--rerank N] [--threads 1]
//
// The base checkout must be built (npm run build there). DATASET as bench/search.ts;
// default: siftsmall. --storage, --keep-vectors and --rerank apply to this checkout only,
// to weigh a storage kind against the base's f32.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as current from '../src/index.js';
import { recallAtK } from '../src/recall.js';
import { loadDataset, type Dataset } from './lib/data.js';
import { formatMachine, machineInfo } from './lib/machine.js';
import { median } from './lib/stats.js';

const K = 10;
/** Queries per timed run: the query set is repeated up to this many, so a run lasts long enough to time. */
const TIMED_QUERIES = 5000;
const here = fileURLToPath(new URL('.', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: 'string' },
    ef: { type: 'string', default: '16,64,128' },
    runs: { type: 'string', default: '9' },
    builds: { type: 'string', default: '2' },
    queries: { type: 'string', default: '1000' },
    simd: { type: 'string', default: 'true' },
    storage: { type: 'string', default: 'f32' },
    'keep-vectors': { type: 'boolean', default: false },
    rerank: { type: 'string' },
    threads: { type: 'string', default: '1' },
  },
});
if (!values.base) throw new Error('--base path/to/other/checkout/dist/index.js is required');
const base = (await import(values.base)) as typeof current;
const efs = values.ef.split(',').map(Number);
const runs = Number(values.runs);
const simd = values.simd === 'true';
const threads = Number(values.threads); // one by default, as the peers are measured: two threads on two shared cores add noise
const ours = { storage: values.storage as current.StorageName, keepVectors: values['keep-vectors'], rerank: values.rerank === undefined ? undefined : Number(values.rerank) };

type Index = { addBatch(v: Float32Array): void; searchBatch(q: Float32Array, k: number, o: { ef: number }): { ids: Uint32Array }; dispose(): void; memoryBytes: number };
const sides = [
  { name: 'base', create: (dim: number, n: number) => base.HnswIndex.create({ dim, capacity: n, seed: 42, simd, threads }) as Promise<Index> },
  { name: 'this', create: (dim: number, n: number) => current.HnswIndex.create({ dim, capacity: n, seed: 42, simd, threads, ...ours }) as Promise<Index> },
];

async function abOne(data: Dataset): Promise<void> {
  const queries = data.queries.subarray(0, Math.min(data.nq, Number(values.queries)) * data.dim);
  const nq = queries.length / data.dim;
  const gt = data.gt.subarray(0, nq * data.gtK);
  const buildMs: number[][] = [[], []];
  let indexes: Index[] = [];
  for (let round = 0; round < Number(values.builds); round++) {
    for (const index of indexes) index.dispose();
    indexes = [];
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const built: Index[] = [];
    for (const side of order) {
      const index = await sides[side].create(data.dim, data.n);
      const start = performance.now();
      index.addBatch(data.base);
      buildMs[side].push(performance.now() - start);
      built[side] = index;
    }
    indexes = built;
  }
  console.log(`\n${data.name} (${data.n} × ${data.dim}, ${nq} queries, ${simd ? 'SIMD' : 'scalar'}, this: ${ours.storage}${ours.keepVectors ? ' + f32 rows' : ''})`);
  console.log(`build s: base ${(median(buildMs[0]) / 1000).toFixed(2)}, this ${(median(buildMs[1]) / 1000).toFixed(2)}, this ÷ base ${(median(buildMs[1]) / median(buildMs[0])).toFixed(3)}`);
  console.log(`memory MB: base ${(indexes[0].memoryBytes / 1e6).toFixed(1)}, this ${(indexes[1].memoryBytes / 1e6).toFixed(1)}, this ÷ base ${(indexes[1].memoryBytes / indexes[0].memoryBytes).toFixed(3)}`);
  console.log('| ef | recall base | recall this | same ids | QPS base | QPS this | this ÷ base |');
  console.log('| ---: | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const ef of efs) {
    const found = indexes.map((index) => index.searchBatch(queries, K, { ef }).ids); // doubles as warm-up
    const recall = found.map((ids) => recallAtK(ids, K, gt, data.gtK, K));
    const same = found[0].every((id, i) => id === found[1][i]);
    const times: number[][] = [[], []];
    const repeat = Math.max(1, Math.round(TIMED_QUERIES / nq));
    for (let run = 0; run < runs; run++) {
      for (const side of run % 2 === 0 ? [0, 1] : [1, 0]) {
        const start = performance.now();
        for (let r = 0; r < repeat; r++) indexes[side].searchBatch(queries, K, { ef });
        times[side].push(performance.now() - start);
      }
    }
    const qps = times.map((t) => (repeat * nq * 1000) / median(t));
    console.log(`| ${ef} | ${recall[0].toFixed(4)} | ${recall[1].toFixed(4)} | ${same ? 'yes' : 'no'} | ${Math.round(qps[0])} | ${Math.round(qps[1])} | ${(qps[1] / qps[0]).toFixed(3)} |`);
  }
  for (const index of indexes) index.dispose();
}

console.log(formatMachine(machineInfo()));
const specs = positionals.length > 0 ? positionals : [join(here, 'data', 'siftsmall')];
for (const spec of specs) await abOne(loadDataset(spec, { onProgress: (m) => process.stderr.write(`${m}\r`) }));
